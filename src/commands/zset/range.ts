/**
 * Ranges: ZRANGE with its BYSCORE/BYLEX/REV/LIMIT/WITHSCORES options, the
 * older ZREVRANGE/Z[REV]RANGEBYSCORE/Z[REV]RANGEBYLEX spellings, ZRANGESTORE
 * (Redis's zrangeGenericCommand and its result handlers) and ZREMRANGEBY*.
 * Ranges are resolved to rank intervals in O(log n) and then walked, so a
 * LIMIT offset costs O(log n) instead of a walk.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import type { Reply } from "../../resp/reply.ts";
import { type LexRange, type ScoreRange, type ZNode, ZSet } from "../../store/zset.ts";
import { parseLexRange, parseScoreRange } from "./args.ts";
import { dropIfEmpty, limits, readZset, scoredReply, walk, writeZset } from "./common.ts";

type RangeType = "auto" | "rank" | "score" | "lex";
type Direction = "auto" | "forward" | "reverse";

/** The rank interval a range selects, walked in `reverse` order from `from`. */
interface Selection {
  from: number;
  count: number;
  reverse: boolean;
}

const EMPTY: Selection = { from: 0, count: 0, reverse: false };

/** Rank range (start/stop may be negative) as Redis's genericZrangebyrankCommand sanitises it. */
function byRank(size: number, start: number, end: number, reverse: boolean): Selection {
  if (start < 0) start = size + start;
  if (end < 0) end = size + end;
  if (start < 0) start = 0;
  if (start > end || start >= size) return EMPTY;
  if (end >= size) end = size - 1;
  const count = end - start + 1;
  return { from: reverse ? size - 1 - start : start, count, reverse };
}

/**
 * A score or lex interval with LIMIT: a negative offset selects nothing
 * (Redis skips "offset" elements forever), a negative count means all.
 */
function byInterval(span: [number, number] | null, offset: number, limit: number, reverse: boolean): Selection {
  if (span === null || offset < 0) return EMPTY;
  const [first, last] = span;
  const available = last - first + 1 - offset;
  if (available <= 0) return EMPTY;
  const count = limit < 0 ? available : Math.min(available, limit);
  return { from: reverse ? last - offset : first + offset, count, reverse };
}

function nodesOf(z: ZSet, s: Selection): IterableIterator<ZNode> {
  return walk(s.count > 0 ? z.at(s.from) : null, s.count, s.reverse);
}

