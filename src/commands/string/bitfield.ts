/**
 * BITFIELD and BITFIELD_RO (Redis's bitfieldGeneric): signed and unsigned
 * integers of 1..64 bits (u64 excluded) at any bit offset of a string, with
 * WRAP / SAT / FAIL overflow handling. Field arithmetic is done in bigint so
 * 64-bit fields wrap exactly.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { int64Arg, parseInt64 } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import type { Reply } from "../../resp/reply.ts";
import { isStringValue } from "../../store/values.ts";
import { bitOffsetArg, bitTarget, bytesOf } from "./bits.ts";

type Overflow = "wrap" | "sat" | "fail";

interface FieldOp {
  op: "get" | "set" | "incrby";
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: Overflow;
}

const TYPE_ERROR = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/** getBitfieldTypeFromArgument: "i1".."i64" or "u1".."u63". */
function fieldType(s: string): { signed: boolean; bits: number } {
  const c = s.charCodeAt(0);
  if (c !== 105 && c !== 117) fail(TYPE_ERROR);
  const signed = c === 105;
  const bits = parseInt64(s.slice(1));
  if (bits === null || bits < 1n || bits > (signed ? 64n : 63n)) fail(TYPE_ERROR);
  return { signed, bits: Number(bits) };
}

function readField(bytes: ArrayLike<number>, offset: number, bits: number, signed: boolean): bigint {
  let v = 0n;
  for (let j = 0; j < bits; j++) {
    const at = offset + j;
    const byte = at >> 3;
    const b = byte < bytes.length ? (bytes[byte] as number) : 0;
    v = (v << 1n) | BigInt((b >> (7 - (at & 7))) & 1);
  }
  return signed ? BigInt.asIntN(bits, v) : v;
}

function writeField(bytes: Uint8Array, offset: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(bits, value);
  for (let j = 0; j < bits; j++) {
    const at = offset + j;
    const byte = at >> 3;
    const mask = 1 << (7 - (at & 7));
    const on = (u >> BigInt(bits - 1 - j)) & 1n;
    bytes[byte] = on ? (bytes[byte] as number) | mask : (bytes[byte] as number) & ~mask;
  }
}

/**
 * old + incr stored in the field: the result, or null for FAIL on overflow.
 * WRAP wraps modulo 2^bits (two's complement for signed), SAT clamps.
 */
function fieldResult(old: bigint, incr: bigint, bits: number, signed: boolean, overflow: Overflow): bigint | null {
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -max - 1n : 0n;
  const sum = old + incr;
  if (sum >= min && sum <= max) return sum;
  if (overflow === "fail") return null;
  if (overflow === "sat") return sum > max ? max : min;
  return signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
}

function parseOps(ctx: Ctx): { ops: FieldOp[]; readonly: boolean; highest: number } {
  const ops: FieldOp[] = [];
  let overflow: Overflow = "wrap";
  let readonly = true;
  let highest = 0;
  const argc = ctx.argv.length;
  for (let j = 2; j < argc; j++) {
    const more = argc - j - 1;
    const sub = asciiLower(ctx.arg(j));
    let op: FieldOp["op"];
    if (sub === "get" && more >= 2) op = "get";
    else if (sub === "set" && more >= 3) op = "set";
    else if (sub === "incrby" && more >= 3) op = "incrby";
    else if (sub === "overflow" && more >= 1) {
      const kind = asciiLower(ctx.arg(++j));
      if (kind !== "wrap" && kind !== "sat" && kind !== "fail") fail("ERR Invalid OVERFLOW type specified");
      overflow = kind;
      continue;
    } else fail(Errors.syntax);
    const { signed, bits } = fieldType(ctx.arg(j + 1));
    const offset = bitOffsetArg(ctx, ctx.arg(j + 2), bits);
    let value = 0n;
    if (op !== "get") {
      readonly = false;
      highest = Math.max(highest, offset + bits - 1);
      value = int64Arg(ctx.arg(j + 3));
    }
    ops.push({ op, signed, bits, offset, value, overflow });
    j += op === "get" ? 2 : 3;
  }
  return { ops, readonly, highest };
}

function bitfield(ctx: Ctx, roCommand: boolean): Reply {
  const { ops, readonly, highest } = parseOps(ctx);
  const key = ctx.arg(1);
  if (readonly) {
    const v = ctx.read(key);
    if (v !== undefined && !isStringValue(v)) fail(Errors.wrongType);
    const bytes = v === undefined ? new Uint8Array(0) : bytesOf(v);
    return ops.map((o) => readField(bytes, o.offset, o.bits, o.signed));
  }
  if (roCommand) fail("ERR BITFIELD_RO only supports the GET subcommand");
  const { buf, grown } = bitTarget(ctx, highest);
  const replies: Reply[] = [];
  let changes = 0;
  for (const o of ops) {
    if (o.op === "get") {
      replies.push(readField(buf.bytes.subarray(0, buf.length), o.offset, o.bits, o.signed));
      continue;
    }
    const old = readField(buf.bytes, o.offset, o.bits, o.signed);
    // SET stores the value (wrapped or saturated into the field) and answers the old one.
    // An unsigned SET sees its value as uint64, so a negative one overflows upwards (SAT gives the max).
    const next =
      o.op === "set"
        ? fieldResult(o.signed ? o.value : BigInt.asUintN(64, o.value), 0n, o.bits, o.signed, o.overflow)
        : fieldResult(old, o.value, o.bits, o.signed, o.overflow);
    if (next === null) {
      replies.push(null);
      continue;
    }
    replies.push(o.op === "set" ? old : next);
    writeField(buf.bytes, o.offset, o.bits, next);
    if (grown || old !== next) changes++;
  }
  if (changes > 0) {
    ctx.touched(key);
    ctx.notify("$", "setbit", key);
    ctx.dirty(changes);
  }
  return replies;
}

export function bitfieldCommand(ctx: Ctx): Reply {
  return bitfield(ctx, false);
}

export function bitfieldRoCommand(ctx: Ctx): Reply {
  return bitfield(ctx, true);
}
