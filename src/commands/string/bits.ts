/**
 * The bitmap commands (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS
 * and BITOP. A bitmap is a plain string value; bit 0 is the most significant
 * bit of the first byte. Writes turn the value into an in-place buffer (a
 * "raw" string, as dbUnshareStringValue does) padded with zero bytes.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { int64Arg, parseInt64 } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { fromLatin1 } from "../../resp/bytes.ts";
import type { Reply } from "../../resp/reply.ts";
import { isStringValue, StringBuffer, type StringValue } from "../../store/values.ts";
import { editableString, storeValue, writableString } from "./store.ts";

const OFFSET_ERROR = "ERR bit offset is not an integer or out of range";

/** A string value's bytes for reading (an integer reads as its decimal text, like getObjectReadOnlyString). */
export function bytesOf(v: StringValue): Uint8Array {
  if (v instanceof StringBuffer) return v.bytes.subarray(0, v.length);
  return fromLatin1(typeof v === "number" ? String(v) : v);
}

/**
 * getBitOffsetFromArgument: a bit offset within proto-max-bulk-len bytes.
 * With `bits` > 0 (BITFIELD), "#N" means N fields of that width.
 */
export function bitOffsetArg(ctx: Ctx, s: string, bits = 0): number {
  const byField = bits > 0 && s.charCodeAt(0) === 35;
  let n = parseInt64(byField ? s.slice(1) : s);
  if (n === null) fail(OFFSET_ERROR);
  if (byField) n *= BigInt(bits);
  if (n < 0n || n >> 3n >= BigInt(ctx.engine.config.num("proto-max-bulk-len"))) fail(OFFSET_ERROR);
  return Number(n);
}

/**
 * lookupStringForBitCommand: the string at argv[1] as a buffer long enough
 * to address bit `maxBit`, created (zero-filled) when missing. Returns the
 * buffer and whether creating or growing it already changed the key.
 */
export function bitTarget(ctx: Ctx, maxBit: number): { buf: StringBuffer; grown: boolean } {
  const key = ctx.arg(1);
  const size = Math.floor(maxBit / 8) + 1;
  const v = writableString(ctx, key);
  if (v === undefined) {
    const buf = new StringBuffer("", size);
    buf.bytes.fill(0, 0, size);
    buf.length = size;
    ctx.db.set(key, buf, ctx.now);
    ctx.notify("n", "new", key);
    return { buf, grown: true };
  }
  const buf = editableString(ctx, key, v, 0);
  if (buf.length >= size) return { buf, grown: false };
  buf.reserve(size);
  buf.bytes.fill(0, buf.length, size);
  buf.length = size;
  return { buf, grown: true };
}

/** SETBIT key offset value: replies with the bit's previous value. */
export function setbitCommand(ctx: Ctx): Reply {
  const offset = bitOffsetArg(ctx, ctx.arg(2));
  const on = parseInt64(ctx.arg(3));
  if (on === null || (on !== 0n && on !== 1n)) fail("ERR bit is not an integer or out of range");
  const { buf, grown } = bitTarget(ctx, offset);
  const byte = offset >> 3;
  const mask = 1 << (7 - (offset & 7));
  const old = (buf.bytes[byte] as number) & mask ? 1 : 0;
  if (grown || old !== Number(on)) {
    buf.bytes[byte] = on === 1n ? (buf.bytes[byte] as number) | mask : (buf.bytes[byte] as number) & ~mask;
    ctx.touched(ctx.arg(1));
    ctx.notify("$", "setbit", ctx.arg(1));
    ctx.dirty();
  }
  return old;
}

/** The string at `key` for a read-only bit command, or undefined when missing. */
function readableString(ctx: Ctx, key: string): StringValue | undefined {
  const v = ctx.read(key);
  if (v !== undefined && !isStringValue(v)) fail(Errors.wrongType);
  return v;
}

export function getbitCommand(ctx: Ctx): Reply {
  const offset = bitOffsetArg(ctx, ctx.arg(2));
  const v = readableString(ctx, ctx.arg(1));
  if (v === undefined) return 0;
  const bytes = bytesOf(v);
  const byte = offset >> 3;
  if (byte >= bytes.length) return 0;
  return (bytes[byte] as number) & (1 << (7 - (offset & 7))) ? 1 : 0;
}

