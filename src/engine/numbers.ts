/**
 * Number parsing with Redis's exact acceptance rules. Arguments are byte
 * strings; these never go through UTF-8.
 */

import { Errors, fail } from "./errors.ts";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Parses like Redis's string2ll: optional '-', digits, no leading zeros or
 * '+' or spaces, within int64. Returns a bigint, or null when invalid.
 */
export function parseInt64(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0n : null;
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s);
  if (v > INT64_MAX || v < INT64_MIN) return null;
  return v;
}

/**
 * The common case: an integer argument that fits a JS number exactly.
 * Returns NaN when invalid (not an int64, or beyond 2^53 where a JS number
 * would be inexact; callers needing the full range use parseInt64).
 */
export function parseSafeInt(s: string): number {
  const n = s.length;
  if (n > 0 && n < 16) {
    // Fast path: short decimal strings can't exceed 2^53.
    let i = 0;
    let neg = false;
    if (s.charCodeAt(0) === 45) {
      neg = true;
      i = 1;
      if (n === 1) return Number.NaN;
    }
    const first = s.charCodeAt(i);
    if (first === 48) return n === 1 ? 0 : Number.NaN;
    let v = 0;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return Number.NaN;
      v = v * 10 + d;
    }
    return neg ? -v : v;
  }
  const big = parseInt64(s);
  if (big === null || big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) return Number.NaN;
  return Number(big);
}

/** An int64 argument as bigint, or the standard error. */
export function int64Arg(s: string, error: string = Errors.notInteger): bigint {
  const v = parseInt64(s);
  if (v === null) fail(error);
  return v;
}

/**
 * An integer argument as a JS number. Values beyond 2^53 but within int64
 * are clamped (they only ever act as "very large" counts or indexes).
 */
export function intArg(s: string, error: string = Errors.notInteger): number {
  const v = parseSafeInt(s);
  if (!Number.isNaN(v)) return v;
  const big = parseInt64(s);
  if (big === null) fail(error);
  return Number(big);
}

/**
 * Parses a double like Redis's string2d / strtold checks: no spaces, no
 * empty string, accepts inf/-inf/+inf (any case) and hex/exponent forms
 * strtod takes; rejects NaN results.
 */
export function parseDouble(s: string): number {
  const n = s.length;
  if (n === 0 || n > 5000) return Number.NaN;
  const c0 = s.charCodeAt(0);
  const cl = s.charCodeAt(n - 1);
  // strtod skips leading space, but Redis rejects it (isspace check on the first char).
  if (c0 === 32 || (c0 >= 9 && c0 <= 13) || cl === 32 || (cl >= 9 && cl <= 13)) return Number.NaN;
  const lower = s.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") return Number.POSITIVE_INFINITY;
  if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)$/.test(s)) return Number.NaN;
  const v = lower.includes("0x") ? parseHexFloat(lower) : Number(s);
  return v;
}

function parseHexFloat(s: string): number {
  const neg = s.startsWith("-");
  const v = Number.parseInt(s.replace(/^[+-]?0x/, ""), 16);
  return neg ? -v : v;
}

export function floatArg(s: string, error: string = Errors.notFloat): number {
  const v = parseDouble(s);
  if (Number.isNaN(v)) fail(error);
  return v;
}
