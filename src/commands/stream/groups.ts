/** XGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM: consumer groups and their pending entries. */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { cString } from "../../resp/bytes.ts";
import { NULL_ARRAY, OK, type Reply } from "../../resp/reply.ts";
import { type Consumer, ConsumerGroup, INVALID_ENTRIES_READ, type Nack } from "../../store/stream/group.ts";
import { decrId, formatId, INVALID_ID, incrId, parseId, type StreamId, U64_MAX } from "../../store/stream/id.ts";
import type { StreamValue } from "../../store/stream/stream.ts";
import { helpReply } from "../help.ts";
import { createStream, entryReply, idArg, readStream, writeStream } from "./common.ts";
import { createConsumer, lookupConsumer, preventPropagation, propagateClaim, propagateGroupId } from "./deliver.ts";

const XGROUP_HELP = [
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
];

export function xgroupHelpCommand(_ctx: Ctx): Reply {
  return helpReply("XGROUP", XGROUP_HELP);
}

/** The common prologue of XGROUP's subcommands (options, key, group). */
function xgroupPrologue(ctx: Ctx, sub: string) {
  const argv = ctx.argv;
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  const create = sub === "create";
  const setid = sub === "setid";
  for (let i = 5; i < argv.length; ) {
    const o = asciiLower(argv[i] as string);
    if (create && o === "mkstream") {
      mkstream = true;
      i++;
    } else if ((create || setid) && o === "entriesread" && i + 1 < argv.length) {
      entriesRead = intArg(argv[i + 1] as string);
      if (entriesRead < 0 && entriesRead !== INVALID_ENTRIES_READ) fail("ERR value for ENTRIESREAD must be positive or -1");
      i += 2;
    } else fail(Errors.subcommandSyntax(argv));
  }
  const key = ctx.arg(2);
  const s = writeStream(ctx, key);
  const groupName = ctx.arg(3);
  let g: ConsumerGroup | undefined;
  if (!mkstream) {
    if (!s)
      fail(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
      );
    g = s.groups?.get(groupName);
    if (!g && sub !== "create" && sub !== "destroy")
      fail(`NOGROUP No such consumer group '${cString(groupName)}' for key name '${cString(key)}'`);
  }
  return { key, s, groupName, g, mkstream, entriesRead };
}

export function xgroupCreateCommand(ctx: Ctx): Reply {
  const argv = ctx.argv;
  if (argv.length > 8) fail(Errors.subcommandSyntax(argv));
  const p = xgroupPrologue(ctx, "create");
  let id: StreamId;
  if (ctx.arg(4) === "$") id = p.s ? p.s.lastId : 0n;
  else id = idArg(ctx.arg(4), 0n, true);
  let s = p.s;
  if (!s) {
    s = createStream(ctx, p.key);
    ctx.touched(p.key);
  }
  if (!s.groups) s.groups = new Map();
  if (s.groups.has(p.groupName)) fail("BUSYGROUP Consumer Group name already exists");
  s.groups.set(p.groupName, new ConsumerGroup(p.groupName, id, p.entriesRead));
  ctx.dirty();
  ctx.notify("t", "xgroup-create", p.key);
  return OK;
}

export function xgroupSetidCommand(ctx: Ctx): Reply {
  const argv = ctx.argv;
  if (argv.length !== 5 && argv.length !== 7) fail(Errors.subcommandSyntax(argv));
  const p = xgroupPrologue(ctx, "setid");
  const s = p.s as StreamValue;
  const g = p.g as ConsumerGroup;
  const id = ctx.arg(4) === "$" ? s.lastId : idArg(ctx.arg(4));
  g.lastId = id;
  g.entriesRead = p.entriesRead;
  ctx.dirty();
  ctx.notify("t", "xgroup-setid", p.key);
  return OK;
}

export function xgroupDestroyCommand(ctx: Ctx): Reply {
  const p = xgroupPrologue(ctx, "destroy");
  const s = p.s as StreamValue;
  if (!p.g) return 0;
  s.groups?.delete(p.groupName);
  ctx.dirty();
  ctx.notify("t", "xgroup-destroy", p.key);
  // Waiting XREADGROUPs of this group learn it is gone.
  ctx.touched(p.key);
  return 1;
}

export function xgroupCreateConsumerCommand(ctx: Ctx): Reply {
  const p = xgroupPrologue(ctx, "createconsumer");
  return createConsumer(ctx, p.g as ConsumerGroup, ctx.arg(4), p.key) ? 1 : 0;
}

export function xgroupDelConsumerCommand(ctx: Ctx): Reply {
  const p = xgroupPrologue(ctx, "delconsumer");
  const g = p.g as ConsumerGroup;
  const c = lookupConsumer(ctx, g, ctx.arg(4), false);
  if (!c) return 0;
  const pending = c.pel.size;
  g.deleteConsumer(c);
  ctx.dirty();
  ctx.notify("t", "xgroup-delconsumer", p.key);
  return pending;
}

