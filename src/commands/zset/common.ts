/** Shared pieces of the sorted-set commands: typed lookups, limits, score replies, key removal. */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { Double, type Reply } from "../../resp/reply.ts";
import { type ZLimits, type ZNode, ZSet } from "../../store/zset.ts";

/** The zset at `key` for reading (lookupKeyRead), undefined when missing; WRONGTYPE otherwise. */
export function readZset(ctx: Ctx, key: string): ZSet | undefined {
  const v = ctx.read(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSet)) fail(Errors.wrongType);
  return v;
}

/** Like readZset, for writing (lookupKeyWrite: no hit/miss stats). */
export function writeZset(ctx: Ctx, key: string): ZSet | undefined {
  const v = ctx.write(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSet)) fail(Errors.wrongType);
  return v;
}

export function limits(ctx: Ctx): ZLimits {
  const config = ctx.engine.config;
  return { entries: config.num("zset-max-listpack-entries"), value: config.num("zset-max-listpack-value") };
}

/** Deletes a zset that became empty, with the `del` event Redis emits after its own. */
export function dropIfEmpty(ctx: Ctx, key: string, z: ZSet): boolean {
  if (z.size !== 0) return false;
  ctx.db.delete(key);
  ctx.notify("g", "del", key);
  return true;
}

/**
 * Members with their scores: a flat member, score, ... array in RESP2, an
 * array of [member, score] pairs in RESP3 (Redis 7's addReplyArrayLen per pair).
 */
export function scoredReply(ctx: Ctx, nodes: Iterable<{ member: string; score: number }>): Reply[] {
  const out: Reply[] = [];
  if (ctx.client.protocol === 3) for (const n of nodes) out.push([n.member, new Double(n.score)]);
  else for (const n of nodes) out.push(n.member, new Double(n.score));
  return out;
}

/** `count` nodes walking from `from` forwards or backwards. */
export function* walk(from: ZNode | null, count: number, reverse: boolean): IterableIterator<ZNode> {
  let n = from;
  for (let i = 0; i < count && n !== null; i++) {
    yield n;
    n = reverse ? n.prev : (n.next[0] as ZNode | null);
  }
}
