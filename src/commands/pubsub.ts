import { type CommandFlag, type CommandSpec, command, type Handler, NO_REPLY } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { existingPubsub, type Kind, pubsubOf } from "../pubsub/registry.ts";
import { existingTracking } from "../pubsub/tracking.ts";
import { Push, type Reply, Status } from "../resp/reply.ts";
import { globMatch } from "../store/glob.ts";
import { extendInfo } from "./info.ts";

const doc = (summary: string, since: string, complexity: string) => ({ summary, since, group: "pubsub", complexity });

/** The confirmation's count: channels + patterns for the classic kinds, shard channels alone for shard. */
function countFor(ctx: Ctx, kind: Kind): number {
  const c = ctx.client;
  return kind === "shard" ? c.ssub : c.sub + c.psub;
}

/**
 * (P|S)SUBSCRIBE: one confirmation per argument, sent as a push so they keep
 * their place among the batch's replies (and, as in Redis, even under
 * CLIENT REPLY OFF).
 */
function subscribeGeneric(kind: Kind, verb: string): Handler {
  return (ctx) => {
    const ps = pubsubOf(ctx.engine);
    for (let i = 1; i < ctx.argv.length; i++) {
      const name = ctx.arg(i);
      ps.subscribe(ctx.client, kind, name);
      ctx.client.send([new Push([verb, name, countFor(ctx, kind)])]);
    }
    return NO_REPLY;
  };
}

/** (P|S)UNSUBSCRIBE [name ...]: without names, every subscription of that kind; with none, one null confirmation. */
function unsubscribeGeneric(kind: Kind, verb: string): Handler {
  return (ctx) => {
    const ps = pubsubOf(ctx.engine);
    const names = ctx.argv.length > 1 ? ctx.argv.slice(1) : [...(ps.subsOf(ctx.client)?.[kind] ?? [])];
    if (names.length === 0) {
      ctx.client.send([new Push([verb, null, countFor(ctx, kind)])]);
      return NO_REPLY;
    }
    for (const name of names) {
      ps.unsubscribe(ctx.client, kind, name);
      ctx.client.send([new Push([verb, name, countFor(ctx, kind)])]);
    }
    return NO_REPLY;
  };
}

/** PUBLISH / SPUBLISH: the receiver count; replicas get the command too (forceCommandPropagation). */
function publishGeneric(shard: boolean): Handler {
  return (ctx) => {
    const ps = existingPubsub(ctx.engine);
    const n = ps === undefined ? 0 : ps.publish(ctx.arg(1), ctx.arg(2), shard);
    ctx.propagateToReplicasOnly(ctx.argv);
    return n;
  };
}

