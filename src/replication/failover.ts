/**
 * FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: a master hands its
 * role to one of its replicas without losing a write (Redis 7.0's
 * failoverCommand). Writes are paused; once the target (or any replica) has
 * acknowledged the whole stream, this server becomes its replica and opens
 * the link with `PSYNC <replid> <offset> FAILOVER`, which makes the target
 * promote itself and continue our history; when the target answers
 * +CONTINUE (or +FULLRESYNC) the failover is over and the pause ends. A
 * rejected PSYNC, a timeout without FORCE, or FAILOVER ABORT put everything
 * back, as in Redis.
 */
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { intArg } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { OK, type Reply } from "../resp/reply.ts";
import { replicaIp } from "./master.ts";
import { becomeMaster, becomeReplica } from "./role.ts";
import { type AttachedReplica, type ReplicationState, replicationOf } from "./state.ts";

export type FailoverState = "no-failover" | "waiting-for-sync" | "failover-in-progress";

export interface Failover {
  state: Exclude<FailoverState, "no-failover">;
  /** The target, null until one is chosen (FAILOVER without TO picks the first replica caught up). */
  host: string | null;
  port: number;
  /** 0 = no timeout. */
  endTime: number;
  force: boolean;
  timer: ReturnType<typeof setInterval> | null;
}

/** The pause purpose (Redis's PAUSE_DURING_FAILOVER): CLIENT UNPAUSE does not end it. */
const PAUSE = "failover";
/** Redis runs its replication cron every 100 ms while a failover is on. */
const CHECK_MS = 100;

export function failoverState(state: ReplicationState): FailoverState {
  return state.failover?.state ?? "no-failover";
}

/** The replica listening on host:port (Redis's findReplica). */
function findReplica(state: ReplicationState, host: string, port: number): AttachedReplica | undefined {
  const h = host.toLowerCase();
  return state.replicas.find((r) => r.port === port && replicaIp(r).toLowerCase() === h);
}

export function failoverCommand(ctx: Ctx): Reply {
  const state = replicationOf(ctx.engine);
  const { argv } = ctx;
  if (argv.length === 2 && asciiLower(argv[1] as string) === "abort") {
    if (state.failover === null) fail("ERR No failover in progress.");
    abortFailover(state, "Failover manually aborted");
    return OK;
  }
  let timeout = 0;
  let force = false;
  let host: string | null = null;
  let port = 0;
  for (let j = 1; j < argv.length; j++) {
    const opt = asciiLower(argv[j] as string);
    if (opt === "timeout" && j + 1 < argv.length && timeout === 0) {
      timeout = intArg(argv[j + 1] as string);
      if (timeout <= 0) fail("ERR FAILOVER timeout must be greater than 0");
      j++;
    } else if (opt === "to" && j + 2 < argv.length && host === null) {
      port = intArg(argv[j + 2] as string);
      host = argv[j + 1] as string;
      j += 2;
    } else if (opt === "force" && !force) force = true;
    else fail(Errors.syntax);
  }
  if (state.failover !== null) fail("ERR FAILOVER already in progress.");
  if (state.link !== null) fail("ERR FAILOVER is not valid when server is a replica.");
  if (state.replicas.length === 0) fail("ERR FAILOVER requires connected replicas.");
  if (force && (timeout === 0 || host === null)) fail("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
  if (host !== null) {
    const r = findReplica(state, host, port);
    if (r === undefined) fail("ERR FAILOVER target HOST and PORT is not a replica.");
    if (!r.online) fail("ERR FAILOVER target replica is not online.");
    state.host?.notice(`FAILOVER requested to ${host}:${port}.`);
  } else state.host?.notice("FAILOVER requested to any replica.");
  state.failover = {
    state: "waiting-for-sync",
    host,
    port,
    endTime: timeout > 0 ? Date.now() + timeout : 0,
    force,
    timer: setInterval(() => updateFailover(state), CHECK_MS),
  };
  // Writes wait until the failover ends, so the target can catch up with a stream that stopped.
  ctx.engine.pause(Number.MAX_SAFE_INTEGER, true, PAUSE);
  return OK;
}

/** The failover cron (Redis's updateFailoverStatus): times out, or starts once a replica caught up. */
function updateFailover(state: ReplicationState): void {
  const f = state.failover;
  if (f === null || f.state !== "waiting-for-sync") return;
  if (f.endTime !== 0 && f.endTime <= Date.now()) {
    if (f.force && f.host !== null) {
      state.host?.notice(`FAILOVER to ${f.host}:${f.port} time out exceeded, failing over.`);
      startFailover(state, f.host, f.port);
    } else abortFailover(state, "Replica never caught up before timeout");
    return;
  }
  let target: AttachedReplica | undefined;
  if (f.host !== null) target = findReplica(state, f.host, f.port);
  else {
    target = state.replicas.find((r) => r.ackOffset === state.offset);
    if (target !== undefined) {
      f.host = replicaIp(target);
      f.port = target.port;
    }
  }
  if (target !== undefined && target.ackOffset === state.offset && f.host !== null) {
    state.host?.notice(`Failover target ${f.host}:${f.port} is synced, failing over.`);
    startFailover(state, f.host, f.port);
  }
}

function startFailover(state: ReplicationState, host: string, port: number): void {
  const f = state.failover as Failover;
  f.state = "failover-in-progress";
  becomeReplica(state, host, port);
}

/** The PSYNC FAILOVER was answered: +CONTINUE / +FULLRESYNC end the failover, anything else undoes it. */
export function failoverPsyncDone(state: ReplicationState, accepted: boolean): void {
  if (state.failover?.state !== "failover-in-progress") return;
  if (accepted) clearFailover(state);
  else abortFailover(state, "Failover target rejected psync request");
}

export function abortFailover(state: ReplicationState, why: string): void {
  const f = state.failover;
  if (f === null) return;
  if (f.host !== null) state.host?.notice(`FAILOVER to ${f.host}:${f.port} aborted: ${why}`);
  else state.host?.notice(`FAILOVER to any replica aborted: ${why}`);
  if (f.state === "failover-in-progress") becomeMaster(state);
  clearFailover(state);
}

function clearFailover(state: ReplicationState): void {
  const f = state.failover;
  if (f === null) return;
  if (f.timer !== null) clearInterval(f.timer);
  state.failover = null;
  state.engine.unpause(PAUSE);
}
