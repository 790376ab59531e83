/**
 * DEBUG SEGFAULT, DEBUG PANIC and DEBUG ASSERT: the server crashes on purpose,
 * as Redis does, so the crash path (bug report in the log, death by signal)
 * can be exercised. Redis reaches it through a real SIGSEGV, serverPanic and
 * a failed serverAssert; respd goes straight to its crash report.
 */
import type { Ctx } from "../../engine/context.ts";
import type { CrashCause } from "../../engine/engine.ts";

/** The cause for a crashing DEBUG subcommand (lowercase), or null for the others. */
function causeOf(sub: string): CrashCause | null {
  if (sub === "segfault") return { kind: "signal", signal: "SIGSEGV" };
  if (sub === "panic") return { kind: "panic", message: `DEBUG PANIC called at Unix time ${Math.floor(Date.now() / 1000)}` };
  if (sub === "assert") return { kind: "assert", expression: "1 == 2" };
  return null;
}

/** Crashes the server when `sub` is one of the crashing subcommands; returns otherwise. */
export function debugCrash(ctx: Ctx, sub: string): void {
  const cause = causeOf(sub);
  if (cause === null) return;
  const host = ctx.engine.host;
  // An engine without a host (unit tests) has no process to crash.
  if (host === null) throw new Error(`DEBUG ${sub.toUpperCase()} without a server process`);
  host.crash(cause, ctx);
}
