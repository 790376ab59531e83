/**
 * Member-level sorted-set commands: ZADD/ZINCRBY (Redis's zaddGenericCommand
 * and zsetAdd), ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT,
 * ZLEXCOUNT, ZSCAN and ZRANDMEMBER.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { int64Arg, intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { Double, formatDouble, type Reply } from "../../resp/reply.ts";
import { globMatch } from "../../store/glob.ts";
import { type ZNode, ZSet } from "../../store/zset.ts";
import { parseCursor } from "../keys.ts";
import { parseLexRange, parseScoreRange, scoreArg } from "./args.ts";
import { dropIfEmpty, limits, readZset, scoredReply, writeZset } from "./common.ts";

const NAN_SCORE = "ERR resulting score is not a number (NaN)";

interface AddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
}

/** ZADD and ZINCRBY (which is ZADD INCR with the same option parsing). */
function zaddGeneric(ctx: Ctx, incrOnly: boolean): Reply {
  const argv = ctx.argv;
  const key = ctx.arg(1);
  const f: AddFlags = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: incrOnly };
  let i = 2;
  for (; i < argv.length; i++) {
    const opt = asciiLower(ctx.arg(i));
    if (opt === "nx") f.nx = true;
    else if (opt === "xx") f.xx = true;
    else if (opt === "ch") f.ch = true;
    else if (opt === "incr") f.incr = true;
    else if (opt === "gt") f.gt = true;
    else if (opt === "lt") f.lt = true;
    else break;
  }
  const rest = argv.length - i;
  if (rest === 0 || rest % 2 !== 0) fail(Errors.syntax);
  const pairs = rest / 2;
  if (f.nx && f.xx) fail("ERR XX and NX options at the same time are not compatible");
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    fail("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (f.incr && pairs > 1) fail("ERR INCR option supports a single increment-element pair");
  // Every score is validated before anything changes: the command applies fully or not at all.
  const scores: number[] = [];
  for (let j = 0; j < pairs; j++) scores.push(scoreArg(ctx.arg(i + j * 2)));

  let z = writeZset(ctx, key);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let last = 0;
  if (z === undefined) {
    if (f.xx) return f.incr ? null : 0;
    const lim = limits(ctx);
    // Like Redis, only the first member decides the initial encoding; adds convert later.
    z = new ZSet(lim.entries !== 0 && ctx.arg(i + 1).length <= lim.value);
    ctx.db.set(key, z, ctx.now);
  }
  const lim = limits(ctx);
  for (let j = 0; j < pairs; j++) {
    const member = ctx.arg(i + j * 2 + 1);
    let score = scores[j] as number;
    const node = z.dict.get(member);
    if (node !== undefined) {
      if (f.nx) continue;
      if (f.incr) {
        score += node.score;
        if (Number.isNaN(score)) {
          notifyAdd(ctx, key, f, added, updated);
          return fail(NAN_SCORE);
        }
      }
      if ((f.lt && score >= node.score) || (f.gt && score <= node.score)) continue;
      if (score !== node.score) {
        z.setScore(node, score);
        updated++;
      }
    } else {
      if (f.xx) continue;
      z.insert(member, score, lim);
      added++;
    }
    processed++;
    last = score;
  }
  ctx.dirty(added + updated);
  notifyAdd(ctx, key, f, added, updated);
  if (f.incr) return processed > 0 ? new Double(last) : null;
  return f.ch ? added + updated : added;
}

function notifyAdd(ctx: Ctx, key: string, f: AddFlags, added: number, updated: number): void {
  if (added + updated === 0) return;
  ctx.touched(key);
  ctx.notify("z", f.incr ? "zincr" : "zadd", key);
}

export function zaddCommand(ctx: Ctx): Reply {
  return zaddGeneric(ctx, false);
}

export function zincrbyCommand(ctx: Ctx): Reply {
  return zaddGeneric(ctx, true);
}

export function zremCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const z = writeZset(ctx, key);
  if (z === undefined) return 0;
  let deleted = 0;
  for (let i = 2; i < ctx.argv.length; i++) {
    if (z.delete(ctx.arg(i))) deleted++;
    if (z.size === 0) break;
  }
  if (deleted > 0) {
    ctx.notify("z", "zrem", key);
    dropIfEmpty(ctx, key, z);
    ctx.touched(key);
    ctx.dirty(deleted);
  }
  return deleted;
}

export function zcardCommand(ctx: Ctx): Reply {
  return readZset(ctx, ctx.arg(1))?.size ?? 0;
}

export function zscoreCommand(ctx: Ctx): Reply {
  const score = readZset(ctx, ctx.arg(1))?.score(ctx.arg(2));
  return score === undefined ? null : new Double(score);
}

export function zmscoreCommand(ctx: Ctx): Reply {
  const z = readZset(ctx, ctx.arg(1));
  const out: Reply[] = [];
  for (let i = 2; i < ctx.argv.length; i++) {
    const score = z?.score(ctx.arg(i));
    out.push(score === undefined ? null : new Double(score));
  }
  return out;
}

function rank(ctx: Ctx, reverse: boolean): Reply {
  const z = readZset(ctx, ctx.arg(1));
  if (z === undefined) return null;
  const r = z.rankOf(ctx.arg(2));
  if (r < 0) return null;
  return reverse ? z.size - 1 - r : r;
}

