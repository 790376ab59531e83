import type { Database } from "../store/database.ts";
import { isStringValue, stringOf, type Value } from "../store/values.ts";
import type { Client } from "./client.ts";
import type { Engine } from "./engine.ts";
import { Errors, fail } from "./errors.ts";
import { PROPAGATE_ALL, PROPAGATE_REPL } from "./propagation.ts";
import type { TableEntry } from "./table.ts";

/**
 * Keyspace event classes (notify-keyspace-events letters): g generic, $ string,
 * l list, s set, h hash, z zset, x expired, e evicted, t stream, m key-miss, n new.
 */
export type NotifyClass = "g" | "$" | "l" | "s" | "h" | "z" | "x" | "e" | "t" | "m" | "n";

/**
 * What a command handler sees: the engine, the calling client, its argv and
 * the time the command started (one clock reading per command, as Redis
 * caches mstime, so every expiry check in one command agrees).
 */
export class Ctx {
  /** Set by `propagate`: what replicas and the AOF get instead of argv. */
  propagated: string[][] | null = null;
  /** Who gets `propagated` (PROPAGATE_* bits). */
  propagateTargets = PROPAGATE_ALL;

  constructor(
    readonly engine: Engine,
    readonly client: Client,
    readonly argv: string[],
    readonly cmd: TableEntry,
    readonly now: number,
  ) {}

  get db(): Database {
    return this.engine.dbs[this.client.db] as Database;
  }

  /** Argument i (0 = command name). */
  arg(i: number): string {
    return this.argv[i] as string;
  }

  /**
   * Records that this command changed `count` things (Redis's server.dirty).
   * A write command that dirtied nothing is not propagated.
   */
  dirty(count = 1): void {
    this.engine.dirty += count;
  }

  /**
   * Replaces what this command propagates (e.g. SET k v EX 10 becomes
   * SET k v PXAT <abs>). May be called several times to emit several commands.
   */
  propagate(argv: string[]): void {
    if (this.propagated === null) this.propagated = [];
    this.propagated.push(argv);
  }

  /** Propagates to replicas but not the AOF (PUBLISH: replaying it from the AOF would publish again). */
  propagateToReplicasOnly(argv: string[]): void {
    this.propagate(argv);
    this.propagateTargets = PROPAGATE_REPL;
  }

  /**
   * Looks a key up for reading (Redis's lookupKeyRead): expires it if due,
   * counts keyspace hits/misses, updates its access time unless the client
   * set CLIENT NO-TOUCH.
   */
  read(key: string, db: Database = this.db): Value | undefined {
    const v = db.lookup(key, this.now, !this.client.noTouch);
    if (v === undefined) {
      this.engine.stats.keyspaceMisses++;
      this.notify("m", "keymiss", key, db.id);
    } else this.engine.stats.keyspaceHits++;
    return v;
  }

  /** Looks a key up for writing (lookupKeyWrite): expires it if due, no hit/miss stats. */
  write(key: string, db: Database = this.db): Value | undefined {
    return db.lookup(key, this.now);
  }

  /** The string at `key` for reading, null when missing; WRONGTYPE for other types. */
  readString(key: string): string | null {
    const v = this.read(key);
    if (v === undefined) return null;
    if (!isStringValue(v)) fail(Errors.wrongType);
    return stringOf(v);
  }

  /**
   * Emits a keyspace event where Redis calls notifyKeyspaceEvent. The
   * notification machinery (notify-keyspace-events) hooks in through the engine.
   */
  notify(cls: NotifyClass, event: string, key: string, db = this.client.db): void {
    this.engine.notify(cls, event, key, db);
  }

  /** Signals that a key changed (WATCH and client-side caching hook in here). */
  touched(key: string, db = this.client.db): void {
    this.engine.keyTouched(db, key);
  }
}
