/**
 * SORT and SORT_RO's table rows. Metadata is Redis 7.0's (key specs and
 * argument docs come from ./metadata.ts); the handler lives in ./sort/.
 */
import type { CommandSpec } from "../engine/command.ts";
import { ONE_KEY, rowsOf } from "./rows.ts";
import { sortCommand, sortRoCommand } from "./sort/command.ts";
import { sortKeys } from "./sort/options.ts";

const COMPLEXITY =
  "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";
const row = rowsOf("generic", "set", "sortedset", "list", "dangerous");

export const sortCommands: CommandSpec[] = [
  row("sort", -2, ["write", "denyoom"], ONE_KEY, "Sort the elements in a list, set or sorted set", "1.0.0", COMPLEXITY, sortCommand, {
    getKeys: sortKeys,
  }),
  row(
    "sort_ro",
    -2,
    ["readonly"],
    ONE_KEY,
    "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
    "7.0.0",
    COMPLEXITY,
    sortRoCommand,
  ),
];
