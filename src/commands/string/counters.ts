/**
 * Counters: INCR, DECR, INCRBY, DECRBY (signed 64-bit, overflow refused) and
 * INCRBYFLOAT (x87 long double, propagated as SET ... KEEPTTL so replicas
 * never redo float arithmetic). Results are stored as whole strings.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { int64Arg, parseInt64, parseSafeInt } from "../../engine/numbers.ts";
import type { Reply } from "../../resp/reply.ts";
import { StringBuffer, type StringValue, stringOf } from "../../store/values.ts";
import { addLongDouble, formatLongDouble, INFINITE, type LongDouble, parseLongDouble } from "./longdouble.ts";
import { storeValue, writableString } from "./store.ts";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Redis's incrDecrCommand; `by` is already validated. */
function incrBy(ctx: Ctx, by: bigint | number): Reply {
  const key = ctx.arg(1);
  const v = writableString(ctx, key);
  let result: bigint | number;
  // A counter usually holds a number already (the int encoding): no parsing, no string.
  const small = v === undefined ? 0 : typeof v === "number" ? v : parseSafeInt(stringOf(v));
  if (typeof by === "number" && !Number.isNaN(small) && Number.isSafeInteger(small + by)) {
    // The common case stays in plain numbers; bigints only near the int64 edges.
    result = small + by;
  } else {
    const old = Number.isNaN(small) ? parseInt64(stringOf(v as StringValue)) : BigInt(small);
    if (old === null) fail(Errors.notInteger);
    const sum = old + BigInt(by);
    if (sum > INT64_MAX || sum < INT64_MIN) fail(Errors.overflow);
    result = sum;
  }
  // Safe integers stay numbers (Redis's int encoding); beyond 2^53 the exact digits are kept as text.
  storeValue(ctx, key, typeof result === "number" ? result : String(result), v !== undefined, true);
  ctx.notify("$", "incrby", key);
  ctx.dirty();
  return typeof result === "bigint" && result >= -9007199254740991n && result <= 9007199254740991n ? Number(result) : result;
}

/** The increment argument: a plain number when exact, else a bigint. */
function incrementArg(s: string): bigint | number {
  const n = parseSafeInt(s);
  return Number.isNaN(n) ? int64Arg(s) : n;
}

export function incrCommand(ctx: Ctx): Reply {
  return incrBy(ctx, 1);
}

export function decrCommand(ctx: Ctx): Reply {
  return incrBy(ctx, -1);
}

export function incrbyCommand(ctx: Ctx): Reply {
  return incrBy(ctx, incrementArg(ctx.arg(2)));
}

export function decrbyCommand(ctx: Ctx): Reply {
  const by = incrementArg(ctx.arg(2));
  // -INT64_MIN does not fit; Redis refuses before looking at the key.
  if (by === INT64_MIN) fail("ERR decrement would overflow");
  return incrBy(ctx, -by);
}

function floatOf(s: string): LongDouble | typeof INFINITE {
  const v = parseLongDouble(s);
  if (v === null) fail(Errors.notFloat);
  return v;
}

export function incrbyfloatCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const v = writableString(ctx, key);
  const old = v === undefined ? { neg: false, mant: 0n, exp: 0 } : floatOf(stringOf(v));
  const by = floatOf(ctx.arg(2));
  const sum = old === INFINITE || by === INFINITE ? null : addLongDouble(old, by);
  if (sum === null) fail("ERR increment would produce NaN or Infinity");
  const text = formatLongDouble(sum);
  // Redis stores the new text as created (embstr or raw), without tryObjectEncoding: "3" is not an int here.
  const stored = new StringBuffer(text);
  stored.embstr = true;
  storeValue(ctx, key, stored, v !== undefined, true);
  ctx.notify("$", "incrbyfloat", key);
  ctx.dirty();
  ctx.propagate(["SET", key, text, "KEEPTTL"]);
  return text;
}
