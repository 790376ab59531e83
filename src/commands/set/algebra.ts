/**
 * Set algebra: SMEMBERS, SINTER, SINTERCARD, SINTERSTORE, SUNION(STORE) and
 * SDIFF(STORE). Results are built in a fresh set that starts as an intset,
 * as in Redis, so a result of few integers is both stored as an intset and
 * replied in ascending order; the DIFF algorithm choice is Redis's too,
 * because it decides whether a stored result stays an intset.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { type Reply, SetReply } from "../../resp/reply.ts";
import { SetValue } from "../../store/set.ts";
import { maxIntset, readSet } from "./common.ts";

/** The sets at `keys` (undefined for missing ones); WRONGTYPE as soon as one is not a set. */
function lookupSets(ctx: Ctx, keys: string[]): (SetValue | undefined)[] {
  return keys.map((k) => readSet(ctx, k));
}

/** Stores a STORE variant's result, or deletes the destination when it is empty. */
function storeResult(ctx: Ctx, dst: string, result: SetValue, event: string): number {
  if (result.size > 0) {
    // setKey: expire the old value first, drop any TTL.
    ctx.write(dst);
    ctx.db.set(dst, result, ctx.now);
    ctx.touched(dst);
    ctx.notify("s", event, dst);
    ctx.dirty();
    return result.size;
  }
  if (ctx.db.delete(dst)) {
    ctx.dirty();
    ctx.touched(dst);
    ctx.notify("g", "del", dst);
  }
  return 0;
}

/**
 * Redis's sinterGenericCommand: walks the smallest set and keeps the members
 * every other set has. `limit` (SINTERCARD) stops counting early; 0 = none.
 */
function sinterGeneric(ctx: Ctx, keys: string[], dst: string | null, cardinalityOnly = false, limit = 0): Reply {
  const found = lookupSets(ctx, keys);
  if (found.some((s) => s === undefined)) {
    // An empty set makes the intersection empty.
    if (dst !== null) return storeResult(ctx, dst, new SetValue(), "sinterstore");
    return cardinalityOnly ? 0 : new SetReply([]);
  }
  // Stable sort by size, like glibc's qsort on these small arrays.
  const sets = (found as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const first = sets[0] as SetValue;
  const result = dst === null ? null : new SetValue();
  const max = maxIntset(ctx);
  const out: string[] = [];
  let cardinality = 0;
  for (const m of first) {
    let inAll = true;
    for (let j = 1; j < sets.length; j++) {
      const other = sets[j] as SetValue;
      if (other !== first && !other.has(m)) {
        inAll = false;
        break;
      }
    }
    if (!inAll) continue;
    if (cardinalityOnly) {
      cardinality++;
      if (limit > 0 && cardinality >= limit) break;
    } else if (result !== null) result.add(m, max);
    else out.push(m);
  }
  if (cardinalityOnly) return cardinality;
  if (dst !== null) return storeResult(ctx, dst, result as SetValue, "sinterstore");
  return new SetReply(out);
}

/** The members of the union of `sets`, as SUNION lists them (via an intset-first temporary set). */
export function unionMembers(ctx: Ctx, sets: (SetValue | undefined)[]): string[] {
  return union(sets, maxIntset(ctx)).toArray();
}

function union(sets: (SetValue | undefined)[], max: number): SetValue {
  const result = new SetValue();
  for (const s of sets) if (s !== undefined) for (const m of s) result.add(m, max);
  return result;
}

/** Redis's sunionDiffGenericCommand for DIFF, with its choice of algorithm. */
function diff(found: (SetValue | undefined)[], max: number): SetValue {
  const result = new SetValue();
  const first = found[0];
  if (first === undefined) return result;
  // The first key repeated later: the difference is empty.
  if (found.some((s, j) => j > 0 && s === first)) return result;
  let oneWork = 0;
  let twoWork = 0;
  for (const s of found) {
    if (s === undefined) continue;
    oneWork += first.size;
    twoWork += s.size;
  }
  // Algorithm 1 (probe each member of the first set) gets a 2x advantage for its better constants.
  oneWork = Math.floor(oneWork / 2);
  if (oneWork <= twoWork) {
    // Largest sets first: a member present in one is found sooner.
    const others = found.slice(1).sort((a, b) => (b?.size ?? 0) - (a?.size ?? 0));
    for (const m of first) {
      if (others.every((s) => s === undefined || !s.has(m))) result.add(m, max);
    }
    return result;
  }
  // Algorithm 2: add the first set, remove every other set's members.
  for (let j = 0; j < found.length; j++) {
    const s = found[j];
    if (s === undefined) continue;
    for (const m of s) {
      if (j === 0) result.add(m, max);
      else result.remove(m);
    }
    if (result.size === 0) break;
  }
  return result;
}

function sunionDiffGeneric(ctx: Ctx, keys: string[], dst: string | null, op: "union" | "diff"): Reply {
  const found = lookupSets(ctx, keys);
  const max = maxIntset(ctx);
  const result = op === "union" ? union(found, max) : diff(found, max);
  if (dst !== null) return storeResult(ctx, dst, result, op === "union" ? "sunionstore" : "sdiffstore");
  return new SetReply(result.toArray());
}

/** SMEMBERS is SINTER of one key in Redis 7.0 (same reply types, same order). */
export function smembersCommand(ctx: Ctx): Reply {
  return sinterGeneric(ctx, [ctx.arg(1)], null);
}

export function sinterCommand(ctx: Ctx): Reply {
  return sinterGeneric(ctx, ctx.argv.slice(1), null);
}

export function sinterstoreCommand(ctx: Ctx): Reply {
  return sinterGeneric(ctx, ctx.argv.slice(2), ctx.arg(1));
}

export function sintercardCommand(ctx: Ctx): Reply {
  const numkeysError = "ERR numkeys should be greater than 0";
  const numkeys = intArg(ctx.arg(1), numkeysError);
  if (numkeys < 1) fail(numkeysError);
  const argc = ctx.argv.length;
  if (numkeys > argc - 2) fail("ERR Number of keys can't be greater than number of args");
  let limit = 0;
  for (let j = 2 + numkeys; j < argc; j++) {
    if (asciiLower(ctx.arg(j)) === "limit" && j < argc - 1) {
      j++;
      const limitError = "ERR LIMIT can't be negative";
      limit = intArg(ctx.arg(j), limitError);
      if (limit < 0) fail(limitError);
    } else fail(Errors.syntax);
  }
  return sinterGeneric(ctx, ctx.argv.slice(2, 2 + numkeys), null, true, limit);
}

/** SINTERCARD's key finder (COMMAND GETKEYS): numkeys keys after the count, none when it is invalid. */
export function sintercardKeys(argv: string[]): number[] {
  const n = Number(argv[1]);
  if (!Number.isInteger(n) || n < 1 || n > argv.length - 2 || !/^[1-9][0-9]*$/.test(argv[1] as string)) return [];
  return Array.from({ length: n }, (_, i) => i + 2);
}

export function sunionCommand(ctx: Ctx): Reply {
  return sunionDiffGeneric(ctx, ctx.argv.slice(1), null, "union");
}

export function sunionstoreCommand(ctx: Ctx): Reply {
  return sunionDiffGeneric(ctx, ctx.argv.slice(2), ctx.arg(1), "union");
}

export function sdiffCommand(ctx: Ctx): Reply {
  return sunionDiffGeneric(ctx, ctx.argv.slice(1), null, "diff");
}

export function sdiffstoreCommand(ctx: Ctx): Reply {
  return sunionDiffGeneric(ctx, ctx.argv.slice(2), ctx.arg(1), "diff");
}
