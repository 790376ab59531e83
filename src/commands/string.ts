/**
 * The string command family's table rows. Metadata (arity, flags, keys, ACL
 * categories, docs) is Redis 7.0's; the handlers live in ./string/.
 */
import type { CommandSpec } from "../engine/command.ts";
import { ONE_KEY, rowsOf } from "./rows.ts";
import {
  getCommand,
  getdelCommand,
  getexCommand,
  getsetCommand,
  mgetCommand,
  msetCommand,
  msetnxCommand,
  psetexCommand,
  setCommand,
  setexCommand,
  setnxCommand,
} from "./string/access.ts";
import { bitfieldCommand, bitfieldRoCommand } from "./string/bitfield.ts";
import { bitcountCommand, bitopCommand, bitposCommand, getbitCommand, setbitCommand } from "./string/bits.ts";
import { decrbyCommand, decrCommand, incrbyCommand, incrbyfloatCommand, incrCommand } from "./string/counters.ts";
import { appendCommand, getrangeCommand, setrangeCommand, strlenCommand } from "./string/edit.ts";
import { lcsCommand } from "./string/lcs.ts";

const O1 = "O(1)";
const RANGE_COMPLEXITY =
  "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.";

const row = rowsOf("string", "string");
const bitmap = rowsOf("bitmap", "bitmap");
const PER_FIELD = "O(1) for each subcommand specified";

export const stringCommands: CommandSpec[] = [
  row("get", 2, ["readonly", "fast"], ONE_KEY, "Get the value of a key", "1.0.0", O1, getCommand),
  row("set", -3, ["write", "denyoom"], ONE_KEY, "Set the string value of a key", "1.0.0", O1, setCommand),
  row(
    "setnx",
    3,
    ["write", "denyoom", "fast"],
    ONE_KEY,
    "Set the value of a key, only if the key does not exist",
    "1.0.0",
    O1,
    setnxCommand,
  ),
  row("setex", 4, ["write", "denyoom"], ONE_KEY, "Set the value and expiration of a key", "2.0.0", O1, setexCommand),
  row("psetex", 4, ["write", "denyoom"], ONE_KEY, "Set the value and expiration in milliseconds of a key", "2.6.0", O1, psetexCommand),
  row(
    "mget",
    -2,
    ["readonly", "fast"],
    [1, -1, 1],
    "Get the values of all the given keys",
    "1.0.0",
    "O(N) where N is the number of keys to retrieve.",
    mgetCommand,
  ),
  row(
    "mset",
    -3,
    ["write", "denyoom"],
    [1, -1, 2],
    "Set multiple keys to multiple values",
    "1.0.1",
    "O(N) where N is the number of keys to set.",
    msetCommand,
  ),
  row(
    "msetnx",
    -3,
    ["write", "denyoom"],
    [1, -1, 2],
    "Set multiple keys to multiple values, only if none of the keys exist",
    "1.0.1",
    "O(N) where N is the number of keys to set.",
    msetnxCommand,
  ),
  row(
    "getset",
    3,
    ["write", "denyoom", "fast"],
    ONE_KEY,
    "Set the string value of a key and return its old value",
    "1.0.0",
    O1,
    getsetCommand,
  ),
  row("getdel", 2, ["write", "fast"], ONE_KEY, "Get the value of a key and delete the key", "6.2.0", O1, getdelCommand),
  row("getex", -2, ["write", "fast"], ONE_KEY, "Get the value of a key and optionally set its expiration", "6.2.0", O1, getexCommand),
  row(
    "append",
    3,
    ["write", "denyoom", "fast"],
    ONE_KEY,
    "Append a value to a key",
    "2.0.0",
    "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
    appendCommand,
  ),
  row("strlen", 2, ["readonly", "fast"], ONE_KEY, "Get the length of the value stored in a key", "2.2.0", O1, strlenCommand),
  row("incr", 2, ["write", "denyoom", "fast"], ONE_KEY, "Increment the integer value of a key by one", "1.0.0", O1, incrCommand),
  row("decr", 2, ["write", "denyoom", "fast"], ONE_KEY, "Decrement the integer value of a key by one", "1.0.0", O1, decrCommand),
  row(
    "incrby",
    3,
    ["write", "denyoom", "fast"],
    ONE_KEY,
    "Increment the integer value of a key by the given amount",
    "1.0.0",
    O1,
    incrbyCommand,
  ),
  row(
    "decrby",
    3,
    ["write", "denyoom", "fast"],
    ONE_KEY,
    "Decrement the integer value of a key by the given number",
    "1.0.0",
    O1,
    decrbyCommand,
  ),
  row(
    "incrbyfloat",
    3,
    ["write", "denyoom", "fast"],
    ONE_KEY,
    "Increment the float value of a key by the given amount",
    "2.6.0",
    O1,
    incrbyfloatCommand,
  ),
  row("getrange", 4, ["readonly"], ONE_KEY, "Get a substring of the string stored at a key", "2.4.0", RANGE_COMPLEXITY, getrangeCommand),
  row("substr", 4, ["readonly"], ONE_KEY, "Get a substring of the string stored at a key", "1.0.0", RANGE_COMPLEXITY, getrangeCommand),
  row(
    "setrange",
    4,
    ["write", "denyoom"],
    ONE_KEY,
    "Overwrite part of a string at key starting at the specified offset",
    "2.2.0",
    "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
    setrangeCommand,
  ),
  row(
    "lcs",
    -3,
    ["readonly"],
    [1, 2, 1],
    "Find longest common substring",
    "7.0.0",
    "O(N*M) where N and M are the lengths of s1 and s2, respectively",
    lcsCommand,
  ),
  bitmap(
    "setbit",
    4,
    ["write", "denyoom"],
    ONE_KEY,
    "Sets or clears the bit at offset in the string value stored at key",
    "2.2.0",
    O1,
    setbitCommand,
  ),
  bitmap(
    "getbit",
    3,
    ["readonly", "fast"],
    ONE_KEY,
    "Returns the bit value at offset in the string value stored at key",
    "2.2.0",
    O1,
    getbitCommand,
  ),
  bitmap("bitcount", -2, ["readonly"], ONE_KEY, "Count set bits in a string", "2.6.0", "O(N)", bitcountCommand),
  bitmap("bitpos", -3, ["readonly"], ONE_KEY, "Find first bit set or clear in a string", "2.8.7", "O(N)", bitposCommand),
  bitmap("bitop", -4, ["write", "denyoom"], [2, -1, 1], "Perform bitwise operations between strings", "2.6.0", "O(N)", bitopCommand),
  bitmap(
    "bitfield",
    -2,
    ["write", "denyoom"],
    ONE_KEY,
    "Perform arbitrary bitfield integer operations on strings",
    "3.2.0",
    PER_FIELD,
    bitfieldCommand,
  ),
  bitmap(
    "bitfield_ro",
    -2,
    ["readonly", "fast"],
    ONE_KEY,
    "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
    "6.0.0",
    PER_FIELD,
    bitfieldRoCommand,
  ),
];
