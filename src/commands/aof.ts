/**
 * BGREWRITEAOF and the aof_* fields of INFO persistence, served by the
 * engine's AofManager (src/persistence/aof).
 */
import { type CommandSpec, command } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import { fail } from "../engine/errors.ts";
import { aofOf } from "../persistence/aof/index.ts";
import { type Reply, Status } from "../resp/reply.ts";
import { extendInfo } from "./info.ts";

function bgrewriteaof(ctx: Ctx): Reply {
  const aof = aofOf(ctx.engine);
  if (!aof) fail("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
  // A rewrite started inside EXEC would walk a keyspace the transaction is still changing: Redis schedules it.
  if (!aof.rewriting && (ctx.client.inExec || aof.otherChildActive())) {
    aof.rewriteScheduled = true;
    aof.consecutiveFailures = 0;
    return new Status("Background append only file rewriting scheduled");
  }
  switch (aof.rewrite()) {
    case "in-progress":
      return fail("ERR Background append only file rewriting already in progress");
    case "error":
      return fail("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
    default:
      return new Status("Background append only file rewriting started");
  }
}

export const aofCommands: CommandSpec[] = [
  command(
    "bgrewriteaof",
    1,
    ["admin", "noscript", "no_async_loading"],
    [0, 0, 0],
    ["admin", "slow", "dangerous"],
    { summary: "Asynchronously rewrite the append-only file", since: "1.0.0", group: "server", complexity: "O(1)" },
    bgrewriteaof,
  ),
];

extendInfo("persistence", (engine: Engine) => {
  const aof = aofOf(engine);
  if (!aof) return [];
  const now = Date.now();
  const fields: [string, string | number][] = [
    ["aof_enabled", aof.state !== "off" ? 1 : 0],
    ["aof_rewrite_in_progress", aof.rewriting ? 1 : 0],
    ["aof_rewrite_scheduled", aof.rewriteScheduled ? 1 : 0],
    ["aof_last_rewrite_time_sec", aof.lastRewriteTimeSec],
    ["aof_current_rewrite_time_sec", aof.rewriting ? Math.floor((now - aof.rewriteStartedAt) / 1000) : -1],
    ["aof_last_bgrewrite_status", aof.lastRewriteOk ? "ok" : "err"],
    ["aof_rewrites", aof.rewrites],
    ["aof_rewrites_consecutive_failures", aof.consecutiveFailures],
    ["aof_last_write_status", aof.lastWriteOk ? "ok" : "err"],
  ];
  if (aof.state !== "off") {
    fields.push(
      ["aof_current_size", aof.currentSize],
      ["aof_base_size", aof.baseSize],
      ["aof_pending_rewrite", aof.rewriteScheduled ? 1 : 0],
      ["aof_buffer_length", aof.bufferLength],
      ["aof_pending_bio_fsync", aof.pendingFsync ? 1 : 0],
      ["aof_delayed_fsync", 0],
    );
  }
  return fields;
});
