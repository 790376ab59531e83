/**
 * The list command family's table rows. Metadata (arity, flags, keys, ACL
 * categories, docs) is Redis 7.0's; the handlers live in ./list/.
 */
import { type CommandFlag, type CommandSpec, command, type Handler } from "../engine/command.ts";
import {
  lindexCommand,
  linsertCommand,
  llenCommand,
  lpopCommand,
  lposCommand,
  lpushCommand,
  lpushxCommand,
  lrangeCommand,
  lremCommand,
  lsetCommand,
  ltrimCommand,
  rpopCommand,
  rpushCommand,
  rpushxCommand,
} from "./list/basic.ts";
import { blmoveCommand, blmpopCommand, blpopCommand, brpopCommand, brpoplpushCommand } from "./list/blocking.ts";
import { lmoveCommand, lmpopCommand, mpopKeys, rpoplpushCommand } from "./list/move.ts";

const PUSH_COMPLEXITY = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";
const POP_COMPLEXITY = "O(N) where N is the number of elements returned";
const MPOP_COMPLEXITY = "O(N+M) where N is the number of provided keys and M is the number of elements returned.";
const BPOP_COMPLEXITY = "O(N) where N is the number of provided keys.";
const BMOVE_SUMMARY = "Pop an element from a list, push it to another list and return it; or block until one is available";

/** One row: the categories follow from the flags, as in Redis's generated table. */
function row(
  name: string,
  arity: number,
  flags: CommandFlag[],
  keys: [number, number, number],
  summary: string,
  since: string,
  complexity: string,
  handler: Handler,
  extra: Partial<Pick<CommandSpec, "getKeys">> = {},
): CommandSpec {
  const categories = [flags.includes("write") ? "write" : "read", "list", flags.includes("fast") ? "fast" : "slow"];
  if (flags.includes("blocking")) categories.push("blocking");
  return command(name, arity, flags, keys, categories, { summary, since, group: "list", complexity }, handler, extra);
}

const ONE: [number, number, number] = [1, 1, 1];
const TWO: [number, number, number] = [1, 2, 1];
const NONE: [number, number, number] = [0, 0, 0];
const ALL_BUT_LAST: [number, number, number] = [1, -2, 1];

export const listCommands: CommandSpec[] = [
  row("lpush", -3, ["write", "denyoom", "fast"], ONE, "Prepend one or multiple elements to a list", "1.0.0", PUSH_COMPLEXITY, lpushCommand),
  row("rpush", -3, ["write", "denyoom", "fast"], ONE, "Append one or multiple elements to a list", "1.0.0", PUSH_COMPLEXITY, rpushCommand),
  row(
    "lpushx",
    -3,
    ["write", "denyoom", "fast"],
    ONE,
    "Prepend an element to a list, only if the list exists",
    "2.2.0",
    PUSH_COMPLEXITY,
    lpushxCommand,
  ),
  row(
    "rpushx",
    -3,
    ["write", "denyoom", "fast"],
    ONE,
    "Append an element to a list, only if the list exists",
    "2.2.0",
    PUSH_COMPLEXITY,
    rpushxCommand,
  ),
  row("lpop", -2, ["write", "fast"], ONE, "Remove and get the first elements in a list", "1.0.0", POP_COMPLEXITY, lpopCommand),
  row("rpop", -2, ["write", "fast"], ONE, "Remove and get the last elements in a list", "1.0.0", POP_COMPLEXITY, rpopCommand),
  row("llen", 2, ["readonly", "fast"], ONE, "Get the length of a list", "1.0.0", "O(1)", llenCommand),
  row(
    "lrange",
    4,
    ["readonly"],
    ONE,
    "Get a range of elements from a list",
    "1.0.0",
    "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    lrangeCommand,
  ),
  row(
    "lindex",
    3,
    ["readonly"],
    ONE,
    "Get an element from a list by its index",
    "1.0.0",
    "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
    lindexCommand,
  ),
  row(
    "lset",
    4,
    ["write", "denyoom"],
    ONE,
    "Set the value of an element in a list by its index",
    "1.0.0",
    "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
    lsetCommand,
  ),
  row(
    "linsert",
    5,
    ["write", "denyoom"],
    ONE,
    "Insert an element before or after another element in a list",
    "2.2.0",
    "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
    linsertCommand,
  ),
  row(
    "lrem",
    4,
    ["write"],
    ONE,
    "Remove elements from a list",
    "1.0.0",
    "O(N+M) where N is the length of the list and M is the number of elements removed.",
    lremCommand,
  ),
  row(
    "ltrim",
    4,
    ["write"],
    ONE,
    "Trim a list to the specified range",
    "1.0.0",
    "O(N) where N is the number of elements to be removed by the operation.",
    ltrimCommand,
  ),
  row(
    "lpos",
    -3,
    ["readonly"],
    ONE,
    "Return the index of matching elements on a list",
    "6.0.6",
    "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
    lposCommand,
  ),
  row(
    "lmove",
    5,
    ["write", "denyoom"],
    TWO,
    "Pop an element from a list, push it to another list and return it",
    "6.2.0",
    "O(1)",
    lmoveCommand,
  ),
  row(
    "rpoplpush",
    3,
    ["write", "denyoom"],
    TWO,
    "Remove the last element in a list, prepend it to another list and return it",
    "1.2.0",
    "O(1)",
    rpoplpushCommand,
  ),
  row("lmpop", -4, ["write"], NONE, "Pop elements from a list", "7.0.0", MPOP_COMPLEXITY, lmpopCommand, { getKeys: mpopKeys(1) }),
  row(
    "blpop",
    -3,
    ["write", "noscript", "blocking"],
    ALL_BUT_LAST,
    "Remove and get the first element in a list, or block until one is available",
    "2.0.0",
    BPOP_COMPLEXITY,
    blpopCommand,
  ),
  row(
    "brpop",
    -3,
    ["write", "noscript", "blocking"],
    ALL_BUT_LAST,
    "Remove and get the last element in a list, or block until one is available",
    "2.0.0",
    BPOP_COMPLEXITY,
    brpopCommand,
  ),
  row("blmove", 6, ["write", "denyoom", "noscript", "blocking"], TWO, BMOVE_SUMMARY, "6.2.0", "O(1)", blmoveCommand),
  row("brpoplpush", 4, ["write", "denyoom", "noscript", "blocking"], TWO, BMOVE_SUMMARY, "2.2.0", "O(1)", brpoplpushCommand),
  row(
    "blmpop",
    -5,
    ["write", "blocking"],
    NONE,
    "Pop elements from a list, or block until one is available",
    "7.0.0",
    MPOP_COMPLEXITY,
    blmpopCommand,
    { getKeys: mpopKeys(2) },
  ),
];
