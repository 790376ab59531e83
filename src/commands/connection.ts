import { Client } from "../engine/client.ts";
import { type CommandSpec, command } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { VERSION } from "../engine/engine.ts";
import { Errors, fail } from "../engine/errors.ts";
import { parseInt64 } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { cString } from "../resp/bytes.ts";
import { MapReply, OK, PONG, type Reply, Status, SwitchProtocol } from "../resp/reply.ts";
import { setClientName } from "./client.ts";

const doc = (summary: string, since: string, complexity = "O(1)") => ({ summary, since, group: "connection", complexity });

const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
const NOPASS_AUTH =
  "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
const HELLO_NOAUTH =
  "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
const RESET = new Status("RESET");
/** What MONITOR and SLOWLOG show instead of credentials (Redis's shared.redacted). */
const REDACTED = "(redacted)";

/** Compares in time independent of where the strings differ, as Redis's time_independent_strcmp does. */
function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i % Math.max(1, b.length));
  return diff === 0;
}

/**
 * Checks a username/password against the only user respd has, `default`,
 * whose password is `requirepass` (no password = any password works, like
 * Redis's `nopass`). On success the client becomes authenticated; on failure
 * its state is left as it was.
 */
function authenticate(ctx: Ctx, user: string, pass: string): boolean {
  if (user !== "default") return false;
  const required = ctx.engine.config.get("requirepass");
  if (required !== "" && !sameSecret(pass, required)) return false;
  ctx.client.authenticated = true;
  ctx.client.user = "default";
  return true;
}

function auth(ctx: Ctx): Reply {
  if (ctx.argv.length > 3) fail(Errors.syntax);
  const [user, pass] = ctx.argv.length === 3 ? [ctx.arg(1), ctx.arg(2)] : ["default", ctx.arg(1)];
  for (let i = 1; i < ctx.argv.length; i++) ctx.argv[i] = REDACTED;
  // The one-argument form makes no sense without a password; Redis says so instead of accepting anything.
  if (ctx.argv.length === 2 && ctx.engine.config.get("requirepass") === "") fail(NOPASS_AUTH);
  if (!authenticate(ctx, user, pass)) fail(WRONGPASS);
  return OK;
}

/** HELLO [protover [AUTH user pass] [SETNAME name]]: options apply left to right, as in Redis 7.0. */
function hello(ctx: Ctx): Reply | SwitchProtocol {
  const { argv, client } = ctx;
  let proto = 0;
  if (argv.length >= 2) {
    const v = parseInt64(ctx.arg(1));
    if (v === null) fail("ERR Protocol version is not an integer or out of range");
    if (v < 2n || v > 3n) fail("NOPROTO unsupported protocol version");
    proto = Number(v);
  }
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = asciiLower(ctx.arg(j));
    if (opt === "auth" && more >= 2) {
      const user = ctx.arg(j + 1);
      const pass = ctx.arg(j + 2);
      argv[j + 1] = REDACTED;
      argv[j + 2] = REDACTED;
      if (!authenticate(ctx, user, pass)) fail(WRONGPASS);
      j += 2;
    } else if (opt === "setname" && more >= 1) {
      setClientName(client, ctx.arg(j + 1));
      j++;
    } else {
      fail(`ERR Syntax error in HELLO option '${cString(ctx.arg(j))}'`);
    }
  }
  if (!client.authenticated) fail(HELLO_NOAUTH);
  if (proto !== 0) client.protocol = proto as 2 | 3;
  const role = ctx.engine.config.get("replicaof") === "" ? "master" : "replica";
  const info = new MapReply([
    "server",
    "redis",
    "version",
    VERSION,
    "proto",
    client.protocol,
    "id",
    client.id,
    "mode",
    "standalone",
    "role",
    role,
    "modules",
    [],
  ]);
  // The encoder switches before writing this reply, so it already uses the new protocol.
  return new SwitchProtocol(client.protocol, info);
}

/**
 * RESET: back to a fresh connection's state (Redis's clearClientConnectionState).
 * CLIENT NO-EVICT survives, as in 7.0; NO-TOUCH is cleared, as in 7.2 which added it.
 */
function reset(ctx: Ctx): SwitchProtocol {
  const c = ctx.client;
  if (c.extraFlags.includes("S") || c.extraFlags.includes("M")) fail("ERR can only reset normal client connections");
  c.monitor = false;
  for (const hook of Client.resetHooks) hook(c, ctx.engine);
  c.db = 0;
  c.protocol = 2;
  c.name = "";
  c.replyMode = "on";
  c.skipNext = false;
  c.skipping = false;
  c.noTouch = false;
  c.user = "default";
  c.authenticated = ctx.engine.config.get("requirepass") === "";
  return new SwitchProtocol(2, RESET);
}

function select(ctx: Ctx): Reply {
  const v = parseInt64(ctx.arg(1));
  if (v === null) fail(Errors.notInteger);
  if (v < -2147483648n || v > 2147483647n) fail("ERR value is out of range, value must between -2147483648 and 2147483647");
  const id = Number(v);
  if (id < 0 || id >= ctx.engine.dbs.length) fail(Errors.dbIndexOutOfRange);
  ctx.client.db = id;
  return OK;
}

const CONN_FLAGS = ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"] as const;

export const connectionCommands: CommandSpec[] = [
  command("ping", -1, ["fast", "sentinel"], [0, 0, 0], ["fast", "connection"], doc("Ping the server", "1.0.0"), (ctx) => {
    if (ctx.argv.length > 2) fail(Errors.wrongArgs("ping"));
    // A RESP2 subscriber can only receive arrays, so PING answers in the pub/sub message shape.
    if (ctx.client.protocol === 2 && ctx.client.extraFlags.includes("P")) {
      return ["pong", ctx.argv.length === 2 ? ctx.arg(1) : ""];
    }
    return ctx.argv.length === 2 ? ctx.arg(1) : PONG;
  }),
  command("echo", 2, ["loading", "stale", "fast"], [0, 0, 0], ["fast", "connection"], doc("Echo the given string", "1.0.0"), (ctx) =>
    ctx.arg(1),
  ),
  command("quit", -1, [...CONN_FLAGS], [0, 0, 0], ["fast", "connection"], doc("Close the connection", "1.0.0"), (ctx) => {
    ctx.client.closeAfterReply();
    return OK;
  }),
  command("reset", 1, [...CONN_FLAGS], [0, 0, 0], ["fast", "connection"], doc("Reset the connection", "6.2.0"), reset),
  command("hello", -1, [...CONN_FLAGS], [0, 0, 0], ["fast", "connection"], doc("Handshake with Redis", "6.0.0"), hello),
  command(
    "auth",
    -2,
    [...CONN_FLAGS],
    [0, 0, 0],
    ["fast", "connection"],
    doc("Authenticate to the server", "1.0.0", "O(N) where N is the number of passwords defined for the user"),
    auth,
  ),
  command(
    "select",
    2,
    ["loading", "stale", "fast"],
    [0, 0, 0],
    ["fast", "connection"],
    doc("Change the selected database for the current connection", "1.0.0"),
    select,
  ),
];
