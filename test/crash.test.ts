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

/** Waits for the process to end; returns the signal that ended it. */
async function died(s: ServerProcess): Promise<NodeJS.Signals | null> {
  await s.exited;
  return s.proc.signalCode;
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
      expect(trace).toMatch(/debug\.ts:\d+/);
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
