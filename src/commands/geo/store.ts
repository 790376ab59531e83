/** GEORADIUS ... STORE / STOREDIST and GEOSEARCHSTORE: the results as a sorted set. */
import type { Ctx } from "../../engine/context.ts";
import type { Reply } from "../../resp/reply.ts";
import { ZSet } from "../../store/zset.ts";
import { limits } from "../zset/common.ts";

export interface StoredPoint {
  member: string;
  /** The point's geo score. */
  score: number;
  /** Its distance from the centre, in the search's unit. */
  dist: number;
}

/**
 * Stores the points under `key` scored by geo score or distance (built as a
 * skiplist and turned into a listpack when small, as Redis does), or deletes
 * `key` when there are none. Replies with how many were stored.
 */
export function storeResults(ctx: Ctx, key: string, points: StoredPoint[], byDistance: boolean, geosearch: boolean): Reply {
  if (points.length === 0) {
    if (ctx.db.delete(key)) {
      ctx.touched(key);
      ctx.notify("g", "del", key);
      ctx.dirty();
    }
    return 0;
  }
  const lim = limits(ctx);
  const z = new ZSet(false);
  let maxLen = 0;
  for (const p of points) {
    z.insert(p.member, byDistance ? p.dist : p.score, lim);
    if (p.member.length > maxLen) maxLen = p.member.length;
  }
  z.compactIfSmall(lim, maxLen);
  ctx.db.set(key, z, ctx.now);
  ctx.touched(key);
  ctx.notify("z", geosearch ? "geosearchstore" : "georadiusstore", key);
  ctx.dirty(points.length);
  return points.length;
}
