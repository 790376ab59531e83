import { type CommandSpec, command } from "../engine/command.ts";
import { Errors, fail } from "../engine/errors.ts";
import { intArg } from "../engine/numbers.ts";
import { OK, PONG } from "../resp/reply.ts";

const doc = (summary: string, since: string) => ({ summary, since, group: "connection" });

export const connectionCommands: CommandSpec[] = [
  command(
    "ping",
    -1,
    ["fast", "sentinel"],
    [0, 0, 0],
    ["fast", "connection"],
    doc("Returns the server's liveliness response.", "1.0.0"),
    (ctx) => {
      if (ctx.argv.length > 2) fail(Errors.wrongArgs("ping"));
      return ctx.argv.length === 2 ? ctx.arg(1) : PONG;
    },
  ),
  command("echo", 2, ["fast"], [0, 0, 0], ["fast", "connection"], doc("Returns the given string.", "1.0.0"), (ctx) => ctx.arg(1)),
  command(
    "quit",
    -1,
    ["allow_busy", "noscript", "loading", "stale", "fast", "no_auth"],
    [0, 0, 0],
    ["fast", "connection"],
    doc("Closes the connection.", "1.0.0"),
    (ctx) => {
      ctx.client.closeAfterReply();
      return OK;
    },
  ),
  command(
    "select",
    2,
    ["loading", "stale", "fast"],
    [0, 0, 0],
    ["fast", "connection"],
    doc("Changes the selected database.", "1.0.0"),
    (ctx) => {
      const id = intArg(ctx.arg(1), "ERR invalid DB index");
      if (id < 0 || id >= ctx.engine.dbs.length) fail(Errors.dbIndexOutOfRange);
      ctx.client.db = id;
      return OK;
    },
  ),
];
