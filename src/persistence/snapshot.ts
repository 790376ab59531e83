/**
 * A point-in-time RDB snapshot written incrementally, between commands.
 *
 * Redis forks and lets the kernel copy pages on write; respd has one thread,
 * so it copies per key instead: the walk serialises keys a chunk at a time,
 * and before a write command runs, the saver asks the snapshot to `preserve`
 * the keys that command names (serialised as they are now, i.e. as they were
 * when the snapshot began, since nothing has changed them yet). A key the
 * walk or a preserve has handled is never written again; a key that did not
 * exist when preserved is remembered too, so a key created later never
 * enters the snapshot.
 *
 * The walk goes through each table's slots in order (slots stay put until a
 * compaction, which finishes the walk of that table first: see
 * `beforeCompaction`), so "handled by the walk" is just "slot below the
 * cursor" and only preserved keys need a set. Slot order also reads the key
 * and value columns sequentially, several times faster than bucket order.
 * It walks the tables the dbs had when it began: a table replaced since
 * (FLUSHDB, a replica's load) still holds the data of that moment.
 *
 * Keys go to the file in whatever order they are handled, so the writer
 * emits SELECTDB whenever the database changes (loaders accept any number).
 */
import type { Database, KeyTable } from "../store/database.ts";
import { beforeCompaction } from "../store/dict.ts";
import type { Value } from "../store/values.ts";
import type { KeySaveDelay } from "./key-delay.ts";
import type { EncodeOptions } from "./rdb/encode.ts";
import { defaultAux, RdbFileWriter } from "./rdb/file.ts";

export interface SnapshotOptions {
  compress: boolean;
  checksum: boolean;
  /** Receives the file's bytes in order, a chunk at a time. */
  out: (chunk: Uint8Array) => void;
  /** Used for the `ctime` AUX field. */
  now?: number;
  usedMemory?: number;
  /** AUX fields instead of the default ones (a replica's full sync adds repl-id, repl-offset...). */
  aux?: [string, string][];
  /** How lists are cut into quicklist nodes (list-max-listpack-size, the packed threshold). */
  encode?: Partial<EncodeOptions>;
  /** rdb-key-save-delay: the walk pauses after each key (copy-on-write preserves never do). */
  keyDelay?: KeySaveDelay;
}

/** Flush the writer's buffer to `out` once it holds this much. */
const CHUNK_BYTES = 256 * 1024;

/** Slots walked between two looks at the clock. */
const SLOTS_PER_CHECK = 512;

export class Snapshot {
  readonly #dbs: readonly Database[];
  /** Per db: its table when the snapshot began, null once that db is done (not kept alive for nothing). */
  readonly #tables: (KeyTable | null)[];
  readonly #w: RdbFileWriter;
  readonly #out: (chunk: Uint8Array) => void;
  /** Per db: keys handled by `preserve` (written, or known absent at that time). */
  readonly #preserved: Set<string>[];
  /** Per db: the next slot to walk, or -1 when the walk has finished that db. */
  readonly #cursor: number[];
  #walkDb = 0;
  /** The db the last SELECTDB named (-1: none yet). */
  #selected = -1;
  #pending = 0;
  #ended = false;
  /** The snapshot's moment: idle times and LFU decay are judged as of it, like the rest of the copy. */
  readonly #now: number;
  readonly #delay: KeySaveDelay | null;
  /** Set by the walk when the key delay holds it: the slice ends there. */
  #held = false;
  /** Keys written so far and the total at the start (INFO current_save_keys_*). */
  keysProcessed = 0;
  readonly keysTotal: number;

