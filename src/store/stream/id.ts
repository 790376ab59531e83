/**
 * Stream IDs: two unsigned 64-bit parts (ms, seq). respd holds one as a
 * single 128-bit BigInt, `ms << 64 | seq`, so comparing IDs is comparing
 * numbers and the 16-byte big-endian form Redis uses as its radix-tree key
 * (and in RDB files) is the same ordering.
 */

import { isLongString } from "../values.ts";

export type StreamId = bigint;

export const U64_MAX = (1n << 64n) - 1n;
export const ID_MIN: StreamId = 0n;
export const ID_MAX: StreamId = (1n << 128n) - 1n;

export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq;
}

export function msOf(id: StreamId): bigint {
  return id >> 64n;
}

export function seqOf(id: StreamId): bigint {
  return id & U64_MAX;
}

/** `<ms>-<seq>`, as replies and propagation show an ID. */
export function formatId(id: StreamId): string {
  const ms = id >> 64n;
  const seq = id & U64_MAX;
  // Numbers print in half the time bigints do (a tenth of XADD's cost), and real IDs' halves are below 2^53.
  return ms < SAFE && seq < SAFE ? `${Number(ms)}-${Number(seq)}` : `${ms}-${seq}`;
}

const SAFE = 1n << 53n;

/** The successor, or null past the last possible ID (streamIncrID's C_ERR). */
export function incrId(id: StreamId): StreamId | null {
  return id === ID_MAX ? null : id + 1n;
}

/** The predecessor, or null before 0-0. */
export function decrId(id: StreamId): StreamId | null {
  return id === 0n ? null : id - 1n;
}

/**
 * Redis's string2ull: a canonical int64 must not be negative; anything else
 * goes through strtoull (leading blanks, a sign, leading zeros; a '-' wraps
 * around), which refuses overflow and trailing bytes.
 */
function parseU64(s: string): bigint | null {
  if (isLongString(s)) {
    const v = BigInt(s);
    return v < 0n ? null : v;
  }
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(s);
  if (m === null) return null;
  const v = BigInt(m[2] as string);
  if (v > U64_MAX) return null;
  return m[1] === "-" ? (U64_MAX + 1n - v) & U64_MAX : v;
}

export const INVALID_ID = "ERR Invalid stream ID specified as stream command argument";

export interface ParsedId {
  id: StreamId;
  /** False for the `<ms>-*` form (only when `allowSeqAuto`). */
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply: `-`, `+` (unless strict), `<ms>`
 * (the sequence is `missingSeq`), `<ms>-<seq>`, and `<ms>-*` when allowed.
 * Returns null when invalid.
 */
export function parseId(s: string, missingSeq: bigint, strict: boolean, allowSeqAuto = false): ParsedId | null {
  if (s.length > 127) return null;
  // C compares up to the NUL: an argument with an embedded NUL reads as its prefix.
  const nul = s.indexOf("\0");
  const t = nul >= 0 ? s.slice(0, nul) : s;
  if (t === "-" || t === "+") {
    if (strict) return null;
    return { id: t === "-" ? ID_MIN : ID_MAX, seqGiven: true };
  }
  const dash = t.indexOf("-");
  const ms = parseU64(dash >= 0 ? t.slice(0, dash) : t);
  if (ms === null) return null;
  if (dash < 0) return { id: makeId(ms, missingSeq), seqGiven: true };
  const rest = t.slice(dash + 1);
  if (allowSeqAuto && rest === "*") return { id: makeId(ms, 0n), seqGiven: false };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { id: makeId(ms, seq), seqGiven: true };
}

/** 16 bytes, big-endian ms then seq: the radix-tree key and RDB form. */
export function encodeIdBytes(id: StreamId, out: Uint8Array = new Uint8Array(16), at = 0): Uint8Array {
  let v = id;
  for (let i = 15; i >= 0; i--) {
    out[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function decodeIdBytes(b: Uint8Array, at = 0): StreamId {
  let v = 0n;
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(b[at + i] as number);
  return v;
}
