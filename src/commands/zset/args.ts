/**
 * Argument parsing for the sorted-set commands, with Redis's exact rules:
 * scores are parsed like string2d (whole argument, no leading space, no
 * overflow), range ends like zslParseRange (plain strtod: leading space and
 * an empty string are accepted), lex ends like zslParseLexRangeItem.
 */
import { Errors, fail } from "../../engine/errors.ts";
import type { LexBound, LexRange, ScoreRange } from "../../store/zset.ts";
import { INFINITE, parseLongDouble } from "../string/longdouble.ts";

export interface Strtod {
  value: number;
  /** Index just past the parsed text; 0 when nothing could be parsed. */
  end: number;
  /** Finite text that overflowed to infinity or underflowed to zero (errno ERANGE). */
  erange: boolean;
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** C's strtod on `s` as a NUL-terminated string. */
export function strtod(s: string): Strtod {
  const nul = s.indexOf("\0");
  const lim = nul === -1 ? s.length : nul;
  const none = { value: 0, end: 0, erange: false };
  let i = 0;
  while (i < lim && isSpace(s.charCodeAt(i))) i++;
  const start = i;
  let neg = false;
  if (i < lim && (s[i] === "+" || s[i] === "-")) {
    neg = s[i] === "-";
    i++;
  }
  const word = s.slice(i, Math.min(lim, i + 8)).toLowerCase();
  if (word.startsWith("inf")) {
    const end = i + (word === "infinity" ? 8 : 3);
    return { value: neg ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY, end, erange: false };
  }
  if (word.startsWith("nan")) {
    let end = i + 3;
    // nan(chars) is one token when the parenthesis closes.
    if (s[end] === "(") {
      let j = end + 1;
      while (j < lim && /[0-9A-Za-z_]/.test(s[j] as string)) j++;
      if (s[j] === ")") end = j + 1;
    }
    return { value: Number.NaN, end, erange: false };
  }
  if (s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X")) {
    const hex = parseHex(s, i + 2, lim, neg);
    if (hex !== null) return hex;
  }
  let j = i;
  let sawDigit = false;
  let nonZero = false;
  while (j < lim && isDigit(s.charCodeAt(j))) {
    if (s[j] !== "0") nonZero = true;
    sawDigit = true;
    j++;
  }
  if (j < lim && s[j] === ".") {
    j++;
    while (j < lim && isDigit(s.charCodeAt(j))) {
      if (s[j] !== "0") nonZero = true;
      sawDigit = true;
      j++;
    }
  }
  if (!sawDigit) return none;
  if (j < lim && (s[j] === "e" || s[j] === "E")) {
    let k = j + 1;
    if (k < lim && (s[k] === "+" || s[k] === "-")) k++;
    if (k < lim && isDigit(s.charCodeAt(k))) {
      while (k < lim && isDigit(s.charCodeAt(k))) k++;
      j = k;
    }
  }
  const value = Number(s.slice(start, j));
  const erange = !Number.isFinite(value) || (value === 0 && nonZero);
  return { value, end: j, erange };
}

/** A hex float after "0x" (digits, optional fraction, optional p exponent); null when no digit follows. */
function parseHex(s: string, from: number, lim: number, neg: boolean): Strtod | null {
  let j = from;
  let digits = "";
  while (j < lim && isHex(s.charCodeAt(j))) digits += s[j++];
  let frac = 0;
  if (j < lim && s[j] === ".") {
    let k = j + 1;
    while (k < lim && isHex(s.charCodeAt(k))) {
      digits += s[k++];
      frac++;
    }
    if (digits.length > 0) j = k;
  }
  if (digits.length === 0) return null;
  let exp = -4 * frac;
  if (j < lim && (s[j] === "p" || s[j] === "P")) {
    let k = j + 1;
    if (k < lim && (s[k] === "+" || s[k] === "-")) k++;
    if (k < lim && isDigit(s.charCodeAt(k))) {
      while (k < lim && isDigit(s.charCodeAt(k))) k++;
      exp += Math.max(-100000, Math.min(100000, Number(s.slice(j + 1, k))));
      j = k;
    }
  }
  const mant = BigInt(`0x${digits}`);
  let value = mant === 0n ? 0 : Number(mant) * 2 ** exp;
  if (!Number.isFinite(value) && mant !== 0n && exp < 0) value = Number(mant) / 2 ** -exp;
  if (neg) value = -value;
  return { value, end: j, erange: !Number.isFinite(value) || (value === 0 && mant !== 0n) };
}

/** Redis's string2d / getDoubleFromObject: a whole-argument double; NaN when invalid. */
export function parseScore(s: string): number {
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return Number.NaN;
  const r = strtod(s);
  if (r.end !== s.length || r.erange) return Number.NaN;
  return r.value;
}

export function scoreArg(s: string, error: string = Errors.notFloat): number {
  const v = parseScore(s);
  if (Number.isNaN(v)) fail(error);
  return v;
}

const NOT_FLOAT_RANGE = "ERR min or max is not a float";
const NOT_LEX_RANGE = "ERR min or max not valid string range item";

/** One end of a score range: "(x" is exclusive; strtod must stop at the (C string) end. */
function rangeEnd(s: string): [number, boolean] {
  const ex = s.charCodeAt(0) === 40;
  const text = ex ? s.slice(1) : s;
  const nul = text.indexOf("\0");
  const r = strtod(text);
  if (r.end !== (nul === -1 ? text.length : nul) || Number.isNaN(r.value)) fail(NOT_FLOAT_RANGE);
  return [r.value, ex];
}

export function parseScoreRange(min: string, max: string): ScoreRange {
  const [lo, minex] = rangeEnd(min);
  const [hi, maxex] = rangeEnd(max);
  return { min: lo, max: hi, minex, maxex };
}

function lexEnd(s: string): LexBound {
  const c = s[0];
  // "+" and "-" must be the whole (C) string.
  if (c === "+" || c === "-") {
    if (s.length > 1 && s.charCodeAt(1) !== 0) fail(NOT_LEX_RANGE);
    return { value: "", ex: true, inf: c === "+" ? 1 : -1 };
  }
  if (c === "(" || c === "[") return { value: s.slice(1), ex: c === "(", inf: 0 };
  return fail(NOT_LEX_RANGE);
}

export function parseLexRange(min: string, max: string): LexRange {
  return { min: lexEnd(min), max: lexEnd(max) };
}

/**
 * A blocking command's timeout in seconds (getTimeoutFromObjectOrReply in
 * 7.0): a long double, in ms rounded up; 0 waits forever. Beyond the int64
 * range the C cast yields LLONG_MIN, so Redis reports such values (and
 * infinities) as negative. Returns milliseconds.
 */
export function timeoutArg(s: string): number {
  const v = parseLongDouble(s);
  if (v === null) fail("ERR timeout is not a float or out of range");
  const seconds = v === INFINITE ? Number.POSITIVE_INFINITY : (v.neg ? -1 : 1) * Number(v.mant) * 2 ** v.exp;
  const t = Math.ceil(seconds * 1000);
  if (!(t >= 0 && t < 2 ** 63)) fail("ERR timeout is negative");
  return t;
}
