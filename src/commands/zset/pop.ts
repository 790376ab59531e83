/**
 * Popping: ZPOPMIN/ZPOPMAX, ZMPOP and the blocking BZPOPMIN/BZPOPMAX/BZMPOP
 * (Redis's genericZpopCommand, blockingGenericZpopCommand and the zset part
 * of blocked.c). Every pop is propagated as ZPOPMIN/ZPOPMAX so replicas and
 * the AOF never block or depend on which key had data.
 */
import { Blocked } from "../../engine/blocking.ts";
import type { HandlerResult } from "../../engine/command.ts";
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { Double, NULL_ARRAY, type Reply } from "../../resp/reply.ts";
import { type ZNode, ZSet } from "../../store/zset.ts";
import { timeoutArg } from "./args.ts";
import { dropIfEmpty, scoredReply, writeZset } from "./common.ts";

type Where = "min" | "max";

/**
 * Removes up to `count` members from one end of a non-empty set, with the
 * notifications and key deletion Redis does; returns the popped nodes.
 */
function popFrom(ctx: Ctx, key: string, z: ZSet, where: Where, count: number): ZNode[] {
  const n = Math.min(count, z.size);
  const out: ZNode[] = [];
  for (let i = 0; i < n; i++) {
    const node = (where === "min" ? z.list.first : z.list.tail) as ZNode;
    z.delete(node.member);
    out.push(node);
  }
  ctx.dirty(n);
  ctx.notify("z", where === "min" ? "zpopmin" : "zpopmax", key);
  ctx.touched(key);
  dropIfEmpty(ctx, key, z);
  return out;
}

const popName = (where: Where) => (where === "min" ? "ZPOPMIN" : "ZPOPMAX");

/** ZPOPMIN/ZPOPMAX key [count]: nested pairs in RESP3 only when a count was given. */
function zpop(ctx: Ctx, where: Where): Reply {
  if (ctx.argv.length > 3) fail(Errors.syntax);
  let count = -1;
  if (ctx.argv.length === 3) {
    count = intArg(ctx.arg(2), Errors.notPositive);
    if (count < 0) fail(Errors.notPositive);
  }
  const key = ctx.arg(1);
  const z = writeZset(ctx, key);
  if (z === undefined || count === 0) return [];
  const popped = popFrom(ctx, key, z, where, count === -1 ? 1 : count);
  if (count !== -1 && ctx.client.protocol === 3) return scoredReply(ctx, popped);
  const out: Reply[] = [];
  for (const n of popped) out.push(n.member, new Double(n.score));
  return out;
}

export const zpopminCommand = (ctx: Ctx) => zpop(ctx, "min");
export const zpopmaxCommand = (ctx: Ctx) => zpop(ctx, "max");

/** [key, [[member, score], ...]]: the ZMPOP/BZMPOP reply in both protocols. */
function mpopReply(key: string, popped: ZNode[]): Reply {
  return [key, popped.map((n) => [n.member, new Double(n.score)])];
}

interface MpopArgs {
  keys: string[];
  where: Where;
  count: number;
}

/** numkeys key... MIN|MAX [COUNT n], from argv index `at` (zmpopGenericCommand). */
function parseMpop(ctx: Ctx, at: number): MpopArgs {
  const argv = ctx.argv;
  const numkeys = intArg(ctx.arg(at), "ERR numkeys should be greater than 0");
  if (numkeys < 1) fail("ERR numkeys should be greater than 0");
  const whereAt = at + numkeys + 1;
  if (whereAt >= argv.length) fail(Errors.syntax);
  const w = asciiLower(ctx.arg(whereAt));
  if (w !== "min" && w !== "max") fail(Errors.syntax);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && asciiLower(ctx.arg(j)) === "count" && j + 1 < argv.length) {
      count = intArg(ctx.arg(++j), "ERR count should be greater than 0");
      if (count < 1) fail("ERR count should be greater than 0");
    } else fail(Errors.syntax);
  }
  return { keys: argv.slice(at + 1, whereAt), where: w, count: count === -1 ? 1 : count };
}

/** The first key holding a non-empty zset; WRONGTYPE stops the search like Redis's lookup loop. */
function firstNonEmpty(ctx: Ctx, keys: string[]): [string, ZSet] | null {
  for (const key of keys) {
    const z = writeZset(ctx, key);
    if (z !== undefined && z.size > 0) return [key, z];
  }
  return null;
}

export function zmpopCommand(ctx: Ctx): Reply {
  const a = parseMpop(ctx, 1);
  const found = firstNonEmpty(ctx, a.keys);
  if (found === null) return NULL_ARRAY;
  const [key, z] = found;
  const popped = popFrom(ctx, key, z, a.where, a.count);
  ctx.propagate([popName(a.where), key, String(popped.length)]);
  return mpopReply(key, popped);
}

/**
 * Serves a blocking pop from the first non-empty key, or returns undefined.
 * `count` -1 is BZPOPMIN/BZPOPMAX ([key, member, score], propagated without
 * a count); otherwise BZMPOP.
 */
function servePop(ctx: Ctx, keys: string[], where: Where, count: number, skipWrongType: boolean): Reply | undefined {
  for (const key of keys) {
    const v = ctx.write(key);
    if (v === undefined) continue;
    if (!(v instanceof ZSet)) {
      if (skipWrongType) continue;
      fail(Errors.wrongType);
    }
    if (v.size === 0) continue;
    const popped = popFrom(ctx, key, v, where, count === -1 ? 1 : count);
    if (count === -1) {
      ctx.propagate([popName(where), key]);
      const n = popped[0] as ZNode;
      return [key, n.member, new Double(n.score)];
    }
    ctx.propagate([popName(where), key, String(popped.length)]);
    return mpopReply(key, popped);
  }
  return undefined;
}

function block(ctx: Ctx, keys: string[], timeoutMs: number, where: Where, count: number): HandlerResult {
  const now = servePop(ctx, keys, where, count, false);
  if (now !== undefined) return now;
  // A key that turned into another type keeps the client waiting, as in Redis.
  return new Blocked(
    keys,
    timeoutMs,
    (retry) => servePop(retry, keys, where, count, true),
    () => NULL_ARRAY,
  );
}

function bzpop(ctx: Ctx, where: Where): HandlerResult {
  const timeout = timeoutArg(ctx.arg(ctx.argv.length - 1));
  return block(ctx, ctx.argv.slice(1, -1), timeout, where, -1);
}

export const bzpopminCommand = (ctx: Ctx) => bzpop(ctx, "min");
export const bzpopmaxCommand = (ctx: Ctx) => bzpop(ctx, "max");

export function bzmpopCommand(ctx: Ctx): HandlerResult {
  const a = parseMpop(ctx, 2);
  const timeout = timeoutArg(ctx.arg(1));
  return block(ctx, a.keys, timeout, a.where, a.count);
}
