/**
 * The hash type. A small hash is a flat field, value, field, value... array
 * in insertion order, like Redis's listpack: HGETALL answers in that order, a
 * lookup is a short linear scan, an update keeps the field's place and a
 * delete closes the gap. Past hash-max-listpack-entries pairs, or once a
 * field or value longer than hash-max-listpack-value bytes is stored, the
 * hash becomes a Dict for good (Redis never converts back), which gives
 * O(1) lookups, HSCAN's cursor guarantee and O(1) random fields.
 */
import { Dict } from "./dict.ts";
import type { DataValue } from "./values.ts";

/** The conversion thresholds, read from the config by each command. */
export interface HashLimits {
  /** hash-max-listpack-entries */
  entries: number;
  /** hash-max-listpack-value */
  value: number;
}

/** Calls `visit(field, value)`; iteration helpers share this shape. */
export type PairVisitor = (field: string, value: string) => void;

export class HashValue implements DataValue {
  readonly type = "hash";
  /** The listpack form; null once the hash is a Dict. */
  #pairs: string[] | null = [];
  #dict: Dict<string> | null = null;

  encoding(): string {
    return this.#pairs === null ? "hashtable" : "listpack";
  }

  get isListpack(): boolean {
    return this.#pairs !== null;
  }

  get size(): number {
    return this.#pairs === null ? (this.#dict as Dict<string>).size : this.#pairs.length >> 1;
  }

  /** Index of `field` in the pairs array, or -1. */
  #indexOf(pairs: string[], field: string): number {
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === field) return i;
    return -1;
  }

  get(field: string): string | undefined {
    const pairs = this.#pairs;
    if (pairs === null) return (this.#dict as Dict<string>).get(field);
    const i = this.#indexOf(pairs, field);
    return i === -1 ? undefined : pairs[i + 1];
  }

  has(field: string): boolean {
    return this.get(field) !== undefined;
  }

  /**
   * Sets a field; true when it is new. A long field or value converts
   * before the insert and too many pairs after it, as hashTypeSet does.
   */
  set(field: string, value: string, limits: HashLimits): boolean {
    let pairs = this.#pairs;
    if (pairs !== null && (field.length > limits.value || value.length > limits.value)) {
      this.#convert();
      pairs = null;
    }
    if (pairs === null) {
      const dict = this.#dict as Dict<string>;
      const before = dict.size;
      dict.set(field, value);
      return dict.size !== before;
    }
    const i = this.#indexOf(pairs, field);
    if (i !== -1) {
      pairs[i + 1] = value;
      return false;
    }
    pairs.push(field, value);
    if (pairs.length >> 1 > limits.entries) this.#convert();
    return true;
  }

  /** Removes a field; true if it was there. */
  delete(field: string): boolean {
    const pairs = this.#pairs;
    if (pairs === null) return (this.#dict as Dict<string>).delete(field) !== -1;
    const i = this.#indexOf(pairs, field);
    if (i === -1) return false;
    pairs.splice(i, 2);
    return true;
  }

  /** Visits every pair: insertion order for a listpack, slot order for a Dict. */
  each(visit: PairVisitor): void {
    const pairs = this.#pairs;
    if (pairs !== null) {
      for (let i = 0; i < pairs.length; i += 2) visit(pairs[i] as string, pairs[i + 1] as string);
      return;
    }
    const dict = this.#dict as Dict<string>;
    for (const s of dict.slots()) visit(dict.keys[s] as string, dict.values[s] as string);
  }

  /** One uniformly random pair (the hash must not be empty). */
  random(visit: PairVisitor): void {
    const pairs = this.#pairs;
    if (pairs !== null) {
      const i = ((Math.random() * (pairs.length >> 1)) | 0) * 2;
      visit(pairs[i] as string, pairs[i + 1] as string);
      return;
    }
    const dict = this.#dict as Dict<string>;
    const s = dict.randomSlot();
    visit(dict.keys[s] as string, dict.values[s] as string);
  }

  /**
   * `count` distinct random pairs, 0 < count < size. A listpack answers in
   * its own order (selection sampling, like lpRandomPairsUnique); a Dict
   * answers in random order and only touches the whole table when `count`
   * is a large share of it (Redis's HRANDFIELD cases 3 and 4).
   */
  sample(count: number, visit: PairVisitor): void {
    const pairs = this.#pairs;
    if (pairs !== null) {
      const size = pairs.length >> 1;
      let need = count;
      for (let i = 0; i < size && need > 0; i++) {
        if (Math.random() * (size - i) < need) {
          visit(pairs[2 * i] as string, pairs[2 * i + 1] as string);
          need--;
        }
      }
      return;
    }
    const dict = this.#dict as Dict<string>;
    if (count * 3 > dict.size) {
      // Most of the table is wanted: a partial shuffle of all slots is cheaper than rejection.
      const slots = Array.from(dict.slots());
      for (let i = 0; i < count; i++) {
        const j = i + ((Math.random() * (slots.length - i)) | 0);
        const s = slots[j] as number;
        slots[j] = slots[i] as number;
        visit(dict.keys[s] as string, dict.values[s] as string);
      }
      return;
    }
    const picked = new Set<number>();
    while (picked.size < count) {
      const s = dict.randomSlot();
      if (picked.has(s)) continue;
      picked.add(s);
      visit(dict.keys[s] as string, dict.values[s] as string);
    }
  }

  /**
   * One HSCAN step over a Dict: visits a bucket's pairs and returns the
   * next cursor (0 when done). A listpack has no cursor: callers return it
   * whole, as Redis does.
   */
  scan(cursor: number, visit: PairVisitor): number {
    const dict = this.#dict;
    if (dict === null) {
      this.each(visit);
      return 0;
    }
    return dict.scan(cursor, (s) => visit(dict.keys[s] as string, dict.values[s] as string));
  }

  clone(): HashValue {
    const copy = new HashValue();
    if (this.#pairs !== null) copy.#pairs = this.#pairs.slice();
    else {
      const dict = new Dict<string>();
      this.each((f, v) => dict.insertNew(f, v));
      copy.#pairs = null;
      copy.#dict = dict;
    }
    return copy;
  }

  #convert(): void {
    const pairs = this.#pairs as string[];
    const dict = new Dict<string>();
    for (let i = 0; i < pairs.length; i += 2) dict.insertNew(pairs[i] as string, pairs[i + 1] as string);
    this.#dict = dict;
    this.#pairs = null;
  }
}
