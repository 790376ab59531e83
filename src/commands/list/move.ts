/**
 * The multi-key list commands: LMOVE / RPOPLPUSH and LMPOP, plus the pieces
 * their blocking forms reuse (a move, a multi-pop and their argument parsing).
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { parseInt64 } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { NULL_ARRAY, type Reply } from "../../resp/reply.ts";
import { type End, elementsRemoved, endArg, pop, popMany, pushMoved, writeList } from "./common.ts";

/**
 * Redis's lmoveGenericCommand once the source is known to be a non-empty
 * list: checks the destination type, pops, pushes, then the source's pop
 * event and deletion. Returns the moved value.
 */
export function moveOne(ctx: Ctx, src: string, dst: string, from: End, to: End): string {
  const s = writeList(ctx, src);
  if (s === undefined || s.length === 0) throw new Error("moveOne needs a non-empty source");
  const d = writeList(ctx, dst);
  const v = pop(s, from);
  pushMoved(ctx, dst, d, to, v);
  ctx.notify("l", from === "left" ? "lpop" : "rpop", src);
  if (s.length === 0) {
    ctx.db.delete(src);
    ctx.notify("g", "del", src);
  }
  ctx.touched(src);
  ctx.dirty();
  return v;
}

/** LMOVE/RPOPLPUSH: nil when the source is missing. */
function lmoveGeneric(ctx: Ctx, from: End, to: End): Reply {
  const src = ctx.arg(1);
  const s = writeList(ctx, src);
  if (s === undefined) return null;
  return moveOne(ctx, src, ctx.arg(2), from, to);
}

export function lmoveCommand(ctx: Ctx): Reply {
  const from = endArg(ctx.arg(3));
  const to = endArg(ctx.arg(4));
  return lmoveGeneric(ctx, from, to);
}

export const rpoplpushCommand = (ctx: Ctx) => lmoveGeneric(ctx, "right", "left");

/** The parsed tail of [B]LMPOP: numkeys key... LEFT|RIGHT [COUNT n]. */
export interface MpopArgs {
  keys: string[];
  end: End;
  count: number;
}

/** Parses [B]LMPOP's arguments from `numkeysIdx` on, in Redis's order and with its errors. */
export function parseMpop(ctx: Ctx, numkeysIdx: number): MpopArgs {
  const { argv } = ctx;
  const nk = parseInt64(ctx.arg(numkeysIdx));
  if (nk === null || nk < 1n) fail("ERR numkeys should be greater than 0");
  const whereIdx = numkeysIdx + 1 + Number(nk);
  if (whereIdx >= argv.length) fail(Errors.syntax);
  const end = endArg(ctx.arg(whereIdx));
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && asciiLower(ctx.arg(j)) === "count" && j < argv.length - 1) {
      const c = parseInt64(ctx.arg(++j));
      if (c === null || c < 1n) fail("ERR count should be greater than 0");
      count = Number(c);
    } else {
      fail(Errors.syntax);
    }
  }
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), end, count: count === -1 ? 1 : count };
}

/**
 * Pops up to `count` items from `key`'s list as [key, [items]] and
 * propagates it as LPOP/RPOP key n (Redis replicates every [B]LMPOP so).
 */
export function mpopFrom(ctx: Ctx, key: string, end: End, count: number): Reply {
  const l = writeList(ctx, key) ?? fail(Errors.wrongType);
  const items = popMany(l, end, count);
  elementsRemoved(ctx, key, end, l, items.length);
  ctx.propagate([end === "left" ? "LPOP" : "RPOP", key, String(items.length)]);
  return [key, items];
}

/** The first key (in argument order) holding a non-empty list; WRONGTYPE on the way stops the search. */
export function firstNonEmpty(ctx: Ctx, keys: readonly string[]): string | null {
  for (const key of keys) {
    const l = writeList(ctx, key);
    if (l !== undefined && l.length > 0) return key;
  }
  return null;
}

export function lmpopCommand(ctx: Ctx): Reply {
  const a = parseMpop(ctx, 1);
  const key = firstNonEmpty(ctx, a.keys);
  return key === null ? NULL_ARRAY : mpopFrom(ctx, key, a.end, a.count);
}

/** LMPOP / BLMPOP keys: numkeys at `numkeysIdx`, then the keys (Redis's lmpopGetKeys). */
export function mpopKeys(numkeysIdx: number): (argv: string[]) => number[] {
  return (argv) => {
    const n = parseInt64(argv[numkeysIdx] ?? "");
    if (n === null || n < 1n || numkeysIdx + Number(n) >= argv.length) return [];
    return Array.from({ length: Number(n) }, (_, i) => numkeysIdx + 1 + i);
  };
}
