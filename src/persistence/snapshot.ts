/**
 * A point-in-time RDB snapshot written incrementally, between commands.
 *
 * Redis forks and lets the kernel copy pages on write; respd has one thread,
 * so it copies per key instead: the walk serialises keys a chunk at a time,
 * and before a write command runs, the saver asks the snapshot to `preserve`
 * the keys that command names (serialised as they are now, i.e. as they were
 * when the snapshot began, since nothing has changed them yet). A key the
 * walk or a preserve has handled is "visited" and never written again; a key
 * that did not exist when preserved is visited too, so a key created later
 * never enters the snapshot.
 *
 * Keys go to the file in whatever order they are handled, so the writer
 * emits SELECTDB whenever the database changes (loaders accept any number).
 */
import type { Database } from "../store/database.ts";
import type { Value } from "../store/values.ts";
import { defaultAux, RdbFileWriter } from "./rdb/file.ts";

export interface SnapshotOptions {
  compress: boolean;
  checksum: boolean;
  /** Receives the file's bytes in order, a chunk at a time. */
  out: (chunk: Uint8Array) => void;
  /** Used for the `ctime` AUX field and to skip keys already expired. */
  now?: number;
  usedMemory?: number;
  /** AUX fields instead of the default ones (a replica's full sync adds repl-id, repl-offset...). */
  aux?: [string, string][];
}

/** Flush the writer's buffer to `out` once it holds this much. */
const CHUNK_BYTES = 256 * 1024;

export class Snapshot {
  readonly #dbs: readonly Database[];
  readonly #w: RdbFileWriter;
  readonly #out: (chunk: Uint8Array) => void;
  /** Per db: keys already handled (written, or known absent at snapshot time). */
  readonly #visited: Set<string>[];
  /** Per db: the scan cursor, or -1 when the walk has finished that db. */
  readonly #cursor: number[];
  #walkDb = 0;
  /** The db the last SELECTDB named (-1: none yet). */
  #selected = -1;
  #pending = 0;
  #ended = false;
  /** Keys written so far and the total at the start (INFO current_save_keys_*). */
  keysProcessed = 0;
  readonly keysTotal: number;

  constructor(dbs: readonly Database[], opts: SnapshotOptions) {
    this.#dbs = dbs;
    this.#out = opts.out;
    const now = opts.now ?? Date.now();
    this.#w = new RdbFileWriter({ compress: opts.compress, checksum: opts.checksum }).header(
      opts.aux ?? defaultAux(opts.usedMemory ?? 0, now),
    );
    this.#visited = dbs.map(() => new Set<string>());
    this.#cursor = dbs.map((db) => (db.size === 0 ? -1 : 0));
    let total = 0;
    for (const db of dbs) total += db.size;
    this.keysTotal = total;
  }

  get done(): boolean {
    return this.#ended;
  }

  /** Writes `key` of db `id` as it is now, unless already handled. Call before a command changes it. */
  preserve(id: number, key: string, now = Date.now()): void {
    const visited = this.#visited[id];
    // A db the walk has finished is complete: anything new there was created after the snapshot.
    if (this.#ended || visited === undefined || this.#cursor[id] === -1 || visited.has(key)) return;
    visited.add(key);
    const db = this.#dbs[id] as Database;
    const s = db.table.slotOf(key);
    if (s !== -1) this.#writeSlot(db, s, now);
  }

  /** Writes every key of db `id` not handled yet (FLUSHDB, SWAPDB... are about to change it all). */
  preserveDb(id: number, now = Date.now()): void {
    if (this.#ended || this.#cursor[id] === undefined) return;
    while (this.#cursor[id] !== -1) this.#walk(id, Number.POSITIVE_INFINITY, now);
  }

  preserveAll(now = Date.now()): void {
    for (let id = 0; id < this.#dbs.length; id++) this.preserveDb(id, now);
  }

  /**
   * Walks on for about `budgetMs` milliseconds (at least one bucket).
   * Returns true once every db is done and the file is complete.
   */
  step(budgetMs: number, now = Date.now()): boolean {
    if (this.#ended) return true;
    const deadline = performance.now() + budgetMs;
    while (this.#walkDb < this.#dbs.length) {
      if (this.#cursor[this.#walkDb] === -1) {
        this.#walkDb++;
        continue;
      }
      this.#walk(this.#walkDb, 256, now);
      if (performance.now() >= deadline) {
        this.#flush(false);
        return false;
      }
    }
    this.#w.end();
    this.#ended = true;
    this.#flush(true);
    return true;
  }

  /** Runs the walk to the end in one go (SAVE). */
  finish(now = Date.now()): void {
    // Untouched so far: one synchronous pass, during which nothing can change
    // the tables, needs neither the scan cursor nor a visited set; slot order
    // reads the key columns sequentially (far fewer cache misses than bucket order).
    if (!this.#ended && this.#walkDb === 0 && this.#cursor.every((c) => c <= 0) && this.#visited.every((v) => v.size === 0)) {
      for (let id = 0; id < this.#dbs.length; id++) {
        if (this.#cursor[id] === -1) continue;
        const db = this.#dbs[id] as Database;
        let n = 0;
        for (const s of db.table.slots()) {
          this.#writeSlot(db, s, now);
          if ((++n & 255) === 0 && this.#pending >= CHUNK_BYTES) this.#flush(false);
        }
        this.#cursor[id] = -1;
      }
      this.#walkDb = this.#dbs.length;
    }
    while (!this.step(Number.POSITIVE_INFINITY, now));
  }

  /** Scans up to `buckets` buckets of db `id`. */
  #walk(id: number, buckets: number, now: number): void {
    const db = this.#dbs[id] as Database;
    const visited = this.#visited[id] as Set<string>;
    const table = db.table;
    let cursor = this.#cursor[id] as number;
    const visit = (s: number) => {
      const key = table.keys[s] as string;
      if (visited.has(key)) return;
      visited.add(key);
      this.#writeSlot(db, s, now);
    };
    for (let n = 0; n < buckets; n++) {
      cursor = table.scan(cursor, visit);
      if (cursor === 0) {
        cursor = -1;
        // Nothing can be preserved in a finished db any more: free its visited set.
        visited.clear();
        break;
      }
    }
    this.#cursor[id] = cursor;
    if (this.#pending >= CHUNK_BYTES) this.#flush(false);
  }

  #writeSlot(db: Database, s: number, now: number): void {
    const t = db.table;
    const at = t.expireAt[s] as number;
    // Already expired: a load would drop it anyway.
    if (at !== 0 && at <= now) return;
    if (this.#selected !== db.id) {
      this.#w.selectDb(db.id, db.size, db.volatile.size);
      this.#selected = db.id;
    }
    const before = this.#pending;
    this.#w.key(t.keys[s] as string, t.values[s] as Value, at === 0 ? -1 : at);
    // The writer does not expose its length; estimate to decide when to flush.
    this.#pending = before + 16 + (t.keys[s] as string).length;
    this.keysProcessed++;
  }

  #flush(final: boolean): void {
    if (this.#pending === 0 && !final) return;
    this.#pending = 0;
    const chunk = this.#w.take();
    if (chunk.length > 0) this.#out(chunk);
  }
}
