/**
 * The sorted set value: a Dict from member to its skiplist node (O(1) ZSCORE,
 * SCAN cursors and random members) plus the skiplist (order, ranks, ranges).
 *
 * Redis keeps small sets in a listpack and converts them, one way, to a
 * skiplist past zset-max-listpack-entries / -value. One structure serves both
 * here; `compact` only tracks which encoding Redis would report (and which
 * reply shapes depend on it, e.g. ZSCAN returns a listpack whole).
 */
import { Dict } from "./dict.ts";
import type { DataValue } from "./values.ts";
import { SkipList, type ZNode } from "./zset/skiplist.ts";

export { ZNode } from "./zset/skiplist.ts";

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
  readonly dict = new Dict<ZNode>();
  readonly list = new SkipList();

  constructor(public compact = true) {}

  encoding(): string {
    return this.compact ? "listpack" : "skiplist";
  }

  get size(): number {
    return this.list.length;
  }

  score(member: string): number | undefined {
    return this.dict.get(member)?.score;
  }

  /**
   * Adds a member known to be absent, converting to the skiplist encoding
   * first when the set would outgrow the listpack limits (as zsetAdd does).
   */
  insert(member: string, score: number, limits: ZLimits): void {
    if (this.compact && (this.list.length + 1 > limits.entries || member.length > limits.value)) this.compact = false;
    this.dict.insertNew(member, this.list.insert(this.#stored(score), member));
  }

  /** A listpack stores -0 as the integer 0, so a compact set never holds -0. */
  #stored(score: number): number {
    return this.compact && score === 0 ? 0 : score;
  }

  /** Changes an existing member's score. */
  setScore(node: ZNode, score: number): void {
    const moved = this.list.updateScore(node, this.#stored(score));
    if (moved !== node) this.dict.set(node.member, moved);
  }

  delete(member: string): boolean {
    const node = this.dict.get(member);
    if (node === undefined) return false;
    this.dict.delete(member);
    this.list.delete(node.score, member);
    return true;
  }

  /** 0-based rank, -1 when absent. */
  rankOf(member: string): number {
    const node = this.dict.get(member);
    return node === undefined ? -1 : this.list.rank(node.score, member) - 1;
  }

  /** The node at a 0-based rank. */
  at(rank: number): ZNode {
    const n = this.list.at(rank + 1);
    if (n === null) throw new Error(`zset rank ${rank} out of range`);
    return n;
  }

  /** Removes `count` members from a 0-based rank on. */
  deleteRanks(start: number, count: number): void {
    this.list.deleteRange(start + 1, count, (n) => this.dict.delete(n.member));
  }

  /** The 0-based inclusive rank interval of a score range, or null when empty. */
  scoreSpan(r: ScoreRange): [number, number] | null {
    if (r.min > r.max || (r.min === r.max && (r.minex || r.maxex))) return null;
    const first = this.list.countWhile((n) => !gteMin(n.score, r));
    const last = this.list.countWhile((n) => lteMax(n.score, r)) - 1;
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
    const { first: head, tail } = this.list;
    if (head === null || tail === null || !lexGteMin(tail.member, r.min) || !lexLteMax(head.member, r.max)) return null;
    if (this.compact) return reverse ? this.#lexSpanBackward(r) : this.#lexSpanForward(r);
    const first = this.list.countWhile((n) => !lexGteMin(n.member, r.min));
    const last = this.list.countWhile((n) => lexLteMax(n.member, r.max)) - 1;
    return first <= last ? [first, last] : null;
  }

  #lexSpanForward(r: LexRange): [number, number] | null {
    let i = 0;
    let n: ZNode | null = this.list.first;
    while (n !== null && !lexGteMin(n.member, r.min)) {
      n = n.next[0] as ZNode | null;
      i++;
    }
    const first = i;
    while (n !== null && lexLteMax(n.member, r.max)) {
      n = n.next[0] as ZNode | null;
      i++;
    }
    return i > first ? [first, i - 1] : null;
  }

  #lexSpanBackward(r: LexRange): [number, number] | null {
    let i = this.size - 1;
    let n: ZNode | null = this.list.tail;
    while (n !== null && !lexLteMax(n.member, r.max)) {
      n = n.prev;
      i--;
    }
    const last = i;
    while (n !== null && lexGteMin(n.member, r.min)) {
      n = n.prev;
      i--;
    }
    return i < last ? [i + 1, last] : null;
  }

  /** Whether Redis's zsetConvertToListpackIfNeeded would turn this (skiplist) set into a listpack. */
  compactIfSmall(limits: ZLimits, maxMemberLength: number): void {
    if (this.compact || this.size > limits.entries || maxMemberLength > limits.value) return;
    this.compact = true;
    for (const n of this.list) if (n.score === 0) n.score = 0;
  }

  clone(): ZSet {
    const copy = new ZSet(this.compact);
    for (const n of this.list) copy.dict.insertNew(n.member, copy.list.insert(n.score, n.member));
    return copy;
  }
}
