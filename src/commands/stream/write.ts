/**
 * XADD, XTRIM, XDEL, XSETID and XLEN. Approximate trims are propagated as
 * exact ones with the threshold they reached (MAXLEN = <length>, MINID =
 * <first id>), and XADD with an auto or partial ID as the ID it got, so
 * replicas and the AOF end with the same stream.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { OK, type Reply } from "../../resp/reply.ts";
import { formatId, ID_MAX, INVALID_ID, makeId, msOf, parseId, type StreamId, U64_MAX } from "../../store/stream/id.ts";
import type { StreamValue } from "../../store/stream/stream.ts";
import { createStream, idArg, mustObey, nodeLimits, readStream, writeStream } from "./common.ts";

interface TrimArgs {
  strategy: "none" | "maxlen" | "minid";
  approx: boolean;
  limit: number;
  maxlen: number;
  minid: StreamId;
  /** argv index of the threshold (for the propagation rewrite). */
  argIdx: number;
  // XADD only
  id: StreamId;
  idGiven: boolean;
  seqGiven: boolean;
  noMkstream: boolean;
}

/** streamParseAddOrTrimArgsOrReply; returns the args and the ID's position (XADD). */
function parseTrimArgs(ctx: Ctx, xadd: boolean): { a: TrimArgs; idPos: number } {
  const argv = ctx.argv;
  const a: TrimArgs = {
    strategy: "none",
    approx: false,
    limit: 0,
    maxlen: 0,
    minid: 0n,
    argIdx: 0,
    id: 0n,
    idGiven: false,
    seqGiven: true,
    noMkstream: false,
  };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i] as string;
    const lower = asciiLower(opt);
    if (xadd && opt === "*") break;
    if ((lower === "maxlen" || lower === "minid") && more) {
      if (a.strategy !== "none") fail("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      a.approx = false;
      const next = argv[i + 1] as string;
      if (more >= 2 && next === "~") {
        a.approx = true;
        i++;
      } else if (more >= 2 && next === "=") i++;
      if (lower === "maxlen") {
        a.maxlen = intArg(argv[i + 1] as string);
        if (a.maxlen < 0) fail("ERR The MAXLEN argument must be >= 0.");
      } else {
        const p = parseId(argv[i + 1] as string, 0n, true);
        if (p === null) fail(INVALID_ID);
        a.minid = p.id;
      }
      i++;
      a.strategy = lower;
      a.argIdx = i;
    } else if (lower === "limit" && more) {
      a.limit = intArg(argv[i + 1] as string);
      if (a.limit < 0) fail("ERR The LIMIT argument must be >= 0.");
      limitGiven = true;
      i++;
    } else if (xadd && lower === "nomkstream") {
      a.noMkstream = true;
    } else if (xadd) {
      const p = parseId(opt, 0n, true, true);
      if (p === null) fail(INVALID_ID);
      a.id = p.id;
      a.seqGiven = p.seqGiven;
      a.idGiven = true;
      break;
    } else fail(Errors.syntax);
  }
  if (a.limit && a.strategy === "none") fail("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  if (!xadd && a.strategy === "none") fail("ERR syntax error, XTRIM must be called with a trimming strategy");
  if (mustObey(ctx)) a.limit = 0;
  else if (limitGiven) {
    if (!a.approx) fail("ERR syntax error, LIMIT cannot be used without the special ~ option");
  } else if (a.approx) {
    const perNode = ctx.engine.config.num("stream-node-max-entries");
    a.limit = 100 * perNode;
    if (a.limit <= 0) a.limit = 10000;
    if (a.limit > 1000000) a.limit = 1000000;
  } else a.limit = 0;
  return { a, idPos: i };
}

function runTrim(s: StreamValue, a: TrimArgs): number {
  if (a.strategy === "none") return 0;
  return a.strategy === "maxlen"
    ? s.trim({ maxlen: a.maxlen, approx: a.approx, limit: a.limit })
    : s.trim({ minid: a.minid, approx: a.approx, limit: a.limit });
}

/** streamRewriteApproxSpecifier + streamRewriteTrimArgument on the propagated argv. */
function rewriteTrim(argv: string[], s: StreamValue, a: TrimArgs): void {
  argv[a.argIdx - 1] = "=";
  argv[a.argIdx] = a.strategy === "maxlen" ? String(s.length) : formatId(s.edgeId(true, false));
}

