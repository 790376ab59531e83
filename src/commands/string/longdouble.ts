/**
 * INCRBYFLOAT's arithmetic. Redis computes it in C `long double`, which on
 * x86-64 is the x87 80-bit format (64-bit significand), parses with strtold
 * and prints with `%.17Lf`. A JS double would answer differently in the last
 * digits (and reject 1e400, which a long double holds), so this emulates the
 * format exactly with bigints: every value is mant * 2^exp, rounded to 64
 * significant bits, ties to even, with the x87 subnormal floor and overflow.
 */

/** A finite long double: (-1)^neg * mant * 2^exp (mant = 0n is zero). */
export interface LongDouble {
  neg: boolean;
  mant: bigint;
  exp: number;
}

/** What parsing can give besides a finite value. */
export const INFINITE = "inf" as const;

const SIGNIFICAND_BITS = 64;
/** The weight of the lowest bit of the smallest subnormal: 2^-16445. */
const MIN_LSB_EXP = -16445;
/** Values at or above 2^16384 overflow. */
const MAX_BINARY_EXP = 16384;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer arguments are rejected before strtold. */
const MAX_CHARS = 5 * 1024;

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/**
 * Rounds the exact value (q + sticky fraction) * 2^exp to the long double
 * grid. `sticky` says the true value lies strictly above q * 2^exp (bits were
 * dropped below). Returns null on overflow.
 */
function round(neg: boolean, q: bigint, exp: number, sticky: boolean): LongDouble | null {
  const len = bitLength(q);
  const lsb = Math.max(exp + len - SIGNIFICAND_BITS, MIN_LSB_EXP);
  let mant = q;
  if (lsb > exp) {
    const shift = BigInt(lsb - exp);
    mant = q >> shift;
    const rest = q - (mant << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (sticky || (mant & 1n) === 1n))) mant++;
  }
  const at = Math.max(lsb, exp);
  if (mant !== 0n && bitLength(mant) + at > MAX_BINARY_EXP) return null;
  return { neg, mant, exp: at };
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^[+-]?inf(inity)?$/i;

/** An exponent argument clamped to a range where the answer is already decided. */
function clampExp(s: string | undefined): number {
  if (s === undefined) return 0;
  const v = Number(s);
  return Math.max(-1e7, Math.min(1e7, v));
}

/**
 * Parses like Redis's string2ld: the whole argument must be one strtold
 * number (no leading space, no trailing garbage), NaN and out-of-range
 * values are rejected, "inf" is accepted. Returns null when invalid.
 */
export function parseLongDouble(s: string): LongDouble | typeof INFINITE | null {
  if (s.length === 0 || s.length >= MAX_CHARS) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  // strtold would stop at a NUL; Redis then sees it did not consume the whole argument.
  if (s.includes("\0")) return null;
  // Either infinity parses (strtold sets no ERANGE); the sum then fails as infinite.
  if (INFINITY.test(s)) return INFINITE;
  const hex = HEX.exec(s);
  if (hex) return parseHex(hex);
  const dec = DECIMAL.exec(s);
  if (!dec) return null;
  const neg = dec[1] === "-";
  const intDigits = dec[2] ?? "";
  const fracDigits = dec[3] ?? "";
  if (intDigits.length + fracDigits.length === 0) return null;
  const digits = (intDigits + fracDigits).replace(/^0+/, "");
  if (digits === "") return { neg, mant: 0n, exp: 0 };
  const e10 = clampExp(dec[4]) - fracDigits.length;
  // Decide overflow / underflow from the magnitude before building huge numbers.
  if (digits.length - 1 + e10 > 4933) return null;
  if (digits.length + e10 < -4952) return null;
  const d = BigInt(digits);
  if (e10 >= 0) return round(neg, d * 10n ** BigInt(e10), 0, false);
  const den = 10n ** BigInt(-e10);
  const shift = Math.max(0, SIGNIFICAND_BITS + 2 + bitLength(den) - bitLength(d) + 1);
  const scaled = d << BigInt(shift);
  const q = scaled / den;
  const r = round(neg, q, -shift, scaled !== q * den);
  if (r === null || r.mant === 0n) return null;
  return r;
}

function parseHex(m: RegExpExecArray): LongDouble | null {
  const neg = m[1] === "-";
  const intDigits = m[2] ?? "";
  const fracDigits = m[3] ?? "";
  if (intDigits.length + fracDigits.length === 0) return null;
  const digits = (intDigits + fracDigits).replace(/^0+/, "");
  if (digits === "") return { neg, mant: 0n, exp: 0 };
  const mant = BigInt(`0x${digits}`);
  const exp = clampExp(m[4]) - 4 * fracDigits.length;
  if (bitLength(mant) + exp > MAX_BINARY_EXP + 1) return null;
  if (bitLength(mant) + exp < MIN_LSB_EXP - 1) return null;
  const r = round(neg, mant, exp, false);
  if (r === null || r.mant === 0n) return null;
  return r;
}

/** a + b rounded once, as the FPU does; null when the sum overflows. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.mant === 0n) return b.mant === 0n ? { neg: a.neg && b.neg, mant: 0n, exp: 0 } : b;
  if (b.mant === 0n) return a;
  const exp = Math.min(a.exp, b.exp);
  const sa = (a.neg ? -a.mant : a.mant) << BigInt(a.exp - exp);
  const sb = (b.neg ? -b.mant : b.mant) << BigInt(b.exp - exp);
  const sum = sa + sb;
  if (sum === 0n) return { neg: false, mant: 0n, exp: 0 };
  return round(sum < 0n, sum < 0n ? -sum : sum, exp, false);
}

const SCALE = 10n ** 17n;

/**
 * Redis's human-friendly long double text (ld2string LD_STR_HUMAN):
 * `%.17Lf`, trailing zeros and a bare '.' removed, "-0" printed as "0".
 */
export function formatLongDouble(v: LongDouble): string {
  let n: bigint;
  if (v.exp >= 0) n = (v.mant << BigInt(v.exp)) * SCALE;
  else {
    const num = v.mant * SCALE;
    const shift = BigInt(-v.exp);
    n = num >> shift;
    const rest = num - (n << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (n & 1n) === 1n)) n++;
  }
  const digits = n.toString().padStart(18, "0");
  let text = `${digits.slice(0, -17)}.${digits.slice(-17)}`.replace(/0+$/, "").replace(/\.$/, "");
  if (v.neg) text = `-${text}`;
  return text === "-0" ? "0" : text;
}
