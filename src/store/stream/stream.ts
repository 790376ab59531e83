/**
 * The stream value: Redis's layout, a sorted run of listpack nodes keyed by
 * their master ID (Redis keeps them in a radix tree; a sorted array with
 * binary search gives the same order and lookups). Each node holds:
 *
 *   master entry: count, deleted, num-fields, field..., 0
 *   entries:      flags, ms-delta, seq-delta, [num-fields, field, value... | value...], lp-count
 *
 * Entries are never moved: XDEL and exact trimming set the DELETED flag
 * and fix the node's counters; a node goes when its last live entry does.
 * So the bytes are what Redis would hold after the same commands, and RDB
 * saves them as they are.
 */

import type { DataValue } from "../values.ts";
import { type ConsumerGroup, cloneGroups } from "./group.ts";
import { ID_MAX, type StreamId, U64_MAX } from "./id.ts";
import { Lp } from "./lp.ts";

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;

/** Redis's STREAM_LISTPACK_MAX_SIZE: nodes never grow past 1 GiB. */
const LISTPACK_MAX_SIZE = 1 << 30;

export interface StreamNode {
  master: StreamId;
  lp: Lp;
}

/**
 * One entry met by a scan: its ID and where it sits, so it can be read or
 * deleted. While the ID's halves are safe JS integers (always, for IDs of
 * real clocks) they are held as numbers and the BigInt ID is only made
 * when asked for: a scan passing over entries before its start makes none.
 */
export class EntryRef {
  #id: StreamId | null;
  constructor(
    readonly node: StreamNode,
    readonly flags: number,
    readonly flagsPos: number,
    /** Offset of the first field (or value, with SAMEFIELDS) after the ID/num-fields. */
    readonly bodyPos: number,
    readonly numFields: number,
    /** Offset of the master entry's first field (SAMEFIELDS entries read names there). */
    readonly masterFieldsPos: number,
    /** The ID's halves as numbers; ms is -1 when they are not exact (then `big` holds the ID). */
    readonly ms: number,
    readonly seq: number,
    big: StreamId | null,
  ) {
    this.#id = big;
  }

