/**
 * Random access: SPOP and SRANDMEMBER, with Redis 7.0's strategies so the
 * distinctness rules, reply types and propagation match: SPOP is propagated
 * as SREM of each popped member, or as DEL when the whole set goes.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { int64Arg, intArg } from "../../engine/numbers.ts";
import { type Reply, SetReply } from "../../resp/reply.ts";
import { SetValue } from "../../store/set.ts";
import { unionMembers } from "./algebra.ts";
import { deleteIfEmpty, maxIntset, readSet, writeSet } from "./common.ts";

/** SPOP_MOVE_STRATEGY_MUL: pop one by one while the remainder is this many times the count. */
const SPOP_MOVE_STRATEGY_MUL = 5;
/** SRANDMEMBER_SUB_STRATEGY_MUL: copy-and-remove when the set is at most this many times the count. */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;
/**
 * Redis streams a negative-count SRANDMEMBER reply of any length; we build it
 * in memory, so a count beyond this is refused instead of exhausting the heap.
 */
const MAX_REPEATED_PICKS = 1 << 24;

const INT64_MIN = -9223372036854775808n;

export function spopCommand(ctx: Ctx): Reply {
  if (ctx.argv.length === 3) return spopWithCount(ctx);
  if (ctx.argv.length > 3) fail(Errors.syntax);
  const key = ctx.arg(1);
  const set = writeSet(ctx, key);
  if (set === undefined) return null;
  const member = set.pop();
  ctx.notify("s", "spop", key);
  ctx.propagate(["SREM", key, member]);
  deleteIfEmpty(ctx, key, set);
  ctx.touched(key);
  ctx.dirty();
  return member;
}

function spopWithCount(ctx: Ctx): Reply {
  const positive = "ERR value is out of range, must be positive";
  const count = intArg(ctx.arg(2), positive);
  if (count < 0) fail(positive);
  const key = ctx.arg(1);
  const set = writeSet(ctx, key);
  if (set === undefined || count === 0) return new SetReply([]);
  const size = set.size;
  ctx.notify("s", "spop", key);
  ctx.dirty(Math.min(count, size));
  if (count >= size) {
    // The whole set goes: the reply is built like SUNION of the one key.
    const all = unionMembers(ctx, [set]);
    ctx.db.delete(key);
    ctx.notify("g", "del", key);
    ctx.propagate(["DEL", key]);
    ctx.touched(key);
    return new SetReply(all);
  }
  const out: string[] = [];
  let remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) out.push(set.pop());
  } else {
    // Popping most of the set: move the few survivors to a new set and return the old one.
    const max = maxIntset(ctx);
    let kept: SetValue | null = null;
    for (; remaining > 0; remaining--) {
      const m = set.pop();
      kept ??= SetValue.forMember(m);
      kept.add(m, max);
    }
    for (const m of set) out.push(m);
    // dbOverwrite: the TTL stays.
    ctx.db.set(key, kept as SetValue, ctx.now, true);
  }
  for (const m of out) ctx.propagate(["SREM", key, m]);
  ctx.touched(key);
  return new SetReply(out);
}

export function srandmemberCommand(ctx: Ctx): Reply {
  if (ctx.argv.length === 3) return srandmemberWithCount(ctx);
  if (ctx.argv.length > 3) fail(Errors.syntax);
  const set = readSet(ctx, ctx.arg(1));
  return set === undefined ? null : set.random();
}

function srandmemberWithCount(ctx: Ctx): Reply {
  const l = int64Arg(ctx.arg(2));
  if (l === INT64_MIN) fail("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
  const unique = l >= 0n;
  const count = Number(unique ? l : -l);
  const set = readSet(ctx, ctx.arg(1));
  if (set === undefined || count === 0) return [];
  const size = set.size;
  if (!unique || count === 1) {
    // Independent picks: repeats allowed, the only case whose order is random too.
    if (count > MAX_REPEATED_PICKS) fail(`ERR count is too large (at most ${MAX_REPEATED_PICKS} repeated members)`);
    const out: string[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = set.random();
    return out;
  }
  if (count >= size) return set.toArray();
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // Most of the set: copy it and drop random members until `count` remain.
    const all = set.toArray();
    for (let n = all.length; n > count; n--) {
      const i = (Math.random() * n) | 0;
      all[i] = all[n - 1] as string;
    }
    all.length = count;
    return all;
  }
  // A small part of a big set: random picks until `count` distinct ones.
  const picked = new Set<string>();
  while (picked.size < count) picked.add(set.random());
  return [...picked];
}
