/** XRANGE and XREVRANGE (with `(` exclusive bounds and COUNT). */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { EMPTY_ARRAY, NULL_ARRAY, type Reply } from "../../resp/reply.ts";
import { decrId, INVALID_ID, incrId, parseId, type StreamId, U64_MAX } from "../../store/stream/id.ts";
import { entryReply, readStream } from "./common.ts";

/** streamParseIntervalIDOrReply: `(` makes the bound exclusive (and strict: no `-`/`+` after it). */
function intervalId(s: string, missingSeq: bigint): { id: StreamId; exclusive: boolean } {
  const exclusive = s.length > 1 && s[0] === "(";
  const p = exclusive ? parseId(s.slice(1), missingSeq, true) : parseId(s, missingSeq, false);
  if (p === null) fail(INVALID_ID);
  return { id: p.id, exclusive };
}

function xrangeGeneric(ctx: Ctx, rev: boolean): Reply {
  const argv = ctx.argv;
  const startArg = rev ? ctx.arg(3) : ctx.arg(2);
  const endArg = rev ? ctx.arg(2) : ctx.arg(3);
  const st = intervalId(startArg, 0n);
  let start: StreamId | null = st.id;
  if (st.exclusive) {
    start = incrId(st.id);
    if (start === null) fail("ERR invalid start ID for the interval");
  }
  const en = intervalId(endArg, U64_MAX);
  let end: StreamId | null = en.id;
  if (en.exclusive) {
    end = decrId(en.id);
    if (end === null) fail("ERR invalid end ID for the interval");
  }
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (asciiLower(argv[j] as string) === "count" && argv.length - j - 1 >= 1) {
      count = intArg(argv[j + 1] as string);
      if (count < 0) count = 0;
      j++;
    } else fail(Errors.syntax);
  }
  const s = readStream(ctx, ctx.arg(1));
  if (!s) return EMPTY_ARRAY;
  if (count === 0) return NULL_ARRAY;
  const out: Reply[] = [];
  s.scan(start, end, rev, (e) => {
    out.push(entryReply(s, e));
    return count === -1 || out.length < count;
  });
  return out;
}

export const xrangeCommand = (ctx: Ctx) => xrangeGeneric(ctx, false);
export const xrevrangeCommand = (ctx: Ctx) => xrangeGeneric(ctx, true);
