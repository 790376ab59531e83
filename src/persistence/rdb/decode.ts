/**
 * RDB object -> Value: every value type Redis 7.0 loads (rdbLoadObject),
 * old encodings included, with the encoding Redis would end up with under
 * the given thresholds (the same conversions rdbLoadObject makes).
 */

import { latin1 } from "../../resp/bytes.ts";
import { type HashLimits, HashValue } from "../../store/hash.ts";
import { ListValue } from "../../store/list.ts";
import { SetValue } from "../../store/set.ts";
import type { Value } from "../../store/values.ts";
import { ZSet } from "../../store/zset.ts";
import { QUICKLIST_PACKED, QUICKLIST_PLAIN, RdbError, RdbType, SHORT_READ } from "./constants.ts";
import { decodeIntset } from "./intset.ts";
import type { RdbReader } from "./io.ts";
import { decodeListpack } from "./listpack.ts";
import { readStream } from "./stream.ts";
import { decodeZiplist } from "./ziplist.ts";
import { decodeZipmap } from "./zipmap.ts";

/** The encoding thresholds that decide what a loaded value becomes. */
export interface LoadLimits {
  hashEntries: number;
  hashValue: number;
  setIntsetEntries: number;
  zsetEntries: number;
  zsetValue: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  hashEntries: 512,
  hashValue: 64,
  setIntsetEntries: 512,
  zsetEntries: 128,
  zsetValue: 64,
};

/** The limits from a config reader (ctx.engine.config.num). */
export function limitsFrom(num: (name: string) => number): LoadLimits {
  return {
    hashEntries: num("hash-max-listpack-entries"),
    hashValue: num("hash-max-listpack-value"),
    setIntsetEntries: num("set-max-intset-entries"),
    zsetEntries: num("zset-max-listpack-entries"),
    zsetValue: num("zset-max-listpack-value"),
  };
}

/** A key whose value has no elements: Redis skips it when loading a file and refuses it in RESTORE. */
export class EmptyKeyError extends RdbError {
  constructor() {
    super("Empty keys are not allowed");
  }
}

const UNLIMITED: HashLimits = { entries: Number.POSITIVE_INFINITY, value: Number.POSITIVE_INFINITY };

/** Reads one object of type `type`. */
export function readValue(r: RdbReader, type: number, limits: LoadLimits): Value {
  switch (type) {
    case RdbType.STRING:
      return r.string();
    case RdbType.LIST: {
      const n = r.length();
      if (n === 0) throw new EmptyKeyError();
      const l = new ListValue();
      for (let i = 0; i < n; i++) l.pushTail(r.string());
      return l;
    }
    case RdbType.LIST_QUICKLIST:
    case RdbType.LIST_QUICKLIST_2:
      return readQuicklist(r, type, limits);
    case RdbType.LIST_ZIPLIST: {
      const blob = r.stringBytes();
      const items = checked("List ziplist", () => decodeZiplist(blob));
      if (items.length === 0) throw new EmptyKeyError();
      return ListValue.of(items);
    }
    case RdbType.SET: {
      const n = r.length();
      if (n === 0) throw new EmptyKeyError();
      const members: string[] = new Array(n);
      for (let i = 0; i < n; i++) members[i] = r.string();
      return buildSet(members, limits, n > limits.setIntsetEntries);
    }
    case RdbType.SET_INTSET: {
      const blob = r.stringBytes();
      return buildSet(checked("Intset", () => decodeIntset(blob)).map(String), limits, false);
    }
    case RdbType.ZSET:
    case RdbType.ZSET_2: {
      const n = r.length();
      if (n === 0) throw new EmptyKeyError();
      // Built as a skiplist, which keeps a -0 score, then compacted as Redis's load converts it (a listpack holds 0).
      const z = new ZSet(false);
      let maxLen = 0;
      for (let i = 0; i < n; i++) {
        const member = r.string();
        const score = type === RdbType.ZSET_2 ? r.binaryDouble() : r.textDouble();
        if (Number.isNaN(score)) throw new RdbError("Zset with NAN score detected");
        if (z.dict.has(member)) throw new RdbError("Duplicate zset fields detected");
        if (member.length > maxLen) maxLen = member.length;
        z.insert(member, score, UNLIMITED);
      }
      z.compactIfSmall({ entries: limits.zsetEntries, value: limits.zsetValue }, maxLen);
      return z;
    }
    case RdbType.ZSET_ZIPLIST:
    case RdbType.ZSET_LISTPACK: {
      const blob = r.stringBytes();
      const z = new ZSet(true);
      checked(type === RdbType.ZSET_LISTPACK ? "Zset listpack" : "Zset ziplist", () => {
        const items = type === RdbType.ZSET_LISTPACK ? decodeListpack(blob) : decodeZiplist(blob);
        if (items.length % 2 !== 0) throw new RdbError("odd element count");
        if (items.length === 0) throw new EmptyKeyError();
        for (let i = 0; i < items.length; i += 2) {
          const member = items[i] as string;
          const score = parseScore(items[i + 1] as string);
          if (z.dict.has(member)) throw new RdbError("duplicate member");
          z.insert(member, score, UNLIMITED);
        }
      });
      // Redis only checks the count here (checking lengths would be O(N)).
      z.compact = z.size <= limits.zsetEntries;
      return z;
    }
    case RdbType.HASH: {
      const n = r.length();
      if (n === 0) throw new EmptyKeyError();
      const h = new HashValue();
      const lim: HashLimits = { entries: limits.hashEntries, value: limits.hashValue };
      for (let i = 0; i < n; i++) {
        const f = r.string();
        const v = r.string();
        if (!h.set(f, v, lim)) throw new RdbError("Duplicate hash fields detected");
      }
      return h;
    }
    case RdbType.HASH_ZIPMAP: {
      const blob = r.stringBytes();
      const items = checked("Zipmap", () => {
        const pairs = decodeZipmap(blob);
        // zipmapValidateIntegrity refuses an empty zipmap: it is corrupt, not an empty key.
        if (pairs.length === 0) throw new RdbError("empty zipmap");
        return pairs;
      });
      let maxLen = 0;
      for (const s of items) if (s.length > maxLen) maxLen = s.length;
      return buildHash(items, limits, maxLen > limits.hashValue, "Hash zipmap with dup elements");
    }
    case RdbType.HASH_ZIPLIST:
    case RdbType.HASH_LISTPACK: {
      const blob = r.stringBytes();
      return checked(type === RdbType.HASH_LISTPACK ? "Hash listpack" : "Hash ziplist", () => {
        const items = type === RdbType.HASH_LISTPACK ? decodeListpack(blob) : decodeZiplist(blob);
        if (items.length % 2 !== 0) throw new RdbError("odd element count");
        return buildHash(items, limits, false, "duplicate field");
      });
    }
    case RdbType.STREAM_LISTPACKS:
    case RdbType.STREAM_LISTPACKS_2:
      return readStream(r, type);
    case RdbType.MODULE_PRE_GA:
    case RdbType.MODULE_2:
      throw new RdbError("RDB contains a module value, which respd cannot load (no modules)");
    default:
      throw new RdbError(`Unknown RDB value type ${type}`);
  }
}

