/**
 * SORT and SORT_RO's table rows. Metadata is Redis 7.0's (key specs and
 * argument docs come from ./metadata.ts); the handler lives in ./sort/.
 */
import { type CommandSpec, command } from "../engine/command.ts";
import { sortCommand, sortRoCommand } from "./sort/command.ts";
import { sortKeys } from "./sort/options.ts";

const COMPLEXITY =
  "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";
const CATEGORIES = ["set", "sortedset", "list", "slow", "dangerous"];

export const sortCommands: CommandSpec[] = [
  command(
    "sort",
    -2,
    ["write", "denyoom"],
    [1, 1, 1],
    ["write", ...CATEGORIES],
    { summary: "Sort the elements in a list, set or sorted set", since: "1.0.0", group: "generic", complexity: COMPLEXITY },
    sortCommand,
    { getKeys: sortKeys },
  ),
  command(
    "sort_ro",
    -2,
    ["readonly"],
    [1, 1, 1],
    ["read", ...CATEGORIES],
    {
      summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
      since: "7.0.0",
      group: "generic",
      complexity: COMPLEXITY,
    },
    sortRoCommand,
  ),
];
