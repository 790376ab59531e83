/**
 * Processes for the benchmark: both servers pinned to one core, the load
 * generator to the other, and the kernel's own accounting (/proc) for the
 * server's CPU time and RSS. Every process started here is remembered so that
 * an error or Ctrl-C still stops it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type RuntimeName, redisServerPath, respdCommand, waitForPort } from "../test/helpers/server.ts";

const live = new Set<ChildProcess>();

/** Kills every process this benchmark started that is still running. */
export function killAll(): void {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  live.clear();
}

/** Cores for [server, client], or null when pinning is impossible (no taskset, or one core). */
export function pinning(): { server: string; client: string } | null {
  if (availableParallelism() < 2) return null;
  const r = spawnSync("taskset", ["-c", "0", "true"]);
  return r.status === 0 ? { server: "1", client: "0" } : null;
}

function pinned(core: string | undefined, cmd: string, args: string[]): [string, string[]] {
  // taskset execs the command, so the child's pid is the server's own pid.
  return core === undefined ? [cmd, args] : ["taskset", ["-c", core, cmd, ...args]];
}

export interface BenchServer {
  name: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface SpawnedServer extends BenchServer {
  /** Whether the process is still running. */
  running(): boolean;
  /** Everything it printed so far. */
  log(): string;
}

/**
 * Starts a server without waiting for it to listen. `dir` is its working
 * directory (`--dir`); without one a temp dir is made and removed on stop.
 */
export function spawnServer(name: string, cmd: string, args: string[], port: number, core?: string, dir?: string): SpawnedServer {
  const ownDir = dir === undefined;
  const where = dir ?? mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const [c, a] = pinned(core, cmd, [...args, "--dir", where]);
  const proc = spawn(c, a, { stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  let out = "";
  proc.stdout?.on("data", (d) => (out += d));
  proc.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<void>((res) => proc.once("exit", () => res()));
  if (proc.pid === undefined) throw new Error(`${name}: no pid`);
  return {
    name,
    port,
    pid: proc.pid,
    running: () => proc.exitCode === null && proc.signalCode === null,
    log: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(t);
      }
      live.delete(proc);
      if (ownDir) rmSync(where, { recursive: true, force: true });
    },
  };
}

async function startServer(name: string, cmd: string, args: string[], port: number, core?: string, dir?: string): Promise<BenchServer> {
  const s = spawnServer(name, cmd, args, port, core, dir);
  try {
    await waitForPort(port, s.running, s.log, 10_000);
  } catch (e) {
    await s.stop();
    throw e;
  }
  return s;
}

/** The command line of one server: persistence off, loopback only, plus `extra`. */
export async function serverCommand(
  kind: "redis" | "respd",
  runtime: RuntimeName,
  extra: string[] = [],
): Promise<{ cmd: string; args: string[]; port: number }> {
  const port = await freePort();
  const base = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extra];
  if (kind === "respd") {
    const [cmd, args] = respdCommand(runtime, base);
    return { cmd, args, port };
  }
  const bin = redisServerPath();
  if (!bin) throw new Error("redis-server is not installed (apt-get install redis-server)");
  return { cmd: bin, args: base, port };
}

/** One server, listening; `dir` as in spawnServer. */
export async function startOne(
  kind: "redis" | "respd",
  runtime: RuntimeName,
  opts: { core?: string; extra?: string[]; dir?: string } = {},
): Promise<BenchServer> {
  const { cmd, args, port } = await serverCommand(kind, runtime, opts.extra);
  return startServer(kind, cmd, args, port, opts.core, opts.dir);
}

/** Both servers with persistence off, each in its own temp dir (removed when it stops), `extra` added to both command lines. */
export async function startPair(
  runtime: RuntimeName,
  core?: string,
  extra: string[] = [],
): Promise<{ redis: BenchServer; respd: BenchServer }> {
  const redis = await startOne("redis", runtime, { core, extra });
  try {
    const respd = await startOne("respd", runtime, { core, extra });
    return { redis, respd };
  } catch (e) {
    await redis.stop();
    throw e;
  }
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** A /proc file, or null once the process is gone (a crashed server then shows as n/a, not as a benchmark crash). */
function procFile(pid: number, name: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${name}`, "latin1");
  } catch {
    return null;
  }
}

/** utime and stime of a whole process (all threads), in seconds; NaN once it has exited. */
export function cpuTimes(pid: number): { user: number; system: number } {
  const stat = procFile(pid, "stat");
  if (stat === null) return { user: Number.NaN, system: Number.NaN };
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(f[11]) / CLK_TCK, system: Number(f[12]) / CLK_TCK };
}

/** utime+stime of a whole process (all threads), in seconds; NaN once it has exited. */
export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.system;
}

/** VmRSS in bytes; NaN once the process has exited. */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(procFile(pid, "status") ?? "");
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

export function processName(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, "latin1").trim();
}

export interface BenchmarkResult {
  rps: number;
  error?: string;
}

export interface BenchmarkOptions {
  clients: number;
  requests: number;
  pipeline: number;
  core?: string;
  timeoutMs: number;
  /** A custom command line instead of `-t <test>` (redis-benchmark substitutes `__rand_int__`). */
  command?: string[];
  /** `-r`: the range of `__rand_int__`. */
  random?: number;
}

/**
 * One `redis-benchmark` run of a single test (or custom command). Runs
 * asynchronously so Ctrl-C reaches our handler, and is killed after `timeoutMs`.
 */
export function redisBenchmark(port: number, test: string, opts: BenchmarkOptions): Promise<BenchmarkResult> {
  const args = ["-h", "127.0.0.1", "-p", String(port), "-c", String(opts.clients), "-n", String(opts.requests)];
  args.push("-P", String(opts.pipeline), "-q", "--csv");
  if (opts.random !== undefined) args.push("-r", String(opts.random));
  if (opts.command) args.push(...opts.command);
  else args.push("-t", test);
  const [cmd, a] = pinned(opts.core, "redis-benchmark", args);
  return new Promise((res) => {
    const proc = spawn(cmd, a, { stdio: ["ignore", "pipe", "pipe"] });
    live.add(proc);
    let out = "";
    let err = "";
    proc.stdout?.on("data", (d) => (out += d));
    proc.stderr?.on("data", (d) => (err += d));
    const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs);
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      live.delete(proc);
      const rps = parseCsvRps(out);
      if (rps !== null && code === 0) return res({ rps });
      const why =
        signal === "SIGKILL" ? `timeout after ${opts.timeoutMs} ms` : (err.match(/Error from server: (.*)/)?.[1] ?? `exit ${code}`);
      res({ rps: Number.NaN, error: why.trim() });
    });
  });
}

/** The rps column of the one data row in redis-benchmark's --csv output. */
export function parseCsvRps(csv: string): number | null {
  const rows = csv.trim().split("\n").slice(1);
  const cols = rows[0]?.split('","');
  if (!cols || cols.length < 2) return null;
  const rps = Number(cols[1]);
  return Number.isFinite(rps) ? rps : null;
}
