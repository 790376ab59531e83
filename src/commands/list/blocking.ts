/**
 * BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP. Each first acts like its
 * non-blocking twin (and is propagated as that twin); with nothing to serve
 * it returns a `Blocked` whose `attempt` the engine calls each time one of
 * the keys changes, oldest waiter first. Served later, the commands
 * propagate as Redis 7.0's serveClientBlockedOnList does: LPOP/RPOP key,
 * LPOP/RPOP key n (BLMPOP), LMOVE src dst left|right left|right (lower-case
 * sides), RPOPLPUSH src dst.
 */
import { Blocked } from "../../engine/blocking.ts";
import type { Ctx } from "../../engine/context.ts";
import { fail } from "../../engine/errors.ts";
import { NULL_ARRAY, type Reply } from "../../resp/reply.ts";
import { ListValue } from "../../store/list.ts";
import { INFINITE, parseLongDouble } from "../string/longdouble.ts";
import { deleteIfEmpty, type End, elementsRemoved, endArg, pop, pushMoved, writeList } from "./common.ts";
import { moveOne, mpopFrom, parseMpop } from "./move.ts";

const TWO_63 = 1n << 63n;

/**
 * Redis's getTimeoutFromObjectOrReply in seconds: a long double, times
 * 1000, rounded up to whole ms (so 0.0001 waits 1 ms, -0.0001 becomes 0 =
 * forever). Infinite or beyond int64 ms turns negative on the C cast, so it
 * is reported as negative, exactly like Redis. Returns ms, 0 = forever.
 */
export function timeoutArg(s: string): number {
  const v = parseLongDouble(s);
  if (v === null) fail("ERR timeout is not a float or out of range");
  if (v === INFINITE) fail("ERR timeout is negative");
  // value * 1000 rounded to the long double's 64-bit significand (as the FPU
  // does; so 0.1 s is 100 ms, not 101), then ceil, on mant * 2^exp.
  let scaled = v.mant * 1000n;
  let exp = v.exp;
  const extra = scaled.toString(2).length - 64;
  if (extra > 0) {
    const shift = BigInt(extra);
    const kept = scaled >> shift;
    const rest = scaled - (kept << shift);
    const half = 1n << (shift - 1n);
    scaled = rest > half || (rest === half && (kept & 1n) === 1n) ? kept + 1n : kept;
    exp += extra;
  }
  let magnitude: bigint;
  let inexact = false;
  if (exp >= 0) magnitude = scaled << BigInt(exp);
  else {
    const shift = BigInt(-exp);
    magnitude = scaled >> shift;
    inexact = magnitude << shift !== scaled;
  }
  // Rounding up: a positive fraction adds one; a negative one truncates toward zero.
  const ms = v.neg ? -magnitude : magnitude + (inexact ? 1n : 0n);
  if (ms >= TWO_63 || ms < -TWO_63 || ms < 0n) fail("ERR timeout is negative");
  return Number(ms);
}

/**
 * True when the command runs where it must not block (inside MULTI/EXEC or
 * a script: Redis's CLIENT_DENY_BLOCKING); it then answers as on timeout.
 * (Scripts, when they come, set the same client flag.)
 */
export function isInMulti(ctx: Ctx): boolean {
  return ctx.client.inExec;
}

/** A list with items at `key`, for serving a waiter: anything else (missing, other type) means wait on. */
function servable(ctx: Ctx, key: string): ListValue | undefined {
  const v = ctx.write(key);
  return v instanceof ListValue && v.length > 0 ? v : undefined;
}

// ---------------------------------------------------------------- BLPOP / BRPOP / BLMPOP

/** Keys to try when serving: only the key that became ready when the engine says which (as Redis 7.0), else all in order. */
function candidates(keys: readonly string[], readyKey: string | undefined): readonly string[] {
  return readyKey !== undefined && keys.includes(readyKey) ? [readyKey] : keys;
}

