/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (Redis's
 * zunionInterDiffGenericCommand). Sources may be plain sets, whose members
 * score 1. The summation order follows Redis (sources sorted by size,
 * smallest first) so floating-point results match bit for bit.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import type { Reply } from "../../resp/reply.ts";
import { isSet, type SetValue } from "../../store/set.ts";
import type { Value } from "../../store/values.ts";
import { ZSet } from "../../store/zset.ts";
import { scoreArg } from "./args.ts";
import { limits, scoredReply } from "./common.ts";

/** One input: a zset, a set, or a missing key (empty). */
class Source {
  weight = 1;
  constructor(readonly value: ZSet | SetValue | null) {}

  get size(): number {
    return this.value === null ? 0 : this.value.size;
  }

  score(member: string): number | undefined {
    const v = this.value;
    if (v === null) return undefined;
    if (v instanceof ZSet) return v.score(member);
    return v.has(member) ? 1 : undefined;
  }

  *entries(): IterableIterator<[string, number]> {
    const v = this.value;
    if (v === null) return;
    if (v instanceof ZSet) {
      for (const n of v.list) yield [n.member, n.score];
      return;
    }
    for (const m of v) yield [m, 1];
  }
}

type Op = "union" | "inter" | "diff";
type Aggregate = "sum" | "min" | "max";

function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === "sum") {
    const r = target + value;
    // inf + -inf: Redis keeps the convention that the sum is 0.
    return Number.isNaN(r) ? 0 : r;
  }
  // Not Math.min/max: a NaN value must leave the target alone, as C's ternary does.
  // biome-ignore lint/complexity/useMathMinMax: NaN semantics
  if (how === "min") return value < target ? value : target;
  // biome-ignore lint/complexity/useMathMinMax: NaN semantics
  return value > target ? value : target;
}

const zeroIfNaN = (x: number) => (Number.isNaN(x) ? 0 : x);

interface Options {
  dst: string | null;
  op: Op;
  cardinalityOnly: boolean;
}

function sourceOf(ctx: Ctx, key: string, forWrite: boolean): Source {
  const v: Value | undefined = forWrite ? ctx.write(key) : ctx.read(key);
  if (v === undefined) return new Source(null);
  if (v instanceof ZSet) return new Source(v);
  if (isSet(v)) return new Source(v);
  return fail(Errors.wrongType);
}

function generic(ctx: Ctx, numkeysAt: number, o: Options): Reply {
  const argv = ctx.argv;
  const setnum = intArg(ctx.arg(numkeysAt));
  if (setnum < 1) fail(`ERR at least 1 input key is needed for '${ctx.cmd.fullName}' command`);
  if (setnum > argv.length - numkeysAt - 1) fail(Errors.syntax);
  // Types are checked before the options, as in Redis.
  const src: Source[] = [];
  let j = numkeysAt + 1;
  for (let i = 0; i < setnum; i++, j++) src.push(sourceOf(ctx, ctx.arg(j), o.dst !== null));
  let how: Aggregate = "sum";
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const left = argv.length - j;
    const opt = asciiLower(ctx.arg(j));
    if (o.op !== "diff" && !o.cardinalityOnly && left >= setnum + 1 && opt === "weights") {
      j++;
      for (let i = 0; i < setnum; i++, j++) (src[i] as Source).weight = scoreArg(ctx.arg(j), "ERR weight value is not a float");
    } else if (o.op !== "diff" && !o.cardinalityOnly && left >= 2 && opt === "aggregate") {
      const a = asciiLower(ctx.arg(j + 1));
      if (a !== "sum" && a !== "min" && a !== "max") fail(Errors.syntax);
      how = a;
      j += 2;
    } else if (o.dst === null && !o.cardinalityOnly && opt === "withscores") {
      withScores = true;
      j++;
    } else if (o.cardinalityOnly && left >= 2 && opt === "limit") {
      limit = intArg(ctx.arg(j + 1), "ERR LIMIT can't be negative");
      if (limit < 0) fail("ERR LIMIT can't be negative");
      j += 2;
    } else fail(Errors.syntax);
  }

  if (o.cardinalityOnly) return interCard(src, limit);
  const result = o.op === "union" ? union(src, how) : o.op === "inter" ? inter(src, how) : diff(src);
  if (o.dst !== null) return store(ctx, o.dst, o.op, result);
  const out = sorted(result);
  if (withScores) return scoredReply(ctx, out);
  return out.map((e) => e.member);
}

