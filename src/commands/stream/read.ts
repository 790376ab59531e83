/**
 * XREAD and XREADGROUP. Served at once when some stream has entries past
 * the ID asked for; else, with BLOCK, the client waits (src/engine/blocking.ts)
 * and is tried again whenever one of its keys is touched. A waiting
 * XREADGROUP learns that its group or key went away (NOGROUP / UNBLOCKED),
 * as Redis tells it. Neither command propagates its argv: XREADGROUP
 * propagates what it did to the group (see ./deliver.ts).
 */
import { Blocked } from "../../engine/blocking.ts";
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { cString } from "../../resp/bytes.ts";
import { ErrorReply, MapReply, NULL_ARRAY, type Reply } from "../../resp/reply.ts";
import type { ConsumerGroup } from "../../store/stream/group.ts";
import { ID_MAX, INVALID_ID, parseId, type StreamId } from "../../store/stream/id.ts";
import { StreamValue } from "../../store/stream/stream.ts";
import { isInMulti } from "../list/blocking.ts";
import { entryReply, readStream } from "./common.ts";
import { consumerFor, deliverHistory, deliverNew, preventPropagation } from "./deliver.ts";

/** XREAD_BLOCKED_DEFAULT_COUNT: a served waiter with no COUNT gets at most this many. */
const BLOCKED_DEFAULT_COUNT = 1000;

interface ReadArgs {
  timeout: number; // -1: no BLOCK
  count: number;
  streamsArg: number;
  streamsCount: number;
  noack: boolean;
  group: string | null;
  consumer: string | null;
}

