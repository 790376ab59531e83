/**
 * A chained hash table keyed by byte strings, in parallel typed arrays.
 *
 * Why not a JS Map: SCAN needs a cursor that returns every key present for
 * the whole scan even while the table grows or shrinks (Redis's reverse-binary
 * bucket cursor, which needs visible power-of-two buckets), RANDOMKEY and the
 * active expire cycle need O(1) random sampling, and a Map costs about twice
 * the memory per key. Entries live in "slots" (stable indexes until deleted),
 * so callers can keep per-key columns (expiry, access clock) beside them.
 */

const EMPTY = -1;
const MIN_BUCKETS = 4;
/** dict_force_resize_ratio: while resizing is held, a table still grows past this many keys per bucket. */
const FORCE_RESIZE_RATIO = 5;

/** A per-process random seed, so nobody can choose keys that all collide. */
const SEED = (Math.random() * 0x100000000) >>> 0;

/** The last key hashed: a write usually looks its key up and then stores it, hashing it twice. */
let lastKey = "";
let lastHash = hashOf("");

export function hashString(s: string): number {
  if (s === lastKey) return lastHash;
  lastHash = hashOf(s);
  lastKey = s;
  return lastHash;
}

function hashOf(s: string): number {
  let h = SEED ^ s.length;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3 finaliser: FNV's low bits alone mix poorly for power-of-two masks.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * Called before a table's compaction moves entries to lower slots: an
 * incremental snapshot walking a table in slot order (src/persistence/snapshot.ts)
 * finishes that table first, so no entry can jump behind its cursor.
 */
export const beforeCompaction = new WeakMap<object, () => void>();

function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

export class Dict<V> {
  #heads: Int32Array = new Int32Array(MIN_BUCKETS).fill(EMPTY);
  #mask = MIN_BUCKETS - 1;
  /** Slot columns. */
  #next: Int32Array = new Int32Array(MIN_BUCKETS);
  #hashes: Int32Array = new Int32Array(MIN_BUCKETS);
  readonly keys: (string | undefined)[] = [];
  readonly values: (V | undefined)[] = [];
  #freeHead = EMPTY;
  /** Slots ever handed out: [0, #highWater). */
  #highWater = 0;
  size = 0;

  /** Capacity of the slot columns; subclasses keep their own columns this long. */
  protected get capacity(): number {
    return this.#next.length;
  }

  /**
   * Redis's dict_can_resize: false while a background job (its forked child)
   * runs, so fewer pages are copied; growth then waits for a 5:1 load and
   * shrinking waits. Subclasses tie it to their server.
   */
  protected resizeAllowed(): boolean {
    return true;
  }

  /** Called after the slot columns grew, so a subclass can grow its own. */
  protected growColumns(_capacity: number): void {}

  /** Called when compaction moves an entry from slot `from` to `to`, so a subclass moves its columns. */
  protected moveColumns(_from: number, _to: number): void {}

  /** Slot holding `key`, or -1. */
  slotOf(key: string): number {
    if (key === this.#foundKey) return this.#foundSlot;
    const h = hashString(key);
    const keys = this.keys;
    const hashes = this.#hashes;
    const next = this.#next;
    for (let s = this.#heads[h & this.#mask] as number; s !== EMPTY; s = next[s] as number) {
      if (hashes[s] === h && keys[s] === key) {
        this.#foundKey = key;
        this.#foundSlot = s;
        return s;
      }
    }
    return EMPTY;
  }

  /**
   * The last key found and its slot: a write looks its key up and then
   * stores it. Slots only change when an entry is deleted (its slot is
   * freed, compaction moves others), so every delete forgets it.
   */
  #foundKey: string | null = null;
  #foundSlot = EMPTY;

  get(key: string): V | undefined {
    const s = this.slotOf(key);
    return s === EMPTY ? undefined : this.values[s];
  }

  has(key: string): boolean {
    return this.slotOf(key) !== EMPTY;
  }

  /** Sets `key`; returns its slot. */
  set(key: string, value: V): number {
    const s = this.slotOf(key);
    if (s !== EMPTY) {
      this.values[s] = value;
      return s;
    }
    return this.insertNew(key, value);
  }

  /** Adds a key known to be absent; returns its slot. */
  insertNew(key: string, value: V): number {
    let s = this.#freeHead;
    if (s !== EMPTY) {
      this.#freeHead = this.#next[s] as number;
    } else {
      s = this.#highWater++;
      if (s >= this.#next.length) this.#growSlots();
    }
    const h = hashString(key);
    this.#hashes[s] = h;
    this.keys[s] = key;
    this.values[s] = value;
    const b = h & this.#mask;
    this.#next[s] = this.#heads[b] as number;
    this.#heads[b] = s;
    this.size++;
    const buckets = this.#heads.length;
    if (this.size > buckets && (this.resizeAllowed() || Math.floor((this.size - 1) / buckets) > FORCE_RESIZE_RATIO)) {
      let target = buckets * 2;
      while (target < this.size) target *= 2;
      this.#rehash(target);
    }
    return s;
  }

  /**
   * Removes `key`; returns the slot it had, or -1. That slot may already hold
   * another entry when the delete compacted the table: read columns first.
   */
  delete(key: string): number {
    this.#foundKey = null;
    const h = hashString(key);
    const b = h & this.#mask;
    let prev = EMPTY;
    for (let s = this.#heads[b] as number; s !== EMPTY; prev = s, s = this.#next[s] as number) {
      if (this.#hashes[s] !== h || this.keys[s] !== key) continue;
      if (prev === EMPTY) this.#heads[b] = this.#next[s] as number;
      else this.#next[prev] = this.#next[s] as number;
      this.keys[s] = undefined;
      this.values[s] = undefined;
      this.#next[s] = this.#freeHead;
      this.#freeHead = s;
      this.size--;
      if (this.size * 8 < this.#heads.length && this.#heads.length > MIN_BUCKETS && this.resizeAllowed()) {
        this.#compact();
        this.#rehash(this.#heads.length / 2);
      }
      return s;
    }
    return EMPTY;
  }

  clear(): void {
    this.#foundKey = null;
    this.#heads = new Int32Array(MIN_BUCKETS).fill(EMPTY);
    this.#mask = MIN_BUCKETS - 1;
    this.#next = new Int32Array(MIN_BUCKETS);
    this.#hashes = new Int32Array(MIN_BUCKETS);
    this.keys.length = 0;
    this.values.length = 0;
    this.#freeHead = EMPTY;
    this.#highWater = 0;
    this.size = 0;
    this.growColumns(MIN_BUCKETS);
  }

  /**
   * A random entry, as fair as Redis's dictGetFairRandomKey: a random bucket
   * alone would favour keys that are alone in their bucket, so up to 15
   * entries are gathered from consecutive buckets (dictGetSomeKeys) and one
   * of them is picked. -1 when empty.
   */
  randomSlot(): number {
    if (this.size === 0) return EMPTY;
    const next = this.#next;
    return sampleFair(this.#heads, (s) => next[s] as number, this.size, EMPTY);
  }

  /**
   * Visits one bucket chosen by `cursor` and returns the next cursor (0 when
   * done). Reverse-binary increments guarantee that keys present for the
   * whole scan are visited at least once across resizes between calls.
   */
  scan(cursor: number, visit: (slot: number) => void): number {
    const mask = this.#mask;
    let v = cursor >>> 0;
    for (let s = this.#heads[v & mask] as number; s !== EMPTY; s = this.#next[s] as number) visit(s);
    v |= ~mask;
    v = reverseBits(v);
    v = (v + 1) >>> 0;
    v = reverseBits(v);
    return v;
  }

  /** Number of buckets (for INFO/DEBUG and SCAN COUNT heuristics). */
  get buckets(): number {
    return this.#heads.length;
  }

  /** Entries per bucket (DEBUG HTSTATS), counting only the slots `counted` accepts when given. */
  chainLengths(counted?: (slot: number) => boolean): Int32Array {
    const out = new Int32Array(this.#heads.length);
    for (let b = 0; b < out.length; b++) {
      let n = 0;
      for (let s = this.#heads[b] as number; s !== EMPTY; s = this.#next[s] as number) if (!counted || counted(s)) n++;
      out[b] = n;
    }
    return out;
  }

  /** Every live slot, in slot order. Do not insert or delete while iterating. */
  *slots(): IterableIterator<number> {
    const keys = this.keys;
    for (let s = 0; s < this.#highWater; s++) if (keys[s] !== undefined) yield s;
  }

  #growSlots(): void {
    const cap = this.#next.length * 2;
    const next = new Int32Array(cap);
    next.set(this.#next);
    this.#next = next;
    const hashes = new Int32Array(cap);
    hashes.set(this.#hashes);
    this.#hashes = hashes;
    this.growColumns(cap);
  }

  /**
   * Packs live entries into the lowest slots when most slots are free, so
   * iteration and memory follow the live size after a big shrink (Redis
   * shrinks its tables too). Slot numbers change: callers never keep them
   * across a delete.
   */
  #compact(): void {
    if (this.#highWater < 2 * this.size + MIN_BUCKETS) return;
    beforeCompaction.get(this)?.();
    const keys = this.keys;
    const values = this.values;
    let to = 0;
    for (let from = 0; from < this.#highWater; from++) {
      if (keys[from] === undefined) continue;
      if (from !== to) {
        keys[to] = keys[from];
        values[to] = values[from];
        this.#hashes[to] = this.#hashes[from] as number;
        this.moveColumns(from, to);
      }
      to++;
    }
    keys.length = to;
    values.length = to;
    this.#highWater = to;
    this.#freeHead = EMPTY;
    // The caller rehashes next, which rebuilds every chain from the moved entries.
  }

  #rehash(buckets: number): void {
    const heads = new Int32Array(buckets).fill(EMPTY);
    const mask = buckets - 1;
    const keys = this.keys;
    for (let s = 0; s < this.#highWater; s++) {
      if (keys[s] === undefined) continue;
      const b = (this.#hashes[s] as number) & mask;
      this.#next[s] = heads[b] as number;
      heads[b] = s;
    }
    this.#heads = heads;
    this.#mask = mask;
  }
}

/** How many entries dictGetFairRandomKey samples (GETFAIR_NUM_ENTRIES). */
const FAIR_SAMPLE = 15;

/**
 * Redis's dictGetSomeKeys + pick: walks buckets from a random one, gathering
 * whole chains until FAIR_SAMPLE entries (or all of them), jumping elsewhere
 * after a long run of empty buckets, and returns one gathered entry at random.
 * `heads` are bucket heads (power-of-two length), `next` follows a chain, `nil` ends one.
 */
export function sampleFair(heads: ArrayLike<number>, next: (s: number) => number, size: number, nil: number): number {
  const want = Math.min(size, FAIR_SAMPLE);
  const mask = heads.length - 1;
  const found: number[] = [];
  let b = (Math.random() * heads.length) | 0;
  let emptyRun = 0;
  for (let steps = want * 10; found.length < want && steps > 0; steps--) {
    let s = heads[b] as number;
    if (s === nil) {
      emptyRun++;
      if (emptyRun >= 5 && emptyRun > want) {
        b = (Math.random() * heads.length) | 0;
        emptyRun = 0;
        continue;
      }
    } else {
      emptyRun = 0;
      for (; s !== nil && found.length < want; s = next(s)) found.push(s);
    }
    b = (b + 1) & mask;
  }
  if (found.length > 0) return found[(Math.random() * found.length) | 0] as number;
  // The step budget ran out on empty buckets: any non-empty bucket will do.
  for (;;) {
    const s = heads[(Math.random() * heads.length) | 0] as number;
    if (s !== nil) return s;
  }
}