interface Entry {
  member: string;
  score: number;
}

/** By score, then member bytes: the order of the zset Redis builds the result in. */
function sorted(result: Map<string, number>): Entry[] {
  const out: Entry[] = [];
  for (const [member, score] of result) out.push({ member, score });
  out.sort((a, b) => (a.score !== b.score ? (a.score < b.score ? -1 : 1) : a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  return out;
}

/** Smallest source first (stable, like glibc's merge-sorting qsort). */
const bySize = (src: Source[]) => [...src].sort((a, b) => a.size - b.size);

function union(src: Source[], how: Aggregate): Map<string, number> {
  const acc = new Map<string, number>();
  for (const s of bySize(src)) {
    for (const [member, score] of s.entries()) {
      const value = zeroIfNaN(s.weight * score);
      const prev = acc.get(member);
      acc.set(member, prev === undefined ? value : aggregate(prev, value, how));
    }
  }
  return acc;
}

function inter(src: Source[], how: Aggregate): Map<string, number> {
  const acc = new Map<string, number>();
  const order = bySize(src);
  const [first, ...others] = order as [Source, ...Source[]];
  if (first.size === 0) return acc;
  outer: for (const [member, score] of first.entries()) {
    let total = zeroIfNaN(first.weight * score);
    for (const s of others) {
      const v = s.value === first.value ? score : s.score(member);
      if (v === undefined) continue outer;
      total = aggregate(total, v * s.weight, how);
    }
    acc.set(member, total);
  }
  return acc;
}

function interCard(src: Source[], limit: number): number {
  const [first, ...others] = bySize(src) as [Source, ...Source[]];
  let n = 0;
  if (first.size === 0) return 0;
  outer: for (const [member] of first.entries()) {
    for (const s of others) if (s.score(member) === undefined) continue outer;
    n++;
    if (limit > 0 && n >= limit) break;
  }
  return n;
}

function diff(src: Source[]): Map<string, number> {
  const acc = new Map<string, number>();
  const [first, ...others] = src as [Source, ...Source[]];
  outer: for (const [member, score] of first.entries()) {
    for (const s of others) if (s.score(member) !== undefined) continue outer;
    acc.set(member, score);
  }
  return acc;
}

/** The *STORE result: replaces the destination, or deletes it when empty. */
function store(ctx: Ctx, dst: string, op: Op, result: Map<string, number>): Reply {
  if (result.size === 0) {
    if (ctx.db.delete(dst)) {
      ctx.touched(dst);
      ctx.notify("g", "del", dst);
      ctx.dirty();
    }
    return 0;
  }
  // Redis builds a skiplist and converts it back when it fits a listpack.
  const lim = limits(ctx);
  const z = new ZSet(false);
  let maxLen = 0;
  for (const e of sorted(result)) {
    z.insert(e.member, e.score, lim);
    if (e.member.length > maxLen) maxLen = e.member.length;
  }
  z.compactIfSmall(lim, maxLen);
  ctx.db.set(dst, z, ctx.now);
  ctx.touched(dst);
  ctx.notify("z", `z${op}store`, dst);
  ctx.dirty();
  return z.size;
}

export const zunionCommand = (ctx: Ctx) => generic(ctx, 1, { dst: null, op: "union", cardinalityOnly: false });
export const zinterCommand = (ctx: Ctx) => generic(ctx, 1, { dst: null, op: "inter", cardinalityOnly: false });
export const zdiffCommand = (ctx: Ctx) => generic(ctx, 1, { dst: null, op: "diff", cardinalityOnly: false });
export const zintercardCommand = (ctx: Ctx) => generic(ctx, 1, { dst: null, op: "inter", cardinalityOnly: true });
export const zunionstoreCommand = (ctx: Ctx) => generic(ctx, 2, { dst: ctx.arg(1), op: "union", cardinalityOnly: false });
export const zinterstoreCommand = (ctx: Ctx) => generic(ctx, 2, { dst: ctx.arg(1), op: "inter", cardinalityOnly: false });
export const zdiffstoreCommand = (ctx: Ctx) => generic(ctx, 2, { dst: ctx.arg(1), op: "diff", cardinalityOnly: false });
