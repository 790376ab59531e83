/**
 * A full sync: one point-in-time snapshot (src/persistence/snapshot.ts,
 * copy-on-write per key) walked a slice per event-loop turn, so the server
 * keeps answering while it is produced, shared by every replica that joined
 * before it started.
 *
 * - Diskless (`capa eof` and repl-diskless-sync): `$EOF:<mark>` framing, each
 *   slice written to the replicas' links as it is produced. It starts after
 *   repl-diskless-sync-delay seconds so more replicas can share it (sooner
 *   once repl-diskless-sync-max-replicas joined), as Redis.
 * - Disk-style `$<len>`: the length must come first, so the slices are
 *   buffered in memory (Redis writes a temp file instead) and sent at the end.
 *
 * The snapshot is the data at the offset +FULLRESYNC announces; what the
 * stream carries after that point is held per replica (AttachedReplica.heldFrom)
 * and follows the snapshot, so the replica ends byte-for-byte consistent.
 */

import { nextTurn, WalkPacer } from "../engine/turns.ts";
import { BackgroundChild, type ChildEnd, SIGUSR1 } from "../persistence/companion.ts";
import { KeySaveDelay } from "../persistence/key-delay.ts";
import { defaultAux } from "../persistence/rdb/file.ts";
import { saverOf } from "../persistence/saver.ts";
import { Snapshot } from "../persistence/snapshot.ts";
import { fromLatin1 } from "../resp/bytes.ts";
import { RawBytes } from "../resp/encoder.ts";
import { Status } from "../resp/reply.ts";
import { flushStream, replicaName } from "./master.ts";
import { withReplAux } from "./rdb-info.ts";
import { type AttachedReplica, type ReplicationState, randomReplId } from "./state.ts";

/** Work per slice: short enough to keep other clients' latency low. */
const STEP_MS = 2;

// On a quiet master slices are separated by nextTurn (src/engine/turns.ts): for 1M keys, a timer's
// ~1 ms idle gap per slice took longer than the walk itself. While clients are served, WalkPacer
// spaces them out.

/** Diskless: stop producing while a replica's socket has this much unsent (Redis's pipe to the child blocks). */
const PACE_BYTES = 8 * 1024 * 1024;

export interface SyncHooks {
  /** The replica got the whole snapshot (diskless: it streams once its first ACK says it is loaded). */
  delivered(r: AttachedReplica): void;
  /** Sends what was held for the replica and streams live from then on. */
  release(r: AttachedReplica): void;
}

interface Target {
  r: AttachedReplica;
  psync: boolean;
}

export class FullSync {
  readonly targets: Target[] = [];
  /** The stream offset the snapshot stands for (+FULLRESYNC's). */
  offset = -1;
  #snapshot: Snapshot | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #mark = "";
  #buffered: Uint8Array[] = [];
  #size = 0;
  #stopped = false;
  /** When pacing first held the walk back for a replica that does not read (ms), 0 = not held. */
  #stalledSince = 0;
  readonly #pacer: WalkPacer;
  /** The process standing in for Redis's RDB child while the snapshot is made. */
  #child: BackgroundChild | null = null;

  constructor(
    readonly state: ReplicationState,
    readonly diskless: boolean,
    readonly hooks: SyncHooks,
  ) {
    this.#pacer = new WalkPacer(() => state.engine.stats.totalCommandsProcessed);
  }

  get started(): boolean {
    return this.#snapshot !== null;
  }

  add(r: AttachedReplica, psync: boolean): void {
    this.targets.push({ r, psync });
  }

  /** Starts after `delaySeconds` (diskless batching), or at once. */
  schedule(delaySeconds: number): void {
    if (delaySeconds <= 0) this.start();
    else this.#timer = setTimeout(() => this.start(), delaySeconds * 1000);
  }

  /** The replica's link is gone: forget it; a sync nobody waits for any more stops. */
  drop(r: AttachedReplica): void {
    const i = this.targets.findIndex((t) => t.r === r);
    if (i !== -1) this.targets.splice(i, 1);
    if (this.targets.length === 0) this.stop();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#buffered = [];
    this.#snapshot?.abort();
    this.#child?.stop();
    if (this.state.sync === this) this.state.sync = null;
  }

  /**
   * The companion ended while the snapshot was made (someone killed it): as
   * Redis's backgroundSaveDoneHandler with an RDB child gone wrong, the sync
   * stops and every replica waiting on it is dropped (updateSlavesWaitingBgsave).
   */
  #childDied(end: ChildEnd): void {
    if (this.#stopped) return;
    const { state } = this;
    if (this.diskless) {
      state.host?.warning(end.signal !== null ? `Background transfer terminated by signal ${end.signal}` : "Background transfer error");
    } else {
      // Redis makes a disk-target sync's snapshot as a BGSAVE, so its status follows.
      state.host?.warning(end.signal !== null ? `Background saving terminated by signal ${end.signal}` : "Background saving error");
      if (end.signal !== SIGUSR1) saverOf(state.engine)?.childFailed();
    }
    const waiting = this.targets.map((t) => t.r);
    this.stop();
    for (const r of waiting) {
      r.client.kill();
      state.host?.warning("SYNC failed. BGSAVE child returned an error");
    }
  }

