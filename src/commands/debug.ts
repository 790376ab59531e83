/**
 * DEBUG, behind enable-debug-command like Redis 7.0 (refused unless "yes",
 * or "local" and the client is local). The subcommands tests and tools rely
 * on: SLEEP (blocks the whole server, as in Redis), SET-ACTIVE-EXPIRE,
 * OBJECT, POPULATE, HELP.
 */
import { type CommandSpec, command } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { parseInt64 } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { OK, type Reply, Status } from "../resp/reply.ts";
import { encodingOf, isLongString, isStringValue, stringOf, type Value } from "../store/values.ts";
import { protectedActionAllowed } from "./config.ts";
import { debugCrash } from "./debug-crash.ts";
import { helpReply } from "./help.ts";

const NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

/** Blocks the thread for `ms`, like Redis's usleep in DEBUG SLEEP: nothing else runs meanwhile. */
export function sleepSync(ms: number): void {
  if (ms <= 0) return;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  } catch {
    // Some embedders forbid Atomics.wait on the main thread: spin instead.
    const end = performance.now() + ms;
    while (performance.now() < end) {}
  }
}

/** C's atof: the longest leading number, 0 when there is none. */
function atof(s: string): number {
  const v = Number.parseFloat(s);
  return Number.isNaN(v) ? 0 : v;
}

/** Bytes an RDB length prefix takes. */
function lenPrefix(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9;
}

/** RDB size of a string value: small integers are stored as 1, 2 or 4 byte ints, else length + bytes. */
function serializedLength(v: Value): number {
  if (isStringValue(v)) {
    const s = stringOf(v);
    if (isLongString(s)) {
      const n = Number(s);
      if (n >= -128 && n <= 127) return 2;
      if (n >= -32768 && n <= 32767) return 3;
      if (n >= -2147483648 && n <= 2147483647) return 5;
    }
    return lenPrefix(s.length) + s.length;
  }
  // Aggregates: respd does not serialize them here; 0 says "not computed".
  return 0;
}

/** A stable pseudo address per key, since JS has no object addresses. */
function pseudoAddress(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return `0x7f${h.toString(16).padStart(10, "0")}`;
}

function debugObject(ctx: Ctx, key: string): Reply {
  const db = ctx.db;
  const v = db.lookup(key, ctx.now, false);
  if (v === undefined) fail(Errors.noSuchKey);
  const idleMs = db.idleMs(key, ctx.now);
  const lru = Math.floor((ctx.now - idleMs) / 1000) & 0xffffff;
  return new Status(
    `Value at:${pseudoAddress(key)} refcount:1 encoding:${encodingOf(v)} serializedlength:${serializedLength(v)} lru:${lru} lru_seconds_idle:${Math.floor(idleMs / 1000)}`,
  );
}

function debugPopulate(ctx: Ctx): Reply {
  const { argv } = ctx;
  const count = parseInt64(argv[2] as string);
  if (count === null) fail(Errors.notInteger);
  if (count < 0n) fail(Errors.notPositive);
  const prefix = argv.length > 3 ? (argv[3] as string) : "key";
  let size = -1;
  if (argv.length > 4) {
    const s = parseInt64(argv[4] as string);
    if (s === null) fail(Errors.notInteger);
    if (s < 0n) fail(Errors.notPositive);
    size = Number(s);
  }
  const db = ctx.db;
  for (let i = 0; i < Number(count); i++) {
    const key = `${prefix}:${i}`;
    if (db.lookup(key, ctx.now, false) !== undefined) continue;
    let value = `value:${i}`;
    // A sized value keeps the "value:N" prefix and is zero-padded, as Redis does.
    if (size >= 0) value = size <= value.length ? value.slice(0, size) : value + "\0".repeat(size - value.length);
    db.set(key, value, ctx.now);
  }
  return OK;
}

const HELP = helpReply("DEBUG", [
  "OBJECT <key>",
  "    Show low level info about `key` and associated value.",
  "POPULATE <count> [<prefix>] [<size>]",
  "    Create <count> string keys named key:<num>. If <prefix> is specified then",
  "    it is used instead of the 'key' prefix. These are not propagated to",
  "    replicas. Cluster slots are not respected so keys not belonging to the",
  "    current node can be created in cluster mode.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
]);

function debug(ctx: Ctx): Reply {
  const { argv, engine } = ctx;
  if (!protectedActionAllowed(engine.config.get("enable-debug-command"), ctx.client)) fail(NOT_ALLOWED);
  const sub = asciiLower(argv[1] as string);
  const n = argv.length;
  if (sub === "help" && n === 2) return HELP;
  if (sub === "sleep" && n === 3) {
    sleepSync(atof(argv[2] as string) * 1000);
    return OK;
  }
  if (sub === "set-active-expire" && n === 3) {
    // atoi, as Redis: "2" enables, "0.5" disables.
    engine.activeExpire = (Number.parseInt(argv[2] as string, 10) || 0) !== 0;
    return OK;
  }
  if (sub === "object" && n === 3) return debugObject(ctx, argv[2] as string);
  if (sub === "populate" && n >= 3 && n <= 5) return debugPopulate(ctx);
  debugCrash(ctx, sub);
  fail(Errors.subcommandSyntax(argv));
}

export const debugCommands: CommandSpec[] = [
  command(
    "debug",
    -2,
    ["admin", "noscript", "loading", "stale"],
    [0, 0, 0],
    ["admin", "slow", "dangerous"],
    { summary: "A container for debugging commands", since: "1.0.0", group: "server", complexity: "Depends on subcommand." },
    debug,
  ),
];
