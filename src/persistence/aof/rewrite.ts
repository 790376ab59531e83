/**
 * The non-blocking AOF rewrite. Without fork, the keyspace is walked a few
 * buckets per event-loop turn while commands keep running; the base is made
 * exact at the moment the rewrite finishes:
 *  - every key is written once, at its visit (a visited-set drops the
 *    duplicates a resizing SCAN cursor may return);
 *  - a key touched after its visit, or touched unvisited in the db being
 *    walked (a SCAN cursor may miss keys added during the walk), is re-emitted
 *    at the end (DEL + RESTORE);
 *  - a db whose table was replaced (FLUSHDB, FLUSHALL, SWAPDB) is re-emitted
 *    whole (SELECT, FLUSHDB, every key).
 * Those end-of-rewrite commands ("fixups") open the next incr file, so the
 * base stays a plain RDB file (or plain commands) that Redis reads too.
 */
import type { Engine } from "../../engine/engine.ts";
import { latin1 } from "../../resp/bytes.ts";
import type { KeyTable } from "../../store/database.ts";
import type { Value } from "../../store/values.ts";
import type { KeySaveDelay } from "../key-delay.ts";
import { createDumpPayload } from "../rdb/dump.ts";
import type { EncodeOptions } from "../rdb/encode.ts";
import { defaultAux, RdbFileWriter } from "../rdb/file.ts";
import { encodeCommand } from "./resp.ts";

export interface RewriteOptions {
  preamble: boolean;
  compress: boolean;
  checksum: boolean;
  encode: EncodeOptions;
  /** rdb-key-save-delay: the walk pauses after each key, as Redis's rewrite child does. */
  keyDelay?: KeySaveDelay;
  /** aof-timestamp-enabled: a command-form base starts with a `#TS:<unix time>` annotation. */
  timestamp?: boolean;
}

/** The annotation aof-timestamp-enabled writes (loaders skip lines starting with '#'; redis-check-aof truncates at one). */
export function timestampAnnotation(unixSeconds: number): string {
  return `#TS:${unixSeconds}\r\n`;
}

/** One key as commands: RESTORE with its absolute TTL (one command serves every type). */
export function keyCommands(key: string, value: Value, expireAt: number, opts: RewriteOptions): string {
  const payload = latin1(createDumpPayload(value, opts.compress, opts.encode));
  if (expireAt === -1 || expireAt === 0) return encodeCommand(["RESTORE", key, "0", payload]);
  return encodeCommand(["RESTORE", key, String(expireAt), payload, "ABSTTL"]);
}

export class Rewrite {
  readonly #engine: Engine;
  readonly #opts: RewriteOptions;
  readonly #rdb: RdbFileWriter | null;
  /** Commands (no-preamble form) not yet taken. */
  #text = "";
  /** The table each db had when the rewrite started: a different one means it was flushed or swapped. */
  readonly #tables: KeyTable[];
  readonly #reset = new Set<number>();
  readonly #visited = new Map<number, Set<string>>();
  /** Keys touched but not visited in the db being walked. */
  #pending = new Set<string>();
  readonly #fixups = new Map<number, Set<string>>();
  #db = 0;
  #cursor = 0;
  #dbStarted = false;
  done = false;
  keysWritten = 0;
  readonly startedAt = Date.now();

  constructor(engine: Engine, opts: RewriteOptions) {
    this.#engine = engine;
    this.#opts = opts;
    this.#tables = engine.dbs.map((d) => d.table);
    if (opts.preamble) {
      const aux = defaultAux(engine.host?.heapUsed() ?? 0).map(([k, v]): [string, string] => [k, k === "aof-base" ? "1" : v]);
      this.#rdb = new RdbFileWriter({ compress: opts.compress, checksum: opts.checksum, ...opts.encode }).header(aux);
    } else {
      this.#rdb = null;
      if (opts.timestamp) this.#text = timestampAnnotation(Math.floor(Date.now() / 1000));
    }
  }