/** The BYTE | BIT unit argument: true for BIT. */
function isBitUnit(s: string): boolean {
  const unit = asciiLower(s);
  if (unit === "bit") return true;
  if (unit === "byte") return false;
  fail(Errors.syntax);
}

/**
 * A start..end range as bitcount/bitpos resolve it: negative indexes count
 * from the end, then the range is clamped. In BIT units the byte range is
 * returned with masks of the edge bits that fall outside it.
 */
interface ByteRange {
  start: number;
  end: number;
  /** Bits of the first / last byte outside the range (set bits = excluded). */
  firstMask: number;
  lastMask: number;
}

function resolveRange(start: number, end: number, length: number, isBit: boolean): ByteRange {
  const total = isBit ? length * 8 : length;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
    lastMask = (1 << (7 - (end & 7))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstMask, lastMask };
}

function popcount8(b: number): number {
  b = b - ((b >> 1) & 0x55);
  b = (b & 0x33) + ((b >> 2) & 0x33);
  return (b + (b >> 4)) & 0x0f;
}

/** Bits set in a 32-bit number (SWAR, as Redis's redisPopcount does per word). */
function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Bits set in bytes[from, to): whole aligned 32-bit words where it can (byte by byte cost ~8× Redis's CPU). */
function popcountRange(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  let i = from;
  while (i < to && (bytes.byteOffset + i) % 4 !== 0) count += popcount8(bytes[i++] as number);
  const words = (to - i) >> 2;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let w = 0; w < words; w++) count += popcount32(view[w] as number);
    i += words * 4;
  }
  while (i < to) count += popcount8(bytes[i++] as number);
  return count;
}

/** A range bound as a JS number; int64 values beyond 2^53 only ever clamp. */
function boundArg(s: string): number {
  return Number(int64Arg(s));
}

/** BITCOUNT key [start end [BYTE | BIT]] */
export function bitcountCommand(ctx: Ctx): Reply {
  const argc = ctx.argv.length;
  const v = readableString(ctx, ctx.arg(1));
  if (v === undefined) return 0;
  const bytes = bytesOf(v);
  let range: ByteRange;
  if (argc === 4 || argc === 5) {
    const start = boundArg(ctx.arg(2));
    const end = boundArg(ctx.arg(3));
    if (start < 0 && end < 0 && start > end) return 0;
    const isBit = argc === 5 && isBitUnit(ctx.arg(4));
    range = resolveRange(start, end, bytes.length, isBit);
  } else if (argc === 2) range = { start: 0, end: bytes.length - 1, firstMask: 0, lastMask: 0 };
  else fail(Errors.syntax);
  const { start, end, firstMask, lastMask } = range;
  if (start > end) return 0;
  let count = popcountRange(bytes, start, end + 1);
  if (firstMask !== 0) count -= popcount8((bytes[start] as number) & firstMask);
  if (lastMask !== 0) count -= popcount8((bytes[end] as number) & lastMask);
  return count;
}

/**
 * redisBitpos: the first bit equal to `bit` in bytes[from, from+count), as an
 * offset from `from`'s first bit. Looking for 1 in all zeros gives -1;
 * looking for 0 in all ones gives count*8 (the string is zero padded).
 */
function firstBit(bytes: ArrayLike<number>, from: number, count: number, bit: 0 | 1): number {
  const skip = bit ? 0 : 0xff;
  for (let i = 0; i < count; i++) {
    const b = bytes[from + i] as number;
    if (b === skip) continue;
    for (let j = 0; j < 8; j++) if (((b >> (7 - j)) & 1) === bit) return i * 8 + j;
  }
  return bit ? -1 : count * 8;
}

/**
 * Redis's bitpos search over a resolved range: the edge bytes of a BIT range
 * with their outside bits forced to "not found", the whole bytes between
 * them at once. Returns the hit as redisBitpos does, relative to the byte
 * `start` where the last search began, and how many bytes that search had.
 */
