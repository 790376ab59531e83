import type { Client } from "../engine/client.ts";
import { type CommandFlag, type CommandSpec, command, type Handler, NO_REPLY } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { parseInt64 } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { cString } from "../resp/bytes.ts";
import { OK, type Reply, Status, Verbatim } from "../resp/reply.ts";
import { trackingRedirect, trackingSubcommands } from "./tracking.ts";

const doc = (summary: string, since: string, complexity = "O(1)") => ({ summary, since, group: "connection", complexity });

const NAME_ERROR = "ERR Client names cannot contain spaces, newlines or special characters.";

/** A name or lib attribute must split cleanly out of CLIENT LIST: printable ASCII, no spaces. */
function printable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** CLIENT SETNAME and HELLO SETNAME: an empty name clears it. */
export function setClientName(client: Client, name: string): void {
  if (!printable(name)) fail(NAME_ERROR);
  client.name = name;
}

// ---------------------------------------------------------------- CLIENT LIST / INFO

type ClientType = "normal" | "master" | "replica" | "pubsub";

/** Redis's getClientTypeByName ("slave" is the old spelling of "replica"). */
function clientType(name: string): ClientType {
  const n = asciiLower(name);
  if (n === "normal" || n === "master" || n === "replica" || n === "pubsub") return n;
  if (n === "slave") return "replica";
  fail(`ERR Unknown client type '${cString(name)}'`);
}

/** Redis's getClientType: a monitor counts as normal, a subscriber as pubsub. */
function typeOf(c: Client): ClientType {
  if (c.extraFlags.includes("M")) return "master";
  if (c.extraFlags.includes("S") && !c.monitor) return "replica";
  if (c.extraFlags.includes("P")) return "pubsub";
  return "normal";
}

/** The letters of CLIENT LIST's flags=, in the order Redis prints them. */
const FLAG_ORDER = "SMPxbtRBdcuAUr";

function flagsOf(c: Client, blocked: boolean): string {
  let f = c.monitor ? "O" : "";
  for (const ch of FLAG_ORDER) {
    if (ch === "S" && c.monitor) continue;
    // "b": parked by a blocking command (BLPOP...), which the engine's registry knows.
    if (c.extraFlags.includes(ch) || (ch === "b" && blocked)) f += ch;
  }
  if (c.noEvict) f += "e";
  if (c.noTouch) f += "T";
  return f === "" ? "N" : f;
}

const secs = (ms: number) => Math.floor(ms / 1000);

/**
 * One CLIENT LIST / CLIENT INFO line, fields as Redis 7.0 prints them plus
 * 7.2's lib-name/lib-ver. Buffer figures respd does not track the way Redis
 * does (query buffer, reply buffer blocks) are shown as Redis shows an idle
 * client; omem is the real pending output.
 */
