import type { CommandSpec } from "./command.ts";

/** Redis's ACL categories in the order COMMAND INFO and ACL CAT list them. */
export const ACL_CATEGORIES = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
] as const;

/**
 * A command's ACL categories as Redis computes them: the declared ones plus
 * those its flags imply (setImplicitACLCategories), in canonical order.
 */
export function aclCategories(spec: Pick<CommandSpec, "flags" | "categories">): string[] {
  const cats = new Set(spec.categories);
  const has = (f: string) => (spec.flags as string[]).includes(f);
  if (has("write")) cats.add("write");
  // Scripting commands are not @read even when read-only.
  if (has("readonly") && !cats.has("scripting")) cats.add("read");
  if (has("admin")) {
    cats.add("admin");
    cats.add("dangerous");
  }
  if (has("pubsub")) cats.add("pubsub");
  if (has("fast")) cats.add("fast");
  if (has("blocking")) cats.add("blocking");
  if (!cats.has("fast")) cats.add("slow");
  return ACL_CATEGORIES.filter((c) => cats.has(c));
}
