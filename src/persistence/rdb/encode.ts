/**
 * Value -> RDB object: the type byte and payload Redis 7.0 writes for a
 * value with the same OBJECT ENCODING (rdbSaveObjectType + rdbSaveObject).
 */
import { formatDouble } from "../../resp/reply.ts";
import { HashValue } from "../../store/hash.ts";
import { ListValue } from "../../store/list.ts";
import { SetValue } from "../../store/set.ts";
import { StreamValue } from "../../store/stream/stream.ts";
import { StringBuffer, type Value } from "../../store/values.ts";
import { ZSet } from "../../store/zset.ts";
import { PACKED_THRESHOLD, QUICKLIST_PACKED, QUICKLIST_PLAIN, RdbError, RdbType } from "./constants.ts";
import { encodeIntsetMembers } from "./intset.ts";
import type { RdbWriter } from "./io.ts";
import { ListpackBuilder } from "./listpack.ts";
import { writeStream } from "./stream.ts";

/** One builder reused for hash and zset listpacks (`blob` copies the bytes out at once). */
const scratchLp = new ListpackBuilder(4096);

/** Quicklist node builders, reused from list to list (one list is written completely before the next). */
const nodePool: ListpackBuilder[] = [];
const POOL_NODES = 16;
const appendPair = (f: string, v: string) => {
  scratchLp.append(f);
  scratchLp.append(v);
};

export interface EncodeOptions {
  /** list-max-listpack-size: how Redis would have cut the list into quicklist nodes. */
  listFill: number;
  /** Elements at least this long get their own PLAIN node (DEBUG QUICKLIST-PACKED-THRESHOLD). */
  packedThreshold?: number;
}

export const DEFAULT_ENCODE_OPTIONS: EncodeOptions = { listFill: -2 };

/** The RDB type byte Redis 7.0 writes for `v`. */
export function rdbTypeOf(v: Value): number {
  if (typeof v === "string" || typeof v === "number") return RdbType.STRING;
  // Dispatch on the type tag first: one string compare instead of a chain of instanceof.
  switch (v.type) {
    case "string":
      if (v instanceof StringBuffer) return RdbType.STRING;
      break;
    case "list":
      if (v instanceof ListValue) return RdbType.LIST_QUICKLIST_2;
      break;
    case "hash":
      if (v instanceof HashValue) return v.isListpack ? RdbType.HASH_LISTPACK : RdbType.HASH;
      break;
    case "set":
      if (v instanceof SetValue) return v.isIntset ? RdbType.SET_INTSET : RdbType.SET;
      break;
    case "zset":
      if (v instanceof ZSet) return v.compact ? RdbType.ZSET_LISTPACK : RdbType.ZSET_2;
      break;
    case "stream":
      if (v instanceof StreamValue) return RdbType.STREAM_LISTPACKS_2;
      break;
  }
  throw new RdbError(`cannot serialize a value of type ${v.type}`);
}

/** A listpack score as zzlInsertAt writes it (%.17g); integers, the common case, without toExponential. */
export function scoreString(d: number): string {
  if (Number.isInteger(d) && Math.abs(d) < 1e15 && (d !== 0 || 1 / d > 0)) return String(d);
  const a = Math.abs(d);
  // Where %.17g prints fixed notation (decimal exponent -4..16) toPrecision(17) gives the same digits in one call;
  // %g then drops trailing zeros (a non-integer here always has a '.').
  if (a >= 1e-4 && a < 1e16) {
    const p = d.toPrecision(17);
    let end = p.length;
    while (p.charCodeAt(end - 1) === 48) end--;
    if (p.charCodeAt(end - 1) === 46) end--;
    return end === p.length ? p : p.slice(0, end);
  }
  return formatDouble(d);
}

/** Writes the type byte then the object. */
export function writeTypedValue(w: RdbWriter, v: Value, opts: EncodeOptions = DEFAULT_ENCODE_OPTIONS): void {
  w.byte(rdbTypeOf(v));
  writeValue(w, v, opts);
}