  /** A key changed (engine.onKeyTouched). */
  touched(db: number, key: string): void {
    if (this.#engine.dbs[db]?.table !== this.#tables[db]) {
      this.#reset.add(db);
      return;
    }
    if (db < this.#db || (db === this.#db && this.#visited.get(db)?.has(key))) this.#fixup(db, key);
    else if (db === this.#db) this.#pending.add(key);
  }

  #fixup(db: number, key: string): void {
    let s = this.#fixups.get(db);
    if (!s) this.#fixups.set(db, (s = new Set()));
    s.add(key);
  }

  /** Walks some buckets (until `budgetMs` passed); returns true once every db was walked. */
  step(budgetMs: number): boolean {
    const delay = this.#opts.keyDelay ?? null;
    if (delay !== null && !delay.begin()) return false;
    let held = false;
    const deadline = performance.now() + budgetMs;
    const dbs = this.#engine.dbs;
    const now = Date.now();
    while (this.#db < dbs.length) {
      const db = dbs[this.#db] as (typeof dbs)[number];
      const id = this.#db;
      if (db.table !== this.#tables[id]) this.#reset.add(id);
      if (this.#reset.has(id) || (!this.#dbStarted && db.table.size === 0)) {
        this.#nextDb();
        continue;
      }
      const t = db.table;
      let visited = this.#visited.get(id);
      if (!visited) this.#visited.set(id, (visited = new Set()));
      if (!this.#dbStarted) {
        this.#dbStarted = true;
        if (this.#rdb) this.#rdb.selectDb(id, t.size, db.volatile.size);
        else this.#text += encodeCommand(["SELECT", String(id)]);
      }
      const seen = visited;
      let n = 0;
      do {
        this.#cursor = t.scan(this.#cursor, (s) => {
          const key = t.keys[s] as string;
          if (seen.has(key)) return;
          seen.add(key);
          this.#pending.delete(key);
          const at = t.expireAt[s] as number;
          // A key already past its TTL is left out, as a fork's snapshot would see it gone.
          if (at !== 0 && at <= now) return;
          this.#writeKey(key, t.values[s] as Value, at === 0 ? -1 : at);
          if (delay?.afterKey() === true) held = true;
        });
        n++;
      } while (this.#cursor !== 0 && !held && ((n & 63) !== 0 || performance.now() < deadline));
      if (this.#cursor === 0) this.#nextDb();
      if (this.#cursor !== 0 || held) return false;
    }
    return true;
  }

  #writeKey(key: string, value: Value, expireAt: number): void {
    this.keysWritten++;
    if (this.#rdb) this.#rdb.key(key, value, expireAt);
    else this.#text += keyCommands(key, value, expireAt, this.#opts);
  }

  #nextDb(): void {
    for (const k of this.#pending) this.#fixup(this.#db, k);
    this.#pending = new Set();
    this.#db++;
    this.#cursor = 0;
    this.#dbStarted = false;
  }

  /** Milliseconds before the walk may go on (rdb-key-save-delay), 0 = at once. */
  waitMs(): number {
    return this.#opts.keyDelay?.waitMs() ?? 0;
  }

  /** The base bytes produced since the last call. */
  take(): Uint8Array {
    if (this.#rdb) return this.#rdb.take();
    const out = new Uint8Array(this.#text.length);
    for (let i = 0; i < this.#text.length; i++) out[i] = this.#text.charCodeAt(i);
    this.#text = "";
    return out;
  }

  /** Ends the base (EOF + checksum for RDB): the last bytes of it. */
  end(): Uint8Array {
    if (this.#rdb) this.#rdb.end();
    return this.take();
  }

  /**
   * The commands that bring the base up to the current dataset, to open the
   * next incr file with. Call in the same turn as the switch to the new files.
   */
  fixups(): string {
    const dbs = this.#engine.dbs;
    const now = Date.now();
    let out = "";
    for (let id = 0; id < dbs.length; id++) {
      const db = dbs[id] as (typeof dbs)[number];
      if (db.table !== this.#tables[id]) this.#reset.add(id);
      if (this.#reset.has(id)) {
        out += encodeCommand(["SELECT", String(id)]) + encodeCommand(["FLUSHDB"]);
        const t = db.table;
        for (const s of t.slots()) {
          const at = t.expireAt[s] as number;
          if (at !== 0 && at <= now) continue;
          out += keyCommands(t.keys[s] as string, t.values[s] as Value, at === 0 ? -1 : at, this.#opts);
        }
        continue;
      }
      if (id === this.#db) for (const k of this.#pending) this.#fixup(id, k);
      const all = this.#fixups.get(id);
      if (!all || all.size === 0) continue;
      out += encodeCommand(["SELECT", String(id)]);
      for (const key of all) {
        out += encodeCommand(["DEL", key]);
        const t = db.table;
        const s = t.slotOf(key);
        if (s === -1) continue;
        const at = t.expireAt[s] as number;
        if (at !== 0 && at <= now) continue;
        out += keyCommands(key, t.values[s] as Value, at === 0 ? -1 : at, this.#opts);
      }
    }
    return out;
  }
}