/** BLPOP/BRPOP serving one item: [key, value], propagated as LPOP/RPOP key. */
function popOne(ctx: Ctx, key: string, l: ListValue, end: End, served: boolean): Reply {
  const v = pop(l, end);
  if (served) {
    // Serving a waiter: Redis signals no change here (the push that woke it already did).
    ctx.notify("l", end === "left" ? "lpop" : "rpop", key);
    deleteIfEmpty(ctx, key, l);
    ctx.dirty();
  } else elementsRemoved(ctx, key, end, l, 1);
  ctx.propagate([end === "left" ? "LPOP" : "RPOP", key]);
  return [key, v];
}

/** Redis's blockingPopGenericCommand; `count` is null for BLPOP/BRPOP, the COUNT for BLMPOP. */
function blockingPop(ctx: Ctx, keys: string[], end: End, timeoutIdx: number, count: number | null): Reply | Blocked {
  const timeout = timeoutArg(ctx.arg(timeoutIdx));
  for (const key of keys) {
    const l = writeList(ctx, key);
    if (l === undefined || l.length === 0) continue;
    return count === null ? popOne(ctx, key, l, end, false) : mpopFrom(ctx, key, end, count);
  }
  if (isInMulti(ctx)) return NULL_ARRAY;
  const attempt = (c: Ctx, readyKey?: string): Reply | undefined => {
    for (const key of candidates(keys, readyKey)) {
      const l = servable(c, key);
      if (l === undefined) continue;
      return count === null ? popOne(c, key, l, end, true) : mpopFrom(c, key, end, count);
    }
    return undefined;
  };
  return new Blocked(keys, timeout, attempt, () => NULL_ARRAY);
}

export const blpopCommand = (ctx: Ctx) => blockingPop(ctx, ctx.argv.slice(1, -1), "left", ctx.argv.length - 1, null);
export const brpopCommand = (ctx: Ctx) => blockingPop(ctx, ctx.argv.slice(1, -1), "right", ctx.argv.length - 1, null);

export function blmpopCommand(ctx: Ctx): Reply | Blocked {
  const a = parseMpop(ctx, 2);
  return blockingPop(ctx, a.keys, a.end, 1, a.count);
}

// ---------------------------------------------------------------- BLMOVE / BRPOPLPUSH

/** Redis's blmoveGenericCommand; `sides` is null for BRPOPLPUSH. */
function blockingMove(ctx: Ctx, from: End, to: End, timeoutIdx: number, sides: [string, string] | null): Reply | Blocked {
  const timeout = timeoutArg(ctx.arg(timeoutIdx));
  const src = ctx.arg(1);
  const dst = ctx.arg(2);
  if (writeList(ctx, src) !== undefined) {
    const v = moveOne(ctx, src, dst, from, to);
    ctx.propagate(sides === null ? ["RPOPLPUSH", src, dst] : ["LMOVE", src, dst, sides[0], sides[1]]);
    return v;
  }
  // Redis answers a plain nil here, though the timeout reply is a null array.
  if (isInMulti(ctx)) return null;
  const attempt = (c: Ctx): Reply | undefined => {
    const s = servable(c, src);
    if (s === undefined) return undefined;
    // A destination of another type fails this waiter with WRONGTYPE (the engine replies it), as in Redis.
    const d = writeList(c, dst);
    const v = pop(s, from);
    pushMoved(c, dst, d, to, v);
    c.propagate(sides === null ? ["RPOPLPUSH", src, dst] : ["LMOVE", src, dst, from, to]);
    c.notify("l", from === "left" ? "lpop" : "rpop", src);
    deleteIfEmpty(c, src, s);
    c.dirty();
    return v;
  };
  return new Blocked([src], timeout, attempt, () => NULL_ARRAY);
}

export function blmoveCommand(ctx: Ctx): Reply | Blocked {
  const from = endArg(ctx.arg(3));
  const to = endArg(ctx.arg(4));
  return blockingMove(ctx, from, to, 5, [ctx.arg(3), ctx.arg(4)]);
}

export const brpoplpushCommand = (ctx: Ctx) => blockingMove(ctx, "right", "left", 3, null);
