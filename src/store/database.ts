import { AccessClock, type AccessMeta } from "./access-clock.ts";
import { Dict } from "./dict.ts";
import type { Value } from "./values.ts";

/** What the keyspace tells the rest of the server. */
export interface KeyspaceHooks {
  /** A key was removed because its TTL passed (lazily or by the active cycle). */
  expired(db: Database, key: string): void;
  /** True while expired keys must stay (CLIENT PAUSE): they read as missing but are not deleted. */
  expiryHeld?(): boolean;
  /** True while a background job runs: the key tables do not resize (Redis's dict_can_resize). */
  resizeHeld?(): boolean;
}

const NO_EXPIRY = 0;

/**
 * The key table: a Dict of values plus per-slot columns for the expiry time
 * (absolute ms, 0 = none) and the access clock (OBJECT IDLETIME, or the LFU
 * counter of OBJECT FREQ under an LFU policy: see access-clock.ts).
 */
export class KeyTable extends Dict<Value> {
  expireAt = new Float64Array(this.capacity);
  /** Seconds since the epoch (Redis's LRU clock has 1 s resolution too), or an LFU word; 4 bytes a key. */
  accessedAt = new Uint32Array(this.capacity);
  /** Set by the database: whether resizing waits for a background job. */
  resizeHeld: () => boolean = () => false;

  protected override resizeAllowed(): boolean {
    return !this.resizeHeld();
  }

  protected override moveColumns(from: number, to: number): void {
    this.expireAt[to] = this.expireAt[from] as number;
    this.accessedAt[to] = this.accessedAt[from] as number;
  }

  protected override growColumns(capacity: number): void {
    const e = new Float64Array(capacity);
    if (this.expireAt) e.set(this.expireAt.subarray(0, Math.min(capacity, this.expireAt.length)));
    this.expireAt = e;
    const a = new Uint32Array(capacity);
    if (this.accessedAt) a.set(this.accessedAt.subarray(0, Math.min(capacity, this.accessedAt.length)));
    this.accessedAt = a;
  }
}

/** One of the numbered databases (SELECT n). */
export class Database {
  table = new KeyTable();
  /** Keys that have a TTL, for the active expire cycle and INFO keyspace. */
  volatile = new Set<string>();
  #expireCursor: Iterator<string> | null = null;
  /**
   * While an AOF is replayed nothing expires (Redis's keyIsExpired returns 0
   * while loading): a key past its TTL still exists for the commands that
   * follow in the file, and goes once the load is over.
   */
  ignoreExpiry = false;

  constructor(
    readonly id: number,
    private readonly hooks: KeyspaceHooks,
    /** What the access column means (LRU seconds or LFU counter); one per engine. */
    readonly clock: AccessClock = new AccessClock(),
  ) {
    this.table.resizeHeld = () => this.hooks.resizeHeld?.() ?? false;
  }

  get size(): number {
    return this.table.size;
  }

  /**
   * The value of `key`, or undefined. A key whose TTL passed is deleted here
   * (lazy expiry) unless `keepExpired` is set (a replica, which waits for its
   * master's DEL but still answers as if the key were gone).
   */
  lookup(key: string, now: number, touch = true, keepExpired = false): Value | undefined {
    const t = this.table;
    const s = t.slotOf(key);
    if (s === -1) return undefined;
    const at = t.expireAt[s] as number;
    if (at !== NO_EXPIRY && at <= now && !this.ignoreExpiry) {
      if (!keepExpired && this.hooks.expiryHeld?.() !== true) this.#expire(key);
      return undefined;
    }
    if (touch) t.accessedAt[s] = this.clock.lfu ? this.clock.accessed(t.accessedAt[s] as number, now) : now / 1000;
    return t.values[s];
  }

  /** The value of `key` even past its TTL (what a replica's master-applied commands see). */
  lookupIgnoringExpiry(key: string, now: number, touch = true): Value | undefined {
    const t = this.table;
    const s = t.slotOf(key);
    if (s === -1) return undefined;
    if (touch) t.accessedAt[s] = this.clock.accessed(t.accessedAt[s] as number, now);
    return t.values[s];
  }

  /** True when the key exists (and is not expired). */
  exists(key: string, now: number): boolean {
    return this.lookup(key, now, false) !== undefined;
  }

  /**
   * Stores `value` at `key`. Like Redis's setKey, an existing TTL is dropped
   * unless `keepTtl`.
   */
  set(key: string, value: Value, now: number, keepTtl = false): void {
    const t = this.table;
    let s = t.slotOf(key);
    if (s === -1) {
      s = t.insertNew(key, value);
      t.expireAt[s] = NO_EXPIRY;
      t.accessedAt[s] = this.clock.initial(now);
    } else {
      t.values[s] = value;
      if (!keepTtl && t.expireAt[s] !== NO_EXPIRY) {
        t.expireAt[s] = NO_EXPIRY;
        this.volatile.delete(key);
      }
      // An overwrite keeps the LFU counter (Redis's dbOverwrite); the LRU clock restarts with the new value.
      if (!this.clock.lfu) t.accessedAt[s] = now / 1000;
    }
  }

