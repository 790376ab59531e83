/**
 * The single-key list commands: pushes, pops, reads by index or range, and
 * the O(N) edits (LSET, LINSERT, LREM, LTRIM, LPOS). Argument and lookup
 * order follows Redis 7.0's t_list.c, since it decides which error wins.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg, parseInt64 } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { EMPTY_ARRAY, NULL_ARRAY, OK, type Reply } from "../../resp/reply.ts";
import { createList, deleteIfEmpty, type End, elementsRemoved, longArg, pop, popMany, push, readList, writeList } from "./common.ts";

// ---------------------------------------------------------------- pushes

function pushGeneric(ctx: Ctx, end: End, onlyIfExists: boolean): Reply {
  const key = ctx.arg(1);
  let l = writeList(ctx, key);
  if (l === undefined) {
    if (onlyIfExists) return 0;
    l = createList(ctx, key);
  }
  const n = ctx.argv.length - 2;
  for (let j = 2; j < ctx.argv.length; j++) push(l, end, ctx.arg(j));
  ctx.touched(key);
  ctx.notify("l", end === "left" ? "lpush" : "rpush", key);
  ctx.dirty(n);
  return l.length;
}

export const lpushCommand = (ctx: Ctx) => pushGeneric(ctx, "left", false);
export const rpushCommand = (ctx: Ctx) => pushGeneric(ctx, "right", false);
export const lpushxCommand = (ctx: Ctx) => pushGeneric(ctx, "left", true);
export const rpushxCommand = (ctx: Ctx) => pushGeneric(ctx, "right", true);

// ---------------------------------------------------------------- pops

const COUNT_ERROR = "ERR value is out of range, must be positive";

/** LPOP/RPOP key [count]: a bulk without count, an array with it (null array when the key is missing). */
function popGeneric(ctx: Ctx, end: End): Reply {
  if (ctx.argv.length > 3) fail(Errors.wrongArgs(ctx.cmd.fullName));
  const hasCount = ctx.argv.length === 3;
  let count = 0;
  if (hasCount) {
    const c = parseInt64(ctx.arg(2));
    if (c === null || c < 0n) fail(COUNT_ERROR);
    count = Number(c);
  }
  const key = ctx.arg(1);
  const l = writeList(ctx, key);
  if (l === undefined) return hasCount ? NULL_ARRAY : null;
  if (hasCount && count === 0) return EMPTY_ARRAY;
  if (!hasCount) {
    const v = pop(l, end);
    elementsRemoved(ctx, key, end, l, 1);
    return v;
  }
  const items = popMany(l, end, count);
  elementsRemoved(ctx, key, end, l, items.length);
  return items;
}

export const lpopCommand = (ctx: Ctx) => popGeneric(ctx, "left");
export const rpopCommand = (ctx: Ctx) => popGeneric(ctx, "right");

// ---------------------------------------------------------------- reads

export function llenCommand(ctx: Ctx): Reply {
  return readList(ctx, ctx.arg(1))?.length ?? 0;
}

export function lindexCommand(ctx: Ctx): Reply {
  const l = readList(ctx, ctx.arg(1));
  if (l === undefined) return null;
  const i = l.index(longArg(ctx.arg(2)));
  return i < 0 ? null : l.at(i);
}

/**
 * Redis's range clamping shared by LRANGE and LTRIM: negative indexes count
 * from the tail; null when the range is empty.
 */
function clampRange(start: number, end: number, len: number): [number, number] | null {
  let s = start < 0 ? len + start : start;
  let e = end < 0 ? len + end : end;
  if (s < 0) s = 0;
  if (s > e || s >= len) return null;
  if (e >= len) e = len - 1;
  return [s, e];
}

export function lrangeCommand(ctx: Ctx): Reply {
  const start = longArg(ctx.arg(2));
  const end = longArg(ctx.arg(3));
  const l = readList(ctx, ctx.arg(1));
  if (l === undefined) return EMPTY_ARRAY;
  const r = clampRange(start, end, l.length);
  return r === null ? EMPTY_ARRAY : l.range(r[0], r[1]);
}

