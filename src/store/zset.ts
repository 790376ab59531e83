/**
 * The sorted set value: a skiplist (order, ranks, ranges) with a hash index
 * from member to node (O(1) ZSCORE, SCAN cursors and random members), both in
 * one id-based columnar store (see zset/skiplist.ts); `dict` and `list` are
 * object views over it.
 *
 * Redis keeps small sets in a listpack and converts them, one way, to a
 * skiplist past zset-max-listpack-entries / -value. One structure serves both
 * here; `compact` only tracks which encoding Redis would report (and which
 * reply shapes depend on it, e.g. ZSCAN returns a listpack whole).
 */
import type { DataValue } from "./values.ts";
import { nodeOf, ZDictView, ZListView, type ZNode } from "./zset/node.ts";
import { SkipList } from "./zset/skiplist.ts";

export { ZNode } from "./zset/node.ts";

/** The encoding thresholds (zset-max-listpack-entries / -value). */
export interface ZLimits {
  entries: number;
  value: number;
}

/** A score interval; `minex`/`maxex` make an end exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** One end of a lex interval: a member, or the "-" / "+" infinities. */
export interface LexBound {
  value: string;
  ex: boolean;
  /** -1 for "-", 1 for "+", 0 for a member. */
  inf: -1 | 0 | 1;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

export function gteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}

export function lteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}

export function lexGteMin(member: string, min: LexBound): boolean {
  if (min.inf !== 0) return min.inf < 0;
  return min.ex ? member > min.value : member >= min.value;
}

export function lexLteMax(member: string, max: LexBound): boolean {
  if (max.inf !== 0) return max.inf > 0;
  return max.ex ? member < max.value : member <= max.value;
}

function lexCompare(a: LexBound, b: LexBound): number {
  if (a.inf !== 0 || b.inf !== 0) return a.inf === b.inf ? 0 : a.inf < b.inf ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export class ZSet implements DataValue {
  readonly type = "zset" as const;
  readonly store = new SkipList();
  #dict: ZDictView | null = null;
  #list: ZListView | null = null;

  constructor(public compact = true) {}

  /** Member lookups, SCAN and random picks (slots are node ids). */
  get dict(): ZDictView {
    this.#dict ??= new ZDictView(this.store);
    return this.#dict;
  }

  /** Ends and in-order iteration. */
  get list(): ZListView {
    this.#list ??= new ZListView(this.store);
    return this.#list;
  }

  encoding(): string {
    return this.compact ? "listpack" : "skiplist";
  }

  get size(): number {
    return this.store.length;
  }

  score(member: string): number | undefined {
    const id = this.store.find(member);
    return id === 0 ? undefined : this.store.scores[id];
  }

  /**
   * Adds a member known to be absent, converting to the skiplist encoding
   * first when the set would outgrow the listpack limits (as zsetAdd does).
   */
  insert(member: string, score: number, limits: ZLimits): void {
    if (this.compact && (this.store.length + 1 > limits.entries || member.length > limits.value)) this.compact = false;
    this.store.insert(this.#stored(score), member);
  }

  /** A listpack stores -0 as the integer 0, so a compact set never holds -0. */
  #stored(score: number): number {
    return this.compact && score === 0 ? 0 : score;
  }

  /** Changes an existing member's score. */
  setScore(node: ZNode, score: number): void {
    const stored = this.#stored(score);
    this.store.updateScore(node.id, stored);
    node.score = stored;
  }

  delete(member: string): boolean {
    const id = this.store.find(member);
    if (id === 0) return false;
    this.store.delete(id);
    return true;
  }

  /** 0-based rank, -1 when absent. */
  rankOf(member: string): number {
    const id = this.store.find(member);
    return id === 0 ? -1 : this.store.rank(id) - 1;
  }

  /** The node at a 0-based rank. */
  at(rank: number): ZNode {
    const n = nodeOf(this.store, this.store.at(rank + 1));
    if (n === null) throw new Error(`zset rank ${rank} out of range`);
    return n;
  }

  /** Removes `count` members from a 0-based rank on. */
  deleteRanks(start: number, count: number): void {
    this.store.deleteRange(start + 1, count);
  }

  /** The 0-based inclusive rank interval of a score range, or null when empty. */
  scoreSpan(r: ScoreRange): [number, number] | null {
    if (r.min > r.max || (r.min === r.max && (r.minex || r.maxex))) return null;
    const first = this.store.countWhile((score) => !gteMin(score, r));
    const last = this.store.countWhile((score) => lteMax(score, r)) - 1;
    return first <= last ? [first, last] : null;
  }

  /**
   * The 0-based inclusive rank interval of a lex range, or null when empty.
   * Lex ranges only make sense when all scores are equal; for other sets the
   * answer is whatever Redis's search finds, so a listpack-encoded set is
   * scanned linearly like Redis's zzl*InLexRange: forwards from the first
   * member >= min while <= max, or (`reverse`) backwards from the last
   * member <= max while >= min.
   */
  lexSpan(r: LexRange, reverse = false): [number, number] | null {
    const c = lexCompare(r.min, r.max);
    if (c > 0 || (c === 0 && (r.min.ex || r.max.ex))) return null;
    const { store } = this;
    if (store.length === 0) return null;
    const head = store.members[store.first] as string;
    const tail = store.members[store.tail] as string;
    if (!lexGteMin(tail, r.min) || !lexLteMax(head, r.max)) return null;
    if (this.compact) return reverse ? this.#lexSpanBackward(r) : this.#lexSpanForward(r);
    const first = store.countWhile((_, member) => !lexGteMin(member, r.min));
    const last = store.countWhile((_, member) => lexLteMax(member, r.max)) - 1;
    return first <= last ? [first, last] : null;
  }

  #lexSpanForward(r: LexRange): [number, number] | null {
    const { store } = this;
    let i = 0;
    let n = store.first;
    while (n !== 0 && !lexGteMin(store.members[n] as string, r.min)) {
      n = store.next(n);
      i++;
    }
    const first = i;
    while (n !== 0 && lexLteMax(store.members[n] as string, r.max)) {
      n = store.next(n);
      i++;
    }
    return i > first ? [first, i - 1] : null;
  }

  #lexSpanBackward(r: LexRange): [number, number] | null {
    const { store } = this;
    let i = this.size - 1;
    let n = store.tail;
    while (n !== 0 && !lexLteMax(store.members[n] as string, r.max)) {
      n = store.prev(n);
      i--;
    }
    const last = i;
    while (n !== 0 && lexGteMin(store.members[n] as string, r.min)) {
      n = store.prev(n);
      i--;
    }
    return i < last ? [i + 1, last] : null;
  }

  /** Whether Redis's zsetConvertToListpackIfNeeded would turn this (skiplist) set into a listpack. */
  compactIfSmall(limits: ZLimits, maxMemberLength: number): void {
    if (this.compact || this.size > limits.entries || maxMemberLength > limits.value) return;
    this.compact = true;
    const { store } = this;
    for (let n = store.first; n !== 0; n = store.next(n)) if (store.scores[n] === 0) store.scores[n] = 0;
  }

  clone(): ZSet {
    const copy = new ZSet(this.compact);
    this.store.rebuildInto(copy.store);
    return copy;
  }
}
