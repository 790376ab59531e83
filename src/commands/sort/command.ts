/**
 * SORT and SORT_RO, following Redis 7.0's sortCommandGeneric: load the
 * elements (a constant BY loads lists and sorted sets in their own order,
 * already cut to the LIMIT range), weigh them (the element or its BY value,
 * as a number or as bytes with ALPHA), sort (stable, like glibc's qsort; a
 * partial quicksort when BY and LIMIT are both given, like Redis's pqsort),
 * then reply or STORE the selected range with its GET lookups.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { cString } from "../../resp/bytes.ts";
import type { Reply } from "../../resp/reply.ts";
import { ListValue } from "../../store/list.ts";
import { isSet } from "../../store/set.ts";
import type { Value } from "../../store/values.ts";
import { type ZNode, ZSet } from "../../store/zset.ts";
import { parseSortOptions } from "./options.ts";
import { lookupByPattern } from "./pattern.ts";
import { pqsort } from "./pqsort.ts";
import { sortScore } from "./strtod.ts";

const CONVERSION_ERROR = "ERR One or more scores can't be converted into double";

/** One element and its weight (Redis's redisSortObject). */
interface Item {
  elem: string;
  score: number;
  /**
   * Under ALPHA, the bytes compared: the element or its BY value, cut at the
   * first NUL unless storing (Redis's strcoll sees C strings; STORE compares
   * binary-safe). Null when the BY key is missing (sorts first).
   */
  key: string | null;
}

export function sortCommand(ctx: Ctx): Reply {
  return sortGeneric(ctx, false);
}

export function sortRoCommand(ctx: Ctx): Reply {
  return sortGeneric(ctx, true);
}

/**
 * Whether the caller is a script (Redis's CLIENT_SCRIPT): a set sorted BY a
 * constant is then sorted ALPHA anyway so that replicas see the same order.
 * No scripting engine exists yet; it will set this.
 */
function fromScript(_ctx: Ctx): boolean {
  return false;
}

/** Byte order (memcmp, then length), as compareStringObjects; latin1 JS strings compare exactly so. */
function binaryCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortGeneric(ctx: Ctx, readonly: boolean): Reply {
  const o = parseSortOptions(ctx.argv, readonly);
  const src = ctx.read(ctx.arg(1));
  if (src !== undefined && !(src instanceof ListValue || isSet(src) || src instanceof ZSet)) fail(Errors.wrongType);

  let { alpha, dontSort } = o;
  let by = o.by;
  if (dontSort && src !== undefined && isSet(src) && (o.store !== null || fromScript(ctx))) {
    dontSort = false;
    alpha = true;
    by = null;
  }
  // SORT turns a listpack sorted set into a skiplist for good, even SORT_RO.
  if (src instanceof ZSet) src.compact = false;

  const len = sourceLength(src);
  // LIMIT, clamped like Redis (which clamps first to avoid overflow).
  let start = Math.min(Math.max(o.offset, 0), len);
  const count = Math.min(Math.max(o.count, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  let items: Item[];
  if (dontSort && (src instanceof ListValue || src instanceof ZSet)) {
    // Only the selected range is loaded, already in output order.
    items = end >= start ? ordered(src, start, end - start + 1, o.desc) : [];
    end -= start;
    start = 0;
  } else items = load(src);

  if (!dontSort) {
    let failed = false;
    const storing = o.store !== null;
    for (const it of items) {
      const w = by === null ? it.elem : lookupByPattern(ctx, by, it.elem);
      if (w === null) continue;
      if (alpha) it.key = storing ? w : cString(w);
      else {
        const score = sortScore(w);
        if (score === null) failed = true;
        else it.score = score;
      }
    }
    if (failed) fail(CONVERSION_ERROR);
    const cmp = comparator(alpha, o.desc);
    if (by !== null && (start !== 0 || end !== items.length - 1)) pqsort(items, cmp, start, end);
    else items.sort(cmp);
  }

  const out: (string | null)[] = [];
  for (let j = start; j <= end; j++) {
    const elem = (items[j] as Item).elem;
    if (o.gets.length === 0) out.push(elem);
    for (const g of o.gets) out.push(lookupByPattern(ctx, g, elem));
  }
  if (o.store === null) return out;
  return store(ctx, o.store, out);
}

function sourceLength(src: Value | undefined): number {
  if (src === undefined) return 0;
  if (src instanceof ListValue) return src.length;
  if (src instanceof ZSet) return src.size;
  return isSet(src) ? src.size : 0;
}

function item(elem: string): Item {
  return { elem, score: 0, key: null };
}

/** `n` elements of a list or sorted set from position `start` (counted from the end when `desc`). */
function ordered(src: ListValue | ZSet, start: number, n: number, desc: boolean): Item[] {
  const out: Item[] = new Array(n);
  if (src instanceof ListValue) {
    const last = src.length - 1;
    for (let i = 0; i < n; i++) out[i] = item(src.at(desc ? last - start - i : start + i));
    return out;
  }
  let node: ZNode | null = src.at(desc ? src.size - 1 - start : start);
  for (let i = 0; i < n && node !== null; i++) {
    out[i] = item(node.member);
    node = desc ? node.prev : (node.next[0] as ZNode | null);
  }
  return out;
}

/** Every element in the source's iteration order (a sorted set's dict order in Redis, unspecified). */
function load(src: Value | undefined): Item[] {
  if (src === undefined) return [];
  if (src instanceof ListValue) return src.toArray().map(item);
  if (src instanceof ZSet) {
    const out: Item[] = [];
    for (const n of src.list) out.push(item(n.member));
    return out;
  }
  return isSet(src) ? src.toArray().map(item) : [];
}

/** Redis's sortCompare: numbers (ties by element bytes), or ALPHA keys with missing ones first. */
function comparator(alpha: boolean, desc: boolean): (a: Item, b: Item) => number {
  let cmp: (a: Item, b: Item) => number;
  if (!alpha) cmp = (a, b) => (a.score > b.score ? 1 : a.score < b.score ? -1 : binaryCompare(a.elem, b.elem));
  else {
    cmp = (a, b) => {
      if (a.key === null || b.key === null) return a.key === b.key ? 0 : a.key === null ? -1 : 1;
      return binaryCompare(a.key, b.key);
    };
  }
  return desc ? (a, b) => -cmp(a, b) : cmp;
}

/** STORE: the result as a list (Redis's setKey), or the destination deleted when empty. */
function store(ctx: Ctx, key: string, out: (string | null)[]): number {
  if (out.length > 0) {
    const existed = ctx.write(key) !== undefined;
    ctx.db.set(key, ListValue.of(out.map((v) => v ?? "")), ctx.now);
    if (!existed) ctx.notify("n", "new", key);
    ctx.touched(key);
    ctx.notify("l", "sortstore", key);
    ctx.dirty(out.length);
  } else if (ctx.db.delete(key)) {
    ctx.touched(key);
    ctx.notify("g", "del", key);
    ctx.dirty();
  }
  return out.length;
}
