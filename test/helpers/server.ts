/**
 * Starts respd (or the real redis-server) as a child process on a free
 * loopback port, for black-box tests. RESPD_RUNTIME=bun|deno|node picks the
 * runtime the server runs on (default bun).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
const BIN = join(ROOT, "node_modules/.bin");
/**
 * For beforeAll hooks that start servers: bun gives hooks 5 s whatever
 * bunfig's test timeout says, and a start under a loaded CI (Deno, Node's
 * bundle, a redis-server beside) can take longer.
 */
export const HOOK_TIMEOUT_MS = 30_000;

export type RuntimeName = "bun" | "deno" | "node";

export function selectedRuntime(): RuntimeName {
  const r = process.env.RESPD_RUNTIME ?? "bun";
  if (r !== "bun" && r !== "deno" && r !== "node") throw new Error(`RESPD_RUNTIME=${r}?`);
  return r;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

let nodeBundle: string | null = null;
/** Node 20 cannot run TypeScript: bundle once with bun for the Node runtime. */
export function ensureNodeBundle(): string {
  if (nodeBundle) return nodeBundle;
  const out = join(ROOT, "dist/respd.mjs");
  const r = spawnSync(join(BIN, "bun"), ["build", "src/main.ts", "--target=node", "--outfile", out], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bun build failed: ${r.stderr}`);
  nodeBundle = out;
  return out;
}

export function respdCommand(runtime: RuntimeName, args: string[]): [string, string[]] {
  switch (runtime) {
    case "bun":
      return [join(BIN, "bun"), ["run", join(ROOT, "src/main.ts"), ...args]];
    case "deno":
      return [join(BIN, "deno"), ["run", "-A", "--quiet", "--v8-flags=--expose-gc", join(ROOT, "src/main.ts"), ...args]];
    case "node":
      return [process.env.NODE_BINARY ?? "node", [ensureNodeBundle(), ...args]];
  }
}

export interface ServerProcess {
  port: number;
  host: string;
  proc: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<number | null>;
  /** Resolves with the exit code when the process exits. */
  exited: Promise<number | null>;
}

/** Resolves once something accepts TCP connections on `port`; fails if `running()` turns false first. */
export async function waitForPort(port: number, running: () => boolean, output: () => string, timeoutMs = 20000): Promise<void> {
  const { connect } = await import("node:net");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running()) throw new Error(`server exited early:\n${output()}`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect({ port, host: "127.0.0.1" }, () => {
        s.destroy();
        res(true);
      });
      s.once("error", () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not listen on ${port}:\n${output()}`);
}

function spawnServer(cmd: string, args: string[], port: number, cwd: string): Promise<ServerProcess> {
  const proc = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout?.on("data", (d) => (out += d));
  proc.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((res) => proc.once("exit", (code) => res(code)));
  const output = () => out;
  const server: ServerProcess = {
    port,
    host: "127.0.0.1",
    proc,
    output,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return waitForPort(port, () => proc.exitCode === null, output).then(() => server);
}

export interface StartOptions {
  runtime?: RuntimeName;
  /** Extra redis-server style flags. */
  args?: string[];
  /** Working directory (a fresh temp dir by default). */
  dir?: string;
}

/** Starts respd on a free port with persistence off. */
export async function startRespd(opts: StartOptions = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "respd-test-"));
  const [cmd, args] = respdCommand(opts.runtime ?? selectedRuntime(), [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--dir",
    dir,
    ...(opts.args ?? []),
  ]);
  return spawnServer(cmd, args, port, dir);
}

export function redisServerPath(): string | null {
  for (const p of ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]) if (existsSync(p)) return p;
  return null;
}

/** Starts the real redis-server for differential tests, or returns null when it is not installed. */
export async function startRedis(args: string[] = []): Promise<ServerProcess | null> {
  const bin = redisServerPath();
  if (!bin) return null;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "redis-ref-"));
  return spawnServer(
    bin,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...args],
    port,
    dir,
  );
}

/** Fails loudly in CI when the reference server is missing, instead of silently skipping. */
export function requireRedisInCI(): boolean {
  const have = redisServerPath() !== null;
  if (!have && process.env.CI) throw new Error("redis-server is required in CI (apt-get install redis-server)");
  return have;
}
