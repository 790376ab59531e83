/**
 * The server family: TIME, MONITOR, SHUTDOWN here, and the bigger
 * members in their own modules (INFO, CONFIG, DEBUG, SLOWLOG, LATENCY, SAVE/BGSAVE/LASTSAVE).
 */
import type { Blocked } from "../engine/blocking.ts";
import { type CommandSpec, command, NO_REPLY } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import type { ShutdownOptions } from "../engine/engine.ts";
import { Errors, fail } from "../engine/errors.ts";
import { asciiLower } from "../engine/table.ts";
import { OK, type Reply } from "../resp/reply.ts";
import { configCommands } from "./config.ts";
import { debugCommands } from "./debug.ts";
import { infoCommands } from "./info.ts";
import { latencyCommands } from "./latency.ts";
import { lolwutCommands } from "./lolwut.ts";
import { memoryCommands } from "./memory.ts";
import { persistenceCommands } from "./persistence.ts";
import { slowlogCommands } from "./slowlog.ts";

const doc = (summary: string, since: string, complexity?: string) => ({ summary, since, group: "server", complexity });

/** Seconds and microseconds of the wall clock, as two bulk strings. */
function time(): Reply {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  return [String(Math.floor(us / 1e6)), String(us % 1e6)];
}

/** MONITOR: a client already monitoring gets no second +OK, as in Redis. */
function monitor(ctx: Ctx): Reply | typeof NO_REPLY {
  if (ctx.client.monitor) return NO_REPLY;
  ctx.client.monitor = true;
  return OK;
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: on success nothing is replied;
 * the connection just closes. While the master waits for its replicas the
 * caller is blocked.
 */
function shutdown(ctx: Ctx): Reply | Blocked | typeof NO_REPLY {
  const opts: ShutdownOptions = { save: null, now: false, force: false, abort: false };
  let nosave = false;
  let any = false;
  for (let i = 1; i < ctx.argv.length; i++) {
    const w = asciiLower(ctx.arg(i));
    if (w === "nosave") nosave = true;
    else if (w === "save") opts.save = true;
    else if (w === "now") opts.now = true;
    else if (w === "force") opts.force = true;
    else if (w === "abort") opts.abort = true;
    else fail(Errors.syntax);
    if (w !== "abort") any = true;
  }
  if ((opts.abort && any) || (nosave && opts.save)) fail(Errors.syntax);
  if (nosave) opts.save = false;
  const host = ctx.engine.host;
  if (host === null) fail("ERR Errors trying to SHUTDOWN. Check logs.");
  return host.shutdown(opts, ctx.client) ?? NO_REPLY;
}

export const serverCommands: CommandSpec[] = [
  ...infoCommands,
  ...configCommands,
  ...debugCommands,
  ...slowlogCommands,
  ...latencyCommands,
  ...memoryCommands,
  ...lolwutCommands,
  ...persistenceCommands,
  command("time", 1, ["loading", "stale", "fast"], [0, 0, 0], ["fast"], doc("Return the current server time", "2.6.0", "O(1)"), time),
  command(
    "monitor",
    1,
    ["admin", "noscript", "loading", "stale"],
    [0, 0, 0],
    ["admin", "slow", "dangerous"],
    doc("Listen for all requests received by the server in real time", "1.0.0"),
    monitor,
  ),
  command(
    "shutdown",
    -1,
    ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    [0, 0, 0],
    ["admin", "slow", "dangerous"],
    doc(
      "Synchronously save the dataset to disk and then shut down the server",
      "1.0.0",
      "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
    ),
    shutdown,
  ),
];