  /** Takes the snapshot's point in time now, tells each replica, and starts the walk. */
  start(): void {
    if (this.#stopped || this.#snapshot !== null) return;
    this.#timer = null;
    const { state } = this;
    const { engine } = state;
    // Bytes counted in the offset but not yet moved out belong before the snapshot's point in time.
    flushStream(state);
    this.offset = state.offset;
    // A master SELECTs before its next command; a replica passes its master's stream on verbatim,
    // so its sub-replicas must start in the db that stream selected (the repl-stream-db AUX field).
    state.seldb = -1;
    const streamDb = state.link?.client?.db ?? 0;
    const now = Date.now();
    // Where Redis writes them: after used-mem, before aof-base.
    const aux = withReplAux(defaultAux(engine.host?.heapUsed() ?? 0, now), [
      ["repl-stream-db", String(streamDb)],
      ["repl-id", state.replid],
      ["repl-offset", String(this.offset)],
    ]);
    this.#mark = randomReplId();
    this.#child = BackgroundChild.start(engine, (end) => this.#childDied(end));
    for (const { r, psync } of this.targets) {
      r.heldFrom = this.offset + 1;
      const out = [];
      if (psync) out.push(new Status(`FULLRESYNC ${state.replid} ${this.offset}`));
      if (this.diskless) out.push(new RawBytes(fromLatin1(`$EOF:${this.#mark}\r\n`)));
      if (out.length > 0) r.client.send(out);
    }
    const names = this.targets.map((t) => t.r);
    state.host?.notice(
      this.diskless
        ? `Starting BGSAVE for SYNC with target: replicas sockets (${names.length} replica${names.length === 1 ? "" : "s"})`
        : "Starting BGSAVE for SYNC with target: disk",
    );
    this.#snapshot = new Snapshot(engine.dbs, {
      compress: engine.config.bool("rdbcompression"),
      checksum: engine.config.bool("rdbchecksum"),
      now,
      aux,
      keyDelay: new KeySaveDelay(() => engine.config.num("rdb-key-save-delay")),
      out: (chunk) => this.#emit(chunk),
    });
    this.#next(0);
  }

  /** Copy-on-write: keep what the command about to run may change (see cow.ts). */
  get snapshot(): Snapshot | null {
    return this.#snapshot;
  }

  #emit(chunk: Uint8Array): void {
    this.#size += chunk.length;
    if (!this.diskless) {
      this.#buffered.push(chunk);
      return;
    }
    const out = [new RawBytes(chunk)];
    for (const { r } of this.targets) r.client.send(out);
  }

  #next(delayMs: number): void {
    if (delayMs > 0) this.#timer = setTimeout(() => this.#slice(), delayMs);
    else nextTurn(() => this.#slice());
  }

  #slice(): void {
    this.#timer = null;
    if (this.#stopped) return;
    // Links killed meanwhile (their close is noticed later) get nothing more.
    for (const t of [...this.targets]) if (t.r.client.closing) this.drop(t.r);
    if (this.#stopped) return;
    if (this.diskless && this.#backedUp()) {
      // A replica that stopped reading for repl-timeout is dropped, so it cannot stall the others forever.
      const now = Date.now();
      if (this.#stalledSince === 0) this.#stalledSince = now;
      else if (now - this.#stalledSince > this.state.engine.config.num("repl-timeout") * 1000) {
        for (const { r } of [...this.targets]) {
          if (r.client.transport.pendingBytes < PACE_BYTES) continue;
          this.state.host?.warning(`Disconnecting timedout replica (full sync): ${replicaName(r)}`);
          r.client.kill();
        }
        this.#stalledSince = 0;
      }
      if (!this.#stopped) this.#next(10);
      return;
    }
    this.#stalledSince = 0;
    const snap = this.#snapshot as Snapshot;
    if (!snap.step(STEP_MS)) {
      this.#next(Math.max(this.#pacer.delayMs(STEP_MS), snap.waitMs()));
      return;
    }
    this.#finish();
  }

  #backedUp(): boolean {
    for (const { r } of this.targets) if (r.client.transport.pendingBytes >= PACE_BYTES) return true;
    return false;
  }

  #finish(): void {
    const { state } = this;
    if (state.sync === this) state.sync = null;
    this.#stopped = true;
    this.#child?.stop();
    const kind = this.diskless ? "diskless" : "disk-style";
    for (const { r } of this.targets) {
      if (this.diskless) r.client.send([new RawBytes(fromLatin1(this.#mark))]);
      else r.client.send([new RawBytes(fromLatin1(`$${this.#size}\r\n`)), ...this.#buffered.map((c) => new RawBytes(c))]);
      this.hooks.delivered(r);
      // Disk-style: the replica reads exactly $<len> bytes, so the stream may follow at once.
      if (!this.diskless) this.hooks.release(r);
      state.host?.notice(`Synchronization with replica ${replicaName(r)} succeeded (${kind} snapshot of ${this.#size} bytes)`);
    }
    this.#buffered = [];
  }
}