const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const INT64_MIN = -9223372036854775808n;

/** A non-negative option value (getPositiveLongFromObjectOrReply with its own message). */
function nonNegative(s: string, error: string): number {
  const v = parseInt64(s);
  if (v === null || v < 0n) fail(error);
  return Number(v);
}

export function lposCommand(ctx: Ctx): Reply {
  const { argv } = ctx;
  let rank = 1;
  /** RANK LONG_MIN: Redis negates it into itself, so every match counts and COUNT never stops it. */
  let rankMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = asciiLower(ctx.arg(j));
    const more = j < argv.length - 1;
    if (opt === "rank" && more) {
      const v = parseInt64(ctx.arg(++j));
      if (v === null) fail(Errors.notInteger);
      if (v === 0n) fail(RANK_ZERO);
      rankMin = v === INT64_MIN;
      rank = Number(v);
    } else if (opt === "count" && more) {
      count = nonNegative(ctx.arg(++j), "ERR COUNT can't be negative");
    } else if (opt === "maxlen" && more) {
      maxlen = nonNegative(ctx.arg(++j), "ERR MAXLEN can't be negative");
    } else {
      fail(Errors.syntax);
    }
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const l = readList(ctx, ctx.arg(1));
  if (l === undefined) return count !== -1 ? EMPTY_ARRAY : null;
  const ele = ctx.arg(2);
  const len = l.length;
  const limit = maxlen === 0 ? len : Math.min(maxlen, len);
  const found: number[] = [];
  let matches = 0;
  for (let k = 0; k < limit; k++) {
    const i = fromTail ? len - 1 - k : k;
    if (l.at(i) !== ele) continue;
    matches++;
    if (!rankMin && matches < rank) continue;
    found.push(i);
    if (count === -1) break;
    if (count !== 0 && !rankMin && matches - rank + 1 >= count) break;
  }
  if (count !== -1) return found;
  return found.length > 0 ? (found[0] as number) : null;
}

// ---------------------------------------------------------------- edits

export function lsetCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const l = writeList(ctx, key);
  if (l === undefined) fail(Errors.noSuchKey);
  const i = l.index(longArg(ctx.arg(2)));
  if (i < 0) fail(Errors.outOfRange);
  l.set(i, ctx.arg(3));
  ctx.touched(key);
  ctx.notify("l", "lset", key);
  ctx.dirty();
  return OK;
}

export function linsertCommand(ctx: Ctx): Reply {
  const where = asciiLower(ctx.arg(2));
  if (where !== "before" && where !== "after") fail(Errors.syntax);
  const key = ctx.arg(1);
  const l = writeList(ctx, key);
  if (l === undefined) return 0;
  const at = l.indexOf(ctx.arg(3));
  if (at < 0) return -1;
  l.insert(where === "before" ? at : at + 1, ctx.arg(4));
  ctx.touched(key);
  ctx.notify("l", "linsert", key);
  ctx.dirty();
  return l.length;
}

export function lremCommand(ctx: Ctx): Reply {
  const count = intArg(ctx.arg(2));
  const key = ctx.arg(1);
  const l = writeList(ctx, key);
  if (l === undefined) return 0;
  const removed = l.remove(ctx.arg(3), Math.abs(count), count < 0);
  if (removed > 0) {
    ctx.touched(key);
    ctx.notify("l", "lrem", key);
    ctx.dirty(removed);
  }
  deleteIfEmpty(ctx, key, l);
  return removed;
}

export function ltrimCommand(ctx: Ctx): Reply {
  const start = longArg(ctx.arg(2));
  const end = longArg(ctx.arg(3));
  const key = ctx.arg(1);
  const l = writeList(ctx, key);
  if (l === undefined) return OK;
  const len = l.length;
  const r = clampRange(start, end, len);
  const left = r === null ? len : r[0];
  const right = r === null ? 0 : len - r[1] - 1;
  l.trim(left, right);
  ctx.notify("l", "ltrim", key);
  deleteIfEmpty(ctx, key, l);
  ctx.touched(key);
  ctx.dirty(left + right);
  return OK;
}
