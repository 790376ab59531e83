/**
 * Byte-level access: APPEND, SETRANGE (which edit the value in place as a
 * StringBuffer, Redis's "raw" encoding), GETRANGE/SUBSTR and STRLEN.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { latin1 } from "../../resp/bytes.ts";
import type { Reply } from "../../resp/reply.ts";
import { isStringValue, StringBuffer, type StringValue } from "../../store/values.ts";
import { editableString, storeValue, writableString } from "./store.ts";

/** Redis's checkStringLength: the result may not exceed proto-max-bulk-len. */
function checkLength(ctx: Ctx, total: number): void {
  if (total > ctx.engine.config.num("proto-max-bulk-len")) {
    fail("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  }
}

function lengthOf(v: StringValue): number {
  return typeof v === "number" ? String(v).length : v.length;
}

export function appendCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const tail = ctx.arg(2);
  const v = writableString(ctx, key);
  let total: number;
  if (v === undefined) {
    // A new key holds the argument as set whole, like SET (not raw yet).
    storeValue(ctx, key, tail, false);
    total = tail.length;
  } else {
    checkLength(ctx, lengthOf(v) + tail.length);
    const buf = editableString(ctx, key, v, tail.length);
    buf.append(tail);
    total = buf.length;
    ctx.touched(key);
  }
  ctx.notify("$", "append", key);
  ctx.dirty();
  return total;
}

export function setrangeCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const offset = intArg(ctx.arg(2));
  const patch = ctx.arg(3);
  if (offset < 0) fail("ERR offset is out of range");
  const v = writableString(ctx, key);
  if (v === undefined) {
    // Setting nothing on a missing key creates nothing.
    if (patch.length === 0) return 0;
    checkLength(ctx, offset + patch.length);
  } else {
    if (patch.length === 0) return lengthOf(v);
    checkLength(ctx, offset + patch.length);
  }
  let buf: StringBuffer;
  if (v === undefined) {
    buf = new StringBuffer("", offset + patch.length);
    storeValue(ctx, key, buf, false);
  } else {
    buf = editableString(ctx, key, v, 0);
    ctx.touched(key);
  }
  const end = offset + patch.length;
  buf.reserve(end);
  // Bytes between the old end and the offset read as zeros.
  if (offset > buf.length) buf.bytes.fill(0, buf.length, offset);
  for (let i = 0; i < patch.length; i++) buf.bytes[offset + i] = patch.charCodeAt(i);
  if (end > buf.length) buf.length = end;
  ctx.notify("$", "setrange", key);
  ctx.dirty();
  return buf.length;
}

/** GETRANGE and its old name SUBSTR: inclusive, negative indexes count from the end. */
export function getrangeCommand(ctx: Ctx): Reply {
  let start = intArg(ctx.arg(2));
  let end = intArg(ctx.arg(3));
  const v = ctx.read(ctx.arg(1));
  if (v === undefined) return "";
  if (!isStringValue(v)) fail(Errors.wrongType);
  const len = lengthOf(v);
  if (start < 0 && end < 0 && start > end) return "";
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return "";
  if (typeof v === "number") return String(v).slice(start, end + 1);
  return typeof v === "string" ? v.slice(start, end + 1) : latin1(v.bytes, start, end + 1);
}

export function strlenCommand(ctx: Ctx): Reply {
  const v = ctx.read(ctx.arg(1));
  if (v === undefined) return 0;
  if (!isStringValue(v)) fail(Errors.wrongType);
  return lengthOf(v);
}
