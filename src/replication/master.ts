/**
 * The master side: replicas attach with PSYNC (or SYNC), get a snapshot or the
 * backlog's tail, then the stream of propagated writes as RESP multibulks.
 * Nothing here runs until the first replica attaches.
 */

import { Blocked } from "../engine/blocking.ts";
import type { Client } from "../engine/client.ts";
import { NO_REPLY } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { fail } from "../engine/errors.ts";
import { intArg } from "../engine/numbers.ts";
import { defaultAux, writeRdb } from "../persistence/rdb/file.ts";
import { fromLatin1 } from "../resp/bytes.ts";
import { RawBytes } from "../resp/encoder.ts";
import { type Reply, Status } from "../resp/reply.ts";
import { Backlog, commandText } from "./backlog.ts";
import { type AttachedReplica, type ReplicationState, randomReplId, replicationOf } from "./state.ts";

/** The replica record for a client, created by its first REPLCONF or PSYNC. */
export function attachedOf(state: ReplicationState, client: Client): AttachedReplica {
  let r = state.byClient.get(client.id);
  if (r === undefined) {
    r = { client, port: 0, ip: "", capaEof: false, capaPsync2: false, online: false, streamFrom: -1, ackOffset: 0, ackTime: Date.now() };
    state.byClient.set(client.id, r);
    installClientGone(state);
  }
  return r;
}

function installClientGone(state: ReplicationState): void {
  if (state.goneInstalled) return;
  state.goneInstalled = true;
  state.engine.onClientGone((c) => {
    const r = state.byClient.get(c.id);
    if (r === undefined) return;
    state.byClient.delete(c.id);
    const i = state.replicas.indexOf(r);
    if (i !== -1) {
      state.replicas.splice(i, 1);
      state.host?.notice(`Connection with replica ${replicaName(r)} lost.`);
    }
  });
}

/** "ip:port" as Redis's replicationGetSlaveName shows it. */
export function replicaName(r: AttachedReplica): string {
  return `${replicaIp(r)}:${r.port}`;
}

export function replicaIp(r: AttachedReplica): string {
  if (r.ip !== "") return r.ip;
  const addr = r.client.addr;
  const ip = addr.slice(0, addr.lastIndexOf(":"));
  return ip.startsWith("[") ? ip.slice(1, -1) : ip;
}

/**
 * Runs `f` once the event loop has handled the I/O at hand (Redis writes to
 * replicas in beforeSleep): commands from many clients' reads share one write.
 */
