/**
 * Redis's streamReplyWithRange with a consumer group: delivering entries
 * moves the group's last ID and entries-read counter and records each
 * delivery in the group's and the consumer's PEL. Replicas and the AOF
 * learn of it as Redis tells them: an XCLAIM ... FORCE JUSTID LASTID per
 * delivered entry, an XGROUP SETID when NOACK moved the last ID, an
 * XGROUP CREATECONSUMER when NOACK created the consumer.
 */
import type { Ctx } from "../../engine/context.ts";
import { NULL_ARRAY, type Reply } from "../../resp/reply.ts";
import { Consumer, type ConsumerGroup, INVALID_ENTRIES_READ, type Nack } from "../../store/stream/group.ts";
import { formatId, ID_MAX, type StreamId } from "../../store/stream/id.ts";
import type { StreamValue } from "../../store/stream/stream.ts";
import { entryReply } from "./common.ts";

/** Stops the command's own argv from being propagated (it propagates its effects instead). */
export function preventPropagation(ctx: Ctx): void {
  if (ctx.propagated === null) ctx.propagated = [];
}

/** streamLookupConsumer (refreshing its seen time unless told not to). */
export function lookupConsumer(ctx: Ctx, g: ConsumerGroup, name: string, refresh = true): Consumer | undefined {
  const c = g.consumers.get(name);
  if (c && refresh) c.seenTime = ctx.now;
  return c;
}

/** streamCreateConsumer: undefined when it exists; counts a change and notifies unless told not to. */
export function createConsumer(ctx: Ctx, g: ConsumerGroup, name: string, key: string, notify = true): Consumer | undefined {
  if (g.consumers.has(name)) return undefined;
  const c = new Consumer(name, ctx.now);
  g.consumers.set(name, c);
  if (notify) {
    ctx.dirty();
    ctx.notify("t", "xgroup-createconsumer", key);
  }
  return c;
}

/** The consumer for XREADGROUP, created when new (propagated as CREATECONSUMER under NOACK). */
export function consumerFor(ctx: Ctx, g: ConsumerGroup, name: string, key: string, groupName: string, noack: boolean): Consumer {
  const found = lookupConsumer(ctx, g, name);
  if (found) return found;
  const c = createConsumer(ctx, g, name, key) as Consumer;
  if (noack) ctx.propagate(["XGROUP", "CREATECONSUMER", key, groupName, name]);
  return c;
}

/** streamPropagateXCLAIM; the ID goes as given (XCLAIM passes its argument as the client wrote it). */
export function propagateClaim(ctx: Ctx, key: string, g: ConsumerGroup, groupName: string, id: StreamId | string, nack: Nack): void {
  ctx.propagate([
    "XCLAIM",
    key,
    groupName,
    nack.consumer.name,
    "0",
    typeof id === "string" ? id : formatId(id),
    "TIME",
    String(nack.deliveryTime),
    "RETRYCOUNT",
    String(nack.deliveryCount),
    "FORCE",
    "JUSTID",
    "LASTID",
    formatId(g.lastId),
  ]);
}

/** streamPropagateGroupID */
export function propagateGroupId(ctx: Ctx, key: string, g: ConsumerGroup, groupName: string): void {
  ctx.propagate(["XGROUP", "SETID", key, groupName, formatId(g.lastId), "ENTRIESREAD", String(g.entriesRead)]);
}

/** New entries from `start` on (count 0 = all) for a consumer of `g`. */
export function deliverNew(
  ctx: Ctx,
  key: string,
  s: StreamValue,
  start: StreamId,
  count: number,
  g: ConsumerGroup,
  groupName: string,
  consumer: Consumer,
  noack: boolean,
): Reply[] {
  const out: Reply[] = [];
  let propagateLastId = false;
  s.scan(start, ID_MAX, false, (e) => {
    if (e.id > g.lastId) {
      if (g.entriesRead !== INVALID_ENTRIES_READ && !s.rangeHasTombstones(e.id, ID_MAX)) g.entriesRead++;
      else if (s.entriesAdded) g.entriesRead = s.estimateDistance(e.id) ?? INVALID_ENTRIES_READ;
      g.lastId = e.id;
      if (noack) propagateLastId = true;
    }
    out.push(entryReply(s, e));
    if (!noack) {
      let nack: Nack = { deliveryTime: ctx.now, deliveryCount: 1, consumer };
      if (g.pel.insert(e.id, nack)) consumer.pel.insert(e.id, nack);
      else {
        // Already pending (XGROUP SETID moved the group back): it changes hands.
        nack = g.pel.get(e.id) as Nack;
        nack.consumer.pel.remove(e.id);
        nack.consumer = consumer;
        nack.deliveryTime = ctx.now;
        nack.deliveryCount = 1;
        consumer.pel.insert(e.id, nack);
      }
      propagateClaim(ctx, key, g, groupName, e.id, nack);
    }
    return count === 0 || out.length < count;
  });
  if (propagateLastId) propagateGroupId(ctx, key, g, groupName);
  return out;
}

/** streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries from `start` on. */
export function deliverHistory(ctx: Ctx, s: StreamValue, start: StreamId, count: number, consumer: Consumer): Reply[] {
  const out: Reply[] = [];
  consumer.pel.from(start, (id, nack) => {
    if (count && out.length >= count) return false;
    const e = s.find(id);
    if (!e) out.push([formatId(id), NULL_ARRAY]);
    else {
      out.push(entryReply(s, e));
      nack.deliveryTime = ctx.now;
      nack.deliveryCount++;
    }
    return true;
  });
  return out;
}