  constructor(dbs: readonly Database[], opts: SnapshotOptions) {
    this.#dbs = dbs;
    this.#out = opts.out;
    this.#delay = opts.keyDelay ?? null;
    const now = opts.now ?? Date.now();
    this.#now = now;
    this.#w = new RdbFileWriter({ ...opts.encode, compress: opts.compress, checksum: opts.checksum }).header(
      opts.aux ?? defaultAux(opts.usedMemory ?? 0, now),
    );
    this.#tables = dbs.map((db) => (db.size === 0 ? null : db.table));
    this.#preserved = dbs.map(() => new Set<string>());
    this.#cursor = dbs.map((db) => (db.size === 0 ? -1 : 0));
    let total = 0;
    for (const db of dbs) total += db.size;
    this.keysTotal = total;
    this.#tables.forEach((t, id) => {
      if (t !== null) beforeCompaction.set(t, () => this.#walkAll(id, false));
    });
  }

  get done(): boolean {
    return this.#ended;
  }

  /** Writes `key` of db `id` as it is now, unless already handled. Call before a command changes it. */
  preserve(id: number, key: string): void {
    const preserved = this.#preserved[id];
    const cursor = this.#cursor[id] as number;
    // A db the walk has finished is complete: anything new there was created after the snapshot.
    if (this.#ended || preserved === undefined || cursor === -1 || preserved.has(key)) return;
    preserved.add(key);
    const s = (this.#tables[id] as KeyTable).slotOf(key);
    // Below the cursor: walked already (a key created since would have been preserved before its creation).
    if (s >= cursor && this.#writeSlot(id, s)) this.#delay?.charge();
  }

  /** Writes every key of db `id` not handled yet (FLUSHDB, SWAPDB... are about to change it all). */
  preserveDb(id: number): void {
    if (this.#ended || this.#cursor[id] === undefined) return;
    this.#walkAll(id, true);
  }

  preserveAll(): void {
    for (let id = 0; id < this.#dbs.length; id++) this.preserveDb(id);
  }

  /**
   * Walks on for about `budgetMs` milliseconds (at least a few hundred slots).
   * Returns true once every db is done and the file is complete.
   */
  step(budgetMs: number): boolean {
    if (this.#ended) return true;
    // Redis sleeps after the last key too, before the file ends.
    if (this.#delay !== null && !this.#delay.begin()) return false;
    const deadline = performance.now() + budgetMs;
    while (this.#walkDb < this.#dbs.length) {
      if (this.#cursor[this.#walkDb] === -1) {
        this.#walkDb++;
        continue;
      }
      this.#walk(this.#walkDb, SLOTS_PER_CHECK, true);
      if (this.#pending >= CHUNK_BYTES) this.#flush(false);
      if (this.#held || performance.now() >= deadline) {
        this.#held = false;
        this.#flush(false);
        return false;
      }
    }
    this.#w.end();
    this.#ended = true;
    this.#flush(true);
    return true;
  }

  /** Milliseconds before the walk may go on (rdb-key-save-delay), 0 = at once. */
  waitMs(): number {
    return this.#delay?.waitMs() ?? 0;
  }

  /** Runs the walk to the end in one go (SAVE), without the key delay. */
  finish(): void {
    while (this.#walkDb < this.#dbs.length) this.#walkAll(this.#walkDb++, true);
    while (!this.step(Number.POSITIVE_INFINITY));
  }

  /** The rest of db `id` at once; `flush` false when called from inside a table operation (compaction). */
  #walkAll(id: number, flush: boolean): void {
    while (this.#cursor[id] !== -1) {
      this.#walk(id, 4096);
      if (flush && this.#pending >= CHUNK_BYTES) this.#flush(false);
    }
  }

  /** Walks up to `n` slots of db `id`; `paced`: the key delay applies (the walk proper, not a preserve). */
  #walk(id: number, n: number, paced = false): void {
    const table = this.#tables[id] as KeyTable;
    const preserved = this.#preserved[id] as Set<string>;
    const keys = table.keys;
    let s = this.#cursor[id] as number;
    const end = Math.min(keys.length, s + n);
    const check = preserved.size > 0;
    for (; s < end; s++) {
      const key = keys[s];
      if (key === undefined || (check && preserved.has(key))) continue;
      if (!this.#writeSlot(id, s) || this.#delay === null) continue;
      if (!paced) this.#delay.charge();
      else if (this.#delay.afterKey()) {
        this.#held = true;
        s++;
        break;
      }
    }
    if (s < keys.length) {
      this.#cursor[id] = s;
      return;
    }
    // Done: nothing in this db can be preserved any more, and its slots may move freely again.
    this.#cursor[id] = -1;
    preserved.clear();
    beforeCompaction.delete(table);
    this.#tables[id] = null;
  }

  /** Writes the key in slot `s`; true (the caller counts a written key). */
  #writeSlot(id: number, s: number): boolean {
    const t = this.#tables[id] as KeyTable;
    const at = t.expireAt[s] as number;
    // A key past its TTL is saved too, as Redis's rdbSaveKeyValuePair does: a master loading the file
    // drops it and sends its replicas the DEL; a replica keeps it until its master's DEL.
    if (this.#selected !== id) {
      const db = this.#dbs[id] as Database;
      this.#w.selectDb(id, t.size, db.volatile.size);
      this.#selected = id;
    }
    const key = t.keys[s] as string;
    const value = t.values[s] as Value;
    // IDLE or FREQ as the policy says (Redis's savelru / savelfu); nothing under the others.
    const access = (this.#dbs[id] as Database).clock.saved(t.accessedAt[s] as number, this.#now);
    this.#w.key(key, value, at === 0 ? -1 : at, access);
    // The writer does not expose its length; estimate to decide when to flush.
    this.#pending += 16 + key.length + (typeof value === "string" ? value.length : 0);
    this.keysProcessed++;
    return true;
  }

  /** Stops a walk nobody will finish (its sync or BGSAVE ended): tables forget it. */
  abort(): void {
    for (let id = 0; id < this.#tables.length; id++) {
      const t = this.#tables[id];
      if (t != null) beforeCompaction.delete(t);
      this.#tables[id] = null;
      this.#cursor[id] = -1;
      this.#preserved[id]?.clear();
    }
    this.#ended = true;
  }

  #flush(final: boolean): void {
    if (this.#pending === 0 && !final) return;
    this.#pending = 0;
    const chunk = this.#w.take();
    if (chunk.length > 0) this.#out(chunk);
  }
}