const afterIo: (f: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === "function"
    ? (f) => (globalThis as unknown as { setImmediate(f: () => void): void }).setImmediate(f)
    : queueMicrotask;

/**
 * Appends to the stream. The offset moves now; the bytes (a byte string, one
 * char per byte) are gathered and, at the end of this event-loop turn, encoded
 * once into the backlog and written once to each replica, so a burst of
 * writes costs one encode and one socket write per replica.
 */
export function streamWrite(state: ReplicationState, text: string): void {
  if (state.backlog === null) return;
  state.offset += text.length;
  if (state.unsent === "") afterIo(() => flushStream(state));
  state.unsent += text;
}

/**
 * Moves what streamWrite gathered into the backlog and to the streaming
 * replicas. Run before anything reads the backlog, and before a replica goes
 * online (it must not get bytes from before its sync point).
 */
export function flushStream(state: ReplicationState): void {
  const text = state.unsent;
  if (text === "" || state.backlog === null) return;
  state.unsent = "";
  const bytes = fromLatin1(text);
  state.backlog.append(bytes);
  const out = [new RawBytes(bytes)];
  for (const r of state.replicas) if (r.online && r.streamFrom < 0) r.client.send(out);
}

/** The propagation listener: what the engine propagates, as the stream carries it. */
function feed(state: ReplicationState, db: number, commands: string[][]): void {
  // A replica passes on its master's stream instead (see replica.ts).
  if (state.backlog === null || state.link !== null) return;
  let text = "";
  if (db !== state.seldb) {
    text = commandText(["SELECT", String(db)]);
    state.seldb = db;
  }
  for (const c of commands) text += commandText(c);
  streamWrite(state, text);
}

/** Creates the backlog on first use (Redis's createReplicationBacklog), with a fresh history id. */
function ensureBacklog(state: ReplicationState): Backlog {
  if (state.backlog !== null) return state.backlog;
  if (state.link === null && !state.wasReplica) {
    // As Redis: a master that had no backlog starts a new history, so no stale replica can continue.
    state.replid = randomReplId();
    state.replid2 = "0".repeat(40);
    state.secondOffset = -1;
  }
  return newBacklog(state);
}

/** A fresh, empty backlog starting at the current offset (a replica's after each full sync, as in Redis). */
export function newBacklog(state: ReplicationState): Backlog {
  const { engine } = state;
  // Bytes gathered for an old history (a replica's before its full sync) have no place in the new one.
  state.unsent = "";
  state.backlog = new Backlog(engine.config.num("repl-backlog-size"), state.offset);
  if (!state.feedInstalled) {
    state.feedInstalled = true;
    engine.onPropagate((db, commands) => feed(state, db, commands));
    engine.config.onChange((name) => {
      if (name !== "repl-backlog-size") return;
      flushStream(state);
      state.backlog?.resize(engine.config.num(name));
    });
  }
  startReplicationCron(state);
  return state.backlog;
}

/** Once a second: PING to replicas every repl-ping-replica-period, and the replica link's ACK. */
export function startReplicationCron(state: ReplicationState): void {
  if (state.cronTimer !== null) return;
  let loops = 0;
  state.cronTimer = setInterval(() => {
    loops++;
    const period = Math.max(1, state.engine.config.num("repl-ping-replica-period"));
    if (state.link === null && state.replicas.length > 0 && loops % period === 0) {
      streamWrite(state, commandText(["PING"]));
    }
    // A replica that stopped acknowledging is gone, whatever TCP thinks (Redis's repl-timeout).
    const timeout = state.engine.config.num("repl-timeout") * 1000;
    const now = Date.now();
    for (const r of [...state.replicas]) {
      if (r.online && now - r.ackTime > timeout) {
        state.host?.warning(`Disconnecting timedout replica (streaming sync): ${replicaName(r)}`);
        r.client.kill();
      }
    }
    state.link?.cron();
  }, 1000);
  // The timer must not keep a process alive that is otherwise done (tests, shutdown).
  (state.cronTimer as { unref?: () => void }).unref?.();
}

/** PSYNC replid offset / SYNC: attach the client as a replica and start its stream. */
export function syncCommand(ctx: Ctx, psync: boolean): Reply | typeof NO_REPLY {
  const state = replicationOf(ctx.engine);
  const { client } = ctx;
  if (state.byClient.get(client.id)?.online) return NO_REPLY;
  // A replica serves sub-replicas only while it has its master's stream to pass on (Redis's rule).
  if (state.link !== null && state.link.state !== "connected") fail("NOMASTERLINK Can't SYNC while not connected with my master");
  const r = attachedOf(state, client);
  const name = replicaName(r);
  flushStream(state);
  if (psync) {
    const replid = ctx.arg(1);
    const from = psyncOffset(ctx.arg(2));
    const knownHistory = replid === state.replid || (replid === state.replid2 && from <= state.secondOffset);
    const backlog = state.backlog;
    if (knownHistory && backlog?.covers(from)) {
      const tail = backlog.since(from);
      state.stats.syncPartialOk++;
      goOnline(state, r);
      client.send([new Status(r.capaPsync2 ? `CONTINUE ${state.replid}` : "CONTINUE"), new RawBytes(tail)]);
      state.host?.notice(
        `Partial resynchronization request from ${name} accepted. Sending ${tail.length} bytes of backlog starting from offset ${from}.`,
      );
      return NO_REPLY;
    }
    if (replid !== "?") {
      state.stats.syncPartialErr++;
      state.host?.notice(`Partial resynchronization not accepted: Replication ID mismatch or offset out of range for ${name}`);
    }
    state.host?.notice(`Replica ${name} asks for synchronization`);
    state.host?.notice(`Full resync requested by replica ${name}`);
  }
  ensureBacklog(state);
  state.stats.syncFull++;
  // The snapshot is taken synchronously here, so it is exactly the data at `state.offset`.
  // A replica passes its master's stream on verbatim, so a sub-replica must start in the db that stream has
  // selected; a master instead SELECTs before its next command.
  const streamDb = state.link?.client?.db ?? 0;
  const rdb = writeRdb(ctx.engine.dbs, {
    aux: [...defaultAux(0), ["repl-stream-db", String(streamDb)], ["repl-id", state.replid], ["repl-offset", String(state.offset)]],
  });
  state.seldb = -1;
  const out = [];
  if (psync) out.push(new Status(`FULLRESYNC ${state.replid} ${state.offset}`));
  const diskless = r.capaEof && ctx.engine.config.bool("repl-diskless-sync");
  if (diskless) {
    // `$EOF:<mark>` framing: the replica finds the end by the mark, so the stream may not follow in the
    // same read; as in Redis, it starts once the replica's first REPLCONF ACK says the snapshot is loaded.
    const mark = randomReplId();
    out.push(new RawBytes(fromLatin1(`$EOF:${mark}\r\n`)), new RawBytes(rdb), new RawBytes(fromLatin1(mark)));
    r.streamFrom = state.offset + 1;
  } else out.push(new RawBytes(fromLatin1(`$${rdb.length}\r\n`)), new RawBytes(rdb));
  goOnline(state, r);
  client.send(out);
  state.host?.notice(
    `Synchronization with replica ${name} succeeded (${diskless ? "diskless" : "disk-style"} in-memory snapshot of ${rdb.length} bytes)`,
  );
  return NO_REPLY;
}

function psyncOffset(s: string): number {
  // Redis parses it with getLongLongFromObjectOrReply.
  return intArg(s);
}

function goOnline(state: ReplicationState, r: AttachedReplica): void {
  r.online = true;
  r.ackTime = Date.now();
  if (!r.client.extraFlags.includes("S")) r.client.extraFlags += "S";
  if (!state.replicas.includes(r)) state.replicas.push(r);
}

/** After a diskless transfer: send what the stream carried since the snapshot, then stream live. */
function startStream(state: ReplicationState, r: AttachedReplica): void {
  flushStream(state);
  const from = r.streamFrom;
  r.streamFrom = -1;
  const backlog = state.backlog;
  if (backlog === null || !backlog.covers(from)) {
    state.host?.warning(`Replica ${replicaName(r)} fell out of the backlog while loading: dropping it`);
    r.client.kill();
    return;
  }
  const tail = backlog.since(from);
  if (tail.length > 0) r.client.send([new RawBytes(tail)]);
}

/** REPLCONF ACK from a replica: records its offset and wakes WAITs it satisfies. */
export function replicaAck(state: ReplicationState, client: Client, offset: number): void {
  const r = state.byClient.get(client.id);
  if (r === undefined || !r.online) return;
  if (r.streamFrom >= 0) startStream(state, r);
  if (offset > r.ackOffset) r.ackOffset = offset;
  r.ackTime = Date.now();
  serveWaits(state);
}

/** Replicas that acknowledged at least `offset`. */
export function ackedReplicas(state: ReplicationState, offset: number): number {
  let n = 0;
  for (const r of state.replicas) if (r.online && r.ackOffset >= offset) n++;
  return n;
}

function serveWaits(state: ReplicationState): void {
  if (state.waits.length === 0) return;
  const still = [];
  for (const w of state.waits) {
    const n = ackedReplicas(state, w.offset);
    const waiter = state.engine.blocking.waiterOf(w.client);
    if (waiter === undefined || w.client.closing) continue;
    if (n >= w.numreplicas) {
      state.engine.blocking.remove(waiter);
      if (waiter.timer !== null) clearTimeout(waiter.timer);
      waiter.resolve(n);
    } else still.push(w);
  }
  state.waits = still;
}

/** WAIT numreplicas timeout. */
export function waitCommand(ctx: Ctx): Reply | Blocked {
  const state = replicationOf(ctx.engine);
  if (state.link !== null) {
    fail(
      "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.",
    );
  }
  const numreplicas = intArg(ctx.arg(1));
  const timeout = timeoutArg(ctx.arg(2));
  // Without per-client write offsets, WAIT waits for everything written so far (at least what Redis waits for).
  const offset = state.offset;
  const acked = ackedReplicas(state, offset);
  if (acked >= numreplicas || ctx.client.multiQueued >= 0 || ctx.client.inExec) return acked;
  state.waits.push({ client: ctx.client, offset, numreplicas });
  requestAcks(state);
  return new Blocked(
    [],
    timeout,
    () => undefined,
    () => {
      state.waits = state.waits.filter((w) => w.client !== ctx.client);
      return ackedReplicas(state, offset);
    },
  );
}

function timeoutArg(s: string): number {
  const n = intArg(s, "ERR timeout is not an integer or out of range");
  if (n < 0) fail("ERR timeout is negative");
  return n;
}

/** Sends REPLCONF GETACK * once per event-loop turn, however many WAITs asked (Redis does it in beforeSleep). */
function requestAcks(state: ReplicationState): void {
  if (state.ackRequested || state.replicas.length === 0) return;
  state.ackRequested = true;
  queueMicrotask(() => {
    state.ackRequested = false;
    streamWrite(state, commandText(["REPLCONF", "GETACK", "*"]));
  });
}