function readQuicklist(r: RdbReader, type: number, _limits: LoadLimits): ListValue {
  const nodes = r.length();
  if (nodes === 0) throw new EmptyKeyError();
  const l = new ListValue();
  for (let i = 0; i < nodes; i++) {
    let container = QUICKLIST_PACKED;
    if (type === RdbType.LIST_QUICKLIST_2) {
      container = r.length();
      if (container !== QUICKLIST_PACKED && container !== QUICKLIST_PLAIN) {
        throw new RdbError("Quicklist integrity check failed.");
      }
    }
    const data = r.stringBytes();
    // Redis gives up on a zero-length node without a message of its own: the load fails with the short-read
    // text (an RdbError, not a ShortReadError: more bytes would not fix it).
    if (data.length === 0) throw new RdbError(SHORT_READ);
    if (container === QUICKLIST_PLAIN) {
      l.pushTail(latin1(data));
      continue;
    }
    const items =
      type === RdbType.LIST_QUICKLIST_2 ? checked("Listpack", () => decodeListpack(data)) : checked("Ziplist", () => decodeZiplist(data));
    for (const s of items) l.pushTail(s);
  }
  if (l.length === 0) throw new EmptyKeyError();
  return l;
}

/**
 * Decodes a packed blob (ziplist, listpack, intset, zipmap): whatever is
 * wrong inside it is reported as Redis reports a failed integrity check
 * ("Hash ziplist integrity check failed."), the text RESTORE logs and a
 * failed load prints. Empty containers still come out as EmptyKeyError.
 */
function checked<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof RdbError && !(e instanceof EmptyKeyError)) throw new RdbError(`${what} integrity check failed.`);
    throw e;
  }
}

/** A set from members, as rdbLoadObject builds it: intset while it can be, checking duplicates. */
function buildSet(members: string[], limits: LoadLimits, hashtableFirst: boolean): SetValue {
  if (members.length === 0) throw new EmptyKeyError();
  // forMember picks the starting encoding from its argument: a non-integer means hashtable.
  const s = SetValue.forMember(hashtableFirst ? "-" : (members[0] as string));
  for (const m of members) {
    if (!s.add(m, limits.setIntsetEntries)) throw new RdbError("Duplicate set members detected");
  }
  return s;
}

/** A hash from a flat field/value list: listpack unless there are too many pairs (or `tooLong`). */
function buildHash(items: string[], limits: LoadLimits, tooLong: boolean, dupError: string): HashValue {
  if (items.length === 0) throw new EmptyKeyError();
  const h = new HashValue();
  const pairs = items.length / 2;
  const lim: HashLimits = pairs > limits.hashEntries || tooLong ? { entries: -1, value: -1 } : UNLIMITED;
  for (let i = 0; i < items.length; i += 2) {
    if (!h.set(items[i] as string, items[i + 1] as string, lim)) throw new RdbError(dupError);
  }
  return h;
}

/** A listpack score (zzlStrtod): integers, decimals, inf/-inf. */
function parseScore(s: string): number {
  const t = s.toLowerCase();
  if (t === "inf" || t === "+inf" || t === "infinity") return Number.POSITIVE_INFINITY;
  if (t === "-inf" || t === "-infinity") return Number.NEGATIVE_INFINITY;
  const v = Number(s);
  if (Number.isNaN(v) || s.trim() === "") throw new RdbError("bad score");
  return v;
}
