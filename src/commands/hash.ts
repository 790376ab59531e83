/**
 * The hash command family's table rows. Metadata (arity, flags, keys, ACL
 * categories, docs) is Redis 7.0's; the handlers live in ./hash/.
 */
import type { CommandFlag, CommandSpec } from "../engine/command.ts";
import {
  hdelCommand,
  hexistsCommand,
  hgetallCommand,
  hgetCommand,
  hkeysCommand,
  hlenCommand,
  hmgetCommand,
  hmsetCommand,
  hsetCommand,
  hsetnxCommand,
  hstrlenCommand,
  hvalsCommand,
} from "./hash/access.ts";
import { hincrbyCommand, hincrbyfloatCommand } from "./hash/counters.ts";
import { hrandfieldCommand } from "./hash/random.ts";
import { hscanCommand } from "./hash/scan.ts";
import { ONE_KEY, rowsOf } from "./rows.ts";

const O1 = "O(1)";
const WHOLE = "O(N) where N is the size of the hash.";

const row = rowsOf("hash", "hash");

const WRITE: CommandFlag[] = ["write", "denyoom", "fast"];
const READ: CommandFlag[] = ["readonly", "fast"];

export const hashCommands: CommandSpec[] = [
  row(
    "hset",
    -4,
    WRITE,
    ONE_KEY,
    "Set the string value of a hash field",
    "2.0.0",
    "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
    hsetCommand,
  ),
  row("hsetnx", 4, WRITE, ONE_KEY, "Set the value of a hash field, only if the field does not exist", "2.0.0", O1, hsetnxCommand),
  row("hget", 3, READ, ONE_KEY, "Get the value of a hash field", "2.0.0", O1, hgetCommand),
  row(
    "hmget",
    -3,
    READ,
    ONE_KEY,
    "Get the values of all the given hash fields",
    "2.0.0",
    "O(N) where N is the number of fields being requested.",
    hmgetCommand,
  ),
  row(
    "hmset",
    -4,
    WRITE,
    ONE_KEY,
    "Set multiple hash fields to multiple values",
    "2.0.0",
    "O(N) where N is the number of fields being set.",
    hmsetCommand,
  ),
  row(
    "hdel",
    -3,
    ["write", "fast"],
    ONE_KEY,
    "Delete one or more hash fields",
    "2.0.0",
    "O(N) where N is the number of fields to be removed.",
    hdelCommand,
  ),
  row("hlen", 2, READ, ONE_KEY, "Get the number of fields in a hash", "2.0.0", O1, hlenCommand),
  row("hstrlen", 3, READ, ONE_KEY, "Get the length of the value of a hash field", "3.2.0", O1, hstrlenCommand),
  row("hexists", 3, READ, ONE_KEY, "Determine if a hash field exists", "2.0.0", O1, hexistsCommand),
  row("hkeys", 2, ["readonly"], ONE_KEY, "Get all the fields in a hash", "2.0.0", WHOLE, hkeysCommand),
  row("hvals", 2, ["readonly"], ONE_KEY, "Get all the values in a hash", "2.0.0", WHOLE, hvalsCommand),
  row("hgetall", 2, ["readonly"], ONE_KEY, "Get all the fields and values in a hash", "2.0.0", WHOLE, hgetallCommand),
  row("hincrby", 4, WRITE, ONE_KEY, "Increment the integer value of a hash field by the given number", "2.0.0", O1, hincrbyCommand),
  row("hincrbyfloat", 4, WRITE, ONE_KEY, "Increment the float value of a hash field by the given amount", "2.6.0", O1, hincrbyfloatCommand),
  row(
    "hrandfield",
    -2,
    ["readonly"],
    ONE_KEY,
    "Get one or multiple random fields from a hash",
    "6.2.0",
    "O(N) where N is the number of fields returned",
    hrandfieldCommand,
  ),
  row(
    "hscan",
    -3,
    ["readonly"],
    ONE_KEY,
    "Incrementally iterate hash fields and associated values",
    "2.8.0",
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    hscanCommand,
  ),
];
