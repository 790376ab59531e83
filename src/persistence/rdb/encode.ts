/**
 * Value -> RDB object: the type byte and payload Redis 7.0 writes for a
 * value with the same OBJECT ENCODING (rdbSaveObjectType + rdbSaveObject).
 */
import { formatDouble } from "../../resp/reply.ts";
import { HashValue } from "../../store/hash.ts";
import { ListValue } from "../../store/list.ts";
import { SetValue } from "../../store/set.ts";
import { StringBuffer, type Value } from "../../store/values.ts";
import { ZSet } from "../../store/zset.ts";
import { PACKED_THRESHOLD, QUICKLIST_PACKED, QUICKLIST_PLAIN, RdbError, RdbType } from "./constants.ts";
import { encodeIntset } from "./intset.ts";
import type { RdbWriter } from "./io.ts";
import { encodeListpack, ListpackBuilder } from "./listpack.ts";

export interface EncodeOptions {
  /** list-max-listpack-size: how Redis would have cut the list into quicklist nodes. */
  listFill: number;
  /** Elements at least this long get their own PLAIN node (DEBUG QUICKLIST-PACKED-THRESHOLD). */
  packedThreshold?: number;
}

export const DEFAULT_ENCODE_OPTIONS: EncodeOptions = { listFill: -2 };

/** The RDB type byte Redis 7.0 writes for `v`. */
export function rdbTypeOf(v: Value): number {
  if (typeof v === "string" || v instanceof StringBuffer) return RdbType.STRING;
  if (v instanceof ListValue) return RdbType.LIST_QUICKLIST_2;
  if (v instanceof HashValue) return v.isListpack ? RdbType.HASH_LISTPACK : RdbType.HASH;
  if (v instanceof SetValue) return v.isIntset ? RdbType.SET_INTSET : RdbType.SET;
  if (v instanceof ZSet) return v.compact ? RdbType.ZSET_LISTPACK : RdbType.ZSET_2;
  throw new RdbError(`cannot serialize a value of type ${v.type}`);
}

/** Writes the type byte then the object. */
export function writeTypedValue(w: RdbWriter, v: Value, opts: EncodeOptions = DEFAULT_ENCODE_OPTIONS): void {
  w.byte(rdbTypeOf(v));
  writeValue(w, v, opts);
}

/** Writes the object for `v` (without its type byte). */
export function writeValue(w: RdbWriter, v: Value, opts: EncodeOptions = DEFAULT_ENCODE_OPTIONS): void {
  if (typeof v === "string") w.string(v);
  else if (v instanceof StringBuffer) w.string(v.toString());
  else if (v instanceof ListValue) writeQuicklist(w, v, opts);
  else if (v instanceof HashValue) {
    if (v.isListpack) {
      const items: string[] = [];
      v.each((f, val) => items.push(f, val));
      w.blob(encodeListpack(items));
    } else {
      w.length(v.size);
      v.each((f, val) => {
        w.string(f);
        w.string(val);
      });
    }
  } else if (v instanceof SetValue) {
    if (v.isIntset) w.blob(encodeIntset(v.toArray().map((m) => BigInt(m))));
    else {
      w.length(v.size);
      for (const m of v) w.string(m);
    }
  } else if (v instanceof ZSet) {
    if (v.compact) {
      const lp = new ListpackBuilder();
      for (const n of v.list) {
        lp.append(n.member);
        lp.append(formatDouble(n.score));
      }
      w.blob(lp.finish());
    } else {
      // Highest score first, as Redis saves, so loading inserts at the head.
      w.length(v.size);
      for (let n = v.list.tail; n !== null; n = n.prev) {
        w.string(n.member);
        w.binaryDouble(n.score);
      }
    }
  } else throw new RdbError(`cannot serialize a value of type ${v.type}`);
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
  const fill = Math.max(-5, Math.min(opts.listFill, (1 << 15) - 1));
  const threshold = opts.packedThreshold ?? PACKED_THRESHOLD;
  const nodes: (ListpackBuilder | string)[] = [];
  let cur: ListpackBuilder | null = null;
  for (const item of list) {
    if (item.length >= threshold) {
      nodes.push(item);
      cur = null;
      continue;
    }
    if (cur === null || !allowInsert(cur.size, cur.count, fill, item.length)) {
      cur = new ListpackBuilder();
      nodes.push(cur);
    }
    cur.append(item);
  }
  w.length(nodes.length);
  for (const node of nodes) {
    if (typeof node === "string") {
      w.length(QUICKLIST_PLAIN);
      w.string(node);
    } else {
      w.length(QUICKLIST_PACKED);
      w.blob(node.finish());
    }
  }
}
