/**
 * The ordered index of a sorted set: a skiplist whose links carry spans (how
 * many ranks each link jumps), so insert, delete, rank and "n-th element" are
 * all O(log n) expected, and a range is O(log n + m). Order is by score, then
 * by member bytes: members are latin1 byte strings, so JS string comparison
 * (UTF-16 code units, shorter prefix first) is exactly memcmp order.
 */

const MAX_LEVEL = 32;
/** Chance of a node reaching the next level: 1/4 keeps about 1.33 links per node. */
const P = 0.25;

export class ZNode {
  /** Forward link per level. */
  readonly next: (ZNode | null)[];
  /** Ranks crossed by each forward link (to the end of the list when the link is null). */
  readonly span: number[];
  /** The previous node at level 0 (null for the first node). */
  prev: ZNode | null = null;

  constructor(
    readonly member: string,
    public score: number,
    level: number,
  ) {
    this.next = new Array<ZNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

/** True when `n` sorts before (score, member). */
function precedes(n: ZNode, score: number, member: string): boolean {
  return n.score < score || (n.score === score && n.member < member);
}

export class SkipList {
  readonly head = new ZNode("", 0, MAX_LEVEL);
  tail: ZNode | null = null;
  level = 1;
  length = 0;
  /** Scratch vectors reused by every operation (nothing here is re-entrant). */
  readonly #update: ZNode[] = new Array<ZNode>(MAX_LEVEL);
  readonly #rank: number[] = new Array<number>(MAX_LEVEL).fill(0);

  get first(): ZNode | null {
    return this.head.next[0] as ZNode | null;
  }

  /** Adds (score, member); the caller guarantees the member is not present. */
  insert(score: number, member: string): ZNode {
    const update = this.#update;
    const rank = this.#rank;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : (rank[i + 1] as number);
      for (let n = x.next[i] as ZNode | null; n !== null && precedes(n, score, member); n = x.next[i] as ZNode | null) {
        rank[i] = (rank[i] as number) + (x.span[i] as number);
        x = n;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.length;
      }
      this.level = level;
    }
    const node = new ZNode(member, score, level);
    const r0 = rank[0] as number;
    for (let i = 0; i < level; i++) {
      const u = update[i] as ZNode;
      node.next[i] = u.next[i] as ZNode | null;
      u.next[i] = node;
      // The new node takes over the part of u's span beyond the insertion point.
      node.span[i] = (u.span[i] as number) - (r0 - (rank[i] as number));
      u.span[i] = r0 - (rank[i] as number) + 1;
    }
    for (let i = level; i < this.level; i++) {
      const u = update[i] as ZNode;
      u.span[i] = (u.span[i] as number) + 1;
    }
    node.prev = update[0] === this.head ? null : (update[0] as ZNode);
    const after = node.next[0] as ZNode | null;
    if (after !== null) after.prev = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  /** Removes the node holding (score, member); false when absent. */
  delete(score: number, member: string): boolean {
    const update = this.#update;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = x.next[i] as ZNode | null; n !== null && precedes(n, score, member); n = x.next[i] as ZNode | null) x = n;
      update[i] = x;
    }
    const target = x.next[0] as ZNode | null;
    if (target === null || target.score !== score || target.member !== member) return false;
    this.#unlink(target, update);
    return true;
  }

  /**
   * Moves a node to a new score. When its neighbours still bracket the new
   * score it is updated in place (no search), else re-inserted; returns the
   * node now holding the member.
   */
  updateScore(node: ZNode, score: number): ZNode {
    const before = node.prev;
    const after = node.next[0] as ZNode | null;
    if ((before === null || before.score < score) && (after === null || after.score > score)) {
      node.score = score;
      return node;
    }
    this.delete(node.score, node.member);
    return this.insert(score, node.member);
  }

  /** 1-based rank of (score, member), 0 when absent. */
  rank(score: number, member: string): number {
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (
        let n = x.next[i] as ZNode | null;
        n !== null && (precedes(n, score, member) || (n.score === score && n.member === member));
        n = x.next[i] as ZNode | null
      ) {
        rank += x.span[i] as number;
        x = n;
      }
      if (x !== this.head && x.member === member) return rank;
    }
    return 0;
  }

  /** The node at a 1-based rank, or null when out of range. */
  at(rank: number): ZNode | null {
    if (rank < 1 || rank > this.length) return null;
    let x = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = x.next[i] as ZNode | null; n !== null && traversed + (x.span[i] as number) <= rank; n = x.next[i] as ZNode | null) {
        traversed += x.span[i] as number;
        x = n;
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  /**
   * How many leading nodes satisfy `inPrefix`, which must hold for a prefix of
   * the list and fail after it (e.g. "score below the range minimum").
   */
  countWhile(inPrefix: (n: ZNode) => boolean): number {
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = x.next[i] as ZNode | null; n !== null && inPrefix(n); n = x.next[i] as ZNode | null) {
        rank += x.span[i] as number;
        x = n;
      }
    }
    return rank;
  }

  /** Removes `count` nodes starting at a 1-based rank, calling `removed` for each. */
  deleteRange(start: number, count: number, removed: (n: ZNode) => void): void {
    const update = this.#update;
    let x = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = x.next[i] as ZNode | null; n !== null && traversed + (x.span[i] as number) < start; n = x.next[i] as ZNode | null) {
        traversed += x.span[i] as number;
        x = n;
      }
      update[i] = x;
    }
    // The update vector stays valid for each following node once its predecessor is unlinked.
    let node = x.next[0] as ZNode | null;
    for (let k = 0; k < count && node !== null; k++) {
      const following = node.next[0] as ZNode | null;
      this.#unlink(node, update);
      removed(node);
      node = following;
    }
  }

  #unlink(x: ZNode, update: ZNode[]): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i] as ZNode;
      if (u.next[i] === x) {
        u.span[i] = (u.span[i] as number) + (x.span[i] as number) - 1;
        u.next[i] = x.next[i] as ZNode | null;
      } else u.span[i] = (u.span[i] as number) - 1;
    }
    const after = x.next[0] as ZNode | null;
    if (after !== null) after.prev = x.prev;
    else this.tail = x.prev;
    while (this.level > 1 && this.head.next[this.level - 1] === null) this.level--;
    this.length--;
  }

  *[Symbol.iterator](): IterableIterator<ZNode> {
    for (let n = this.first; n !== null; n = n.next[0] as ZNode | null) yield n;
  }
}
