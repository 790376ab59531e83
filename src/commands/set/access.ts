/**
 * Member-level set commands: SADD, SREM, SMOVE, SISMEMBER, SMISMEMBER,
 * SCARD and SSCAN (Redis's t_set.c).
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import type { Reply } from "../../resp/reply.ts";
import { globMatch } from "../../store/glob.ts";
import { SetValue } from "../../store/set.ts";
import { parseCursor } from "../keys.ts";
import { deleteIfEmpty, maxIntset, readSet, writeSet } from "./common.ts";

export function saddCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  let set = writeSet(ctx, key);
  if (set === undefined) {
    set = SetValue.forMember(ctx.arg(2));
    ctx.db.set(key, set, ctx.now);
  }
  const max = maxIntset(ctx);
  let added = 0;
  for (let j = 2; j < ctx.argv.length; j++) if (set.add(ctx.arg(j), max)) added++;
  if (added > 0) {
    ctx.touched(key);
    ctx.notify("s", "sadd", key);
    ctx.dirty(added);
  }
  return added;
}

export function sremCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const set = writeSet(ctx, key);
  if (set === undefined) return 0;
  let removed = 0;
  for (let j = 2; j < ctx.argv.length; j++) {
    if (!set.remove(ctx.arg(j))) continue;
    removed++;
    // The key goes with its last member; later arguments are not looked at.
    if (set.size === 0) break;
  }
  if (removed > 0) {
    ctx.touched(key);
    ctx.notify("s", "srem", key);
    deleteIfEmpty(ctx, key, set);
    ctx.dirty(removed);
  }
  return removed;
}

export function smoveCommand(ctx: Ctx): Reply {
  const srcKey = ctx.arg(1);
  const dstKey = ctx.arg(2);
  const member = ctx.arg(3);
  // Both lookups happen first (expiring either), then the type checks, as in Redis.
  const srcValue = ctx.write(srcKey);
  const dstValue = ctx.write(dstKey);
  if (srcValue === undefined) return 0;
  if (!(srcValue instanceof SetValue) || (dstValue !== undefined && !(dstValue instanceof SetValue))) fail(Errors.wrongType);
  const src = srcValue;
  let dst = dstValue as SetValue | undefined;
  if (src === dst) return src.has(member) ? 1 : 0;
  if (!src.remove(member)) return 0;
  ctx.notify("s", "srem", srcKey);
  deleteIfEmpty(ctx, srcKey, src);
  if (dst === undefined) {
    dst = SetValue.forMember(member);
    ctx.db.set(dstKey, dst, ctx.now);
  }
  ctx.touched(srcKey);
  ctx.dirty();
  if (dst.add(member, maxIntset(ctx))) {
    ctx.dirty();
    ctx.touched(dstKey);
    ctx.notify("s", "sadd", dstKey);
  }
  return 1;
}

export function sismemberCommand(ctx: Ctx): Reply {
  const set = readSet(ctx, ctx.arg(1));
  return set?.has(ctx.arg(2)) ? 1 : 0;
}

export function smismemberCommand(ctx: Ctx): Reply {
  // A missing key is an empty set: all zeros, no error.
  const set = readSet(ctx, ctx.arg(1));
  const out: Reply[] = [];
  for (let j = 2; j < ctx.argv.length; j++) out.push(set?.has(ctx.arg(j)) ? 1 : 0);
  return out;
}

export function scardCommand(ctx: Ctx): Reply {
  return readSet(ctx, ctx.arg(1))?.size ?? 0;
}

/**
 * SSCAN: the cursor is checked first, then the key; options are only parsed
 * for an existing set (a missing key answers an empty scan whatever follows).
 */
export function sscanCommand(ctx: Ctx): Reply {
  let cursor = parseCursor(ctx.arg(2));
  const set = readSet(ctx, ctx.arg(1));
  if (set === undefined) return ["0", []];
  let count = 10;
  let pattern: string | null = null;
  const argc = ctx.argv.length;
  for (let i = 3; i < argc; i += 2) {
    const opt = asciiLower(ctx.arg(i));
    if (opt === "count" && argc - i >= 2) {
      count = intArg(ctx.arg(i + 1));
      if (count < 1) fail(Errors.syntax);
    } else if (opt === "match" && argc - i >= 2) {
      const p = ctx.arg(i + 1);
      pattern = p === "*" ? null : p;
    } else fail(Errors.syntax);
  }
  const found: string[] = [];
  cursor = set.scan(cursor, count, found);
  return [String(cursor), pattern === null ? found : found.filter((m) => globMatch(pattern, m))];
}
