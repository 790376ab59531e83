/**
 * Shared builders for command-table rows. A row declares only the ACL
 * categories Redis's command JSON declares; the ones its flags imply
 * (@read, @write, @fast/@slow, @blocking...) are added by aclCategories().
 */
import { type CommandSpec, command, type Handler } from "../engine/command.ts";

/** Key positions as COMMAND shows them: first, last (-1 = last arg), step. */
export type KeyRange = [first: number, last: number, step: number];

export const NO_KEYS: KeyRange = [0, 0, 0];
export const ONE_KEY: KeyRange = [1, 1, 1];
export const ALL_KEYS: KeyRange = [1, -1, 1];

/** COMMAND DOCS fields of a group: `docsOf("server")(summary, since, complexity)`. */
export function docsOf(group: string) {
  return (summary: string, since: string, complexity = "O(1)") => ({ summary, since, group, complexity });
}

/**
 * A row builder for one family: every row gets `group` and the declared
 * `categories`, e.g. `rowsOf("list", "list")` or `rowsOf("generic", "keyspace")`.
 */
export function rowsOf(group: string, ...categories: string[]) {
  return (
    name: string,
    arity: number,
    flags: CommandSpec["flags"],
    keys: KeyRange,
    summary: string,
    since: string,
    complexity: string,
    handler: Handler,
    extra: Partial<Pick<CommandSpec, "subcommands" | "getKeys">> = {},
  ): CommandSpec => command(name, arity, flags, keys, categories, { summary, since, group, complexity }, handler, extra);
}
