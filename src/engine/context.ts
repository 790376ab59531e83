import type { Database } from "../store/database.ts";
import type { Client } from "./client.ts";
import type { Engine } from "./engine.ts";
import type { TableEntry } from "./table.ts";

/**
 * What a command handler sees: the engine, the calling client, its argv and
 * the time the command started (one clock reading per command, as Redis
 * caches mstime, so every expiry check in one command agrees).
 */
export class Ctx {
  /** Set by `propagate`: what replicas and the AOF get instead of argv. */
  propagated: string[][] | null = null;

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

  /** Signals that a key changed (WATCH and client-side caching hook in here). */
  touched(key: string, db = this.client.db): void {
    this.engine.keyTouched(db, key);
  }
}
