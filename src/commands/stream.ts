/**
 * The stream command family's table rows. Metadata (arity, flags, docs) is
 * Redis 7.0's; key specs and arguments come from ./metadata.ts. The
 * handlers live in ./stream/.
 */
import type { CommandSpec } from "../engine/command.ts";
import { Errors, fail } from "../engine/errors.ts";
import { type KeyRange, ONE_KEY, rowsOf } from "./rows.ts";
import {
  xackCommand,
  xautoclaimCommand,
  xclaimCommand,
  xgroupCreateCommand,
  xgroupCreateConsumerCommand,
  xgroupDelConsumerCommand,
  xgroupDestroyCommand,
  xgroupHelpCommand,
  xgroupSetidCommand,
  xpendingCommand,
} from "./stream/groups.ts";
import { xinfoConsumersCommand, xinfoGroupsCommand, xinfoHelpCommand, xinfoStreamCommand } from "./stream/info.ts";
import { xrangeCommand, xrevrangeCommand } from "./stream/range.ts";
import { xreadCommand, xreadgroupCommand, xreadKeys } from "./stream/read.ts";
import { xaddCommand, xdelCommand, xlenCommand, xsetidCommand, xtrimCommand } from "./stream/write.ts";

const row = rowsOf("stream", "stream");
const containerRow = rowsOf("stream");

const MOVABLE: KeyRange = [0, 0, 0];
const SUB_KEY: KeyRange = [2, 2, 1];
const NO_KEYS: KeyRange = [0, 0, 0];
const HELP_SUMMARY = "Show helpful text about the different subcommands";

const xgroupSubcommands: CommandSpec[] = [
  row("create", -5, ["write", "denyoom"], SUB_KEY, "Create a consumer group.", "5.0.0", "O(1)", xgroupCreateCommand),
  row(
    "createconsumer",
    5,
    ["write", "denyoom"],
    SUB_KEY,
    "Create a consumer in a consumer group.",
    "6.2.0",
    "O(1)",
    xgroupCreateConsumerCommand,
  ),
  row("delconsumer", 5, ["write"], SUB_KEY, "Delete a consumer from a consumer group.", "5.0.0", "O(1)", xgroupDelConsumerCommand),
  row(
    "destroy",
    4,
    ["write"],
    SUB_KEY,
    "Destroy a consumer group.",
    "5.0.0",
    "O(N) where N is the number of entries in the group's pending entries list (PEL).",
    xgroupDestroyCommand,
  ),
  row("help", 2, ["loading", "stale"], NO_KEYS, HELP_SUMMARY, "5.0.0", "O(1)", xgroupHelpCommand),
  row(
    "setid",
    -5,
    ["write"],
    SUB_KEY,
    "Set a consumer group to an arbitrary last delivered ID value.",
    "5.0.0",
    "O(1)",
    xgroupSetidCommand,
  ),
];

const xinfoSubcommands: CommandSpec[] = [
  row("consumers", 4, ["readonly"], SUB_KEY, "List the consumers in a consumer group", "5.0.0", "O(1)", xinfoConsumersCommand),
  row("groups", 3, ["readonly"], SUB_KEY, "List the consumer groups of a stream", "5.0.0", "O(1)", xinfoGroupsCommand),
  row("help", 2, ["loading", "stale"], NO_KEYS, HELP_SUMMARY, "5.0.0", "O(1)", xinfoHelpCommand),
  row("stream", -3, ["readonly"], SUB_KEY, "Get information about a stream", "5.0.0", "O(1)", xinfoStreamCommand),
];

export const streamCommands: CommandSpec[] = [
  row(
    "xack",
    -4,
    ["write", "fast"],
    ONE_KEY,
    "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
    "5.0.0",
    "O(1) for each message ID processed.",
    xackCommand,
  ),
  row(
    "xadd",
    -5,
    ["write", "denyoom", "fast"],
    ONE_KEY,
    "Appends a new entry to a stream",
    "5.0.0",
    "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
    xaddCommand,
  ),
  row(
    "xautoclaim",
    -6,
    ["write", "fast"],
    ONE_KEY,
    "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
    "6.2.0",
    "O(1) if COUNT is small.",
    xautoclaimCommand,
  ),
  row(
    "xclaim",
    -6,
    ["write", "fast"],
    ONE_KEY,
    "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
    "5.0.0",
    "O(log N) with N being the number of messages in the PEL of the consumer group.",
    xclaimCommand,
  ),
  row(
    "xdel",
    -3,
    ["write", "fast"],
    ONE_KEY,
    "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
    "5.0.0",
    "O(1) for each single item to delete in the stream, regardless of the stream size.",
    xdelCommand,
  ),
  containerRow(
    "xgroup",
    -2,
    [],
    NO_KEYS,
    "A container for consumer groups commands",
    "5.0.0",
    "Depends on subcommand.",
    () => fail(Errors.syntax),
    { subcommands: xgroupSubcommands },
  ),
  containerRow(
    "xinfo",
    -2,
    [],
    NO_KEYS,
    "A container for stream introspection commands",
    "5.0.0",
    "Depends on subcommand.",
    () => fail(Errors.syntax),
    { subcommands: xinfoSubcommands },
  ),
  row("xlen", 2, ["readonly", "fast"], ONE_KEY, "Return the number of entries in a stream", "5.0.0", "O(1)", xlenCommand),
  row(
    "xpending",
    -3,
    ["readonly"],
    ONE_KEY,
    "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
    "5.0.0",
    "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
    xpendingCommand,
  ),
  row(
    "xrange",
    -4,
    ["readonly"],
    ONE_KEY,
    "Return a range of elements in a stream, with IDs matching the specified IDs interval",
    "5.0.0",
    "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    xrangeCommand,
  ),
  row(
    "xread",
    -4,
    ["readonly", "blocking"],
    MOVABLE,
    "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
    "5.0.0",
    "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
    xreadCommand,
    { getKeys: xreadKeys },
  ),
  row(
    "xreadgroup",
    -7,
    ["write", "blocking"],
    MOVABLE,
    "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
    "5.0.0",
    "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
    xreadgroupCommand,
    { getKeys: xreadKeys },
  ),
  row(
    "xrevrange",
    -4,
    ["readonly"],
    ONE_KEY,
    "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
    "5.0.0",
    "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    xrevrangeCommand,
  ),
  row(
    "xsetid",
    -3,
    ["write", "denyoom", "fast"],
    ONE_KEY,
    "An internal command for replicating stream values",
    "5.0.0",
    "O(1)",
    xsetidCommand,
  ),
  row(
    "xtrim",
    -4,
    ["write"],
    ONE_KEY,
    "Trims the stream to (approximately if '~' is passed) a certain size",
    "5.0.0",
    "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
    xtrimCommand,
  ),
];
