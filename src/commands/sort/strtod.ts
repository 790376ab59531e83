/**
 * SORT's score parsing: C's strtod (glibc, C locale) plus the checks
 * sortCommand makes on it. SORT is laxer than every other Redis number
 * parser, and clients see the difference:
 * - the value is read as a C string, so it ends at the first NUL byte;
 * - leading white space is skipped, "" converts to 0 (strtod consumes
 *   nothing and the end pointer is already at the NUL), hex floats, "inf"
 *   and "infinity" are accepted;
 * - anything left unconverted, a NaN, or ERANGE (overflow, or an inexact
 *   result below DBL_MIN, with glibc's tininess-after-rounding rule) fails.
 */

const DBL_MIN = 2.2250738585072014e-308;
/** Smallest subnormal, 2^-1074: subnormals are integer multiples of it. */
const DBL_TRUE_MIN = 5e-324;
/** The value just below which a number is "tiny" after rounding to 53 bits: (2^54-1) * 2^-1076. */
const TINY_LIMIT_NUM = (1n << 54n) - 1n;
const TINY_LIMIT_EXP2 = 1076n;

const SIMPLE = /^-?[0-9]{1,15}(\.[0-9]{1,15})?$/;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Reads a decimal exponent's digits from `i`; returns [end, value clamped to +-1e9]. */
function exponentDigits(s: string, i: number): [number, number] {
  let v = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    if (v < 1e9) v = v * 10 + (s.charCodeAt(i) - 48);
    i++;
  }
  return [i, v];
}

/** Parses an optional exponent ("e12", "p-3") at `i`; without digits it is not consumed. */
function exponent(s: string, i: number, mark: number): [end: number, value: number] {
  if (i >= s.length || (s.charCodeAt(i) | 0x20) !== mark) return [i, 0];
  let j = i + 1;
  let neg = false;
  const c = s.charCodeAt(j);
  if (c === 43 || c === 45) {
    neg = c === 45;
    j++;
  }
  if (j >= s.length || !isDigit(s.charCodeAt(j))) return [i, 0];
  const [end, v] = exponentDigits(s, j);
  return [end, neg ? -v : v];
}

/**
 * The score SORT computes for `raw`, or null where Redis replies "One or
 * more scores can't be converted into double".
 */
export function sortScore(raw: string): number | null {
  // Plain short decimals (the common case) can't hit any of the edge cases below.
  if (raw.length <= 32 && SIMPLE.test(raw)) return Number(raw);
  const nul = raw.indexOf("\0");
  const s = nul === -1 ? raw : raw.slice(0, nul);
  if (s.length === 0) return 0;
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    neg = sign === 45;
    i++;
  }
  const rest = s.slice(i).toLowerCase();
  if (rest === "inf" || rest === "infinity") return neg ? -Infinity : Infinity;
  const hex = s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 0x20) === 120;
  const v = hex ? hexValue(s, i + 2) : decimalValue(s, i);
  if (v === null) return null;
  return neg ? -v : v;
}

/** Unsigned decimal from `i` to the end of `s`; null if it does not consume everything or is out of range. */
function decimalValue(s: string, i: number): number | null {
  const start = i;
  let digits = "";
  let fraction = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) digits += s[i++];
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      digits += s[i++];
      fraction++;
    }
  }
  if (digits.length === 0) return null;
  const [end, exp] = exponent(s, i, 101);
  if (end !== s.length) return null;
  const v = Number(s.slice(start));
  if (!Number.isFinite(v)) return null;
  if (v >= DBL_MIN && v !== DBL_MIN) return v;
  const significant = digits.replace(/^0+/, "");
  if (significant.length === 0) return v;
  if (v === 0) return null;
  // value = mantissa * 10^e10 exactly; decide tininess/exactness with integers.
  const trimmed = significant.replace(/0+$/, "");
  // Near DBL_MIN every input that matters has at most ~770 significant digits.
  if (trimmed.length > 4000) return null;
  const mantissa = BigInt(trimmed);
  const e10 = exp - fraction + (significant.length - trimmed.length);
  if (e10 >= 0) return v;
  const scale = 10n ** BigInt(-e10);
  if (v === DBL_MIN) return mantissa << TINY_LIMIT_EXP2 < TINY_LIMIT_NUM * scale ? null : v;
  const k = BigInt(v / DBL_TRUE_MIN);
  return mantissa << 1074n === k * scale ? v : null;
}

/** Rounds m / 2^shift to the nearest integer, ties to even; also says whether bits were lost. */
function roundShift(m: bigint, shift: bigint): [bigint, boolean] {
  if (shift <= 0n) return [m << -shift, false];
  const q = m >> shift;
  const rem = m - (q << shift);
  const half = 1n << (shift - 1n);
  const up = rem > half || (rem === half && (q & 1n) === 1n);
  return [up ? q + 1n : q, rem !== 0n];
}

/** Unsigned hex float after "0x"; strtod reads "0x" without digits as "0", which leaves "x..." unconverted. */
function hexValue(s: string, i: number): number | null {
  let digits = "";
  let fraction = 0;
  while (i < s.length && isHexDigit(s.charCodeAt(i))) digits += s[i++];
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < s.length && isHexDigit(s.charCodeAt(i))) {
      digits += s[i++];
      fraction++;
    }
  }
  if (digits.length === 0) return null;
  const [end, exp] = exponent(s, i, 112);
  if (end !== s.length) return null;
  const m = BigInt(`0x${digits}`);
  if (m === 0n) return 0;
  const e2 = BigInt(exp - 4 * fraction);
  const bits = BigInt(m.toString(2).length);
  // Round to 53 significant bits with an unbounded exponent first: glibc
  // calls a result tiny only if it is below DBL_MIN after this rounding.
  let [mant, lost] = roundShift(m, bits - 53n);
  let shift = bits - 53n;
  if (mant === 1n << 53n) {
    mant >>= 1n;
    shift++;
  }
  const top = 52n + e2 + shift;
  if (top > 1023n) return null;
  if (top >= -1022n) return Number(mant) * 2 ** Number(e2 + shift);
  [mant, lost] = roundShift(m, -(e2 + 1074n));
  return lost ? null : Number(mant) * DBL_TRUE_MIN;
}