function parseRead(ctx: Ctx, xreadgroup: boolean): ReadArgs {
  const argv = ctx.argv;
  const a: ReadArgs = { timeout: -1, count: 0, streamsArg: 0, streamsCount: 0, noack: false, group: null, consumer: null };
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = asciiLower(argv[i] as string);
    if (o === "block" && more) {
      i++;
      a.timeout = intArg(argv[i] as string, "ERR timeout is not an integer or out of range");
      if (a.timeout < 0) fail("ERR timeout is negative");
    } else if (o === "count" && more) {
      i++;
      a.count = intArg(argv[i] as string);
      if (a.count < 0) a.count = 0;
    } else if (o === "streams" && more) {
      a.streamsArg = i + 1;
      const n = argv.length - a.streamsArg;
      if (n % 2 !== 0) fail("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      a.streamsCount = n / 2;
      break;
    } else if (o === "group" && more >= 2) {
      if (!xreadgroup) fail("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      a.group = argv[i + 1] as string;
      a.consumer = argv[i + 2] as string;
      i += 2;
    } else if (o === "noack") {
      if (!xreadgroup) fail("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      a.noack = true;
    } else fail(Errors.syntax);
  }
  if (a.streamsArg === 0) fail(Errors.syntax);
  if (xreadgroup && a.group === null) fail("ERR Missing GROUP option for XREADGROUP");
  return a;
}

/** The keys of an XREAD/XREADGROUP: the first half of what follows STREAMS. */
export function xreadKeys(argv: string[]): number[] {
  for (let i = 1; i < argv.length; i++) {
    const o = asciiLower(argv[i] as string);
    if (o === "streams") {
      const n = Math.floor((argv.length - i - 1) / 2);
      return Array.from({ length: n }, (_, k) => i + 1 + k);
    }
    if (o === "block" || o === "count") i++;
    else if (o === "group") i += 2;
  }
  return [];
}

/** The reply's outer shape: [[key, entries], ...] in RESP2, a map in RESP3. */
function shape(ctx: Ctx, pairs: [string, Reply[]][]): Reply {
  if (ctx.client.protocol === 3) return new MapReply(pairs.flat());
  return pairs;
}

function xreadGeneric(ctx: Ctx, xreadgroup: boolean): Reply | Blocked {
  const a = parseRead(ctx, xreadgroup);
  const argv = ctx.argv;
  const keys = argv.slice(a.streamsArg, a.streamsArg + a.streamsCount);
  const ids: StreamId[] = [];
  const groups: (ConsumerGroup | null)[] = [];
  for (let k = 0; k < a.streamsCount; k++) {
    const key = keys[k] as string;
    const idArg = argv[a.streamsArg + a.streamsCount + k] as string;
    const s = readStream(ctx, key);
    let g: ConsumerGroup | null = null;
    if (a.group !== null) {
      g = s?.groups?.get(a.group) ?? null;
      if (!s || !g) fail(`NOGROUP No such key '${cString(key)}' or consumer group '${cString(a.group)}' in XREADGROUP with GROUP option`);
    }
    groups.push(g);
    if (idArg === "$") {
      if (xreadgroup)
        fail(
          "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
        );
      ids.push(s ? s.lastId : 0n);
      continue;
    }
    if (idArg === ">") {
      if (!xreadgroup) fail("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
      ids.push(ID_MAX);
      continue;
    }
    const p = parseId(idArg, 0n, true);
    if (p === null) fail(INVALID_ID);
    ids.push(p.id);
  }
  preventPropagation(ctx);
  const served: [string, Reply[]][] = [];
  for (let k = 0; k < a.streamsCount; k++) {
    const key = keys[k] as string;
    // Looked up again, as Redis does (so hits and misses count twice).
    const v = ctx.read(key);
    if (!(v instanceof StreamValue)) continue;
    const s = v;
    let gt = ids[k] as StreamId;
    const g = groups[k] ?? null;
    let sync = false;
    let history = false;
    if (g) {
      if (gt !== ID_MAX) {
        sync = true;
        history = true;
      } else if (s.length && s.lastValidId() > g.lastId) {
        sync = true;
        gt = g.lastId;
      }
    } else if (s.length && s.lastValidId() > gt) sync = true;
    if (!sync) continue;
    const start = gt === ID_MAX ? ID_MAX : gt + 1n;
    if (g) {
      const consumer = consumerFor(ctx, g, a.consumer as string, key, a.group as string, a.noack);
      const entries = history
        ? deliverHistory(ctx, s, start, a.count, consumer)
        : deliverNew(ctx, key, s, start, a.count, g, a.group as string, consumer, a.noack);
      served.push([key, entries]);
      ctx.dirty();
    } else {
      const entries: Reply[] = [];
      s.scan(start, ID_MAX, false, (e) => {
        entries.push(entryReply(s, e));
        return a.count === 0 || entries.length < a.count;
      });
      served.push([key, entries]);
    }
  }
  if (served.length) return shape(ctx, served);
  if (a.timeout === -1 || isInMulti(ctx)) return NULL_ARRAY;
  const waitCount = a.count || BLOCKED_DEFAULT_COUNT;
  const blocked = new Blocked(
    keys,
    a.timeout,
    (c, readyKey) => serveWaiter(c, a, keys, ids, waitCount, readyKey),
    () => NULL_ARRAY,
  );
  blocked.servesInOrder = false;
  return blocked;
}

/** serveClientsBlockedOnStreamKey / unblockDeletedStreamReadgroupClients for one waiter. */
function serveWaiter(ctx: Ctx, a: ReadArgs, keys: string[], ids: StreamId[], count: number, readyKey?: string): Reply | undefined {
  preventPropagation(ctx);
  for (const key of readyKey !== undefined && keys.includes(readyKey) ? [readyKey] : keys) {
    const v = ctx.db.lookup(key, ctx.now, false);
    if (!(v instanceof StreamValue)) {
      if (a.group !== null && readyKey !== undefined) return new ErrorReply("UNBLOCKED the stream key no longer exists");
      continue;
    }
    const s = v;
    let gt = ids[keys.indexOf(key)] as StreamId;
    if (a.group !== null) {
      const g = s.groups?.get(a.group);
      if (!g) return new ErrorReply("NOGROUP the consumer group this client was blocked on no longer exists");
      gt = g.lastId;
      if (!(s.lastId > gt)) continue;
      const consumer = consumerFor(ctx, g, a.consumer as string, key, a.group, a.noack);
      const entries = deliverNew(ctx, key, s, gt + 1n, count, g, a.group, consumer, a.noack);
      return shape(ctx, [[key, entries]]);
    }
    if (!(s.lastId > gt)) continue;
    const entries: Reply[] = [];
    s.scan(gt + 1n, ID_MAX, false, (e) => {
      entries.push(entryReply(s, e));
      return entries.length < count;
    });
    return shape(ctx, [[key, entries]]);
  }
  return undefined;
}

export const xreadCommand = (ctx: Ctx) => xreadGeneric(ctx, false);
export const xreadgroupCommand = (ctx: Ctx) => xreadGeneric(ctx, true);
