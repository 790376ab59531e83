/**
 * Serving while BGSAVE runs (issue 4): GET throughput and latency percentiles
 * with 1,000,000 keys loaded, first idle, then with BGSAVE restarted whenever
 * it finishes, for redis-server (fork) and respd (incremental copy-on-write
 * snapshot between commands).
 */
import { spawn } from "node:child_process";
import type { RuntimeName } from "../test/helpers/server.ts";
import { loadKeys, rawCommand } from "./loader.ts";
import { startOne } from "./procs.ts";

export interface LatencyRun {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  error?: string;
}

export interface BgsaveResult {
  server: "redis" | "respd";
  idle: LatencyRun;
  saving: LatencyRun;
  /** BGSAVEs that ran during the measured run. */
  saves: number;
}

/** redis-benchmark GET over random existing keys; the CSV row's rps and latency columns. */
function getRun(port: number, keys: number, requests: number, core?: string): Promise<LatencyRun> {
  const args = ["-h", "127.0.0.1", "-p", String(port), "-t", "get", "-n", String(requests), "-c", "50", "-r", String(keys)];
  args.push("-q", "--csv", "--precision", "3");
  const [cmd, a] = core ? ["taskset", ["-c", core, "redis-benchmark", ...args]] : ["redis-benchmark", args];
  return new Promise((resolve) => {
    const proc = spawn(cmd, a, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout?.on("data", (d) => (out += d));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 180_000);
    proc.once("exit", () => {
      clearTimeout(timer);
      // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
      const cols = (out.trim().split("\n")[1] ?? "").split(",").map((c) => Number(c.replaceAll('"', "")));
      const [, rps, , , p50, , p99, max] = cols;
      if (rps === undefined || Number.isNaN(rps))
        resolve({ rps: Number.NaN, p50: Number.NaN, p99: Number.NaN, max: Number.NaN, error: "no result" });
      else resolve({ rps, p50: p50 ?? Number.NaN, p99: p99 ?? Number.NaN, max: max ?? Number.NaN });
    });
  });
}

export async function bgsaveWorkload(p: {
  keys: number;
  requests: number;
  runtime: RuntimeName;
  core?: string;
  clientCore?: string;
}): Promise<BgsaveResult[]> {
  const results: BgsaveResult[] = [];
  for (const kind of ["redis", "respd"] as const) {
    const s = await startOne(kind, p.runtime, { core: p.core });
    try {
      await loadKeys(s.port, p.keys);
      const idle = await getRun(s.port, p.keys, p.requests, p.clientCore);
      // Keep a BGSAVE running for the whole measured run: start another whenever one finishes.
      let measuring = true;
      let saves = 0;
      const keeper = (async () => {
        while (measuring) {
          const info = await rawCommand(s.port, "INFO persistence");
          if (!info.includes("rdb_bgsave_in_progress:1") && measuring) {
            await rawCommand(s.port, "BGSAVE");
            saves++;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      const saving = await getRun(s.port, p.keys, p.requests, p.clientCore);
      measuring = false;
      await keeper;
      results.push({ server: kind, idle, saving, saves });
    } finally {
      await s.stop();
    }
  }
  return results;
}

function fmt(n: number, digits = 0): string {
  return Number.isNaN(n) ? "n/a" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function bgsaveTable(results: BgsaveResult[]): string {
  const lines = [
    "| server | state | GET req/s | p50 ms | p99 ms | max ms | BGSAVEs during the run |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    for (const [state, run] of [
      ["idle", r.idle],
      ["BGSAVE running", r.saving],
    ] as const) {
      const saves = state === "idle" ? "—" : String(r.saves);
      lines.push(`| ${r.server} | ${state} | ${fmt(run.rps)} | ${fmt(run.p50, 3)} | ${fmt(run.p99, 3)} | ${fmt(run.max, 3)} | ${saves} |`);
    }
  }
  return lines.join("\n");
}
