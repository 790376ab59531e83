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
import { asciiLower } from "../engine/table.ts";
import { nextTurn } from "../engine/turns.ts";
import { preserveForCommand } from "../persistence/cow.ts";
import type { ByteWriter } from "../resp/bytes.ts";
import { RawBytes } from "../resp/encoder.ts";
import { type Reply, Status } from "../resp/reply.ts";
import { Backlog } from "./backlog.ts";
import { FullSync } from "./fullsync.ts";
import { checkReplicaLimit } from "./obuf.ts";
import { becomeMaster } from "./role.ts";
import { type AttachedReplica, type ReplicationState, randomReplId, replicationOf } from "./state.ts";

/** The replica record for a client, created by its first REPLCONF or PSYNC. */
export function attachedOf(state: ReplicationState, client: Client): AttachedReplica {
  let r = state.byClient.get(client.id);
  if (r === undefined) {
    r = {
      client,
      port: 0,
      ip: "",
      capaEof: false,
      capaPsync2: false,
      online: false,
      heldFrom: null,
      ackOffset: 0,
      ackTime: Date.now(),
    };
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
    state.sync?.drop(r);
    // What only this replica still needed leaves the replication buffer.
    queueMicrotask(() => state.backlog?.trim());
    const q = state.syncQueue.indexOf(r);
    if (q !== -1) state.syncQueue.splice(q, 1);
    // A sync nobody waits for any more stopped: the replicas queued behind it get theirs.
    if (state.sync === null && state.syncQueue.length > 0) queueMicrotask(() => startQueued(state));
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
const afterIo = nextTurn;

/**
 * Appends to the stream. The offset moves now; the bytes are gathered in
 * `state.unsent` and, at the end of this event-loop turn, copied once into the
 * backlog and written once to each replica, so a burst of writes costs one
 * copy and one socket write per replica.
 */
export function streamWrite(state: ReplicationState, text: string): void {
  if (state.backlog === null) return;
  const w = state.unsent;
  if (w.len === 0) afterIo(() => flushStream(state));
  state.offset += text.length;
  w.str(text);
}

/** streamWrite for bytes already in stream form (`bytes[start, end)`), e.g. a master's stream passed on verbatim. */
export function streamWriteBytes(state: ReplicationState, bytes: Uint8Array, start = 0, end = bytes.length): void {
  if (state.backlog === null || end <= start) return;
  const w = state.unsent;
  if (w.len === 0) afterIo(() => flushStream(state));
  state.offset += end - start;
  w.ensure(end - start);
  w.buf.set(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), w.len);
  w.len += end - start;
}

/** streamWrite for one command, encoded as a RESP multibulk straight into the buffer (no string per command). */
export function streamWriteCommand(state: ReplicationState, argv: readonly string[]): void {
  if (state.backlog === null) return;
  const w = state.unsent;
  const before = w.len;
  if (before === 0) afterIo(() => flushStream(state));
  writeCommand(w, argv);
  state.offset += w.len - before;
}

function writeCommand(w: ByteWriter, argv: readonly string[]): void {
  w.header(42, argv.length);
  for (let i = 0; i < argv.length; i++) w.bulk(argv[i] as string);
}

/**
 * Moves what streamWrite gathered into the backlog and to the streaming
 * replicas. Run before anything reads the backlog, and before a replica goes
 * online (it must not get bytes from before its sync point).
 */
export function flushStream(state: ReplicationState): void {
  const w = state.unsent;
  const backlog = state.backlog;
  if (w.len === 0 || backlog === null) return;
  const from = backlog.offset + 1;
  // One copy, into the replication buffer's blocks; replicas are sent views of them (before a trim
  // to repl-backlog-size could drop the start of a turn bigger than that from the history).
  backlog.append(w.buf.subarray(0, w.len), false);
  w.len = 0;
  // Give back the memory of an unusually large turn.
  if (w.buf.length > 4 * 1024 * 1024) w.buf = new Uint8Array(16 * 1024);
  sendStream(state, backlog, from);
  backlog.trim();
}

function sendStream(state: ReplicationState, backlog: Backlog, from: number): void {
  if (state.replicas.length === 0) return;
  let out: RawBytes[] | null = null;
  for (const r of state.replicas) {
    // A replica behind its snapshot is only a position in the buffer (pinned there, see pinOf).
    if (r.heldFrom === null) {
      if (!r.online) continue;
      out ??= backlog.viewsSince(from).map((v) => new RawBytes(v));
      r.client.send(out);
    }
    checkReplicaLimit(state, r);
  }
}

/**
 * The oldest stream offset a replica still needs from the replication buffer: where its held
 * stream starts, or what its socket has not taken yet (a view of the blocks, as in Redis 7.0).
 */
function pinOf(state: ReplicationState): number {
  let pin = Number.POSITIVE_INFINITY;
  const end = state.offset + 1;
  for (const r of state.replicas) {
    if (r.heldFrom !== null) pin = Math.min(pin, r.heldFrom);
    else if (r.online) pin = Math.min(pin, end - r.client.transport.pendingBytes);
  }
  return pin;
}

/** The propagation listener: what the engine propagates, as the stream carries it. */
function feed(state: ReplicationState, db: number, commands: string[][]): void {
  // A replica passes on its master's stream instead (see replica.ts).
  if (state.backlog === null || state.link !== null) return;
  const w = state.unsent;
  const before = w.len;
  if (before === 0) afterIo(() => flushStream(state));
  if (db !== state.seldb) {
    writeCommand(w, ["SELECT", String(db)]);
    state.seldb = db;
  }
  for (let i = 0; i < commands.length; i++) writeCommand(w, commands[i] as string[]);
  state.offset += w.len - before;
  // WAIT waits for the offset the caller's own last write reached (Redis's c->woff).
  if (state.current !== null) state.woff.set(state.current, state.offset);
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
  state.unsent.len = 0;
  state.backlog = new Backlog(engine.config.num("repl-backlog-size"), state.offset);
  state.backlog.pin = () => pinOf(state);
  if (!state.feedInstalled) {
    state.feedInstalled = true;
    engine.onPropagate((db, commands) => feed(state, db, commands));
    engine.config.onChange((name) => {
      if (name !== "repl-backlog-size") return;
      flushStream(state);
      state.backlog?.resize(engine.config.num(name));
    });
  }
  installCommandGate(state);
  startReplicationCron(state);
  return state.backlog;
}

/**
 * Runs before every command once replication is in use: notes whose command
 * runs (for WAIT's per-client offset) and, while a full sync's snapshot is
 * being walked, preserves the keys the command may change (copy-on-write).
 */
function installCommandGate(state: ReplicationState): void {
  if (state.gateInstalled) return;
  state.gateInstalled = true;
  state.engine.gates.push((ctx) => {
    state.current = ctx.client;
    const snap = state.sync?.snapshot;
    if (snap != null && !snap.done) preserveForCommand(state.engine, snap, ctx);
    return undefined;
  });
}

/** Once a second: PING to replicas every repl-ping-replica-period, and the replica link's ACK. */
export function startReplicationCron(state: ReplicationState): void {
  if (state.cronTimer !== null) return;
  let loops = 0;
  state.cronTimer = setInterval(() => {
    loops++;
    const period = Math.max(1, state.engine.config.num("repl-ping-replica-period"));
    if (state.link === null && state.replicas.length > 0 && loops % period === 0) {
      streamWriteCommand(state, ["PING"]);
    }
    // Replicas still waiting for their snapshot hear a newline a second, so their repl-timeout does not fire
    // (not part of the stream: offsets do not move).
    for (const r of state.replicas) {
      if (!r.online && !r.client.closing && !receivingDiskless(state, r)) r.client.send([NEWLINE]);
    }
    // A replica that stopped acknowledging is gone, whatever TCP thinks (Redis's repl-timeout).
    const timeout = state.engine.config.num("repl-timeout") * 1000;
    const now = Date.now();
    for (const r of [...state.replicas]) {
      if (r.online && now - r.ackTime > timeout) {
        state.host?.warning(`Disconnecting timedout replica (streaming sync): ${replicaName(r)}`);
        r.client.kill();
      } else checkReplicaLimit(state, r);
    }
    state.link?.cron();
  }, 1000);
  // The timer must not keep a process alive that is otherwise done (tests, shutdown).
  (state.cronTimer as { unref?: () => void }).unref?.();
}

const NEWLINE = new RawBytes(new Uint8Array([10]));

/** A diskless transfer to `r` is under way: its bytes are the RDB, a newline would corrupt it. */
function receivingDiskless(state: ReplicationState, r: AttachedReplica): boolean {
  const job = state.sync;
  const targets = job?.started === true && job.diskless ? job.targets : [];
  return targets.some((t) => t.r === r);
}

/** PSYNC replid offset / SYNC: attach the client as a replica and start its stream. */
export function syncCommand(ctx: Ctx, psync: boolean): Reply | typeof NO_REPLY {
  const state = replicationOf(ctx.engine);
  const { client } = ctx;
  const known = state.byClient.get(client.id);
  if (known !== undefined && state.replicas.includes(known)) return NO_REPLY;
  if (psync && ctx.argv.length > 3 && asciiLower(ctx.arg(3)) === "failover") {
    // Our master hands its role over to us (FAILOVER): promote, then continue its history.
    state.host?.warning(`Failover request received for replid ${ctx.arg(1)}.`);
    if (state.link === null) fail("ERR PSYNC FAILOVER can't be sent to a master.");
    if (ctx.arg(1) !== state.replid) fail("ERR PSYNC FAILOVER replid must match my replid.");
    becomeMaster(state);
    const c = ctx.client;
    state.host?.notice(
      `MASTER MODE enabled (failover request from 'id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name}')`,
    );
  }
  if (state.failover !== null) fail("NOMASTERLINK Can't SYNC while failing over");
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
      const tail = backlog.viewsSince(from).map((v) => new RawBytes(v));
      state.stats.syncPartialOk++;
      attach(state, r);
      r.online = true;
      client.send([new Status(r.capaPsync2 ? `CONTINUE ${state.replid}` : "CONTINUE"), ...tail]);
      state.host?.notice(
        `Partial resynchronization request from ${name} accepted. Sending ${backlog.offset + 1 - from} bytes of backlog starting from offset ${from}.`,
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
  attach(state, r);
  const diskless = r.capaEof && ctx.engine.config.bool("repl-diskless-sync");
  const job = state.sync;
  if (job !== null && !job.started && job.diskless === diskless) {
    // A diskless sync still waiting for repl-diskless-sync-delay: share its snapshot.
    job.add(r, psync);
    const max = ctx.engine.config.num("repl-diskless-sync-max-replicas");
    if (max > 0 && job.targets.length >= max) job.start();
    return NO_REPLY;
  }
  if (job !== null) {
    state.host?.notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
    queued.set(r, psync);
    state.syncQueue.push(r);
    return NO_REPLY;
  }
  startSync(state, r, psync, diskless);
  return NO_REPLY;
}

/** Whether a queued replica asked with PSYNC (it then gets +FULLRESYNC) or SYNC. */
const queued = new WeakMap<AttachedReplica, boolean>();

function startSync(state: ReplicationState, r: AttachedReplica, psync: boolean, diskless: boolean): void {
  const job = new FullSync(state, diskless, { delivered: (r) => delivered(state, r), release: (r) => release(state, r) });
  state.sync = job;
  job.add(r, psync);
  // repl-diskless-sync-max-replicas 1: the first replica is enough, no reason to wait for others.
  const max = state.engine.config.num("repl-diskless-sync-max-replicas");
  const delay = diskless && !(max > 0 && job.targets.length >= max) ? state.engine.config.num("repl-diskless-sync-delay") : 0;
  if (delay > 0) state.host?.notice("Delay next BGSAVE for diskless SYNC");
  job.schedule(delay);
}

function delivered(state: ReplicationState, r: AttachedReplica): void {
  r.online = true;
  r.ackTime = Date.now();
  // The next full sync starts once this one is over, for the replicas that queued behind it.
  queueMicrotask(() => startQueued(state));
}

function startQueued(state: ReplicationState): void {
  if (state.sync !== null || state.syncQueue.length === 0) return;
  const waiting = state.syncQueue.splice(0);
  const first = waiting[0] as AttachedReplica;
  const diskless = first.capaEof && state.engine.config.bool("repl-diskless-sync");
  startSync(state, first, queued.get(first) ?? true, diskless);
  for (const r of waiting.slice(1)) {
    const job = state.sync as FullSync | null;
    const same = r.capaEof && state.engine.config.bool("repl-diskless-sync") === diskless;
    if (job !== null && !job.started && same) job.add(r, queued.get(r) ?? true);
    else state.syncQueue.push(r);
  }
}

function psyncOffset(s: string): number {
  // Redis parses it with getLongLongFromObjectOrReply.
  return intArg(s);
}

/** Lists the replica (INFO's connected_slaves) from its SYNC on, as Redis does. */
function attach(state: ReplicationState, r: AttachedReplica): void {
  r.ackTime = Date.now();
  if (!r.client.extraFlags.includes("S")) r.client.extraFlags += "S";
  if (!state.replicas.includes(r)) state.replicas.push(r);
}

/** After the snapshot: send what the stream carried since its point in time, then stream live. */
function release(state: ReplicationState, r: AttachedReplica): void {
  flushStream(state);
  const from = r.heldFrom;
  r.heldFrom = null;
  const backlog = state.backlog;
  if (from === null || backlog === null || from > backlog.offset) return;
  r.client.send(backlog.viewsSince(from).map((v) => new RawBytes(v)));
}

/** REPLCONF ACK from a replica: records its offset and wakes WAITs it satisfies. */
export function replicaAck(state: ReplicationState, client: Client, offset: number): void {
  const r = state.byClient.get(client.id);
  if (r === undefined || !r.online) return;
  // After a diskless transfer the first ACK says the snapshot is loaded: the stream may follow.
  if (r.heldFrom !== null) release(state, r);
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
  const offset = state.woff.get(ctx.client) ?? 0;
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
    streamWriteCommand(state, ["REPLCONF", "GETACK", "*"]);
  });
}