export function zrankCommand(ctx: Ctx): Reply {
  return rank(ctx, false);
}

export function zrevrankCommand(ctx: Ctx): Reply {
  return rank(ctx, true);
}

export function zcountCommand(ctx: Ctx): Reply {
  const range = parseScoreRange(ctx.arg(2), ctx.arg(3));
  const span = readZset(ctx, ctx.arg(1))?.scoreSpan(range);
  return span ? span[1] - span[0] + 1 : 0;
}

export function zlexcountCommand(ctx: Ctx): Reply {
  const range = parseLexRange(ctx.arg(2), ctx.arg(3));
  const span = readZset(ctx, ctx.arg(1))?.lexSpan(range);
  return span ? span[1] - span[0] + 1 : 0;
}

/**
 * ZSCAN: a listpack-encoded set comes back whole with cursor 0, as in Redis;
 * a skiplist one is walked with the member dict's reverse-binary cursor.
 */
export function zscanCommand(ctx: Ctx): Reply {
  let cursor = parseCursor(ctx.arg(2));
  const z = readZset(ctx, ctx.arg(1));
  if (z === undefined) return ["0", []];
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < ctx.argv.length; i += 2) {
    const opt = asciiLower(ctx.arg(i));
    if (opt === "count" && i + 1 < ctx.argv.length) {
      count = intArg(ctx.arg(i + 1));
      if (count < 1) fail(Errors.syntax);
    } else if (opt === "match" && i + 1 < ctx.argv.length) {
      const p = ctx.arg(i + 1);
      pattern = p === "*" ? null : p;
    } else fail(Errors.syntax);
  }
  const found: ZNode[] = [];
  if (z.compact) {
    for (const n of z.list) found.push(n);
    cursor = 0;
  } else {
    const dict = z.dict;
    let guard = count * 10;
    const collect = (slot: number) => found.push(dict.values[slot] as ZNode);
    do cursor = dict.scan(cursor, collect);
    while (cursor !== 0 && guard-- !== 0 && found.length < count);
  }
  const items: string[] = [];
  const format = z.compact ? listpackScore : formatDouble;
  for (const n of found) {
    if (pattern !== null && !globMatch(pattern, n.member)) continue;
    items.push(n.member, format(n.score));
  }
  return [String(cursor), items];
}

/** A listpack holds integral scores within +-LLONG_MAX/2 as integers (double2ll), which ZSCAN prints as such. */
function listpackScore(score: number): string {
  return Number.isInteger(score) && Math.abs(score) <= 2 ** 62 ? BigInt(score).toString() : formatDouble(score);
}

const LONG_MAX = 9223372036854775807n;
const HALF_LONG_MAX = LONG_MAX / 2n;

/** The most repeated members one ZRANDMEMBER reply may hold (SRANDMEMBER has the same bound). */
const MAX_REPEATED_PICKS = 1 << 24;

/** ZRANDMEMBER key [count [WITHSCORES]]. */
export function zrandmemberCommand(ctx: Ctx): Reply {
  const argc = ctx.argv.length;
  if (argc === 2) {
    const z = readZset(ctx, ctx.arg(1));
    if (z === undefined) return null;
    return (z.dict.values[z.dict.randomSlot()] as ZNode).member;
  }
  const big = int64Arg(ctx.arg(2));
  if (big < -LONG_MAX) fail(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`);
  if (argc > 4 || (argc === 4 && asciiLower(ctx.arg(3)) !== "withscores")) fail(Errors.syntax);
  const withScores = argc === 4;
  // Redis bounds the count so that count * 2 reply entries cannot overflow.
  if (withScores && (big < -HALF_LONG_MAX || big > HALF_LONG_MAX)) fail("ERR value is out of range");
  const count = Number(big);
  const z = readZset(ctx, ctx.arg(1));
  if (z === undefined || count === 0) return [];
  // Redis streams any count; respd builds each reply whole, so a repeat count that could not fit is refused.
  if (count < -MAX_REPEATED_PICKS) fail(`ERR count is too large (at most ${MAX_REPEATED_PICKS} repeated members)`);
  const picked = randomNodes(z, count);
  return withScores ? scoredReply(ctx, picked) : picked.map((n) => n.member);
}

/**
 * Random members without materialising the whole set for small counts:
 * negative = may repeat; positive = distinct, the whole set when it is at
 * least that large, else a partial shuffle (big counts) or rejection sampling.
 */
function randomNodes(z: ZSet, count: number): ZNode[] {
  const dict = z.dict;
  const pick = () => dict.values[dict.randomSlot()] as ZNode;
  const out: ZNode[] = [];
  if (count < 0 || count === 1) {
    for (let i = 0, n = Math.abs(count); i < n; i++) out.push(pick());
    return out;
  }
  if (count >= z.size) return [...z.list];
  if (count * 3 > z.size) {
    const all = [...z.list];
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (all.length - i));
      [all[i], all[j]] = [all[j] as ZNode, all[i] as ZNode];
    }
    return all.slice(0, count);
  }
  const seen = new Set<string>();
  while (out.length < count) {
    const n = pick();
    if (seen.has(n.member)) continue;
    seen.add(n.member);
    out.push(n);
  }
  return out;
}