export function xackCommand(ctx: Ctx): Reply {
  const s = readStream(ctx, ctx.arg(1));
  const g = s?.groups?.get(ctx.arg(2));
  if (!s || !g) return 0;
  const ids = ctx.argv.slice(3).map((x) => idArg(x, 0n, true));
  let acked = 0;
  for (const id of ids) {
    const nack = g.pel.get(id);
    if (!nack) continue;
    g.pel.remove(id);
    nack.consumer.pel.remove(id);
    acked++;
    ctx.dirty();
  }
  return acked;
}

/** streamParseIntervalIDOrReply plus the incr/decr of exclusive bounds. */
function intervalBound(s: string, missingSeq: bigint, start: boolean): StreamId {
  const exclusive = s.length > 1 && s[0] === "(";
  const p = exclusive ? parseId(s.slice(1), missingSeq, true) : parseId(s, missingSeq, false);
  if (p === null) fail(INVALID_ID);
  if (!exclusive) return p.id;
  const moved = start ? incrId(p.id) : decrId(p.id);
  if (moved === null) fail(start ? "ERR invalid start ID for the interval" : "ERR invalid end ID for the interval");
  return moved;
}

export function xpendingCommand(ctx: Ctx): Reply {
  const argv = ctx.argv;
  const key = ctx.arg(1);
  const groupName = ctx.arg(2);
  const justInfo = argv.length === 3;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) fail(Errors.syntax);
  let start = 0n;
  let end = 0n;
  let count = 0;
  let minIdle = 0;
  let consumerName: string | null = null;
  if (argv.length >= 6) {
    let si = 3;
    if (asciiLower(ctx.arg(3)) === "idle") {
      minIdle = intArg(ctx.arg(4));
      if (argv.length < 8) fail(Errors.syntax);
      si += 2;
    }
    count = intArg(argv[si + 2] as string);
    if (count < 0) count = 0;
    start = intervalBound(argv[si] as string, 0n, true);
    end = intervalBound(argv[si + 1] as string, U64_MAX, false);
    if (si + 3 < argv.length) consumerName = argv[si + 3] as string;
  }
  const s = readStream(ctx, key);
  const g = s?.groups?.get(groupName);
  if (!s || !g) fail(`NOGROUP No such key '${cString(key)}' or consumer group '${cString(groupName)}'`);
  if (justInfo) {
    if (g.pel.size === 0) return [0, null, null, NULL_ARRAY];
    const consumers: Reply[] = [];
    for (const c of g.sortedConsumers()) if (c.pel.size) consumers.push([c.name, String(c.pel.size)]);
    return [g.pel.size, formatId(g.pel.ids[0] as StreamId), formatId(g.pel.ids[g.pel.size - 1] as StreamId), consumers];
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const c = lookupConsumer(ctx, g, consumerName, false);
    if (!c) return [];
    pel = c.pel;
  }
  const now = Date.now();
  const out: Reply[] = [];
  pel.from(start, (id, nack) => {
    if (!count || id > end) return false;
    if (minIdle && now - nack.deliveryTime < minIdle) return true;
    count--;
    out.push([formatId(id), nack.consumer.name, Math.max(0, now - nack.deliveryTime), nack.deliveryCount]);
    return true;
  });
  return out;
}

function noGroup(key: string, group: string): never {
  fail(`NOGROUP No such key '${cString(key)}' or consumer group '${cString(group)}'`);
}

/** Moves a pending entry to `consumer`'s PEL (a NACK that FORCE just made has no owner yet). */
function reassign(id: StreamId, nack: Nack, consumer: Consumer): void {
  if (nack.consumer === consumer) return;
  nack.consumer?.pel.remove(id);
  consumer.pel.insert(id, nack);
  nack.consumer = consumer;
}

