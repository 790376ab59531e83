/**
 * Stored values. A plain JS string (one char per byte) is a Redis string that
 * was set whole (SET, GETSET...): it reports `int` or `embstr`/`raw` by content,
 * as Redis's tryObjectEncoding would. A JS number is a string that a counter
 * command (INCR, DECRBY...) left as an integer: Redis's OBJ_ENCODING_INT, always
 * a safe integer, read as its decimal text; it costs no allocation per INCR. A `StringBuffer` is a string that was
 * edited in place (APPEND, SETRANGE): it is always `raw`, as in Redis, and
 * grows with spare room so repeated APPENDs stay amortised O(1).
 *
 * Aggregate types (lists, hashes, sets, sorted sets) implement `DataValue`.
 */

import { latin1 } from "../resp/bytes.ts";

export type TypeName = "string" | "list" | "hash" | "set" | "zset" | "stream";

export interface DataValue {
  readonly type: Exclude<TypeName, "string">;
  /** Redis's OBJECT ENCODING name for the value as it stands. */
  encoding(): string;
  /**
   * A deep copy sharing no mutable state (COPY needs one; see copyValue).
   * Every aggregate type must implement it; it is optional only so types can land one at a time.
   */
  clone?(): DataValue;
}

export class StringBuffer {
  readonly type = "string";
  bytes: Uint8Array;
  length: number;
  /**
   * Set for a string a command made whole without Redis's tryObjectEncoding
   * (INCRBYFLOAT's result): OBJECT ENCODING says embstr while it is short and
   * unedited, even when it reads as an integer. Editing makes it raw.
   */
  embstr = false;

  constructor(initial: string, extra = 0) {
    this.length = initial.length;
    this.bytes = new Uint8Array(Math.max(16, initial.length + extra));
    for (let i = 0; i < initial.length; i++) this.bytes[i] = initial.charCodeAt(i);
  }

  /** Makes room for `size` bytes, keeping the content; new bytes are zero. */
  reserve(size: number): void {
    if (size <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(size, this.bytes.length * 2));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  append(s: string): void {
    this.reserve(this.length + s.length);
    for (let i = 0; i < s.length; i++) this.bytes[this.length + i] = s.charCodeAt(i);
    this.length += s.length;
  }

  toString(): string {
    return latin1(this.bytes, 0, this.length);
  }
}

export type Value = string | number | StringBuffer | DataValue;

/** A value of the string type, in any of its three forms. */
export type StringValue = string | number | StringBuffer;

export function typeOf(v: Value): TypeName {
  return typeof v === "string" || typeof v === "number" ? "string" : v.type;
}

/**
 * An independent copy of a value, for COPY: plain strings are immutable and
 * shared as is; everything mutable is deep-copied.
 */
export function copyValue(v: Value): Value {
  if (typeof v === "string" || typeof v === "number") return v;
  if (v instanceof StringBuffer) {
    const copy = new StringBuffer("");
    copy.reserve(v.length);
    copy.bytes.set(v.bytes.subarray(0, v.length));
    copy.length = v.length;
    copy.embstr = v.embstr;
    return copy;
  }
  if (!v.clone) throw new Error(`cannot copy a ${v.type} value: its type has no clone()`);
  return v.clone();
}

/** The string content of a string value. */
export function stringOf(v: StringValue): string {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : v.toString();
}

export function isStringValue(v: Value): v is StringValue {
  return typeof v === "string" || typeof v === "number" || v instanceof StringBuffer;
}

/** OBJECT_SHARED_INTEGERS and friends: what Redis's tryObjectEncoding decides. */
const EMBSTR_LIMIT = 44;

export function encodingOf(v: Value): string {
  if (typeof v === "string") {
    if (v.length <= 20 && isLongString(v)) return "int";
    return v.length <= EMBSTR_LIMIT ? "embstr" : "raw";
  }
  if (typeof v === "number") return "int";
  if (v instanceof StringBuffer) return v.embstr && v.length <= EMBSTR_LIMIT ? "embstr" : "raw";
  return v.encoding();
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** True when `s` is exactly how Redis would print a signed 64-bit integer. */
export function isLongString(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1;
  if (first < 49 || first > 57) return false;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (n < 18) return true;
  const big = BigInt(s);
  return big <= INT64_MAX && big >= INT64_MIN;
}