  get id(): StreamId {
    return (this.#id ??= (BigInt(this.ms) << 64n) | BigInt(this.seq));
  }

  /** -1, 0 or 1 as this entry's ID compares with `other` (given also as number halves, ms -1 when not exact). */
  cmp(other: StreamId, oms: number, oseq: number): number {
    if (this.ms >= 0 && oms >= 0) {
      if (this.ms !== oms) return this.ms < oms ? -1 : 1;
      return this.seq === oseq ? 0 : this.seq < oseq ? -1 : 1;
    }
    const id = this.id;
    return id === other ? 0 : id < other ? -1 : 1;
  }
}

/** An ID's halves as JS numbers, ms -1 when either is past 2^53. */
function halves(id: StreamId): [number, number] {
  const ms = id >> 64n;
  const seq = id & U64_MAX;
  return ms <= 9007199254740991n && seq <= 9007199254740991n ? [Number(ms), Number(seq)] : [-1, 0];
}

export interface NodeLimits {
  maxBytes: number;
  maxEntries: number;
}

/** Adds two 64-bit halves as Redis's uint64 arithmetic does (wrapping). */
function addDelta(master: StreamId, msDelta: bigint, seqDelta: bigint): StreamId {
  const ms = ((master >> 64n) + msDelta) & U64_MAX;
  const seq = ((master & U64_MAX) + seqDelta) & U64_MAX;
  return (ms << 64n) | seq;
}

/** A BigInt as a JS number when that is exact (the listpack writes those without BigInt). */
function toSmall(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

export class StreamValue implements DataValue {
  readonly type = "stream";
  nodes: StreamNode[] = [];
  length = 0;
  firstId: StreamId = 0n;
  lastId: StreamId = 0n;
  maxDeletedId: StreamId = 0n;
  entriesAdded = 0;
  /** Consumer groups by name; null until the first is created (as Redis keeps cgroups NULL). */
  groups: Map<string, ConsumerGroup> | null = null;

  encoding(): string {
    return "stream";
  }

  clone(): StreamValue {
    const s = new StreamValue();
    s.nodes = this.nodes.map((n) => ({ master: n.master, lp: n.lp.clone() }));
    s.length = this.length;
    s.firstId = this.firstId;
    s.lastId = this.lastId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    s.groups = this.groups ? cloneGroups(this.groups) : null;
    return s;
  }

  /** Group names in the radix tree's (byte) order. */
  sortedGroups(): ConsumerGroup[] {
    if (!this.groups) return [];
    return [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ------------------------------------------------------------------ appending

  /**
   * streamAppendItem with the ID already decided (greater than lastId).
   * `fv` is field, value, field, value...
   */
  append(id: StreamId, fv: readonly string[], limits: NodeLimits): void {
    const numFields = fv.length / 2;
    let totLen = 0;
    for (const s of fv) totLen += s.length;
    let node = this.nodes[this.nodes.length - 1];
    if (node) {
      let maxBytes = limits.maxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
      let full = node.lp.size + totLen >= maxBytes;
      if (!full && limits.maxEntries) {
        const lp = node.lp;
        const p = lp.first();
        if (lp.int(p) + lp.int(lp.next(p)) >= limits.maxEntries) full = true;
      }
      if (full) {
        node.lp.shrink();
        node = undefined;
      }
    }
    let flags = 0;
    if (!node) {
      const lp = new Lp();
      lp.append(1);
      lp.append(0);
      lp.append(numFields);
      for (let i = 0; i < fv.length; i += 2) lp.append(fv[i] as string);
      lp.append(0);
      node = { master: id, lp };
      this.nodes.push(node);
      flags |= FLAG_SAMEFIELDS;
    } else {
      const lp = node.lp;
      let p = lp.first();
      lp.replaceInt(p, lp.int(p) + 1);
      p = lp.next(lp.next(p));
      const masterFields = lp.int(p);
      if (masterFields === numFields) {
        let i = 0;
        for (; i < masterFields; i++) {
          p = lp.next(p);
          if (lp.str(p) !== fv[i * 2]) break;
        }
        if (i === masterFields) flags |= FLAG_SAMEFIELDS;
      }
    }
    const lp = node.lp;
    const same = (flags & FLAG_SAMEFIELDS) !== 0;
    lp.append(flags);
    lp.append(toSmall(BigInt.asIntN(64, (id >> 64n) - (node.master >> 64n))));
    lp.append(toSmall(BigInt.asIntN(64, (id & U64_MAX) - (node.master & U64_MAX))));
    if (!same) lp.append(numFields);
    for (let i = 0; i < fv.length; i += 2) {
      if (!same) lp.append(fv[i] as string);
      lp.append(fv[i + 1] as string);
    }
    lp.append(same ? numFields + 3 : numFields * 2 + 4);
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  // ------------------------------------------------------------------ reading

  /** Index of the last node whose master ID is <= id (-1 when none). */
  #nodeAtOrBefore(id: StreamId): number {
    let lo = 0;
    let hi = this.nodes.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.nodes[mid] as StreamNode).master <= id) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The master entry's field count and where its fields and the first entry start. */
  #masterOf(node: StreamNode): { masterFields: number; masterFieldsPos: number; firstEntry: number; ms: number; seq: number } {
    const lp = node.lp;
    const [ms, seq] = halves(node.master);
    let p = lp.next(lp.next(lp.first()));
    const masterFields = lp.int(p);
    p = lp.next(p);
    const masterFieldsPos = p;
    for (let i = 0; i < masterFields; i++) p = lp.next(p);
    // p: the master entry's terminating 0.
    return { masterFields, masterFieldsPos, firstEntry: lp.next(p), ms, seq };
  }

  /** The entry whose flags are at `p`, and the offset of its lp-count. */
  #entryAt(node: StreamNode, p: number, m: { masterFields: number; masterFieldsPos: number; ms: number; seq: number }): [EntryRef, number] {
    const lp = node.lp;
    const flagsPos = p;
    const flags = lp.int(p);
    p = lp.next(p);
    const msPos = p;
    p = lp.next(p);
    const seqPos = p;
    p = lp.next(p);
    let ms = -1;
    let seq = 0;
    let big: StreamId | null = null;
    if (m.ms >= 0 && !lp.isWide(msPos) && !lp.isWide(seqPos)) {
      ms = m.ms + lp.int(msPos);
      seq = m.seq + lp.int(seqPos);
      if (ms < 0 || seq < 0 || ms > 9007199254740991 || seq > 9007199254740991) ms = -1;
    }
    if (ms < 0) big = addDelta(node.master, lp.big(msPos), lp.big(seqPos));
    let numFields = m.masterFields;
    if ((flags & FLAG_SAMEFIELDS) === 0) {
      numFields = lp.int(p);
      p = lp.next(p);
    }
    const bodyPos = p;
    const skip = (flags & FLAG_SAMEFIELDS) !== 0 ? numFields : numFields * 2;
    for (let i = 0; i < skip; i++) p = lp.next(p);
    return [new EntryRef(node, flags, flagsPos, bodyPos, numFields, m.masterFieldsPos, ms, seq, big), p];
  }

  /** Every entry of a node in order, tombstones included. */
  nodeEntries(node: StreamNode): EntryRef[] {
    const out: EntryRef[] = [];
    this.#eachInNode(node, false, (e) => {
      out.push(e);
      return true;
    });
    return out;
  }

  /**
   * The entries of one node, oldest first or (rev) newest first, tombstones
   * included, parsed one at a time until `visit` returns false (then false
   * is returned). Backwards, each entry's lp-count says how far back its
   * flags are, as Redis's iterator walks.
   */
  #eachInNode(node: StreamNode, rev: boolean, visit: (e: EntryRef) => boolean): boolean {
    const lp = node.lp;
    const m = this.#masterOf(node);
    if (!rev) {
      for (let p = m.firstEntry; p !== -1; ) {
        const [e, end] = this.#entryAt(node, p, m);
        if (!visit(e)) return false;
        p = lp.next(end);
      }
      return true;
    }
    let count = lp.last();
    while (count !== -1) {
      const n = lp.int(count);
      if (n === 0) return true; // the master entry's terminator
      let p = count;
      for (let i = 0; i < n; i++) p = lp.prev(p);
      if (!visit((this.#entryAt(node, p, m) as [EntryRef, number])[0])) return false;
      count = lp.prev(p);
    }
    return true;
  }

  /** field, value, field, value... of an entry. */
  fieldsOf(e: EntryRef): string[] {
    const lp = e.node.lp;
    const out: string[] = new Array(e.numFields * 2);
    let p = e.bodyPos;
    let m = e.masterFieldsPos;
    const same = (e.flags & FLAG_SAMEFIELDS) !== 0;
    for (let i = 0; i < e.numFields; i++) {
      if (same) {
        out[i * 2] = lp.str(m);
        m = lp.next(m);
      } else {
        out[i * 2] = lp.str(p);
        p = lp.next(p);
      }
      out[i * 2 + 1] = lp.str(p);
      p = lp.next(p);
    }
    return out;
  }

  /**
   * Visits live entries with start <= id <= end (oldest first, or newest
   * first when `rev`) until `visit` returns false. With `tombstones`,
   * deleted entries are visited too. Do not change the stream inside.
   */
  scan(start: StreamId, end: StreamId, rev: boolean, visit: (e: EntryRef) => boolean, tombstones = false): void {
    if (start > end || this.nodes.length === 0) return;
    let done = false;
    const [sms, sseq] = halves(start);
    const [ems, eseq] = halves(end);
    const each = (e: EntryRef): boolean => {
      if (!rev) {
        if (e.cmp(start, sms, sseq) < 0 || (!tombstones && (e.flags & FLAG_DELETED) !== 0)) return true;
        if (e.cmp(end, ems, eseq) > 0) return !(done = true);
      } else {
        if (e.cmp(end, ems, eseq) > 0 || (!tombstones && (e.flags & FLAG_DELETED) !== 0)) return true;
        if (e.cmp(start, sms, sseq) < 0) return !(done = true);
      }
      if (!visit(e)) done = true;
      return !done;
    };
    if (!rev) {
      for (let i = Math.max(0, this.#nodeAtOrBefore(start)); i < this.nodes.length && !done; i++) {
        const node = this.nodes[i] as StreamNode;
        if (node.master > end) return;
        this.#eachInNode(node, false, each);
      }
    } else {
      for (let i = this.#nodeAtOrBefore(end); i >= 0 && !done; i--) this.#eachInNode(this.nodes[i] as StreamNode, true, each);
    }
  }

  /** The live entry with this ID, if any. */
  find(id: StreamId): EntryRef | undefined {
    let found: EntryRef | undefined;
    this.scan(id, id, false, (e) => {
      found = e;
      return false;
    });
    return found;
  }

  /** streamGetEdgeID: first or last entry ID (tombstones optionally), or the opposite extreme when empty. */
  edgeId(first: boolean, skipTombstones: boolean): StreamId {
    let found: StreamId | null = null;
    this.scan(
      0n,
      ID_MAX,
      !first,
      (e) => {
        found = e.id;
        return false;
      },
      !skipTombstones,
    );
    return found ?? (first ? ID_MAX : 0n);
  }

  /** streamLastValidID: the newest live entry's ID (0-0 when empty). */
  lastValidId(): StreamId {
    let found = 0n;
    this.scan(0n, ID_MAX, true, (e) => {
      found = e.id;
      return false;
    });
    return found;
  }

  // ------------------------------------------------------------------ deleting

  /** streamIteratorRemoveEntry: marks the entry deleted, drops its node if it was the last live one. */
  removeEntry(e: EntryRef): void {
    const node = e.node;
    const lp = node.lp;
    lp.replaceInt(e.flagsPos, e.flags | FLAG_DELETED);
    const p = lp.first();
    const count = lp.int(p);
    if (count === 1) {
      const i = this.nodes.indexOf(node);
      if (i >= 0) this.nodes.splice(i, 1);
    } else {
      lp.replaceInt(p, count - 1);
      const q = lp.next(p);
      lp.replaceInt(q, lp.int(q) + 1);
    }
    this.length--;
  }

  /** streamDeleteItem: true when a live entry with this ID was deleted. */
  deleteId(id: StreamId): boolean {
    const e = this.find(id);
    if (!e) return false;
    this.removeEntry(e);
    return true;
  }

  /**
   * streamTrim: MAXLEN (`maxlen` set) or MINID (`minid` set), exact or
   * approximate (whole nodes only), at most `limit` entries (0 = no limit).
   * Returns how many entries went.
   */
  trim(opts: { maxlen?: number; minid?: StreamId; approx: boolean; limit: number }): number {
    const byLen = opts.maxlen !== undefined;
    const maxlen = opts.maxlen ?? 0;
    const minid = opts.minid ?? 0n;
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (byLen && this.length <= maxlen) break;
      const node = this.nodes[0] as StreamNode;
      const lp = node.lp;
      const entries = lp.int(lp.first());
      if (opts.limit && deleted + entries > opts.limit) break;
      let removeNode: boolean;
      if (byLen) removeNode = this.length - entries >= maxlen;
      else {
        let last: StreamId = 0n;
        this.#eachInNode(node, true, (e) => {
          last = e.id;
          return false;
        });
        removeNode = last < minid;
      }
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (opts.approx) break;
      // Mark entries deleted from the head of this node, then fix its counters once.
      let fromNode = 0;
      for (const e of this.nodeEntries(node)) {
        const stop = byLen ? this.length <= maxlen : e.id >= minid;
        if (stop) break;
        if ((e.flags & FLAG_DELETED) === 0) {
          // Flags stay one byte: no offsets move.
          lp.replaceInt(e.flagsPos, e.flags | FLAG_DELETED);
          fromNode++;
          this.length--;
        }
      }
      deleted += fromNode;
      const p = lp.first();
      lp.replaceInt(p, entries - fromNode);
      const q = lp.next(p);
      lp.replaceInt(q, lp.int(q) + fromNode);
      break;
    }
    if (this.length === 0) this.firstId = 0n;
    else if (deleted) this.firstId = this.edgeId(true, true);
    return deleted;
  }

  // ------------------------------------------------------------------ lag and counters

  /** streamRangeHasTombstones: a deleted entry may lie in [start, end]. */
  rangeHasTombstones(start: StreamId, end: StreamId): boolean {
    if (this.length === 0 || this.maxDeletedId === 0n) return false;
    if (this.firstId > this.maxDeletedId) return false;
    return start <= this.maxDeletedId && this.maxDeletedId <= end;
  }

  /** streamEstimateDistanceFromFirstEverEntry; null is Redis's "invalid" (ULLONG_MAX). */
  estimateDistance(id: StreamId): number | null {
    if (!this.entriesAdded) return 0;
    if (!this.length && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return null;
    if (this.maxDeletedId === 0n || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length;
      if (id === this.firstId) return this.entriesAdded - this.length + 1;
    }
    return null;
  }
}