function searchRange(bytes: Uint8Array, range: ByteRange, bit: 0 | 1): { pos: number; start: number; count: number } {
  const { end, firstMask, lastMask } = range;
  let start = range.start;
  let count = end - start + 1;
  if (firstMask !== 0) {
    let b = bit ? (bytes[start] as number) & ~firstMask : (bytes[start] as number) | firstMask;
    if (lastMask !== 0 && count === 1) b = bit ? b & ~lastMask : b | lastMask;
    const pos = firstBit([b & 0xff], 0, 1, bit);
    if (count === 1 || (pos !== -1 && pos !== 8)) return { pos, start, count };
    start++;
    count--;
  }
  const whole = count - (lastMask !== 0 ? 1 : 0);
  if (whole > 0) {
    const pos = firstBit(bytes, start, whole, bit);
    if (count === whole || (pos !== -1 && pos !== whole * 8)) return { pos, start, count };
    start += whole;
    count -= whole;
  }
  const b = bit ? (bytes[end] as number) & ~lastMask : (bytes[end] as number) | lastMask;
  return { pos: firstBit([b & 0xff], 0, 1, bit), start, count };
}

/** BITPOS key bit [start [end [BYTE | BIT]]] */
export function bitposCommand(ctx: Ctx): Reply {
  const argc = ctx.argv.length;
  const bitArg = int64Arg(ctx.arg(2));
  if (bitArg !== 0n && bitArg !== 1n) fail("ERR The bit argument must be 1 or 0.");
  const bit = bitArg === 1n ? 1 : 0;
  const v = readableString(ctx, ctx.arg(1));
  if (v === undefined) return bit ? -1 : 0;
  const bytes = bytesOf(v);
  let range: ByteRange;
  let endGiven = false;
  if (argc >= 4 && argc <= 6) {
    const start = boundArg(ctx.arg(3));
    const isBit = argc === 6 && isBitUnit(ctx.arg(5));
    let end: number;
    if (argc >= 5) {
      end = boundArg(ctx.arg(4));
      endGiven = true;
    } else end = isBit ? bytes.length * 8 + 7 : bytes.length - 1;
    range = resolveRange(start, end, bytes.length, isBit);
  } else if (argc === 3) range = { start: 0, end: bytes.length - 1, firstMask: 0, lastMask: 0 };
  else fail(Errors.syntax);
  if (range.start > range.end) return -1;
  const { pos, start, count } = searchRange(bytes, range, bit);
  // With an explicit end, "no 0 up to the end of the range" is -1: the right is not padded then.
  if (endGiven && bit === 0 && pos === count * 8) return -1;
  return pos === -1 ? -1 : pos + start * 8;
}

/** BITOP AND | OR | XOR | NOT destkey key [key ...] */
export function bitopCommand(ctx: Ctx): Reply {
  const op = asciiLower(ctx.arg(1));
  if (op !== "and" && op !== "or" && op !== "xor" && op !== "not") fail(Errors.syntax);
  if (op === "not" && ctx.argv.length !== 4) fail("ERR BITOP NOT must be called with a single source key.");
  const sources: Uint8Array[] = [];
  let maxLen = 0;
  for (let j = 3; j < ctx.argv.length; j++) {
    const v = ctx.read(ctx.arg(j));
    if (v === undefined) {
      sources.push(new Uint8Array(0));
      continue;
    }
    if (!isStringValue(v)) fail(Errors.wrongType);
    const b = bytesOf(v);
    sources.push(b);
    if (b.length > maxLen) maxLen = b.length;
  }
  const dest = ctx.arg(2);
  if (maxLen === 0) {
    if (ctx.db.delete(dest)) {
      ctx.touched(dest);
      ctx.notify("g", "del", dest);
      ctx.dirty();
    }
    return 0;
  }
  const out = new StringBuffer("", maxLen);
  out.length = maxLen;
  const res = out.bytes;
  const first = sources[0] as Uint8Array;
  for (let i = 0; i < maxLen; i++) {
    let b = i < first.length ? (first[i] as number) : 0;
    if (op === "not") b = ~b & 0xff;
    for (let k = 1; k < sources.length; k++) {
      const s = sources[k] as Uint8Array;
      const x = i < s.length ? (s[i] as number) : 0;
      if (op === "and") b &= x;
      else if (op === "or") b |= x;
      else b ^= x;
    }
    res[i] = b;
  }
  const existed = ctx.write(dest) !== undefined;
  storeValue(ctx, dest, out, existed);
  ctx.notify("$", "set", dest);
  ctx.dirty();
  return maxLen;
}
