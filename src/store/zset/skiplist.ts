/**
 * The sorted set's storage: a skiplist whose links carry spans (how many
 * ranks each link jumps), so insert, delete, rank and "n-th element" are all
 * O(log n) expected and a range is O(log n + m), plus a chained hash index
 * from member to node. Order is by score, then by member bytes: members are
 * latin1 byte strings, so JS string comparison is exactly memcmp order.
 *
 * Why columns instead of one JS object per node: an object per node with
 * arrays of links cost ~240 bytes a member. Here a node is an id (0 is the
 * head) into typed-array columns: score, member, level, and four link ints
 * (level-0 forward and back links, hash chain, upper-links offset). Links
 * above level 0 (a third of a link per node on average) live in a pooled
 * arena of (forward, span) pairs. Level-0 spans are
 * not stored: they are 1, or 0 for the null link. Id 0 doubles as null for
 * every link, since nothing links forward to the head or hashes to it.
 */
import { hashString, sampleFair } from "../dict.ts";

const MAX_LEVEL = 32;
/** Chance of a node reaching the next level: 1/4 keeps about 1.33 links per node. */
const P = 0.25;
const NIL = 0;
/** Offsets of a node's ints in #links (the level-0 forward link is at offset 0). */
const PREV = 1;
const CHAIN = 2;
const UPPER = 3;
const MIN_CAPACITY = 8;
const MIN_BUCKETS = 4;
/** Head's upper links sit at the arena's start. */
const HEAD_UPPER = 2 * (MAX_LEVEL - 1);

/** Scratch vectors shared by every list (no operation is re-entrant). */
const update = new Int32Array(MAX_LEVEL);
const rankAt = new Float64Array(MAX_LEVEL);

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

export class SkipList {
  /** Node columns, indexed by id. */
  scores = new Float64Array(MIN_CAPACITY);
  members: (string | undefined)[] = [""];
  /**
   * Four ints a node: level-0 forward link, level-0 back link (NIL for the
   * first node), hash chain link (or the free-id list link for a free id),
   * and where the node's upper links start in #upper.
   */
  #links = new Int32Array(4 * MIN_CAPACITY);
  #levels = new Uint8Array(MIN_CAPACITY);
  /** (forward, span) for levels 1.. of each node, in blocks of level-1 pairs. */
  #upper = new Int32Array(HEAD_UPPER + 16);
  #upperUsed = HEAD_UPPER;
  /** Freed upper blocks by node level, linked through their first int (-1 ends). */
  #freeUpper: Int32Array | null = null;
  #freeIds = NIL;
  /** Ids ever handed out: [1, #highWater). */
  #highWater = 1;
  #buckets = new Int32Array(MIN_BUCKETS);
  tail = NIL;
  level = 1;
  length = 0;

  constructor() {
    this.#levels[0] = MAX_LEVEL;
  }

  get first(): number {
    return this.#links[0] as number;
  }

  /** The node after `id` at level 0 (NIL at the end). */
  next(id: number): number {
    return this.#links[4 * id] as number;
  }

  /** The node before `id` at level 0 (NIL at the start). */
  prev(id: number): number {
    return this.#links[4 * id + PREV] as number;
  }

  /** Link `i` of node `x`: forward id and span. */
  forward(x: number, i: number): number {
    return i === 0 ? (this.#links[4 * x] as number) : (this.#upper[(this.#links[4 * x + UPPER] as number) + 2 * i - 2] as number);
  }

  span(x: number, i: number): number {
    if (i === 0) return this.#links[4 * x] === NIL ? 0 : 1;
    return this.#upper[(this.#links[4 * x + UPPER] as number) + 2 * i - 1] as number;
  }

  #setLink(x: number, i: number, to: number, span: number): void {
    if (i === 0) this.#links[4 * x] = to;
    else {
      const at = (this.#links[4 * x + UPPER] as number) + 2 * i - 2;
      this.#upper[at] = to;
      this.#upper[at + 1] = span;
    }
  }

  #addSpan(x: number, i: number, delta: number): void {
    if (i > 0) {
      const at = (this.#links[4 * x + UPPER] as number) + 2 * i - 1;
      this.#upper[at] = (this.#upper[at] as number) + delta;
    }
  }

  /** True when node `n` sorts before (score, member). */
  #precedes(n: number, score: number, member: string): boolean {
    const s = this.scores[n] as number;
    return s < score || (s === score && (this.members[n] as string) < member);
  }

