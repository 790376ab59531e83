import { type CommandSpec, command } from "../engine/command.ts";
import { Errors, fail } from "../engine/errors.ts";
import { OK } from "../resp/reply.ts";
import { isStringValue, stringOf } from "../store/values.ts";

const doc = (summary: string, since: string) => ({ summary, since, group: "string" });

export const stringCommands: CommandSpec[] = [
  command(
    "get",
    2,
    ["readonly", "fast"],
    [1, 1, 1],
    ["read", "string", "fast"],
    doc("Returns the string value of a key.", "1.0.0"),
    (ctx) => {
      const v = ctx.db.lookup(ctx.arg(1), ctx.now);
      if (v === undefined) return null;
      if (!isStringValue(v)) fail(Errors.wrongType);
      return stringOf(v);
    },
  ),
  command(
    "set",
    -3,
    ["write", "denyoom"],
    [1, 1, 1],
    ["write", "string", "slow"],
    doc("Sets the string value of a key.", "1.0.0"),
    (ctx) => {
      ctx.db.set(ctx.arg(1), ctx.arg(2), ctx.now);
      ctx.dirty();
      ctx.touched(ctx.arg(1));
      return OK;
    },
  ),
];