export function xclaimCommand(ctx: Ctx): Reply {
  const argv = ctx.argv;
  const key = ctx.arg(1);
  const groupName = ctx.arg(2);
  const s = readStream(ctx, key);
  const g = s?.groups?.get(groupName);
  if (!s || !g) noGroup(key, groupName);
  let minIdle = intArg(ctx.arg(4), "ERR Invalid min-idle-time argument for XCLAIM");
  if (minIdle < 0) minIdle = 0;
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseId(argv[j] as string, 0n, true);
    if (p === null) break;
    ids.push(p.id);
  }
  const now = Date.now();
  let deliveryTime = -1;
  let retryCount = -1;
  let force = false;
  let justId = false;
  let lastId = 0n;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j] as string;
    const o = asciiLower(opt);
    if (o === "force") force = true;
    else if (o === "justid") justId = true;
    else if (o === "idle" && more) {
      j++;
      deliveryTime = now - intArg(argv[j] as string, "ERR Invalid IDLE option argument for XCLAIM");
    } else if (o === "time" && more) {
      j++;
      deliveryTime = intArg(argv[j] as string, "ERR Invalid TIME option argument for XCLAIM");
    } else if (o === "retrycount" && more) {
      j++;
      retryCount = intArg(argv[j] as string, "ERR Invalid RETRYCOUNT option argument for XCLAIM");
    } else if (o === "lastid" && more) {
      j++;
      lastId = idArg(argv[j] as string, 0n, true);
    } else fail(`ERR Unrecognized XCLAIM option '${cString(opt)}'`);
  }
  preventPropagation(ctx);
  let propagateLastId = false;
  if (lastId > g.lastId) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  if (deliveryTime !== -1) {
    if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  } else deliveryTime = now;
  let consumer: Consumer | undefined;
  const out: Reply[] = [];
  const name = ctx.arg(3);
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k] as StreamId;
    const idText = argv[5 + k] as string;
    let nack = g.pel.get(id);
    const e = s.find(id);
    if (!e) {
      if (nack) {
        propagateClaim(ctx, key, g, groupName, idText, nack);
        propagateLastId = false;
        ctx.dirty();
        g.pel.remove(id);
        nack.consumer.pel.remove(id);
      }
      continue;
    }
    let fresh = false;
    if (force && !nack) {
      nack = { deliveryTime: now, deliveryCount: 1, consumer: null as unknown as Consumer };
      g.pel.insert(id, nack);
      fresh = true;
    }
    if (!nack) continue;
    if (!fresh && minIdle && now - nack.deliveryTime < minIdle) continue;
    consumer ??= lookupConsumer(ctx, g, name) ?? (createConsumer(ctx, g, name, key) as Consumer);
    reassign(id, nack, consumer);
    nack.deliveryTime = deliveryTime;
    if (retryCount >= 0) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount++;
    out.push(justId ? formatId(id) : entryReply(s, e));
    propagateClaim(ctx, key, g, groupName, idText, nack);
    propagateLastId = false;
    ctx.dirty();
  }
  if (propagateLastId) {
    propagateGroupId(ctx, key, g, groupName);
    ctx.dirty();
  }
  return out;
}

export function xautoclaimCommand(ctx: Ctx): Reply {
  const argv = ctx.argv;
  const key = ctx.arg(1);
  const groupName = ctx.arg(2);
  let minIdle = intArg(ctx.arg(4), "ERR Invalid min-idle-time argument for XAUTOCLAIM");
  if (minIdle < 0) minIdle = 0;
  let cur = intervalBound(ctx.arg(5), 0n, true);
  let count = 100;
  let justId = false;
  const maxCount = 2 ** 63 / 16; // LONG_MAX / sizeof(streamID), as a double
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = asciiLower(argv[j] as string);
    if (o === "count" && more) {
      const n = intArg(argv[j + 1] as string, "ERR COUNT must be > 0");
      if (n < 1 || n > maxCount) fail("ERR COUNT must be > 0");
      count = n;
      j++;
    } else if (o === "justid") justId = true;
    else fail(Errors.syntax);
  }
  const s = readStream(ctx, key);
  const g = s?.groups?.get(groupName);
  if (!s || !g) noGroup(key, groupName);
  preventPropagation(ctx);
  let attempts = count * 10;
  const now = Date.now();
  const name = ctx.arg(3);
  let consumer: Consumer | undefined;
  const claimed: Reply[] = [];
  const deleted: Reply[] = [];
  while (attempts-- > 0 && count > 0) {
    const idx = g.pel.lowerBound(cur);
    if (idx >= g.pel.size) break;
    const id = g.pel.ids[idx] as StreamId;
    const nack = g.pel.get(id) as Nack;
    cur = id + 1n;
    const e = s.find(id);
    if (!e) {
      propagateClaim(ctx, key, g, groupName, id, nack);
      ctx.dirty();
      g.pel.remove(id);
      nack.consumer.pel.remove(id);
      deleted.push(formatId(id));
      count--;
      continue;
    }
    if (minIdle && now - nack.deliveryTime < minIdle) continue;
    consumer ??= lookupConsumer(ctx, g, name) ?? (createConsumer(ctx, g, name, key) as Consumer);
    reassign(id, nack, consumer);
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount++;
    claimed.push(justId ? formatId(id) : entryReply(s, e));
    count--;
    propagateClaim(ctx, key, g, groupName, id, nack);
    ctx.dirty();
  }
  const next = g.pel.lowerBound(cur);
  const endId = next < g.pel.size ? (g.pel.ids[next] as StreamId) : 0n;
  return [formatId(endId), claimed, deleted];
}
