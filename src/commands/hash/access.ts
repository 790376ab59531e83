/**
 * Reading and writing hash fields (Redis's t_hash.c): HSET, HMSET, HSETNX,
 * HGET, HMGET, HDEL, HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS, HGETALL, and the
 * lookups every hash command shares.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { MapReply, OK, type Reply } from "../../resp/reply.ts";
import { type HashLimits, HashValue } from "../../store/hash.ts";

/** The hash at `key` for reading (lookupKeyRead + checkType): undefined when missing. */
export function readHash(ctx: Ctx, key: string): HashValue | undefined {
  const v = ctx.read(key);
  if (v !== undefined && !(v instanceof HashValue)) fail(Errors.wrongType);
  return v;
}

/** The hash at `key` for writing (lookupKeyWrite + checkType): undefined when missing. */
export function writeHash(ctx: Ctx, key: string): HashValue | undefined {
  const v = ctx.write(key);
  if (v !== undefined && !(v instanceof HashValue)) fail(Errors.wrongType);
  return v;
}

/** hashTypeLookupWriteOrCreate: a missing key gets an empty hash at once (dbAdd fires "new"). */
export function hashOrCreate(ctx: Ctx, key: string): HashValue {
  const found = writeHash(ctx, key);
  if (found !== undefined) return found;
  const created = new HashValue();
  ctx.db.set(key, created, ctx.now);
  ctx.notify("n", "new", key);
  return created;
}

/** The listpack thresholds as configured now (CONFIG SET applies to the next write). */
export function hashLimits(ctx: Ctx): HashLimits {
  const config = ctx.engine.config;
  return { entries: config.num("hash-max-listpack-entries"), value: config.num("hash-max-listpack-value") };
}

/** HSET and HMSET: the same work, HMSET answers OK instead of the count of new fields. */
function setPairs(ctx: Ctx): number {
  const argc = ctx.argv.length;
  // The table's arity only says "at least 4"; a dangling field is an arity error too.
  if (argc % 2 === 1) fail(Errors.wrongArgs(ctx.cmd.fullName));
  const key = ctx.arg(1);
  const hash = hashOrCreate(ctx, key);
  const limits = hashLimits(ctx);
  let created = 0;
  for (let i = 2; i < argc; i += 2) if (hash.set(ctx.arg(i), ctx.arg(i + 1), limits)) created++;
  ctx.touched(key);
  ctx.notify("h", "hset", key);
  ctx.dirty((argc - 2) / 2);
  return created;
}

export function hsetCommand(ctx: Ctx): Reply {
  return setPairs(ctx);
}

export function hmsetCommand(ctx: Ctx): Reply {
  setPairs(ctx);
  return OK;
}

export function hsetnxCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const hash = hashOrCreate(ctx, key);
  const field = ctx.arg(2);
  if (hash.has(field)) return 0;
  hash.set(field, ctx.arg(3), hashLimits(ctx));
  ctx.touched(key);
  ctx.notify("h", "hset", key);
  ctx.dirty();
  return 1;
}

export function hgetCommand(ctx: Ctx): Reply {
  return readHash(ctx, ctx.arg(1))?.get(ctx.arg(2)) ?? null;
}

export function hmgetCommand(ctx: Ctx): Reply {
  const hash = readHash(ctx, ctx.arg(1));
  const out: Reply[] = [];
  for (let i = 2; i < ctx.argv.length; i++) out.push(hash?.get(ctx.arg(i)) ?? null);
  return out;
}

export function hdelCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const hash = writeHash(ctx, key);
  if (hash === undefined) return 0;
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < ctx.argv.length; i++) {
    if (!hash.delete(ctx.arg(i))) continue;
    deleted++;
    if (hash.size === 0) {
      ctx.db.delete(key);
      removed = true;
      break;
    }
  }
  if (deleted > 0) {
    ctx.touched(key);
    ctx.notify("h", "hdel", key);
    if (removed) ctx.notify("g", "del", key);
    ctx.dirty(deleted);
  }
  return deleted;
}

export function hlenCommand(ctx: Ctx): Reply {
  return readHash(ctx, ctx.arg(1))?.size ?? 0;
}

export function hstrlenCommand(ctx: Ctx): Reply {
  return readHash(ctx, ctx.arg(1))?.get(ctx.arg(2))?.length ?? 0;
}

export function hexistsCommand(ctx: Ctx): Reply {
  return readHash(ctx, ctx.arg(1))?.has(ctx.arg(2)) ? 1 : 0;
}

export function hkeysCommand(ctx: Ctx): Reply {
  const out: string[] = [];
  readHash(ctx, ctx.arg(1))?.each((field) => out.push(field));
  return out;
}

export function hvalsCommand(ctx: Ctx): Reply {
  const out: string[] = [];
  readHash(ctx, ctx.arg(1))?.each((_, value) => out.push(value));
  return out;
}

export function hgetallCommand(ctx: Ctx): Reply {
  const out: string[] = [];
  readHash(ctx, ctx.arg(1))?.each((field, value) => out.push(field, value));
  return new MapReply(out);
}
