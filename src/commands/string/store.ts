/** Shared pieces of the string commands: reading a string for a reply, and Redis's setKey. */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import type { Reply } from "../../resp/reply.ts";
import { isStringValue, StringBuffer, type StringValue, type Value } from "../../store/values.ts";

/**
 * A string value as a reply. An edited buffer is copied: replies may be
 * encoded after later commands of the same pipeline mutated it.
 */
export function stringReply(v: StringValue): Reply {
  if (typeof v === "string") return v;
  return typeof v === "number" ? String(v) : v.bytes.slice(0, v.length);
}

/** Redis's getGenericCommand: nil when missing, WRONGTYPE for other types, else the value. */
export function getReply(ctx: Ctx, key: string): Reply {
  const v = ctx.read(key);
  if (v === undefined) return null;
  if (!isStringValue(v)) fail(Errors.wrongType);
  return stringReply(v);
}

/** The string at `key` for writing (lookupKeyWrite + checkType): undefined when missing. */
export function writableString(ctx: Ctx, key: string): StringValue | undefined {
  const v = ctx.write(key);
  if (v !== undefined && !isStringValue(v)) fail(Errors.wrongType);
  return v;
}

/**
 * Redis's setKey/dbAdd for a string: stores, drops the TTL unless `keepTtl`,
 * fires "new" for a key that did not exist and signals the change. `existed`
 * comes from the caller's own lookup (which already expired a dead key).
 */
export function storeValue(ctx: Ctx, key: string, value: Value, existed: boolean, keepTtl = false): void {
  ctx.db.set(key, value, ctx.now, keepTtl);
  if (!existed) ctx.notify("n", "new", key);
  ctx.touched(key);
}

/** The value as an in-place editable buffer (dbUnshareStringValue), replacing a whole-set string. */
export function editableString(ctx: Ctx, key: string, v: StringValue, extra: number): StringBuffer {
  if (v instanceof StringBuffer) {
    // dbUnshareStringValue: an embstr becomes a raw string before it is edited.
    v.embstr = false;
    return v;
  }
  const buf = new StringBuffer(typeof v === "number" ? String(v) : v, extra);
  ctx.db.set(key, buf, ctx.now, true);
  return buf;
}
