/** XINFO STREAM [FULL [COUNT n]], GROUPS, CONSUMERS and HELP. */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { cString } from "../../resp/bytes.ts";
import { MapReply, type Reply } from "../../resp/reply.ts";
import { type ConsumerGroup, INVALID_ENTRIES_READ } from "../../store/stream/group.ts";
import { formatId, ID_MAX, type StreamId } from "../../store/stream/id.ts";
import type { StreamValue } from "../../store/stream/stream.ts";
import { helpReply } from "../help.ts";
import { entryReply, readStream } from "./common.ts";

export function xinfoHelpCommand(_ctx: Ctx): Reply {
  return helpReply("XINFO", [
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
  ]);
}

function streamOf(ctx: Ctx): StreamValue {
  const s = readStream(ctx, ctx.arg(2));
  if (!s) fail(Errors.noSuchKey);
  return s;
}

/** streamReplyWithCGLag: null when the lag cannot be known. */
function lagOf(s: StreamValue, g: ConsumerGroup): number | null {
  if (!s.entriesAdded) return 0;
  if (g.entriesRead !== INVALID_ENTRIES_READ && !s.rangeHasTombstones(g.lastId, ID_MAX)) return s.entriesAdded - g.entriesRead;
  const read = s.estimateDistance(g.lastId);
  return read === null ? null : s.entriesAdded - read;
}

const entriesReadOf = (g: ConsumerGroup): number | null => (g.entriesRead !== INVALID_ENTRIES_READ ? g.entriesRead : null);

export function xinfoConsumersCommand(ctx: Ctx): Reply {
  const s = streamOf(ctx);
  const g = s.groups?.get(ctx.arg(3));
  if (!g) fail(`NOGROUP No such consumer group '${cString(ctx.arg(3))}' for key name '${cString(ctx.arg(2))}'`);
  const now = Date.now();
  return g.sortedConsumers().map((c) => new MapReply(["name", c.name, "pending", c.pel.size, "idle", Math.max(0, now - c.seenTime)]));
}

export function xinfoGroupsCommand(ctx: Ctx): Reply {
  const s = streamOf(ctx);
  return s
    .sortedGroups()
    .map(
      (g) =>
        new MapReply([
          "name",
          g.name,
          "consumers",
          g.consumers.size,
          "pending",
          g.pel.size,
          "last-delivered-id",
          formatId(g.lastId),
          "entries-read",
          entriesReadOf(g),
          "lag",
          lagOf(s, g),
        ]),
    );
}

/**
 * Rax's node count for the node keys. respd keeps no radix tree; this is
 * the number of nodes a rax holding these 16-byte keys has (one per key
 * plus the branching nodes a shared prefix needs), computed from the keys.
 */
function raxNodes(masters: StreamId[]): number {
  if (masters.length === 0) return 1;
  // A rax with one key: the root compressed node plus the key node.
  let nodes = 1;
  const keys = masters.map((m) => m.toString(16).padStart(32, "0"));
  const walk = (lo: number, hi: number, depth: number): void => {
    // Keys [lo, hi) share `depth` bytes: find where they split.
    if (hi - lo === 1) {
      if (depth < 16) nodes++; // compressed remainder, then the key's own node
      nodes++;
      return;
    }
    let d = depth;
    for (;;) {
      const a = (keys[lo] as string).slice(d * 2, d * 2 + 2);
      const b = (keys[hi - 1] as string).slice(d * 2, d * 2 + 2);
      if (a !== b) break;
      d++;
    }
    if (d > depth) nodes++; // a compressed node for the shared run
    nodes++; // the branching node
    let start = lo;
    for (let i = lo + 1; i <= hi; i++) {
      if (i === hi || (keys[i] as string).slice(d * 2, d * 2 + 2) !== (keys[start] as string).slice(d * 2, d * 2 + 2)) {
        walk(start, i, d + 1);
        start = i;
      }
    }
  };
  walk(0, keys.length, 0);
  return nodes - 1;
}

export function xinfoStreamCommand(ctx: Ctx): Reply {
  const argv = ctx.argv;
  const optc = argv.length - 3;
  let full = false;
  let count = 10;
  if (optc !== 0) {
    if (optc !== 1 && optc !== 3) fail(Errors.subcommandSyntax(argv));
    if (asciiLower(argv[3] as string) !== "full") fail(Errors.subcommandSyntax(argv));
    if (optc === 3) {
      if (asciiLower(argv[4] as string) !== "count") fail(Errors.subcommandSyntax(argv));
      count = intArg(argv[5] as string);
      if (count < 0) count = 10;
    }
    full = true;
  }
  const s = streamOf(ctx);
  const head: Reply[] = [
    "length",
    s.length,
    "radix-tree-keys",
    s.nodes.length,
    "radix-tree-nodes",
    raxNodes(s.nodes.map((n) => n.master)),
    "last-generated-id",
    formatId(s.lastId),
    "max-deleted-entry-id",
    formatId(s.maxDeletedId),
    "entries-added",
    s.entriesAdded,
    "recorded-first-entry-id",
    formatId(s.firstId),
  ];
  if (!full) {
    let first: Reply = null;
    let last: Reply = null;
    s.scan(0n, ID_MAX, false, (e) => {
      first = entryReply(s, e);
      return false;
    });
    s.scan(0n, ID_MAX, true, (e) => {
      last = entryReply(s, e);
      return false;
    });
    return new MapReply([...head, "groups", s.groups?.size ?? 0, "first-entry", first, "last-entry", last]);
  }
  const entries: Reply[] = [];
  s.scan(0n, ID_MAX, false, (e) => {
    entries.push(entryReply(s, e));
    return count === 0 || entries.length < count;
  });
  const groups = s.sortedGroups().map((g) => {
    const pending: Reply[] = [];
    g.pel.from(0n, (id, n) => {
      if (count && pending.length >= count) return false;
      pending.push([formatId(id), n.consumer.name, n.deliveryTime, n.deliveryCount]);
      return true;
    });
    const consumers = g.sortedConsumers().map((c) => {
      const cp: Reply[] = [];
      c.pel.from(0n, (id, n) => {
        if (count && cp.length >= count) return false;
        cp.push([formatId(id), n.deliveryTime, n.deliveryCount]);
        return true;
      });
      return new MapReply(["name", c.name, "seen-time", c.seenTime, "pel-count", c.pel.size, "pending", cp]);
    });
    return new MapReply([
      "name",
      g.name,
      "last-delivered-id",
      formatId(g.lastId),
      "entries-read",
      entriesReadOf(g),
      "lag",
      lagOf(s, g),
      "pel-count",
      g.pel.size,
      "pending",
      pending,
      "consumers",
      consumers,
    ]);
  });
  return new MapReply([...head, "entries", entries, "groups", groups]);
}
