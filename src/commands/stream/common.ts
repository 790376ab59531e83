/** Shared pieces of the stream commands: typed lookups, ID arguments, entry replies. */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import type { Reply } from "../../resp/reply.ts";
import { formatId, INVALID_ID, parseId, type StreamId } from "../../store/stream/id.ts";
import { type EntryRef, type NodeLimits, StreamValue } from "../../store/stream/stream.ts";

/** The stream at `key` for reading (lookupKeyRead + checkType). */
export function readStream(ctx: Ctx, key: string): StreamValue | undefined {
  const v = ctx.read(key);
  if (v === undefined) return undefined;
  if (!(v instanceof StreamValue)) fail(Errors.wrongType);
  return v;
}

/** The stream at `key` for writing (lookupKeyWrite + checkType). */
export function writeStream(ctx: Ctx, key: string): StreamValue | undefined {
  const v = ctx.write(key);
  if (v === undefined) return undefined;
  if (!(v instanceof StreamValue)) fail(Errors.wrongType);
  return v;
}

/** dbAdd of a new empty stream. */
export function createStream(ctx: Ctx, key: string): StreamValue {
  const s = new StreamValue();
  ctx.db.set(key, s, ctx.now);
  ctx.notify("n", "new", key);
  return s;
}

/** streamParseIDOrReply (strict: no `-`/`+`). */
export function idArg(s: string, missingSeq = 0n, strict = false): StreamId {
  const p = parseId(s, missingSeq, strict);
  if (p === null) fail(INVALID_ID);
  return p.id;
}

export function nodeLimits(ctx: Ctx): NodeLimits {
  return { maxBytes: ctx.engine.config.num("stream-node-max-bytes"), maxEntries: ctx.engine.config.num("stream-node-max-entries") };
}

/** One entry as replies show it: [id, [field, value, ...]]. */
export function entryReply(s: StreamValue, e: EntryRef): Reply {
  return [formatId(e.id), s.fieldsOf(e)];
}

/** Redis's mustObeyClient: the master link and the AOF loader replay what was already decided. */
export function mustObey(ctx: Ctx): boolean {
  return ctx.client.extraFlags.includes("M") || ctx.client.id === 0;
}
