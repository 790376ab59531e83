/**
 * A server that fails while starting exits with status 1 and says why,
 * instead of lingering half-started (an error after the uncaught-error
 * handler is installed used to be logged and ignored).
 */
import { expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, HOOK_TIMEOUT_MS, ROOT } from "./helpers/server.ts";

test(
  "an unexpected error while loading the dataset ends the process with status 1",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "respd-startfail-"));
    const port = await freePort();
    const proc = spawn(
      join(ROOT, "node_modules/.bin/bun"),
      [join(ROOT, "test/fixtures/start-failing.ts"), "--port", String(port), "--bind", "127.0.0.1", "--dir", dir],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    proc.stdout?.on("data", (d) => (out += d));
    proc.stderr?.on("data", (d) => (out += d));
    const timer = setTimeout(() => proc.kill("SIGKILL"), HOOK_TIMEOUT_MS - 5000);
    const code = await new Promise<number | null>((res) => proc.once("exit", (c) => res(c)));
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(out).toContain("Fatal error while starting, exiting: Error: injected read failure");
    expect(out).not.toContain("Ready to accept connections");
  },
  HOOK_TIMEOUT_MS,
);