  // ---- member index ----

  /** The node holding `member`, or NIL. */
  find(member: string): number {
    const members = this.members;
    const links = this.#links;
    const b = this.#buckets;
    for (let s = b[hashString(member) & (b.length - 1)] as number; s !== NIL; s = links[4 * s + CHAIN] as number) {
      if (members[s] === member) return s;
    }
    return NIL;
  }

  #hashIn(id: number): void {
    const b = this.#buckets;
    const h = hashString(this.members[id] as string) & (b.length - 1);
    this.#links[4 * id + CHAIN] = b[h] as number;
    b[h] = id;
  }

  #hashOut(id: number): void {
    const b = this.#buckets;
    const h = hashString(this.members[id] as string) & (b.length - 1);
    let s = b[h] as number;
    if (s === id) {
      b[h] = this.#links[4 * id + CHAIN] as number;
      return;
    }
    while (this.#links[4 * s + CHAIN] !== id) s = this.#links[4 * s + CHAIN] as number;
    this.#links[4 * s + CHAIN] = this.#links[4 * id + CHAIN] as number;
  }

  #rehash(buckets: number): void {
    this.#buckets = new Int32Array(buckets);
    for (let id = this.first; id !== NIL; id = this.#links[4 * id] as number) this.#hashIn(id);
  }

  /** Number of hash buckets (SCAN COUNT heuristics). */
  get buckets(): number {
    return this.#buckets.length;
  }

  /**
   * Visits one bucket chosen by `cursor` and returns the next cursor (0 when
   * done). Reverse-binary increments over power-of-two buckets (as Redis's
   * dictScan) visit every member present for the whole scan across resizes.
   */
  scan(cursor: number, visit: (id: number) => void): number {
    const mask = this.#buckets.length - 1;
    let v = cursor >>> 0;
    for (let s = this.#buckets[v & mask] as number; s !== NIL; s = this.#links[4 * s + CHAIN] as number) visit(s);
    v |= ~mask;
    v = reverseBits(v);
    v = (v + 1) >>> 0;
    return reverseBits(v);
  }

  /** A uniformly chosen bucket's random member (like dictGetFairRandomKey); NIL when empty. */
  /** A random member's id, sampled as fairly as Redis's dictGetFairRandomKey (see sampleFair). */
  randomId(): number {
    if (this.length === 0) return NIL;
    const links = this.#links;
    return sampleFair(this.#buckets, (s) => links[4 * s + CHAIN] as number, this.length, NIL);
  }

  // ---- storage ----

  #newId(level: number): number {
    let id = this.#freeIds;
    if (id !== NIL) this.#freeIds = this.#links[4 * id + CHAIN] as number;
    else {
      id = this.#highWater++;
      if (id >= this.#levels.length) this.#grow(this.#levels.length * 2);
    }
    this.#levels[id] = level;
    this.#links[4 * id + UPPER] = level > 1 ? this.#allocUpper(level) : 0;
    return id;
  }

  #grow(cap: number): void {
    const widen = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, Math.min(a.length, cap)) as never);
      return b;
    };
    this.scores = widen(this.scores, (n) => new Float64Array(n));
    const links = new Int32Array(4 * cap);
    links.set(this.#links.subarray(0, Math.min(this.#links.length, 4 * cap)));
    this.#links = links;
    this.#levels = widen(this.#levels, (n) => new Uint8Array(n));
  }

  #allocUpper(level: number): number {
    const free = this.#freeUpper;
    if (free !== null) {
      const at = free[level] as number;
      if (at >= 0) {
        free[level] = this.#upper[at] as number;
        return at;
      }
    }
    const at = this.#upperUsed;
    const need = at + 2 * (level - 1);
    if (need > this.#upper.length) {
      const grown = new Int32Array(Math.max(need, this.#upper.length * 2));
      grown.set(this.#upper);
      this.#upper = grown;
    }
    this.#upperUsed = need;
    return at;
  }

  #freeId(id: number): void {
    const level = this.#levels[id] as number;
    if (level > 1) {
      this.#freeUpper ??= new Int32Array(MAX_LEVEL + 1).fill(-1);
      const at = this.#links[4 * id + UPPER] as number;
      this.#upper[at] = this.#freeUpper[level] as number;
      this.#freeUpper[level] = at;
    }
    this.members[id] = undefined;
    this.#links[4 * id + CHAIN] = this.#freeIds;
    this.#freeIds = id;
  }

  // ---- skiplist ----

  /** Adds (score, member); the caller guarantees the member is not present. Returns its id. */
  insert(score: number, member: string): number {
    const id = this.#newId(randomLevel());
    this.members[id] = member;
    this.scores[id] = score;
    this.#link(id);
    this.#hashIn(id);
    if (this.length > this.#buckets.length) this.#rehash(this.#buckets.length * 2);
    return id;
  }

  /** Links node `id` (score, member and level set) into its place. */
  #link(id: number): void {
    const score = this.scores[id] as number;
    const member = this.members[id] as string;
    let x = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      rankAt[i] = i === this.level - 1 ? 0 : (rankAt[i + 1] as number);
      for (let n = this.forward(x, i); n !== NIL && this.#precedes(n, score, member); n = this.forward(x, i)) {
        rankAt[i] = (rankAt[i] as number) + this.span(x, i);
        x = n;
      }
      update[i] = x;
    }
    const level = this.#levels[id] as number;
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rankAt[i] = 0;
        update[i] = 0;
        this.#setLink(0, i, NIL, this.length);
      }
      this.level = level;
    }
    const r0 = rankAt[0] as number;
    for (let i = 0; i < level; i++) {
      const u = update[i] as number;
      // The new node takes over the part of u's span beyond the insertion point.
      const before = r0 - (rankAt[i] as number);
      this.#setLink(id, i, this.forward(u, i), this.span(u, i) - before);
      this.#setLink(u, i, id, before + 1);
    }
    for (let i = level; i < this.level; i++) this.#addSpan(update[i] as number, i, 1);
    this.#links[4 * id + PREV] = update[0] as number;
    const after = this.#links[4 * id] as number;
    if (after !== NIL) this.#links[4 * after + PREV] = id;
    else this.tail = id;
    this.length++;
  }

  /** Fills `update` with the last node before (score, member) on each level; returns the level-0 one. */
  #search(score: number, member: string): number {
    let x = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = this.forward(x, i); n !== NIL && this.#precedes(n, score, member); n = this.forward(x, i)) x = n;
      update[i] = x;
    }
    return x;
  }

  /** Removes node `id`. */
  delete(id: number): void {
    this.#search(this.scores[id] as number, this.members[id] as string);
    this.#unlink(id);
    this.#hashOut(id);
    this.#freeId(id);
    this.#shrinkIfSparse();
  }

  /**
   * Moves a node to a new score, in place when its neighbours still bracket
   * the new score, else by unlinking and relinking the same id.
   */
  updateScore(id: number, score: number): void {
    const before = this.#links[4 * id + PREV] as number;
    const after = this.#links[4 * id] as number;
    if ((before === NIL || (this.scores[before] as number) < score) && (after === NIL || (this.scores[after] as number) > score)) {
      this.scores[id] = score;
      return;
    }
    this.#search(this.scores[id] as number, this.members[id] as string);
    this.#unlink(id);
    this.scores[id] = score;
    this.#link(id);
  }

  /** 1-based rank of node `id`. */
  rank(id: number): number {
    const score = this.scores[id] as number;
    const member = this.members[id] as string;
    let x = 0;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = this.forward(x, i); n !== NIL && (n === id || this.#precedes(n, score, member)); n = this.forward(x, i)) {
        rank += this.span(x, i);
        x = n;
      }
      if (x === id) return rank;
    }
    return 0;
  }

  /** The node at a 1-based rank, or NIL when out of range. */
  at(rank: number): number {
    if (rank < 1 || rank > this.length) return NIL;
    let x = 0;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = this.forward(x, i); n !== NIL && traversed + this.span(x, i) <= rank; n = this.forward(x, i)) {
        traversed += this.span(x, i);
        x = n;
      }
      if (traversed === rank) return x;
    }
    return NIL;
  }

  /**
   * How many leading nodes satisfy `inPrefix`, which must hold for a prefix of
   * the list and fail after it (e.g. "score below the range minimum").
   */
  countWhile(inPrefix: (score: number, member: string) => boolean): number {
    let x = 0;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = this.forward(x, i); n !== NIL && inPrefix(this.scores[n] as number, this.members[n] as string); n = this.forward(x, i)) {
        rank += this.span(x, i);
        x = n;
      }
    }
    return rank;
  }

  /** Removes `count` nodes starting at a 1-based rank. */
  deleteRange(start: number, count: number): void {
    let x = 0;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = this.forward(x, i); n !== NIL && traversed + this.span(x, i) < start; n = this.forward(x, i)) {
        traversed += this.span(x, i);
        x = n;
      }
      update[i] = x;
    }
    // The update vector stays valid for each following node once its predecessor is unlinked.
    let node = this.#links[4 * x] as number;
    for (let k = 0; k < count && node !== NIL; k++) {
      const following = this.#links[4 * node] as number;
      this.#unlink(node);
      this.#hashOut(node);
      this.#freeId(node);
      node = following;
    }
    this.#shrinkIfSparse();
  }

  /** Unlinks `x`, with `update` holding its predecessors on each level. */
  #unlink(x: number): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i] as number;
      if (this.forward(u, i) === x) this.#setLink(u, i, this.forward(x, i), this.span(u, i) + this.span(x, i) - 1);
      else this.#addSpan(u, i, -1);
    }
    const after = this.#links[4 * x] as number;
    const before = this.#links[4 * x + PREV] as number;
    if (after !== NIL) this.#links[4 * after + PREV] = before;
    else this.tail = before;
    while (this.level > 1 && this.forward(0, this.level - 1) === NIL) this.level--;
    this.length--;
  }

  /** After a big shrink, gives memory back: fewer buckets, and ids packed into smaller columns. */
  #shrinkIfSparse(): void {
    if (this.length * 8 < this.#buckets.length && this.#buckets.length > MIN_BUCKETS) this.#rehash(this.#buckets.length / 2);
    if (this.length * 4 < this.#highWater && this.#levels.length > MIN_CAPACITY) this.rebuildInto(this);
  }

  /**
   * Lays this list's nodes, in order and keeping their levels, into `to`
   * (this list itself to repack ids and the arena, or a fresh one to clone).
   * Linear: each node is appended at the tail of every level it reaches.
   */
  rebuildInto(to: SkipList): void {
    const order: number[] = [];
    for (let id = this.first; id !== NIL; id = this.#links[4 * id] as number) order.push(id);
    const scores = order.map((id) => this.scores[id] as number);
    const members = order.map((id) => this.members[id] as string);
    const levels = order.map((id) => this.#levels[id] as number);
    to.#reset(order.length);
    const last = new Int32Array(MAX_LEVEL);
    const lastRank = new Float64Array(MAX_LEVEL);
    let top = 1;
    for (let k = 0; k < order.length; k++) {
      const level = levels[k] as number;
      const id = to.#newId(level);
      to.members[id] = members[k];
      to.scores[id] = scores[k] as number;
      for (let i = 0; i < level; i++) {
        to.#setLink(last[i] as number, i, id, k + 1 - (lastRank[i] as number));
        last[i] = id;
        lastRank[i] = k + 1;
      }
      if (level > top) top = level;
      to.#links[4 * id + PREV] = k === 0 ? NIL : id - 1;
      to.#hashIn(id);
    }
    to.length = order.length;
    to.level = top;
    to.tail = order.length === 0 ? NIL : to.#highWater - 1;
    for (let i = 1; i < MAX_LEVEL; i++) to.#setLink(last[i] as number, i, NIL, order.length - (lastRank[i] as number));
  }

  /** Empties the list, with room for `n` nodes. */
  #reset(n: number): void {
    let capacity = MIN_CAPACITY;
    while (capacity < n + 1) capacity *= 2;
    this.#grow(capacity);
    this.#links.fill(0);
    this.#levels[0] = MAX_LEVEL;
    this.members = [""];
    this.#upper = new Int32Array(HEAD_UPPER + 16);
    this.#upperUsed = HEAD_UPPER;
    this.#freeUpper = null;
    this.#freeIds = NIL;
    this.#highWater = 1;
    let buckets = MIN_BUCKETS;
    while (buckets < n) buckets *= 2;
    this.#buckets = new Int32Array(buckets);
    this.tail = NIL;
    this.level = 1;
    this.length = 0;
  }
}
