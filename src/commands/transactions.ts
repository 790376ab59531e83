/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's multi.c). Queueing itself is
 * an engine gate (engine/multi.ts); rejections before the gates (unknown
 * command, arity, NOAUTH, no_multi) doom the transaction in the engine.
 */
import { Client } from "../engine/client.ts";
import { type CommandSpec, command, type HandlerResult, NO_REPLY } from "../engine/command.ts";
import { Ctx } from "../engine/context.ts";
import { fail } from "../engine/errors.ts";
import {
  beginMulti,
  discardTransaction,
  EXECABORT,
  inMulti,
  propagateBlock,
  unwatchCommand,
  watchedKeyExpired,
  watchKey,
} from "../engine/multi.ts";
import { NULL_ARRAY, OK, type Reply, SwitchProtocol } from "../resp/reply.ts";

const doc = (summary: string, since: string, complexity = "O(1)") => ({ summary, since, group: "transactions", complexity });
const FLAGS = ["noscript", "loading", "stale", "fast", "allow_busy"] as const;

// RESET and disconnects leave MULTI and drop the watches, as Redis's clearClientConnectionState/freeClient.
Client.resetHooks.push((c, engine) => discardTransaction(engine, c));

function multi(ctx: Ctx): Reply {
  if (inMulti(ctx.client)) fail("ERR MULTI calls can not be nested");
  beginMulti(ctx.engine, ctx.client);
  return OK;
}

function discard(ctx: Ctx): Reply {
  if (!inMulti(ctx.client)) fail("ERR DISCARD without MULTI");
  discardTransaction(ctx.engine, ctx.client);
  return OK;
}

/**
 * Runs the queue back to back (nothing else runs meanwhile: it is all
 * synchronous), each command through the engine's call() so stats, slowlog,
 * MONITOR and keyspace effects are the same as outside MULTI. Runtime errors
 * do not stop the rest; they are elements of the reply.
 */
function exec(ctx: Ctx): HandlerResult {
  const { engine, client: c } = ctx;
  if (!inMulti(c)) fail("ERR EXEC without MULTI");
  if (!c.watchDirty && watchedKeyExpired(engine, c, Date.now())) c.watchDirty = true;
  if (c.multiAborted) {
    discardTransaction(engine, c);
    fail(EXECABORT);
  }
  if (c.watchDirty) {
    discardTransaction(engine, c);
    return NULL_ARRAY;
  }
  const queue = c.multiCommands;
  discardTransaction(engine, c);
  const replies: Reply[] = [];
  let switched: SwitchProtocol | null = null;
  const collected = engine.capturePropagation();
  c.inExec = true;
  try {
    for (const [cmd, argv] of queue) {
      // Time stands still inside EXEC, as Redis caches mstime for nested calls.
      const r = engine.call(new Ctx(engine, c, argv, cmd, ctx.now));
      if (r instanceof SwitchProtocol) {
        switched = r;
        replies.push(r.reply);
      } else if (r === NO_REPLY) replies.push(OK);
      else replies.push(r as Reply);
    }
  } finally {
    c.inExec = false;
    propagateBlock(engine, collected());
  }
  // HELLO inside MULTI: the whole array goes out in the new protocol (Redis switches mid-array).
  return switched === null ? replies : new SwitchProtocol(switched.protocol, replies);
}

function watch(ctx: Ctx): Reply {
  if (inMulti(ctx.client)) fail("ERR WATCH inside MULTI is not allowed");
  const now = Date.now();
  for (let i = 1; i < ctx.argv.length; i++) watchKey(ctx.engine, ctx.client, ctx.arg(i), now);
  return OK;
}

function unwatch(ctx: Ctx): Reply {
  unwatchCommand(ctx.engine, ctx.client);
  return OK;
}

export const transactionCommands: CommandSpec[] = [
  command("multi", 1, [...FLAGS], [0, 0, 0], ["fast", "transaction"], doc("Mark the start of a transaction block", "1.2.0"), multi),
  command(
    "exec",
    1,
    ["noscript", "loading", "stale", "skip_slowlog"],
    [0, 0, 0],
    ["slow", "transaction"],
    doc("Execute all commands issued after MULTI", "1.2.0", "Depends on commands in the transaction"),
    exec,
  ),
  command(
    "discard",
    1,
    [...FLAGS],
    [0, 0, 0],
    ["fast", "transaction"],
    doc("Discard all commands issued after MULTI", "2.0.0", "O(N), when N is the number of queued commands"),
    discard,
  ),
  command(
    "watch",
    -2,
    [...FLAGS],
    [1, -1, 1],
    ["fast", "transaction"],
    doc("Watch the given keys to determine execution of the MULTI/EXEC block", "2.2.0", "O(1) for every key."),
    watch,
  ),
  command("unwatch", 1, [...FLAGS], [0, 0, 0], ["fast", "transaction"], doc("Forget about all watched keys", "2.2.0"), unwatch),
];
