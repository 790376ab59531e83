/** SLOWLOG GET / LEN / RESET / HELP over the engine's slow log (recorded in Engine.call). */
import { type CommandFlag, type CommandSpec, command, type Handler } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { parseInt64 } from "../engine/numbers.ts";
import { OK, type Reply } from "../resp/reply.ts";
import { helpReply } from "./help.ts";

const doc = (summary: string, since: string, complexity = "O(1)") => ({ summary, since, group: "server", complexity });
const ADMIN: CommandFlag[] = ["admin", "loading", "stale"];
const ADMIN_CATS = ["admin", "slow", "dangerous"];

function slowlogGet(ctx: Ctx): Reply {
  const { argv, engine } = ctx;
  if (argv.length > 3) fail(Errors.subcommandSyntax(argv));
  let count = 10;
  if (argv.length === 3) {
    const n = parseInt64(argv[2] as string);
    if (n === null || n < -1n) fail("ERR count should be greater than or equal to -1");
    count = n === -1n ? Number.POSITIVE_INFINITY : Number(n);
  }
  const out: Reply[] = [];
  for (const e of engine.slowlog.entries) {
    if (out.length >= count) break;
    out.push([e.id, e.time, e.micros, e.argv.slice(), e.addr, e.name]);
  }
  return out;
}

const HELP = helpReply("SLOWLOG", [
  "GET [<count>]",
  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
  "    Entries are made of:",
  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
  "    client name",
  "LEN",
  "    Return the length of the slowlog.",
  "RESET",
  "    Reset the slowlog.",
]);

function sub(name: string, arity: number, flags: CommandFlag[], d: ReturnType<typeof doc>, handler: Handler): CommandSpec {
  return command(name, arity, flags, [0, 0, 0], flags.includes("admin") ? ADMIN_CATS : ["slow"], d, handler);
}

export const slowlogCommands: CommandSpec[] = [
  command(
    "slowlog",
    -2,
    [],
    [0, 0, 0],
    ["slow"],
    doc("A container for slow log commands", "2.2.12", "Depends on subcommand."),
    () => fail("ERR wrong number of arguments for 'slowlog' command"),
    {
      subcommands: [
        sub("get", -2, ADMIN, doc("Get the slow log's entries", "2.2.12", "O(N) where N is the number of entries returned"), slowlogGet),
        sub("help", 2, ["loading", "stale"], doc("Show helpful text about the different subcommands", "6.2.0"), () => HELP),
        sub(
          "reset",
          2,
          ADMIN,
          doc("Clear all entries from the slow log", "2.2.12", "O(N) where N is the number of entries in the slowlog"),
          (ctx) => {
            ctx.engine.slowlog.reset();
            return OK;
          },
        ),
        sub("len", 2, ADMIN, doc("Get the slow log's length", "2.2.12"), (ctx) => ctx.engine.slowlog.entries.length),
      ],
    },
  ),
];
