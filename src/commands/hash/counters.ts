/**
 * HINCRBY (signed 64-bit, overflow refused) and HINCRBYFLOAT (x87 long
 * double like INCRBYFLOAT, propagated as HSET with the result so replicas
 * and the AOF never redo float arithmetic).
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { int64Arg, parseInt64, parseSafeInt } from "../../engine/numbers.ts";
import type { Reply } from "../../resp/reply.ts";
import { addLongDouble, formatLongDouble, INFINITE, parseLongDouble } from "../string/longdouble.ts";
import { hashLimits, hashOrCreate } from "./access.ts";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

export function hincrbyCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const field = ctx.arg(2);
  const by = int64Arg(ctx.arg(3));
  const hash = hashOrCreate(ctx, key);
  const text = hash.get(field);
  let result: bigint | number;
  const small = text === undefined ? 0 : parseSafeInt(text);
  const byNum = Number(by);
  if (!Number.isNaN(small) && by <= SAFE_MAX && by >= -SAFE_MAX && Number.isSafeInteger(small + byNum)) {
    // The common case stays in plain numbers; bigints only near the int64 edges.
    result = small + byNum;
  } else {
    const old = text === undefined ? 0n : parseInt64(text);
    if (old === null) fail("ERR hash value is not an integer");
    const sum = old + by;
    if (sum > INT64_MAX || sum < INT64_MIN) fail(Errors.overflow);
    result = sum >= -SAFE_MAX && sum <= SAFE_MAX ? Number(sum) : sum;
  }
  hash.set(field, String(result), hashLimits(ctx));
  ctx.touched(key);
  ctx.notify("h", "hincrby", key);
  ctx.dirty();
  return result;
}

export function hincrbyfloatCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const field = ctx.arg(2);
  const by = parseLongDouble(ctx.arg(3));
  if (by === null) fail(Errors.notFloat);
  // Checked before the lookup, so even a wrong-type key answers this first.
  if (by === INFINITE) fail("ERR value is NaN or Infinity");
  const hash = hashOrCreate(ctx, key);
  const text = hash.get(field);
  const old = text === undefined ? { neg: false, mant: 0n, exp: 0 } : parseLongDouble(text);
  if (old === null) fail("ERR hash value is not a float");
  const sum = old === INFINITE ? null : addLongDouble(old, by);
  if (sum === null) fail("ERR increment would produce NaN or Infinity");
  const result = formatLongDouble(sum);
  hash.set(field, result, hashLimits(ctx));
  ctx.touched(key);
  ctx.notify("h", "hincrbyfloat", key);
  ctx.dirty();
  ctx.propagate(["HSET", key, field, result]);
  return result;
}
