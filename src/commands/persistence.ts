/** SAVE, BGSAVE [SCHEDULE], LASTSAVE (Redis's rdb.c commands). */
import { type CommandSpec, command } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { asciiLower } from "../engine/table.ts";
import { saverOf } from "../persistence/saver.ts";
import { OK, type Reply, Status } from "../resp/reply.ts";

const doc = (summary: string, since: string, complexity?: string) => ({ summary, since, group: "server", complexity });
const ADMIN = ["admin", "slow", "dangerous"];

function saver(ctx: Ctx) {
  const s = saverOf(ctx.engine);
  // An engine without a server around it (in-process tests) has nowhere to save.
  if (s === undefined) fail("ERR");
  return s;
}

function save(ctx: Ctx): Reply {
  const s = saver(ctx);
  if (s.bgsaveInProgress) fail("ERR Background save already in progress");
  if (!s.save()) fail("ERR");
  return OK;
}

function bgsave(ctx: Ctx): Reply {
  let schedule = false;
  if (ctx.argv.length > 1) {
    if (ctx.argv.length === 2 && asciiLower(ctx.arg(1)) === "schedule") schedule = true;
    else fail(Errors.syntax);
  }
  const r = saver(ctx).bgsaveCommand(schedule, ctx.client.inExec);
  if ("error" in r) fail(r.error);
  return new Status(r.status);
}

export const persistenceCommands: CommandSpec[] = [
  command(
    "save",
    1,
    ["admin", "noscript", "no_async_loading", "no_multi"],
    [0, 0, 0],
    ADMIN,
    doc("Synchronously save the dataset to disk", "1.0.0", "O(N) where N is the total number of keys in all databases"),
    save,
  ),
  command(
    "bgsave",
    -1,
    ["admin", "noscript", "no_async_loading"],
    [0, 0, 0],
    ADMIN,
    doc("Asynchronously save the dataset to disk", "1.0.0", "O(1)"),
    bgsave,
  ),
  command(
    "lastsave",
    1,
    ["loading", "stale", "fast"],
    [0, 0, 0],
    ["admin", "fast", "dangerous"],
    doc("Get the UNIX time stamp of the last successful save to disk", "1.0.0", "O(1)"),
    // Before any save, Redis reports its start time.
    (ctx) => saverOf(ctx.engine)?.lastSave ?? Math.floor(ctx.engine.startedAt / 1000),
  ),
];
