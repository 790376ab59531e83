/**
 * The crash path: a fatal signal or DEBUG SEGFAULT/PANIC/ASSERT logs Redis's
 * bug report (with the JS stack under "STACK TRACE") and the process dies by
 * the signal, as redis-server does (checked against it where installed).
 */
import { describe, expect, test } from "bun:test";
import { RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";

const haveRedis = requireRedisInCI();
const ARGS = ["--enable-debug-command", "yes", "--crash-memcheck-enabled", "no"];

const SIGNUM: Record<string, number> = { SIGABRT: 6, SIGSEGV: 11 };

/**
 * Waits for the process to end; returns the signal that ended it. Deno's V8
 * keeps a SIGSEGV handler (WebAssembly traps) that swallows one sent to
 * itself: respd then exits with 128 + 11, as a shell reports that signal.
 */
async function died(s: ServerProcess): Promise<string | null> {
  const code = await s.exited;
  if (s.proc.signalCode !== null) return s.proc.signalCode;
  return Object.keys(SIGNUM).find((k) => code === 128 + (SIGNUM[k] as number)) ?? `exit ${code}`;
}

async function crashBy(s: ServerProcess, how: string): Promise<void> {
  if (how === "SIGABRT") s.proc.kill("SIGABRT");
  else {
    // No reply comes: the server dies while running the command.
    const c = await RawClient.connect(s.port);
    c.write(`DEBUG ${how}\r\n`);
    await s.exited;
    c.close();
  }
}

const CASES: [string, NodeJS.Signals, RegExp[]][] = [
  ["SEGFAULT", "SIGSEGV", [/crashed by signal: 11/, /------ STACK TRACE ------/, /argv\[1\]: '"SEGFAULT"'/]],
  ["SIGABRT", "SIGABRT", [/crashed by signal: 6/, /------ STACK TRACE ------/, /------ INFO OUTPUT ------/]],
  ["PANIC", "SIGABRT", [/Guru Meditation: DEBUG PANIC called at Unix time \d+ #/, /------ STACK TRACE ------/]],
  ["ASSERT", "SIGABRT", [/=== ASSERTION FAILED ===/, /==> .* '1 == 2' is not true/, /client->argv\[1\] = "ASSERT"/]],
];

describe("crash report", () => {
  for (const [how, signal, patterns] of CASES) {
    test(
      `${how}: the bug report is logged and the process dies by ${signal}`,
      async () => {
        const s = await startRespd({ args: ARGS });
        await crashBy(s, how);
        expect(await died(s)).toBe(signal);
        const log = s.output();
        expect(log).toContain("=== REDIS BUG REPORT START: Cut & paste starting from here ===");
        for (const p of patterns) expect(log).toMatch(p);
        expect(log).toContain("=== REDIS BUG REPORT END. Make sure to include from START to END. ===");
      },
      HOOK_TIMEOUT_MS,
    );
  }

  test(
    "a DEBUG SEGFAULT's report names the JS frames of the command",
    async () => {
      const s = await startRespd({ args: ARGS });
      await crashBy(s, "segfault");
      await died(s);
      const trace = s.output().split("------ STACK TRACE ------")[1] ?? "";
      // The command's handler is named (in the bundled Node build the file is the bundle).
      expect(trace).toMatch(/debug\b.*(debug\.ts|respd\.mjs):\d+/);
      expect(trace).not.toMatch(/jsStack|reportBody/);
    },
    HOOK_TIMEOUT_MS,
  );

  test.if(haveRedis)(
    "redis-server logs the same markers and dies by the same signals",
    async () => {
      for (const [how, signal] of CASES) {
        const s = await startRedis(ARGS);
        if (s === null) return;
        await crashBy(s, how);
        expect(await died(s)).toBe(signal);
        expect(s.output()).toContain("=== REDIS BUG REPORT START: Cut & paste starting from here ===");
        expect(s.output()).toContain("=== REDIS BUG REPORT END. Make sure to include from START to END. ===");
      }
    },
    HOOK_TIMEOUT_MS,
  );
});