/** zrangeGenericCommand: `at` is the source key's index; `store` is the destination for ZRANGESTORE. */
function zrangeGeneric(ctx: Ctx, at: number, store: string | null, type: RangeType, dir: Direction): Reply {
  const argv = ctx.argv;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let limitGiven = false;
  for (let j = at + 3; j < argv.length; j++) {
    const opt = asciiLower(ctx.arg(j));
    const left = argv.length - j - 1;
    if (store === null && opt === "withscores") withScores = true;
    else if (opt === "limit" && left >= 2) {
      offset = intArg(ctx.arg(j + 1));
      limit = intArg(ctx.arg(j + 2));
      limitGiven = true;
      j += 2;
    } else if (dir === "auto" && opt === "rev") dir = "reverse";
    else if (type === "auto" && opt === "bylex") type = "lex";
    else if (type === "auto" && opt === "byscore") type = "score";
    else fail(Errors.syntax);
  }
  const reverse = dir === "reverse";
  const kind = type === "auto" ? "rank" : type;
  // Redis tests opt_limit != -1, so "LIMIT 0 -1" passes even for a rank range.
  if (limitGiven && limit !== -1 && kind === "rank") {
    fail("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withScores && kind === "lex") fail("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  // Score and lex ranges are given max first when reversed.
  let minArg = ctx.arg(at + 1);
  let maxArg = ctx.arg(at + 2);
  if (reverse && kind !== "rank") [minArg, maxArg] = [maxArg, minArg];
  let start = 0;
  let end = 0;
  let scores: ScoreRange | null = null;
  let lex: LexRange | null = null;
  if (kind === "rank") {
    start = intArg(minArg);
    end = intArg(maxArg);
  } else if (kind === "score") scores = parseScoreRange(minArg, maxArg);
  else lex = parseLexRange(minArg, maxArg);

  const z = readZset(ctx, ctx.arg(at));
  let sel = EMPTY;
  if (z !== undefined) {
    if (kind === "rank") sel = byRank(z.size, start, end, reverse);
    else if (kind === "score") sel = byInterval(z.scoreSpan(scores as ScoreRange), offset, limit, reverse);
    else sel = byInterval(z.lexSpan(lex as LexRange, reverse), offset, limit, reverse);
  }
  if (store !== null) return storeRange(ctx, store, z, sel, kind === "rank");
  if (z === undefined || sel.count === 0) return [];
  if (withScores) return scoredReply(ctx, nodesOf(z, sel));
  const out: string[] = [];
  for (const n of nodesOf(z, sel)) out.push(n.member);
  return out;
}

/**
 * ZRANGESTORE's result: a new set built by adds, or the destination deleted.
 * Redis 7.0 (zrangeResultBeginStore) starts a skiplist when a rank range's
 * length is over zset-max-listpack-entries, else a listpack that converts as
 * it outgrows; score and lex ranges pass no length. It shows: a listpack
 * stores -0 as 0, a skiplist keeps it.
 */
function storeRange(ctx: Ctx, dst: string, z: ZSet | undefined, sel: Selection, byRank: boolean): Reply {
  if (z === undefined || sel.count === 0) {
    if (ctx.write(dst) !== undefined && ctx.db.delete(dst)) {
      ctx.touched(dst);
      ctx.notify("g", "del", dst);
      ctx.dirty();
    }
    return 0;
  }
  const lim = limits(ctx);
  const out = new ZSet(!(byRank && sel.count > lim.entries));
  for (const n of nodesOf(z, sel)) out.insert(n.member, n.score, lim);
  ctx.db.set(dst, out, ctx.now);
  ctx.touched(dst);
  ctx.notify("z", "zrangestore", dst);
  ctx.dirty();
  return out.size;
}

export const zrangeCommand = (ctx: Ctx) => zrangeGeneric(ctx, 1, null, "auto", "auto");
export const zrangestoreCommand = (ctx: Ctx) => zrangeGeneric(ctx, 2, ctx.arg(1), "auto", "auto");
export const zrevrangeCommand = (ctx: Ctx) => zrangeGeneric(ctx, 1, null, "rank", "reverse");
export const zrangebyscoreCommand = (ctx: Ctx) => zrangeGeneric(ctx, 1, null, "score", "forward");
export const zrevrangebyscoreCommand = (ctx: Ctx) => zrangeGeneric(ctx, 1, null, "score", "reverse");
export const zrangebylexCommand = (ctx: Ctx) => zrangeGeneric(ctx, 1, null, "lex", "forward");
export const zrevrangebylexCommand = (ctx: Ctx) => zrangeGeneric(ctx, 1, null, "lex", "reverse");

/** zremrangeGenericCommand: the range is parsed before the key is looked up. */
function zremrange(ctx: Ctx, kind: "rank" | "score" | "lex"): Reply {
  const key = ctx.arg(1);
  let start = 0;
  let end = 0;
  let scores: ScoreRange | null = null;
  let lex: LexRange | null = null;
  if (kind === "rank") {
    start = intArg(ctx.arg(2));
    end = intArg(ctx.arg(3));
  } else if (kind === "score") scores = parseScoreRange(ctx.arg(2), ctx.arg(3));
  else lex = parseLexRange(ctx.arg(2), ctx.arg(3));
  const z = writeZset(ctx, key);
  if (z === undefined) return 0;
  let from = 0;
  let count = 0;
  if (kind === "rank") {
    const sel = byRank(z.size, start, end, false);
    from = sel.from;
    count = sel.count;
  } else {
    const span = kind === "score" ? z.scoreSpan(scores as ScoreRange) : z.lexSpan(lex as LexRange);
    if (span !== null) {
      from = span[0];
      count = span[1] - span[0] + 1;
    }
  }
  if (count === 0) return 0;
  z.deleteRanks(from, count);
  ctx.touched(key);
  ctx.notify("z", `zremrangeby${kind}`, key);
  dropIfEmpty(ctx, key, z);
  ctx.dirty(count);
  return count;
}

export const zremrangebyrankCommand = (ctx: Ctx) => zremrange(ctx, "rank");
export const zremrangebyscoreCommand = (ctx: Ctx) => zremrange(ctx, "score");
export const zremrangebylexCommand = (ctx: Ctx) => zremrange(ctx, "lex");
