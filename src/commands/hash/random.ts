/**
 * HRANDFIELD (Redis's hrandfieldCommand). Without a count: one random
 * field. A negative count allows repeats and answers in random order; a
 * positive one returns distinct fields: the whole hash when it asks for at
 * least that many (in the hash's own order), else a sample.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { parseInt64 } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import type { Reply } from "../../resp/reply.ts";
import type { PairVisitor } from "../../store/hash.ts";
import { readHash } from "./access.ts";

const LONG_MAX = 9223372036854775807n;
/**
 * Redis streams a huge repeated sample until memory runs out; respd builds
 * each reply whole, so it refuses one past this many elements instead.
 */
const MAX_REPLY_ELEMENTS = 1 << 26;

/** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX). */
function countArg(s: string): bigint {
  const v = parseInt64(s);
  if (v === null) fail(Errors.notInteger);
  if (v < -LONG_MAX) fail(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`);
  return v;
}

export function hrandfieldCommand(ctx: Ctx): Reply {
  const argc = ctx.argv.length;
  if (argc >= 3) {
    const count = countArg(ctx.arg(2));
    if (argc > 4 || (argc === 4 && asciiLower(ctx.arg(3)) !== "withvalues")) fail(Errors.syntax);
    const withValues = argc === 4;
    // Pairs double the reply length, which must still fit a long.
    if (withValues && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) fail("ERR value is out of range");
    return withCount(ctx, count, withValues);
  }
  const hash = readHash(ctx, ctx.arg(1));
  if (hash === undefined) return null;
  let field: string | null = null;
  hash.random((f) => {
    field = f;
  });
  return field;
}

function withCount(ctx: Ctx, requested: bigint, withValues: boolean): Reply {
  const hash = readHash(ctx, ctx.arg(1));
  if (hash === undefined || requested === 0n) return [];
  const unique = requested > 0n;
  const abs = unique ? requested : -requested;
  const out: Reply[] = [];
  let push: PairVisitor;
  if (!withValues) push = (f) => out.push(f);
  // RESP3 nests each pair; RESP2 flattens them (the reply shape Redis picks by protocol).
  else if (ctx.client.protocol === 3) push = (f, v) => out.push([f, v]);
  else push = (f, v) => out.push(f, v);
  const size = hash.size;
  if (!unique || abs === 1n) {
    if (abs * (withValues ? 2n : 1n) > BigInt(MAX_REPLY_ELEMENTS)) fail("ERR HRANDFIELD count is too large for one reply");
    for (let n = Number(abs); n > 0; n--) hash.random(push);
  } else if (abs >= BigInt(size)) hash.each(push);
  else hash.sample(Number(abs), push);
  return out;
}
