/**
 * The list type: a growable ring buffer of byte strings. Push and pop at
 * either end are amortised O(1), any index is O(1) (Redis's quicklist walks
 * from the nearest end, so this is never slower), and the middle edits
 * (LINSERT, LREM, LSET by value search) are O(N) like Redis's.
 *
 * OBJECT ENCODING is always "quicklist": Redis 7.0 has no other list
 * encoding (7.2 added "listpack" for small lists).
 */
import type { DataValue } from "./values.ts";

const MIN_CAPACITY = 8;

export class ListValue implements DataValue {
  readonly type = "list";
  /** Slots; capacity is a power of two so wrapping is a mask. */
  #items: (string | undefined)[];
  #head = 0;
  #length = 0;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.#items = new Array(cap);
  }

  /** A list holding `items` in order. */
  static of(items: Iterable<string>): ListValue {
    const arr = [...items];
    const l = new ListValue(arr.length);
    for (const s of arr) l.pushTail(s);
    return l;
  }

  get length(): number {
    return this.#length;
  }

  encoding(): string {
    return "quicklist";
  }

  clone(): ListValue {
    const copy = new ListValue(this.#length);
    for (let i = 0; i < this.#length; i++) copy.pushTail(this.at(i));
    return copy;
  }

  #slot(i: number): number {
    return (this.#head + i) & (this.#items.length - 1);
  }

  /** Re-lays the items from slot 0 in a buffer of `capacity` slots. */
  #resize(capacity: number): void {
    const next: (string | undefined)[] = new Array(capacity);
    for (let i = 0; i < this.#length; i++) next[i] = this.#items[this.#slot(i)];
    this.#items = next;
    this.#head = 0;
  }

  #grow(): void {
    if (this.#length === this.#items.length) this.#resize(this.#items.length * 2);
  }

  /** Gives memory back once the list is a quarter full, so a drained list does not pin its peak size. */
  #shrink(): void {
    const cap = this.#items.length;
    if (cap > MIN_CAPACITY && this.#length <= cap / 4) this.#resize(Math.max(MIN_CAPACITY, cap / 2));
  }

  pushHead(v: string): void {
    this.#grow();
    this.#head = (this.#head - 1) & (this.#items.length - 1);
    this.#items[this.#head] = v;
    this.#length++;
  }

  pushTail(v: string): void {
    this.#grow();
    this.#items[this.#slot(this.#length)] = v;
    this.#length++;
  }

  popHead(): string | undefined {
    if (this.#length === 0) return undefined;
    const v = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#length--;
    this.#shrink();
    return v;
  }

  popTail(): string | undefined {
    if (this.#length === 0) return undefined;
    const s = this.#slot(this.#length - 1);
    const v = this.#items[s];
    this.#items[s] = undefined;
    this.#length--;
    this.#shrink();
    return v;
  }

  /** Item at 0 <= i < length (callers check the range). */
  at(i: number): string {
    return this.#items[this.#slot(i)] as string;
  }

  set(i: number, v: string): void {
    this.#items[this.#slot(i)] = v;
  }

  /** Resolves a Redis index (negative counts from the tail) to 0..length-1, or -1 when out of range. */
  index(i: number): number {
    const j = i < 0 ? this.#length + i : i;
    return j >= 0 && j < this.#length ? j : -1;
  }

  /** Items start..end inclusive (already clamped to the list). */
  range(start: number, end: number): string[] {
    const out: string[] = new Array(Math.max(0, end - start + 1));
    for (let i = start; i <= end; i++) out[i - start] = this.at(i);
    return out;
  }

  /** Inserts `v` so that it ends up at position i (0..length), moving the shorter side. */
  insert(i: number, v: string): void {
    if (i <= this.#length / 2) {
      this.pushHead(v);
      for (let k = 0; k < i; k++) this.set(k, this.at(k + 1));
    } else {
      this.pushTail(v);
      for (let k = this.#length - 1; k > i; k--) this.set(k, this.at(k - 1));
    }
    this.set(i, v);
  }

  /** Position of the first item equal to `v` from the head, or -1. */
  indexOf(v: string): number {
    for (let i = 0; i < this.#length; i++) if (this.at(i) === v) return i;
    return -1;
  }

  /**
   * Removes up to `limit` items equal to `v` (0 = all), scanning from the
   * tail when `fromTail`; one compaction pass. Returns how many went.
   */
  remove(v: string, limit: number, fromTail: boolean): number {
    const n = this.#length;
    const keep: boolean[] = new Array(n);
    let removed = 0;
    for (let k = 0; k < n; k++) {
      const i = fromTail ? n - 1 - k : k;
      const hit = (limit === 0 || removed < limit) && this.at(i) === v;
      if (hit) removed++;
      keep[i] = !hit;
    }
    if (removed === 0) return 0;
    let w = 0;
    for (let i = 0; i < n; i++) if (keep[i]) this.set(w++, this.at(i));
    for (let i = w; i < n; i++) this.#items[this.#slot(i)] = undefined;
    this.#length = w;
    this.#shrink();
    return removed;
  }

  /** Drops `left` items from the head and `right` from the tail (LTRIM). */
  trim(left: number, right: number): void {
    const l = Math.min(left, this.#length);
    for (let i = 0; i < l; i++) this.#items[this.#slot(i)] = undefined;
    this.#head = this.#slot(l);
    this.#length -= l;
    const r = Math.min(right, this.#length);
    for (let i = this.#length - r; i < this.#length; i++) this.#items[this.#slot(i)] = undefined;
    this.#length -= r;
    this.#shrink();
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (let i = 0; i < this.#length; i++) yield this.at(i);
  }

  toArray(): string[] {
    return this.range(0, this.#length - 1);
  }
}
