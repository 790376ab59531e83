/**
 * The startup log: Redis's lines, in Redis's order and line format, the logo
 * with `always-show-logo yes` (harnesses find the pid by " PID: <pid>" in it),
 * else "Running mode=...". Differential against redis-server where one is installed.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HOOK_TIMEOUT_MS, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";

const haveRedis = requireRedisInCI();
const LINE = /^(\d+):([MSCX]) \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} ([.\-*#]) (.*)$/;

/** The lines both servers must log, in this order (messages as patterns). */
const EXPECTED = [
  /^oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo$/,
  /^Redis version=7\.0\.15, bits=64, commit=\w+, modified=\d, pid=\d+, just started$/,
  /^Configuration loaded$/,
  /^Server initialized$/,
  /^Ready to accept connections$/,
];

/** The log's prefixed lines as [level mark, message]. */
function messages(log: string): [string, string][] {
  const out: [string, string][] = [];
  for (const l of log.split("\n")) {
    const m = LINE.exec(l);
    if (m) out.push([m[3] as string, m[4] as string]);
  }
  return out;
}

/** The logo's lines with this server's pid and port replaced by placeholders. */
function logo(log: string, pid: number, port: number): string[] {
  const lines = log.split("\n");
  const start = lines.findIndex((l) => l.includes("_._"));
  if (start === -1) return [];
  return lines.slice(start, start + 17).map((l) =>
    l
      .replace(`PID: ${pid}`, "PID: <pid>")
      .replace(`Port: ${port}`, "Port: <port>")
      .replace(/\(\w+\/\d\)/, "(<sha>)"),
  );
}

async function waitFor(s: ServerProcess, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!s.output().includes(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe("startup log", () => {
  const started: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of started) await s.stop();
  });

  async function respd(args: string[]): Promise<ServerProcess> {
    const s = await startRespd({ args });
    started.push(s);
    await waitFor(s, "Ready to accept connections");
    return s;
  }

  test(
    "Redis's lines in order, with Redis's prefix and level marks",
    async () => {
      const s = await respd(["--always-show-logo", "yes"]);
      const pid = s.proc.pid as number;
      const msgs = messages(s.output());
      let at = 0;
      for (const want of EXPECTED) {
        const i = msgs.findIndex(([, m], j) => j >= at && want.test(m));
        expect({ want: String(want), found: i >= 0 }).toEqual({ want: String(want), found: true });
        at = i + 1;
      }
      for (const l of s
        .output()
        .split("\n")
        .filter((x) => /^\d+:[MSCX] /.test(x))) {
        expect(l).toMatch(LINE);
        expect(l.startsWith(`${pid}:M `)).toBe(true);
      }
      // Redis logs these at warning level ('#').
      expect(msgs.find(([, m]) => m === "Server initialized")?.[0]).toBe("#");
      expect(s.output()).toContain(` PID: ${pid}\n`);
      expect(s.output()).toContain(`Port: ${s.port}\n`);
      expect(s.output()).toContain("Running in standalone mode");
    },
    HOOK_TIMEOUT_MS,
  );

  test(
    "without always-show-logo (and not on a terminal): one line instead of the logo",
    async () => {
      const s = await respd([]);
      expect(s.output()).not.toContain("_._");
      expect(messages(s.output()).map(([, m]) => m)).toContain(`Running mode=standalone, port=${s.port}.`);
    },
    HOOK_TIMEOUT_MS,
  );

  test(
    "pidfile: written with the pid at startup, removed by a clean shutdown",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "respd-pid-"));
      const path = join(dir, "respd.pid");
      const s = await respd(["--pidfile", path]);
      expect(readFileSync(path, "utf8")).toBe(`${s.proc.pid}\n`);
      s.proc.kill("SIGTERM");
      expect(await s.exited).toBe(0);
      expect(existsSync(path)).toBe(false);
      expect(s.output()).toContain("Removing the pid file.");
    },
    HOOK_TIMEOUT_MS,
  );

  test.if(haveRedis)(
    "the logo and the order of the lines match redis-server's",
    async () => {
      const a = await startRedis(["--always-show-logo", "yes"]);
      if (a === null) return;
      started.push(a);
      await waitFor(a, "Ready to accept connections");
      const b = await respd(["--always-show-logo", "yes"]);
      expect(logo(b.output(), b.proc.pid as number, b.port)).toEqual(logo(a.output(), a.proc.pid as number, a.port));
      const keyLines = (log: string) =>
        messages(log)
          .map(([mark, m]) => [mark, EXPECTED.findIndex((re) => re.test(m))] as const)
          .filter(([, i]) => i >= 0);
      expect(keyLines(b.output())).toEqual(keyLines(a.output()));
    },
    HOOK_TIMEOUT_MS,
  );
});