function wrongSub(ctx: Ctx): never {
  fail(Errors.subcommandSyntax(ctx.argv));
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: active names, in no particular order. */
function channelsGeneric(kind: "channel" | "shard"): Handler {
  return (ctx) => {
    if (ctx.argv.length > 3) wrongSub(ctx);
    const pattern = ctx.argv.length === 3 ? ctx.arg(2) : null;
    const out: Reply[] = [];
    const ps = existingPubsub(ctx.engine);
    for (const name of ps?.[kind].keys() ?? []) if (pattern === null || globMatch(pattern, name)) out.push(name);
    return out;
  };
}

/** PUBSUB NUMSUB / SHARDNUMSUB [name ...]: name, count pairs (pattern subscribers not counted). */
function numsubGeneric(kind: "channel" | "shard"): Handler {
  return (ctx) => {
    const out: Reply[] = [];
    const table = existingPubsub(ctx.engine)?.[kind];
    for (let i = 2; i < ctx.argv.length; i++) out.push(ctx.arg(i), table?.get(ctx.arg(i))?.size ?? 0);
    return out;
  };
}

const HELP = [
  "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
  "HELP",
  "    Prints this help.",
].map((line) => new Status(line));

const SUB_FLAGS: CommandFlag[] = ["pubsub", "noscript", "loading", "stale"];
const INTRO_FLAGS: CommandFlag[] = ["pubsub", "loading", "stale"];
const PUB_FLAGS: CommandFlag[] = ["pubsub", "loading", "stale", "fast"];
const SLOW = ["pubsub", "slow"];
const FAST = ["pubsub", "fast"];
const N_ARGS = "O(N) where N is the number of channels to subscribe to.";

function intro(name: string, arity: number, summary: string, since: string, complexity: string, handler: Handler): CommandSpec {
  return command(name, arity, INTRO_FLAGS, [0, 0, 0], SLOW, doc(summary, since, complexity), handler);
}

const PUBSUB_SUBCOMMANDS: CommandSpec[] = [
  intro(
    "channels",
    -2,
    "List active channels",
    "2.8.0",
    "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
    channelsGeneric("channel"),
  ),
  command(
    "help",
    2,
    ["loading", "stale"],
    [0, 0, 0],
    ["slow"],
    doc("Show helpful text about the different subcommands", "6.2.0", "O(1)"),
    () => HELP,
  ),
  intro(
    "numpat",
    2,
    "Get the count of unique patterns pattern subscriptions",
    "2.8.0",
    "O(1)",
    (ctx) => existingPubsub(ctx.engine)?.pattern.size ?? 0,
  ),
  intro(
    "numsub",
    -2,
    "Get the count of subscribers for channels",
    "2.8.0",
    "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
    numsubGeneric("channel"),
  ),
  intro(
    "shardchannels",
    -2,
    "List active shard channels",
    "7.0.0",
    "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
    channelsGeneric("shard"),
  ),
  intro(
    "shardnumsub",
    -2,
    "Get the count of subscribers for shard channels",
    "7.0.0",
    "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
    numsubGeneric("shard"),
  ),
];

export const pubsubCommands: CommandSpec[] = [
  command(
    "subscribe",
    -2,
    SUB_FLAGS,
    [0, 0, 0],
    SLOW,
    doc("Listen for messages published to the given channels", "2.0.0", N_ARGS),
    subscribeGeneric("channel", "subscribe"),
  ),
  command(
    "unsubscribe",
    -1,
    SUB_FLAGS,
    [0, 0, 0],
    SLOW,
    doc(
      "Stop listening for messages posted to the given channels",
      "2.0.0",
      "O(N) where N is the number of clients already subscribed to a channel.",
    ),
    unsubscribeGeneric("channel", "unsubscribe"),
  ),
  command(
    "psubscribe",
    -2,
    SUB_FLAGS,
    [0, 0, 0],
    SLOW,
    doc(
      "Listen for messages published to channels matching the given patterns",
      "2.0.0",
      "O(N) where N is the number of patterns the client is already subscribed to.",
    ),
    subscribeGeneric("pattern", "psubscribe"),
  ),
  command(
    "punsubscribe",
    -1,
    SUB_FLAGS,
    [0, 0, 0],
    SLOW,
    doc(
      "Stop listening for messages posted to channels matching the given patterns",
      "2.0.0",
      "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
    ),
    unsubscribeGeneric("pattern", "punsubscribe"),
  ),
  command(
    "publish",
    3,
    PUB_FLAGS,
    [0, 0, 0],
    FAST,
    doc(
      "Post a message to a channel",
      "2.0.0",
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
    ),
    publishGeneric(false),
  ),
  command(
    "ssubscribe",
    -2,
    SUB_FLAGS,
    [1, -1, 1],
    SLOW,
    doc(
      "Listen for messages published to the given shard channels",
      "7.0.0",
      "O(N) where N is the number of shard channels to subscribe to.",
    ),
    subscribeGeneric("shard", "ssubscribe"),
  ),
  command(
    "sunsubscribe",
    -1,
    SUB_FLAGS,
    [1, -1, 1],
    SLOW,
    doc(
      "Stop listening for messages posted to the given shard channels",
      "7.0.0",
      "O(N) where N is the number of clients already subscribed to a shard channel.",
    ),
    unsubscribeGeneric("shard", "sunsubscribe"),
  ),
  command(
    "spublish",
    3,
    PUB_FLAGS,
    [1, 1, 1],
    FAST,
    doc("Post a message to a shard channel", "7.0.0", "O(N) where N is the number of clients subscribed to the receiving shard channel."),
    publishGeneric(true),
  ),
  command(
    "pubsub",
    -2,
    [],
    [0, 0, 0],
    ["slow"],
    doc("A container for Pub/Sub commands", "2.8.0", "Depends on subcommand."),
    (ctx) => fail(Errors.unknownSubcommand(ctx.argv)),
    { subcommands: PUBSUB_SUBCOMMANDS },
  ),
];

// INFO stats: distinct channels and patterns (as dictSize in Redis), and the tracking table's size.
extendInfo("stats", (engine) => {
  const ps = existingPubsub(engine);
  const t = existingTracking(engine);
  return [
    ["pubsub_channels", ps?.channel.size ?? 0],
    ["pubsub_patterns", ps?.pattern.size ?? 0],
    ["pubsubshard_channels", ps?.shard.size ?? 0],
    ["tracking_total_keys", t?.table.size ?? 0],
    ["tracking_total_items", t?.items ?? 0],
    ["tracking_total_prefixes", t?.prefixes.size ?? 0],
  ];
});