export function clientInfoLine(c: Client, ctx: Ctx): string {
  const self = c === ctx.client;
  let argvMem = 0;
  if (self) for (const a of ctx.argv) argvMem += a.length;
  const omem = c.transport.pendingBytes;
  const now = ctx.now;
  // Queued commands: per command Redis's multiCmd (24 bytes), per argument a pointer and an object header plus its bytes.
  let multiMem = 0;
  for (const [, argv] of c.multiCommands) {
    multiMem += 24;
    for (const a of argv) multiMem += 24 + a.length;
  }
  // The client structure (~5.9 KB in Redis) plus its buffers.
  const totMem = 5888 + c.replyBufSize + argvMem + omem + c.qbufCap + multiMem;
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name}` +
    ` age=${secs(now) - secs(c.createdAt)} idle=${self ? 0 : Math.max(0, secs(now) - secs(c.lastInteraction))}` +
    ` flags=${flagsOf(c, ctx.engine.blocking.isBlocked(c))} db=${c.db} sub=${c.sub} psub=${c.psub} ssub=${c.ssub} multi=${c.multiQueued}` +
    ` qbuf=${c.qbufUsed} qbuf-free=${c.qbufCap - c.qbufUsed} argv-mem=${argvMem} multi-mem=${multiMem} rbs=${c.replyBufSize} rbp=${c.replyBufPeak} obl=0 oll=0 omem=${omem}` +
    ` tot-mem=${totMem} events=${omem > 0 ? "rw" : "r"} cmd=${self ? ctx.cmd.fullName : c.lastCommand}` +
    ` user=${c.user} redir=${trackingRedirect(ctx.engine, c)} resp=${c.protocol} lib-name=${c.libName} lib-ver=${c.libVer}`
  );
}

function list(ctx: Ctx): Reply {
  const { argv, engine } = ctx;
  let out = "";
  if (argv.length === 4 && asciiLower(ctx.arg(2)) === "type") {
    const type = clientType(ctx.arg(3));
    for (const c of engine.clients.values()) if (typeOf(c) === type) out += `${clientInfoLine(c, ctx)}\n`;
  } else if (argv.length > 3 && asciiLower(ctx.arg(2)) === "id") {
    // Every ID is validated as it is reached; a repeated ID lists that client again, as Redis does.
    for (let j = 3; j < argv.length; j++) {
      const id = parseInt64(ctx.arg(j));
      if (id === null) fail("ERR Invalid client ID");
      const c = engine.clients.get(Number(id));
      if (c !== undefined) out += `${clientInfoLine(c, ctx)}\n`;
    }
  } else if (argv.length !== 2) {
    fail(Errors.syntax);
  } else {
    for (const c of engine.clients.values()) out += `${clientInfoLine(c, ctx)}\n`;
  }
  return new Verbatim("txt", out);
}

// ---------------------------------------------------------------- CLIENT KILL

interface KillFilter {
  addr: string | null;
  laddr: string | null;
  type: ClientType | null;
  id: number;
  user: string | null;
  skipMe: boolean;
}

function parseKillFilter(ctx: Ctx): KillFilter {
  const f: KillFilter = { addr: null, laddr: null, type: null, id: 0, user: null, skipMe: true };
  const { argv } = ctx;
  if (argv.length === 3) {
    // Old form CLIENT KILL addr:port, which may kill the caller itself.
    f.addr = ctx.arg(2);
    f.skipMe = false;
    return f;
  }
  for (let i = 2; i < argv.length; i += 2) {
    const opt = asciiLower(ctx.arg(i));
    if (i + 1 >= argv.length) fail(Errors.syntax);
    const value = ctx.arg(i + 1);
    if (opt === "id") {
      const id = parseInt64(value);
      if (id === null || id < 1n) fail("ERR client-id should be greater than 0");
      f.id = Number(id);
    } else if (opt === "type") {
      f.type = clientType(value);
    } else if (opt === "addr") {
      f.addr = value;
    } else if (opt === "laddr") {
      f.laddr = value;
    } else if (opt === "user") {
      // respd has one user; ACL users would be looked up here.
      if (value !== "default") fail(`ERR No such user '${cString(value)}'`);
      f.user = value;
    } else if (opt === "skipme") {
      const v = asciiLower(value);
      if (v === "yes") f.skipMe = true;
      else if (v === "no") f.skipMe = false;
      else fail(Errors.syntax);
    } else {
      fail(Errors.syntax);
    }
  }
  return f;
}

function kill(ctx: Ctx): Reply {
  const f = parseKillFilter(ctx);
  let killed = 0;
  let killSelf = false;
  for (const c of [...ctx.engine.clients.values()]) {
    if (f.addr !== null && c.addr !== f.addr) continue;
    if (f.laddr !== null && c.laddr !== f.laddr) continue;
    if (f.type !== null && typeOf(c) !== f.type) continue;
    if (f.id !== 0 && c.id !== f.id) continue;
    if (f.user !== null && c.user !== f.user) continue;
    if (c === ctx.client) {
      if (f.skipMe) continue;
      killSelf = true;
    } else {
      c.kill();
      ctx.engine.removeClient(c);
    }
    killed++;
  }
  // The caller goes only after its reply is written.
  if (killSelf) ctx.client.closeAfterReply();
  if (ctx.argv.length === 3) {
    if (killed === 0) fail("ERR No such client");
    return OK;
  }
  return killed;
}

// ---------------------------------------------------------------- CLIENT PAUSE

function pause(ctx: Ctx): Reply {
  const { argv } = ctx;
  const t = parseInt64(ctx.arg(2));
  if (t === null) fail("ERR timeout is not an integer or out of range");
  if (t < 0n) fail("ERR timeout is negative");
  let writesOnly = false;
  if (argv.length === 4) {
    const mode = asciiLower(ctx.arg(3));
    if (mode === "write") writesOnly = true;
    else if (mode !== "all") fail("ERR CLIENT PAUSE mode must be WRITE or ALL");
  } else if (argv.length > 4) {
    fail(Errors.subcommandSyntax(ctx.argv));
  }
  // A timeout of 0 means "already over" (Redis does not add the clock to it).
  ctx.engine.pause(t === 0n ? 0 : ctx.now + Number(t), writesOnly);
  return OK;
}

// ---------------------------------------------------------------- CLIENT UNBLOCK

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if the client was blocked (it gets its timeout reply or -UNBLOCKED), else 0. */
function unblock(ctx: Ctx): Reply {
  const { argv } = ctx;
  if (argv.length > 4) fail(Errors.subcommandSyntax(ctx.argv));
  let withError = false;
  if (argv.length === 4) {
    const reason = asciiLower(ctx.arg(3));
    if (reason === "error") withError = true;
    else if (reason !== "timeout") fail("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  }
  const id = parseInt64(ctx.arg(2));
  if (id === null) fail(Errors.notInteger);
  const target = ctx.engine.clients.get(Number(id));
  return target !== undefined && ctx.engine.unblock(target, withError) ? 1 : 0;
}

function unpause(ctx: Ctx): Reply {
  ctx.engine.unpause();
  return OK;
}

// ---------------------------------------------------------------- the rest

function reply(ctx: Ctx): Reply | typeof NO_REPLY {
  const c = ctx.client;
  const mode = asciiLower(ctx.arg(2));
  if (mode === "on") {
    c.replyMode = "on";
    c.skipNext = false;
    c.skipping = false;
    return OK;
  }
  if (mode === "off") {
    c.replyMode = "off";
    return NO_REPLY;
  }
  if (mode === "skip") {
    // SKIP while OFF changes nothing.
    if (c.replyMode !== "off") c.skipNext = true;
    return NO_REPLY;
  }
  fail(Errors.syntax);
}

function onOff(ctx: Ctx, set: (on: boolean) => void): Reply {
  const v = asciiLower(ctx.arg(2));
  if (v !== "on" && v !== "off") fail(Errors.syntax);
  set(v === "on");
  return OK;
}

function setinfo(ctx: Ctx): Reply {
  const attr = ctx.arg(2);
  const which = asciiLower(attr);
  if (which !== "lib-name" && which !== "lib-ver") fail(`ERR Unrecognized option '${cString(attr)}'`);
  const value = ctx.arg(3);
  if (!printable(value)) fail(`ERR ${cString(attr)} cannot contain spaces, newlines or special characters.`);
  if (which === "lib-name") ctx.client.libName = value;
  else ctx.client.libVer = value;
  return OK;
}

const HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
  "HELP",
  "    Prints this help.",
].map((line) => new Status(line));

const PLAIN: CommandFlag[] = ["noscript", "loading", "stale"];
const ADMIN: CommandFlag[] = ["admin", "noscript", "loading", "stale"];
const CONN = ["slow", "connection"];
const ADMIN_CATS = ["admin", "slow", "dangerous", "connection"];

function sub(
  name: string,
  arity: number,
  flags: CommandFlag[],
  summary: string,
  since: string,
  handler: Handler,
  complexity = "O(1)",
): CommandSpec {
  const cats = flags.includes("admin") ? ADMIN_CATS : CONN;
  return command(name, arity, flags, [0, 0, 0], cats, doc(summary, since, complexity), handler);
}

const SUBCOMMANDS: CommandSpec[] = [
  sub("getname", 2, PLAIN, "Get the current connection name", "2.6.9", (ctx) => ctx.client.name || null),
  sub("help", 2, ["loading", "stale"], "Show helpful text about the different subcommands", "5.0.0", () => HELP),
  sub("id", 2, PLAIN, "Returns the client ID for the current connection", "5.0.0", (ctx) => ctx.client.id),
  sub(
    "info",
    2,
    PLAIN,
    "Returns information about the current client connection.",
    "6.2.0",
    (ctx) => new Verbatim("txt", `${clientInfoLine(ctx.client, ctx)}\n`),
  ),
  sub("kill", -3, ADMIN, "Kill the connection of a client", "2.4.0", kill, "O(N) where N is the number of client connections"),
  sub("list", -2, ADMIN, "Get the list of client connections", "2.4.0", list, "O(N) where N is the number of client connections"),
  sub("no-evict", 3, ADMIN, "Set client eviction mode for the current connection", "7.0.0", (ctx) =>
    onOff(ctx, (on) => {
      ctx.client.noEvict = on;
    }),
  ),
  sub("no-touch", 3, PLAIN, "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", "7.2.0", (ctx) =>
    onOff(ctx, (on) => {
      ctx.client.noTouch = on;
    }),
  ),
  sub("pause", -3, ADMIN, "Stop processing commands from clients for some time", "2.9.50", pause),
  sub("reply", 3, PLAIN, "Instruct the server whether to reply to commands", "3.2.0", reply),
  sub("setinfo", 4, PLAIN, "Sets information specific to the client or connection.", "7.2.0", setinfo),
  sub("setname", 3, PLAIN, "Set the current connection name", "2.6.9", (ctx) => {
    setClientName(ctx.client, ctx.arg(2));
    return OK;
  }),
  sub(
    "unblock",
    -3,
    ADMIN,
    "Unblock a client blocked in a blocking command from a different connection",
    "5.0.0",
    unblock,
    "O(log N) where N is the number of client connections",
  ),
  sub(
    "unpause",
    2,
    ADMIN,
    "Resume processing of clients that were paused",
    "6.2.0",
    unpause,
    "O(N) Where N is the number of paused clients",
  ),
];

// CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO live with the tracking code.
SUBCOMMANDS.push(...trackingSubcommands);

export const clientCommands: CommandSpec[] = [
  command(
    "client",
    -2,
    [],
    [0, 0, 0],
    ["slow"],
    doc("A container for client connection commands", "2.4.0", "Depends on subcommand."),
    (ctx) => fail(Errors.unknownSubcommand(ctx.argv)),
    { subcommands: SUBCOMMANDS },
  ),
];