/** Writes the object for `v` (without its type byte). */
export function writeValue(w: RdbWriter, v: Value, opts: EncodeOptions = DEFAULT_ENCODE_OPTIONS): void {
  if (typeof v === "string") w.string(v);
  else if (typeof v === "number") w.string(String(v));
  else if (v instanceof StringBuffer) w.string(v.toString());
  else if (v instanceof ListValue) writeQuicklist(w, v, opts);
  else if (v instanceof HashValue) {
    if (v.isListpack) {
      scratchLp.reset();
      v.each(appendPair);
      w.blob(scratchLp.buffer, 0, scratchLp.seal());
    } else {
      w.length(v.size);
      v.each((f, val) => {
        w.string(f);
        w.string(val);
      });
    }
  } else if (v instanceof SetValue) {
    if (v.isIntset) w.blob(encodeIntsetMembers(v.toArray()));
    else {
      w.length(v.size);
      for (const m of v) w.string(m);
    }
  } else if (v instanceof ZSet) {
    if (v.compact) {
      const lp = scratchLp;
      lp.reset();
      // Node ids straight from the skiplist: no node object per member.
      const sl = v.list.list;
      for (let id = sl.first; id !== 0; id = sl.next(id)) {
        lp.append(sl.members[id] as string);
        lp.append(scoreString(sl.scores[id] as number));
      }
      w.blob(lp.buffer, 0, lp.seal());
    } else {
      // Highest score first, as Redis saves, so loading inserts at the head.
      w.length(v.size);
      const sl = v.list.list;
      for (let id = sl.tail; id !== 0; id = sl.prev(id)) {
        w.string(sl.members[id] as string);
        w.binaryDouble(sl.scores[id] as number);
      }
    }
  } else if (v instanceof StreamValue) writeStream(w, v);
  else throw new RdbError(`cannot serialize a value of type ${v.type}`);
}

const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;
const SIZE_ESTIMATE_OVERHEAD = 8;

/** quicklist.c _quicklistNodeAllowInsert for a node of `size` bytes and `count` entries. */
function allowInsert(size: number, count: number, fill: number, sz: number): boolean {
  const newSz = size + sz + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) {
    const level = OPTIMIZATION_LEVEL[-fill - 1];
    if (level !== undefined && newSz <= level) return true;
  }
  if (newSz > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
}

/**
 * QUICKLIST_2: the list cut into nodes the way a list built by RPUSH is cut
 * (quicklistPushTail with the list-max-listpack-size fill), so a list
 * pushed at the tail dumps byte-identically to Redis.
 */
function writeQuicklist(w: RdbWriter, list: ListValue, opts: EncodeOptions): void {
  const nodes = cutQuicklist(list, opts);
  w.length(nodes.length);
  for (const node of nodes) {
    if (typeof node === "string") {
      w.length(QUICKLIST_PLAIN);
      w.string(node);
    } else {
      w.length(QUICKLIST_PACKED);
      w.blob(node.buffer, 0, node.seal());
    }
  }
}

/**
 * The quicklist Redis would hold for `list` (DEBUG OBJECT's ql_* fields):
 * its node count and the bytes of its nodes (listpack bytes, or the element of
 * a PLAIN node), uncompressed.
 */
export function quicklistShape(list: ListValue, opts: EncodeOptions): { nodes: number; bytes: number } {
  const nodes = cutQuicklist(list, opts);
  let bytes = 0;
  for (const node of nodes) bytes += typeof node === "string" ? node.length : node.seal();
  return { nodes: nodes.length, bytes };
}

/** The list cut into nodes: a listpack being built, or a PLAIN node's element. Valid until the next call. */
function cutQuicklist(list: ListValue, opts: EncodeOptions): (ListpackBuilder | string)[] {
  const fill = Math.max(-5, Math.min(opts.listFill, (1 << 15) - 1));
  const threshold = opts.packedThreshold ?? PACKED_THRESHOLD;
  const nodes: (ListpackBuilder | string)[] = [];
  let cur: ListpackBuilder | null = null;
  let packed = 0;
  // By index, not the list's iterator: no generator per element.
  for (let i = 0, n = list.length; i < n; i++) {
    const item = list.at(i);
    if (item.length >= threshold) {
      nodes.push(item);
      cur = null;
      continue;
    }
    if (cur === null || !allowInsert(cur.size, cur.count, fill, item.length)) {
      // The first few nodes come from the pool (most lists have one); a long list's others are fresh, so the pool stays small.
      if (packed < POOL_NODES) {
        cur = nodePool[packed] ?? (nodePool[packed] = new ListpackBuilder(1024));
        cur.reset();
      } else cur = new ListpackBuilder();
      packed++;
      nodes.push(cur);
    }
    cur.append(item);
  }
  return nodes;
}
