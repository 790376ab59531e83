/**
 * Redis's bug report (debug.c: sigsegvHandler, _serverPanic, _serverAssert,
 * printCrashReport): on a fatal signal, DEBUG SEGFAULT/PANIC/ASSERT or an
 * internal assertion, the log gets the report between Redis's START and END
 * lines, with the JavaScript stack where Redis has its C backtrace, then the
 * process dies by the signal (a panic or an assertion by SIGABRT, as abort()).
 * Tools and Redis's suite look for "crashed by signal" and "STACK TRACE".
 */
import { clientInfoLine } from "../commands/client.ts";
import { infoText } from "../commands/info.ts";
import type { Client } from "../engine/client.ts";
import { Ctx } from "../engine/context.ts";
import { type CrashCause, type Engine, VERSION } from "../engine/engine.ts";
import { cString } from "../resp/bytes.ts";
import type { Logger } from "./log.ts";

const SIGNAL_NUMBERS = { SIGABRT: 6, SIGSEGV: 11 } as const;

const REPORT_END = `
=== REDIS BUG REPORT END. Make sure to include from START to END. ===

       Please report the crash with the log above to respd's maintainers,
       with the runtime it ran on (INFO's runtime field).

`;

/** Redis's sdscatrepr: quoted, with C escapes for what is not printable. */
function repr(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (ch === "\\" || ch === '"') out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c >= 32 && c < 127) out += ch;
    else out += `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return `"${out}"`;
}

/** The JS stack of the code that got here, without this module's own frames. */
function jsStack(): string {
  const lines = (new Error().stack ?? "").split("\n").slice(1);
  // This module's frames (by file, or by name where a bundle hides the file) and the host's crash hook.
  const first = lines.findIndex(
    (l) => !l.includes("/server/crash.ts") && !/at (Object\.)?(jsStack|reportBody|callerLocation|crash) /.test(l),
  );
  // A signal is handled between event-loop tasks: no JS code of ours was running.
  if (first === -1) return "(no JavaScript frame: the event loop was between tasks)\n";
  return `${lines.slice(first).join("\n")}\n`;
}

/** "file.ts:line" of the code that called crash(), as Redis names the C file and line. */
function callerLocation(): string {
  const frame = jsStack().split("\n")[0] ?? "";
  const m = /([^/\\(]+\.[jt]s):(\d+)/.exec(frame);
  return m ? `${m[1]}:${m[2]}` : "respd";
}

/** A Ctx for CLIENT LIST lines when no command is running (a signal): no client is "self". */
function listCtx(engine: Engine, current: Ctx | null): Ctx | null {
  if (current !== null) return current;
  const client = engine.commands.lookup("client");
  const entry = client && engine.commands.lookupSub(client, "list");
  if (!entry) return null;
  // A client object nobody holds: clientInfoLine only compares it with each listed client.
  return new Ctx(engine, {} as Client, [], entry, Date.now());
}

/** The report's body after the cause: stack, INFO, clients, the current command. */
function reportBody(engine: Engine, current: Ctx | null): string {
  let out = `\n------ STACK TRACE ------\n\nBacktrace:\n${jsStack()}`;
  out += "\n------ INFO OUTPUT ------\n";
  try {
    out += infoText(engine, ["all"]).replaceAll("\r\n", "\n");
  } catch (e) {
    out += `(INFO failed: ${(e as Error).message})\n`;
  }
  out += "\n------ CLIENT LIST OUTPUT ------\n";
  const ctx = listCtx(engine, current);
  try {
    if (ctx !== null) for (const c of engine.clients.values()) out += `${clientInfoLine(c, ctx)}\n`;
  } catch (e) {
    out += `(CLIENT LIST failed: ${(e as Error).message})\n`;
  }
  if (current !== null) {
    out += "\n------ CURRENT CLIENT INFO ------\n";
    out += `${clientInfoLine(current.client, current)}\n`;
    current.argv.forEach((a, j) => {
      out += `argv[${j}]: '${repr(a.length > 128 ? a.slice(0, 128) : a)}'\n`;
    });
  }
  out += "\n------ MODULES INFO OUTPUT ------\n";
  return out;
}

/**
 * Logs the bug report for `cause` and ends the process by its signal.
 * `current` is the command being run when the crash came from one.
 */
export function crash(
  engine: Engine,
  log: Logger,
  die: (signal: "SIGABRT" | "SIGSEGV") => never,
  cause: CrashCause,
  current: Ctx | null,
): never {
  log.raw("warning", "\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n");
  if (cause.kind === "signal") {
    log.warning(`Redis ${VERSION} crashed by signal: ${SIGNAL_NUMBERS[cause.signal]}, si_code: 0`);
  } else if (cause.kind === "panic") {
    log.warning("------------------------------------------------");
    log.warning("!!! Software Failure. Press left mouse button to continue");
    log.warning(`Guru Meditation: ${cause.message} #${callerLocation()}`);
  } else {
    log.warning("=== ASSERTION FAILED ===");
    log.warning(`==> ${callerLocation()} '${cause.expression}' is not true`);
    if (current !== null) {
      log.warning("=== ASSERTION FAILED CLIENT CONTEXT ===");
      log.warning(`client->argc = ${current.argv.length}`);
      current.argv.forEach((a, j) => {
        log.warning(`client->argv[${j}] = "${cString(a)}" (refcount: 1)`);
      });
    }
  }
  if (engine.config.bool("crash-log-enabled")) {
    let body: string;
    try {
      body = reportBody(engine, current);
    } catch (e) {
      body = `\n(the report itself failed: ${(e as Error).message})\n`;
    }
    log.raw("warning", body);
  }
  log.raw("warning", REPORT_END);
  return die(cause.kind === "signal" ? cause.signal : "SIGABRT");
}
