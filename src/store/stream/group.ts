/**
 * Consumer groups: a group's pending entries list (PEL) and its consumers,
 * each with its own PEL sharing the group's NACK objects (as Redis's
 * streamNACK is shared between cg->pel and consumer->pel).
 */

import type { StreamId } from "./id.ts";

/** SCG_INVALID_ENTRIES_READ */
export const INVALID_ENTRIES_READ = -1;

export interface Nack {
  deliveryTime: number;
  deliveryCount: number;
  consumer: Consumer;
}

/** IDs in order with their NACKs: a sorted array for ranges, a Map for lookups. */
export class Pel {
  ids: StreamId[] = [];
  readonly map = new Map<StreamId, Nack>();

  get size(): number {
    return this.ids.length;
  }

  get(id: StreamId): Nack | undefined {
    return this.map.get(id);
  }

  /** Index of the first ID >= id. */
  lowerBound(id: StreamId): number {
    const a = this.ids;
    let lo = 0;
    let hi = a.length;
    // New deliveries mostly go to the end: check that first.
    if (hi > 0 && (a[hi - 1] as StreamId) < id) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((a[mid] as StreamId) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** raxTryInsert: false (and nothing changes) when the ID is there already. */
  insert(id: StreamId, nack: Nack): boolean {
    if (this.map.has(id)) return false;
    this.map.set(id, nack);
    this.ids.splice(this.lowerBound(id), 0, id);
    return true;
  }

  remove(id: StreamId): boolean {
    if (!this.map.delete(id)) return false;
    this.ids.splice(this.lowerBound(id), 1);
    return true;
  }

  /** IDs from `start` on (inclusive), in order, until `visit` returns false. */
  from(start: StreamId, visit: (id: StreamId, nack: Nack) => boolean): void {
    for (let i = this.lowerBound(start); i < this.ids.length; i++) {
      const id = this.ids[i] as StreamId;
      if (!visit(id, this.map.get(id) as Nack)) return;
    }
  }
}

export class Consumer {
  readonly pel = new Pel();
  constructor(
    readonly name: string,
    public seenTime: number,
  ) {}
}

export class ConsumerGroup {
  readonly pel = new Pel();
  readonly consumers = new Map<string, Consumer>();

  constructor(
    readonly name: string,
    public lastId: StreamId,
    public entriesRead: number,
  ) {}

  /** Consumers in the radix tree's (byte) order. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** streamDelConsumer: its pending entries leave the group's PEL too. */
  deleteConsumer(c: Consumer): void {
    for (const id of c.pel.ids) this.pel.remove(id);
    this.consumers.delete(c.name);
  }
}

/** Deep copy for COPY (streamDup): NACKs stay shared between each group PEL and its consumer's. */
export function cloneGroups(groups: Map<string, ConsumerGroup>): Map<string, ConsumerGroup> {
  const out = new Map<string, ConsumerGroup>();
  for (const [name, g] of groups) {
    const ng = new ConsumerGroup(name, g.lastId, g.entriesRead);
    const byOld = new Map<Consumer, Consumer>();
    for (const [cname, c] of g.consumers) {
      const nc = new Consumer(cname, c.seenTime);
      byOld.set(c, nc);
      ng.consumers.set(cname, nc);
    }
    for (const id of g.pel.ids) {
      const n = g.pel.get(id) as Nack;
      const nc = byOld.get(n.consumer) as Consumer;
      const nn: Nack = { deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount, consumer: nc };
      ng.pel.ids.push(id);
      ng.pel.map.set(id, nn);
      nc.pel.ids.push(id);
      nc.pel.map.set(id, nn);
    }
    out.set(name, ng);
  }
  return out;
}
