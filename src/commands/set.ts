/**
 * The set command family's table rows. Metadata (arity, flags, keys, ACL
 * categories, docs) is Redis 7.0's; the handlers live in ./set/.
 */
import type { CommandSpec } from "../engine/command.ts";
import { ALL_KEYS, ONE_KEY, rowsOf } from "./rows.ts";
import { saddCommand, scardCommand, sismemberCommand, smismemberCommand, smoveCommand, sremCommand, sscanCommand } from "./set/access.ts";
import {
  sdiffCommand,
  sdiffstoreCommand,
  sinterCommand,
  sintercardCommand,
  sintercardKeys,
  sinterstoreCommand,
  smembersCommand,
  sunionCommand,
  sunionstoreCommand,
} from "./set/algebra.ts";
import { spopCommand, srandmemberCommand } from "./set/random.ts";

const O1 = "O(1)";
const INTER = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
const TOTAL = "O(N) where N is the total number of elements in all given sets.";

const row = rowsOf("set", "set");

export const setCommands: CommandSpec[] = [
  row(
    "sadd",
    -3,
    ["write", "denyoom", "fast"],
    ONE_KEY,
    "Add one or more members to a set",
    "1.0.0",
    "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    saddCommand,
  ),
  row(
    "srem",
    -3,
    ["write", "fast"],
    ONE_KEY,
    "Remove one or more members from a set",
    "1.0.0",
    "O(N) where N is the number of members to be removed.",
    sremCommand,
  ),
  row(
    "smembers",
    2,
    ["readonly"],
    ONE_KEY,
    "Get all the members in a set",
    "1.0.0",
    "O(N) where N is the set cardinality.",
    smembersCommand,
  ),
  row("sismember", 3, ["readonly", "fast"], ONE_KEY, "Determine if a given value is a member of a set", "1.0.0", O1, sismemberCommand),
  row(
    "smismember",
    -3,
    ["readonly", "fast"],
    ONE_KEY,
    "Returns the membership associated with the given elements for a set",
    "6.2.0",
    "O(N) where N is the number of elements being checked for membership",
    smismemberCommand,
  ),
  row("scard", 2, ["readonly", "fast"], ONE_KEY, "Get the number of members in a set", "1.0.0", O1, scardCommand),
  row(
    "spop",
    -2,
    ["write", "fast"],
    ONE_KEY,
    "Remove and return one or multiple random members from a set",
    "1.0.0",
    "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    spopCommand,
  ),
  row(
    "srandmember",
    -2,
    ["readonly"],
    ONE_KEY,
    "Get one or multiple random members from a set",
    "1.0.0",
    "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    srandmemberCommand,
  ),
  row("smove", 4, ["write", "fast"], [1, 2, 1], "Move a member from one set to another", "1.0.0", O1, smoveCommand),
  row("sinter", -2, ["readonly"], ALL_KEYS, "Intersect multiple sets", "1.0.0", INTER, sinterCommand),
  row(
    "sintercard",
    -3,
    ["readonly"],
    [0, 0, 0],
    "Intersect multiple sets and return the cardinality of the result",
    "7.0.0",
    INTER,
    sintercardCommand,
    { getKeys: sintercardKeys },
  ),
  row(
    "sinterstore",
    -3,
    ["write", "denyoom"],
    ALL_KEYS,
    "Intersect multiple sets and store the resulting set in a key",
    "1.0.0",
    INTER,
    sinterstoreCommand,
  ),
  row("sunion", -2, ["readonly"], ALL_KEYS, "Add multiple sets", "1.0.0", TOTAL, sunionCommand),
  row(
    "sunionstore",
    -3,
    ["write", "denyoom"],
    ALL_KEYS,
    "Add multiple sets and store the resulting set in a key",
    "1.0.0",
    TOTAL,
    sunionstoreCommand,
  ),
  row("sdiff", -2, ["readonly"], ALL_KEYS, "Subtract multiple sets", "1.0.0", TOTAL, sdiffCommand),
  row(
    "sdiffstore",
    -3,
    ["write", "denyoom"],
    ALL_KEYS,
    "Subtract multiple sets and store the resulting set in a key",
    "1.0.0",
    TOTAL,
    sdiffstoreCommand,
  ),
  row(
    "sscan",
    -3,
    ["readonly"],
    ONE_KEY,
    "Incrementally iterate Set elements",
    "2.8.0",
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    sscanCommand,
  ),
];