  /**
   * Adds a key that must not exist yet (a load: RDB keys are unique) with its
   * absolute expiry in ms or -1, in one table search; false, changing
   * nothing, when the key is there already.
   */
  add(key: string, value: Value, now: number, expireAt: number): boolean {
    const t = this.table;
    if (t.slotOf(key) !== -1) return false;
    const s = t.insertNew(key, value);
    if (expireAt === -1) t.expireAt[s] = NO_EXPIRY;
    else {
      // As setExpire: 0 means "none" in the column.
      t.expireAt[s] = expireAt <= 0 ? 1 : expireAt;
      this.volatile.add(key);
    }
    t.accessedAt[s] = this.clock.initial(now);
    return true;
  }

  /** Removes `key`; true if it was there. */
  delete(key: string): boolean {
    const t = this.table;
    const s = t.slotOf(key);
    if (s === -1) return false;
    // Clear the slot's columns first: deleting may compact the table and give `s` to another key.
    if (t.expireAt[s] !== NO_EXPIRY) {
      t.expireAt[s] = NO_EXPIRY;
      this.volatile.delete(key);
    }
    t.delete(key);
    return true;
  }

  /** Absolute expiry in ms, or -1 for none (the key must exist). */
  getExpire(key: string): number {
    const s = this.table.slotOf(key);
    if (s === -1) return -1;
    const at = this.table.expireAt[s] as number;
    return at === NO_EXPIRY ? -1 : at;
  }

  /** Sets an absolute expiry in ms on an existing key. */
  setExpire(key: string, at: number): void {
    const s = this.table.slotOf(key);
    if (s === -1) return;
    // 0 means "none" in the column; an expiry at the epoch is as good as 1 ms.
    this.table.expireAt[s] = at <= 0 ? 1 : at;
    this.volatile.add(key);
  }

  /** Drops the TTL; true if there was one. */
  persist(key: string): boolean {
    const s = this.table.slotOf(key);
    if (s === -1 || this.table.expireAt[s] === NO_EXPIRY) return false;
    this.table.expireAt[s] = NO_EXPIRY;
    this.volatile.delete(key);
    return true;
  }

  /** Sets a key's access column from RESTORE's IDLETIME/FREQ or an RDB's IDLE/FREQ, as the policy takes them. */
  restoreAccess(key: string, meta: AccessMeta, now: number): void {
    const s = this.table.slotOf(key);
    if (s === -1) return;
    const word = this.clock.restored(meta, now);
    if (word !== -1) this.table.accessedAt[s] = word;
  }

  /** OBJECT FREQ under an LFU policy: the key's counter with its decay applied (0 for a missing key). */
  frequency(key: string, now: number): number {
    const s = this.table.slotOf(key);
    return s === -1 ? 0 : this.clock.frequency(this.table.accessedAt[s] as number, now);
  }

  /** Milliseconds since the key was last read or written. */
  idleMs(key: string, now: number): number {
    const s = this.table.slotOf(key);
    return s === -1 ? 0 : Math.max(0, now - (this.table.accessedAt[s] as number) * 1000);
  }

  flush(): void {
    this.table = new KeyTable();
    this.table.resizeHeld = () => this.hooks.resizeHeld?.() ?? false;
    this.volatile = new Set();
    this.#expireCursor = null;
  }

  /** Exchanges contents with another database (SWAPDB). */
  swapWith(other: Database): void {
    [this.table, other.table] = [other.table, this.table];
    [this.volatile, other.volatile] = [other.volatile, this.volatile];
    this.#expireCursor = null;
    other.#expireCursor = null;
  }

  /** A random live key, expiring the dead ones it meets, like RANDOMKEY. */
  randomKey(now: number, keepExpired = false): string | null {
    for (let tries = 0; this.table.size > 0; tries++) {
      const s = this.table.randomSlot();
      const key = this.table.keys[s] as string;
      const at = this.table.expireAt[s] as number;
      if (at === NO_EXPIRY || at > now) return key;
      // On a replica every key may be logically expired; stop like Redis does after 100 tries.
      if (keepExpired || this.hooks.expiryHeld?.() === true) {
        if (tries >= 100) return key;
        continue;
      }
      this.#expire(key);
    }
    return null;
  }

  /**
   * One pass of the active expire cycle over this db: checks up to `sample`
   * volatile keys from where the last pass stopped and deletes the expired
   * ones. Returns [checked, expired] so the caller can repeat while more than
   * 25% were expired, as Redis does.
   */
  expireSample(now: number, sample: number): [number, number] {
    if (this.volatile.size === 0 || this.ignoreExpiry) return [0, 0];
    let checked = 0;
    let expired = 0;
    const due: string[] = [];
    let cursor = this.#expireCursor ?? this.volatile.values();
    while (checked < sample) {
      let next = cursor.next();
      if (next.done) {
        cursor = this.volatile.values();
        next = cursor.next();
        if (next.done) break;
        if (checked >= this.volatile.size) break;
      }
      checked++;
      const key = next.value;
      const s = this.table.slotOf(key);
      if (s !== -1 && (this.table.expireAt[s] as number) <= now) due.push(key);
    }
    this.#expireCursor = cursor;
    for (const key of due) {
      this.#expire(key);
      expired++;
    }
    return [checked, expired];
  }

  #expire(key: string): void {
    this.delete(key);
    this.hooks.expired(this, key);
  }
}
