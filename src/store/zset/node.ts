/**
 * Object views over the id-based skiplist, for callers that walk a sorted set
 * node by node (replies, RDB, SORT). A ZNode is made on demand and holds a
 * snapshot of its member and score, so it stays readable after its member is
 * deleted (e.g. ZPOP replies); only links are read live.
 */
import type { SkipList } from "./skiplist.ts";

const NIL = 0;

export class ZNode {
  constructor(
    readonly list: SkipList,
    readonly id: number,
    readonly member: string,
    public score: number,
  ) {}

  /** The previous node in order, or null for the first. */
  get prev(): ZNode | null {
    return nodeOf(this.list, this.list.prev(this.id));
  }

  /** The following node in order, or null for the last. */
  get following(): ZNode | null {
    return nodeOf(this.list, this.list.next(this.id));
  }

  /** Level-0 forward link, as `next[0]` (the only level callers walk). */
  get next(): readonly (ZNode | null)[] {
    return [this.following];
  }
}

export function nodeOf(list: SkipList, id: number): ZNode | null {
  return id === NIL ? null : new ZNode(list, id, list.members[id] as string, list.scores[id] as number);
}

/** The ordered side of a sorted set: ends, length and in-order iteration. */
export class ZListView {
  constructor(readonly list: SkipList) {}

  get first(): ZNode | null {
    return nodeOf(this.list, this.list.first);
  }

  get tail(): ZNode | null {
    return nodeOf(this.list, this.list.tail);
  }

  get length(): number {
    return this.list.length;
  }

  get level(): number {
    return this.list.level;
  }

  *[Symbol.iterator](): IterableIterator<ZNode> {
    const l = this.list;
    for (let id = l.first; id !== NIL; id = l.next(id)) yield new ZNode(l, id, l.members[id] as string, l.scores[id] as number);
  }
}

/**
 * The member-index side: lookups, SCAN cursors and random picks, with slots
 * being node ids. `values[slot]` reads a node (kept for callers written
 * against a Dict of nodes).
 */
export class ZDictView {
  #values: { readonly [slot: number]: ZNode | undefined } | null = null;

  constructor(readonly list: SkipList) {}

  get values(): { readonly [slot: number]: ZNode | undefined } {
    const list = this.list;
    this.#values ??= new Proxy([] as ZNode[], {
      get: (target, key) =>
        typeof key === "string" && /^\d+$/.test(key) ? (nodeOf(list, Number(key)) ?? undefined) : Reflect.get(target, key),
    });
    return this.#values;
  }

  get size(): number {
    return this.list.length;
  }

  get buckets(): number {
    return this.list.buckets;
  }

  get(member: string): ZNode | undefined {
    return nodeOf(this.list, this.list.find(member)) ?? undefined;
  }

  has(member: string): boolean {
    return this.list.find(member) !== NIL;
  }

  randomSlot(): number {
    return this.list.randomId();
  }

  scan(cursor: number, visit: (slot: number) => void): number {
    return this.list.scan(cursor, visit);
  }
}
