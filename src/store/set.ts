/**
 * The set value, encoded as Redis 7.0 encodes it: an "intset" (a sorted
 * array of int64, binary searched) while every member is an integer in its
 * canonical form and there are at most set-max-intset-entries of them, then
 * a "hashtable" (a Dict) for good. Conversion is one-way, as in Redis.
 *
 * The intset order is observable: SMEMBERS, SSCAN and friends list an intset
 * in ascending numeric order, so clients (and differential tests) can rely
 * on it.
 */
import { parseInt64 } from "../engine/numbers.ts";
import { Dict } from "./dict.ts";
import type { DataValue } from "./values.ts";

const MIN_INTS = 4;

export class SetValue implements DataValue {
  readonly type = "set";
  /** Intset storage: sorted, the first #count entries are live; null once a hashtable. */
  #ints: BigInt64Array | null = new BigInt64Array(MIN_INTS);
  #count = 0;
  #dict: Dict<true> | null = null;

  /** Redis's setTypeCreate: an intset when the first member is an integer, else a hashtable. */
  static forMember(first: string): SetValue {
    const s = new SetValue();
    if (parseInt64(first) === null) s.#toHashtable();
    return s;
  }

  encoding(): "intset" | "hashtable" {
    return this.#ints === null ? "hashtable" : "intset";
  }

  get isIntset(): boolean {
    return this.#ints !== null;
  }

  get size(): number {
    return this.#ints === null ? (this.#dict as Dict<true>).size : this.#count;
  }

  /** Adds `member`; false when it was already there. `maxIntset` is set-max-intset-entries. */
  add(member: string, maxIntset: number): boolean {
    const ints = this.#ints;
    if (ints === null) {
      const d = this.#dict as Dict<true>;
      if (d.has(member)) return false;
      d.insertNew(member, true);
      return true;
    }
    const v = parseInt64(member);
    if (v === null) {
      this.#toHashtable();
      (this.#dict as Dict<true>).insertNew(member, true);
      return true;
    }
    const at = this.#search(v);
    if (at >= 0) return false;
    this.#insertAt(-at - 1, v);
    if (this.#count > maxIntset) this.#toHashtable();
    return true;
  }

  /** Removes `member`; false when it was not there. */
  remove(member: string): boolean {
    if (this.#ints === null) return (this.#dict as Dict<true>).delete(member) !== -1;
    const v = parseInt64(member);
    if (v === null) return false;
    const at = this.#search(v);
    if (at < 0) return false;
    this.#removeAt(at);
    return true;
  }

  has(member: string): boolean {
    if (this.#ints === null) return (this.#dict as Dict<true>).has(member);
    const v = parseInt64(member);
    return v !== null && this.#search(v) >= 0;
  }

  /**
   * A random member (Redis's setTypeRandomElement): uniform over an intset,
   * a fair bucket pick over a hashtable. The set must not be empty.
   */
  random(): string {
    if (this.#ints === null) {
      const d = this.#dict as Dict<true>;
      return d.keys[d.randomSlot()] as string;
    }
    return String(this.#ints[(Math.random() * this.#count) | 0]);
  }

  /** Removes and returns a random member (SPOP). The set must not be empty. */
  pop(): string {
    if (this.#ints === null) {
      const d = this.#dict as Dict<true>;
      const m = d.keys[d.randomSlot()] as string;
      d.delete(m);
      return m;
    }
    const at = (Math.random() * this.#count) | 0;
    const m = String(this.#ints[at]);
    this.#removeAt(at);
    return m;
  }

  /** The members: ascending for an intset, table order for a hashtable. Do not modify while iterating. */
  *[Symbol.iterator](): IterableIterator<string> {
    const ints = this.#ints;
    if (ints !== null) {
      for (let i = 0; i < this.#count; i++) yield String(ints[i]);
      return;
    }
    const d = this.#dict as Dict<true>;
    for (const s of d.slots()) yield d.keys[s] as string;
  }

  toArray(): string[] {
    const ints = this.#ints;
    if (ints === null) return [...this];
    const out: string[] = new Array(this.#count);
    for (let i = 0; i < this.#count; i++) out[i] = String(ints[i]);
    return out;
  }

  /**
   * One SSCAN step, like Redis's scanGenericCommand: an intset is returned
   * whole with cursor 0; a hashtable visits buckets until `count` members
   * were found (at most count*10 buckets). Returns the next cursor.
   */
  scan(cursor: number, count: number, out: string[]): number {
    if (this.#ints !== null) {
      for (const m of this.toArray()) out.push(m);
      return 0;
    }
    const d = this.#dict as Dict<true>;
    if (d.size === 0) return 0;
    const collect = (slot: number) => out.push(d.keys[slot] as string);
    let guard = count * 10;
    do cursor = d.scan(cursor, collect);
    while (cursor !== 0 && guard-- !== 0 && out.length < count);
    return cursor;
  }

  clone(): SetValue {
    const c = new SetValue();
    if (this.#ints !== null) {
      c.#ints = this.#ints.slice();
      c.#count = this.#count;
    } else {
      c.#toHashtable();
      for (const m of this) (c.#dict as Dict<true>).insertNew(m, true);
    }
    return c;
  }

  /** Index of `v`, or -(insertion point) - 1. */
  #search(v: bigint): number {
    const ints = this.#ints as BigInt64Array;
    let lo = 0;
    let hi = this.#count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = ints[mid] as bigint;
      if (x < v) lo = mid + 1;
      else if (x > v) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  #insertAt(at: number, v: bigint): void {
    let ints = this.#ints as BigInt64Array;
    if (this.#count === ints.length) {
      const grown = new BigInt64Array(ints.length * 2);
      grown.set(ints);
      ints = this.#ints = grown;
    }
    ints.copyWithin(at + 1, at, this.#count);
    ints[at] = v;
    this.#count++;
  }

  #removeAt(at: number): void {
    const ints = this.#ints as BigInt64Array;
    ints.copyWithin(at, at + 1, this.#count);
    this.#count--;
    // Give memory back when a big intset shrank a lot.
    if (ints.length > MIN_INTS && this.#count * 4 < ints.length) this.#ints = ints.slice(0, Math.max(MIN_INTS, this.#count * 2));
  }

  #toHashtable(): void {
    const d = new Dict<true>();
    const ints = this.#ints;
    if (ints !== null) for (let i = 0; i < this.#count; i++) d.insertNew(String(ints[i]), true);
    this.#dict = d;
    this.#ints = null;
    this.#count = 0;
  }
}

/** True when `v` is a set value (other modules, e.g. ZUNIONSTORE over sets, test this). */
export function isSet(v: unknown): v is SetValue {
  return v instanceof SetValue;
}
