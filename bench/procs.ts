/**
 * Processes for the benchmark: both servers pinned to one core, the load
 * generator to the other, and the kernel's own accounting (/proc) for the
 * server's CPU time and RSS. Every process started here is remembered so that
 * an error or Ctrl-C still stops it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type RuntimeName, redisServerPath, respdCommand } from "../test/helpers/server.ts";

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

async function waitForPort(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  // Bounded: 100 tries × 100 ms.
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode}):\n${log()}`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect({ port, host: "127.0.0.1" }, () => {
        s.destroy();
        res(true);
      });
      s.once("error", () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not listen on ${port}:\n${log()}`);
}

async function startServer(name: string, cmd: string, args: string[], port: number, core?: string): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const [c, a] = pinned(core, cmd, [...args, "--dir", dir]);
  const proc = spawn(c, a, { stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  let out = "";
  proc.stdout?.on("data", (d) => (out += d));
  proc.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<void>((res) => proc.once("exit", () => res()));
  await waitForPort(port, proc, () => out);
  if (proc.pid === undefined) throw new Error(`${name}: no pid`);
  return {
    name,
    port,
    pid: proc.pid,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(t);
      }
      live.delete(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Both servers with persistence off, each in its own temp dir (removed when it stops). */
export async function startPair(runtime: RuntimeName, core?: string): Promise<{ redis: BenchServer; respd: BenchServer }> {
  const bin = redisServerPath();
  if (!bin) throw new Error("redis-server is not installed (apt-get install redis-server)");
  const off = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const rPort = await freePort();
  const redis = await startServer("redis", bin, ["--port", String(rPort), ...off], rPort, core);
  try {
    const dPort = await freePort();
    const [cmd, args] = respdCommand(runtime, ["--port", String(dPort), ...off]);
    const respd = await startServer("respd", cmd, args, dPort, core);
    return { redis, respd };
  } catch (e) {
    await redis.stop();
    throw e;
  }
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** utime+stime of a whole process (all threads), in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** VmRSS in bytes. */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "latin1"));
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
