/**
 * HSCAN. A hashtable is walked with the Dict's reverse-binary cursor (every
 * field present for the whole scan is returned at least once); a listpack
 * hash is returned whole with cursor 0, as Redis does.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import type { Reply } from "../../resp/reply.ts";
import { globMatch } from "../../store/glob.ts";
import { parseCursor } from "../keys.ts";
import { readHash } from "./access.ts";

export function hscanCommand(ctx: Ctx): Reply {
  let cursor = parseCursor(ctx.arg(2));
  const hash = readHash(ctx, ctx.arg(1));
  // Options are only parsed for an existing hash, as in Redis.
  if (hash === undefined) return ["0", []];
  let count = 10;
  let pattern: string | null = null;
  const argc = ctx.argv.length;
  for (let i = 3; i < argc; i += 2) {
    const opt = asciiLower(ctx.arg(i));
    const hasValue = i + 1 < argc;
    if (opt === "count" && hasValue) {
      count = intArg(ctx.arg(i + 1));
      if (count < 1) fail(Errors.syntax);
    } else if (opt === "match" && hasValue) {
      const p = ctx.arg(i + 1);
      pattern = p === "*" ? null : p;
    } else fail(Errors.syntax);
  }
  const found: string[] = [];
  const collect = (f: string, v: string) => found.push(f, v);
  if (hash.isListpack) {
    hash.each(collect);
    cursor = 0;
  } else {
    // COUNT counts reply elements (a field and its value are two), bounded on a sparse table.
    let guard = count * 10;
    do cursor = hash.scan(cursor, collect);
    while (cursor !== 0 && guard-- !== 0 && found.length < count);
  }
  if (pattern === null) return [String(cursor), found];
  const matched: string[] = [];
  for (let i = 0; i < found.length; i += 2) {
    const field = found[i] as string;
    if (globMatch(pattern, field)) matched.push(field, found[i + 1] as string);
  }
  return [String(cursor), matched];
}
