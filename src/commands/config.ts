/** CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the parameter table in src/config. */
import { rewriteConfigText } from "../config/rewrite.ts";
import type { Client } from "../engine/client.ts";
import { type CommandFlag, type CommandSpec, command, type Handler } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { MapReply, OK, type Reply } from "../resp/reply.ts";
import { helpReply } from "./help.ts";
import { resetMemoryPeak } from "./info.ts";

const ADMIN: CommandFlag[] = ["admin", "noscript", "loading", "stale"];
const ADMIN_CATS = ["admin", "slow", "dangerous"];
const doc = (summary: string, since: string, complexity = "O(1)") => ({ summary, since, group: "server", complexity });

/** A connection from this host: loopback TCP or a unix socket (Redis's islocalClient). */
export function isLocalClient(client: Client): boolean {
  const a = client.addr;
  return a.startsWith("127.") || a.startsWith("[::1]:") || a.startsWith("::1:") || a.startsWith("/");
}

/** enable-protected-configs / enable-debug-command: "yes", or "local" for local clients. */
export function protectedActionAllowed(setting: string, client: Client): boolean {
  return setting === "yes" || (setting === "local" && isLocalClient(client));
}

function configGet(ctx: Ctx): Reply {
  const pairs = ctx.engine.config.matching(ctx.argv.slice(2));
  return new MapReply(pairs.flat());
}

function configSet(ctx: Ctx): Reply {
  const { argv, engine } = ctx;
  if (argv.length % 2 !== 0) fail(Errors.syntax);
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i] as string, argv[i + 1] as string]);
  // Keep secrets out of SLOWLOG and MONITOR, as Redis redacts SENSITIVE_CONFIG values.
  for (let i = 2; i < argv.length; i += 2) {
    const name = (argv[i] as string).toLowerCase();
    if (name === "requirepass" || name === "masterauth" || name === "masteruser") argv[i + 1] = "(redacted)";
  }
  const allowed = protectedActionAllowed(engine.config.get("enable-protected-configs"), ctx.client);
  const err = engine.config.setMany(pairs, allowed);
  if (err !== null) fail(err);
  return OK;
}

function configResetStat(ctx: Ctx): Reply {
  ctx.engine.stats.reset();
  resetMemoryPeak(ctx.engine);
  return OK;
}

function configRewrite(ctx: Ctx): Reply {
  const config = ctx.engine.config;
  if (config.file === "" || config.io === null) fail("ERR The server is running without a config file");
  try {
    const old = config.io.read(config.file) ?? "";
    config.io.write(config.file, rewriteConfigText(config, old));
  } catch (e) {
    fail(`ERR Rewriting config file: ${(e as Error).message}`);
  }
  return OK;
}

const HELP = helpReply("CONFIG", [
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
]);

function sub(name: string, arity: number, flags: CommandFlag[], d: ReturnType<typeof doc>, handler: Handler): CommandSpec {
  const cats = flags.includes("admin") ? ADMIN_CATS : ["slow"];
  return command(name, arity, flags, [0, 0, 0], cats, d, handler);
}

const N_PARAMS = "O(N) when N is the number of configuration parameters provided";

export const configCommands: CommandSpec[] = [
  command(
    "config",
    -2,
    [],
    [0, 0, 0],
    ["slow"],
    doc("A container for server configuration commands", "2.0.0", "Depends on subcommand."),
    () => fail("ERR wrong number of arguments for 'config' command"),
    {
      subcommands: [
        sub("get", -3, ADMIN, doc("Get the values of configuration parameters", "2.0.0", N_PARAMS), configGet),
        sub("rewrite", 2, ADMIN, doc("Rewrite the configuration file with the in memory configuration", "2.8.0"), configRewrite),
        sub("help", 2, ["loading", "stale"], doc("Show helpful text about the different subcommands", "5.0.0"), () => HELP),
        sub("resetstat", 2, ADMIN, doc("Reset the stats returned by INFO", "2.0.0"), configResetStat),
        sub("set", -4, ADMIN, doc("Set configuration parameters to the given values", "2.0.0", N_PARAMS), configSet),
      ],
    },
  ),
];