export function xaddCommand(ctx: Ctx): Reply {
  const { a, idPos } = parseTrimArgs(ctx, true);
  const fieldPos = idPos + 1;
  const n = ctx.argv.length - fieldPos;
  if (n < 2 || n % 2 === 1) fail(Errors.wrongArgs("xadd"));
  if (a.idGiven && a.seqGiven && a.id === 0n) fail("ERR The ID specified in XADD must be greater than 0-0");
  const key = ctx.arg(1);
  let s = writeStream(ctx, key);
  if (!s) {
    if (a.noMkstream) return null;
    s = createStream(ctx, key);
  }
  if (s.lastId === ID_MAX) fail("ERR The stream has exhausted the last possible ID, unable to add more items");
  // streamAppendItem's ID choice.
  let id: StreamId;
  if (a.idGiven) {
    if (a.seqGiven) id = a.id;
    else if (msOf(s.lastId) === msOf(a.id)) {
      if ((s.lastId & U64_MAX) === U64_MAX) fail("ERR The ID specified in XADD is equal or smaller than the target stream top item");
      id = s.lastId + 1n;
    } else id = a.id;
  } else {
    const ms = BigInt(Date.now());
    id = ms > msOf(s.lastId) ? makeId(ms, 0n) : s.lastId + 1n;
  }
  if (id <= s.lastId) fail("ERR The ID specified in XADD is equal or smaller than the target stream top item");
  const fv = ctx.argv.slice(fieldPos);
  let tot = 0;
  for (const f of fv) tot += f.length;
  if (tot > 1 << 30) fail("ERR Elements are too large to be stored");
  s.append(id, fv, nodeLimits(ctx));
  const idText = formatId(id);
  ctx.touched(key);
  ctx.notify("t", "xadd", key);
  ctx.dirty();
  let out: string[] | null = null;
  if (a.strategy !== "none") {
    if (runTrim(s, a)) ctx.notify("t", "xtrim", key);
    if (a.approx) {
      out = [...ctx.argv];
      rewriteTrim(out, s, a);
    }
  }
  if (!a.idGiven || !a.seqGiven) {
    out ??= [...ctx.argv];
    out[idPos] = idText;
  }
  if (out !== null) ctx.propagate(out);
  return idText;
}

export function xtrimCommand(ctx: Ctx): Reply {
  const { a } = parseTrimArgs(ctx, false);
  const key = ctx.arg(1);
  const s = writeStream(ctx, key);
  if (!s) return 0;
  const deleted = runTrim(s, a);
  if (deleted) {
    ctx.notify("t", "xtrim", key);
    if (a.approx) {
      const out = [...ctx.argv];
      rewriteTrim(out, s, a);
      ctx.propagate(out);
    }
    ctx.touched(key);
    ctx.dirty(deleted);
  }
  return deleted;
}

export function xdelCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const s = writeStream(ctx, key);
  if (!s) return 0;
  const ids = ctx.argv.slice(2).map((x) => idArg(x, 0n, true));
  let deleted = 0;
  let firstEntry = false;
  for (const id of ids) {
    if (!s.deleteId(id)) continue;
    if (id === s.firstId) firstEntry = true;
    if (id > s.maxDeletedId) s.maxDeletedId = id;
    deleted++;
  }
  if (deleted) {
    if (s.length === 0) s.firstId = 0n;
    else if (firstEntry) s.firstId = s.edgeId(true, true);
    ctx.touched(key);
    ctx.notify("t", "xdel", key);
    ctx.dirty(deleted);
  }
  return deleted;
}

export function xlenCommand(ctx: Ctx): Reply {
  return readStream(ctx, ctx.arg(1))?.length ?? 0;
}

export function xsetidCommand(ctx: Ctx): Reply {
  const argv = ctx.argv;
  const id = idArg(ctx.arg(2), 0n, true);
  let entriesAdded = -1;
  let maxXdel = 0n;
  for (let i = 3; i < argv.length; ) {
    const more = argv.length - 1 - i;
    const opt = asciiLower(argv[i] as string);
    if (opt === "entriesadded" && more) {
      entriesAdded = intArg(argv[i + 1] as string);
      if (entriesAdded < 0) fail("ERR entries_added must be positive");
      i += 2;
    } else if (opt === "maxdeletedid" && more) {
      maxXdel = idArg(argv[i + 1] as string, 0n, true);
      if (id < maxXdel) fail("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      i += 2;
    } else fail(Errors.syntax);
  }
  const key = ctx.arg(1);
  const s = writeStream(ctx, key);
  if (!s) fail(Errors.noSuchKey);
  if (s.length > 0) {
    if (id < s.lastValidId()) fail("ERR The ID specified in XSETID is smaller than the target stream top item");
    if (entriesAdded !== -1 && s.length > entriesAdded)
      fail("ERR The entries_added specified in XSETID is smaller than the target stream length");
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxXdel !== 0n) s.maxDeletedId = maxXdel;
  ctx.dirty();
  ctx.notify("t", "xsetid", key);
  return OK;
}
