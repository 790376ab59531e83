/**
 * `npm run bench`: redis-benchmark against the real redis-server and respd,
 * alternating, pinned (server on one core, client on the other), medians of
 * several rounds; then RSS with 1,000,000 keys loaded. See
 * /work/shared/PERFORMANCE-NOTES.md for why server CPU per request is the
 * figure that matters on a 2-core machine.
 *
 *   bun run bench/run.ts [--quick] [--tests set,get] [--requests N] [--requests-pipelined N]
 *                        [--rounds N] [--clients N] [--keys N] [--no-memory] [--only throughput|memory]
 *                        [--runtime bun|deno|node]
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { type RuntimeName, respdCommand } from "../test/helpers/server.ts";
import { loadKeys, rawCommand } from "./loader.ts";
import { type BenchServer, cpuSeconds, killAll, pinning, processName, redisBenchmark, rssBytes, startPair } from "./procs.ts";
import { median, memoryTable, type Row, TARGETS, throughputTable } from "./report.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    tests: { type: "string", default: "ping_mbulk,set,get,incr,mset" },
    requests: { type: "string" },
    "requests-pipelined": { type: "string" },
    rounds: { type: "string" },
    clients: { type: "string", default: "50" },
    keys: { type: "string" },
    "no-memory": { type: "boolean", default: false },
    only: { type: "string" },
    runtime: { type: "string", default: "bun" },
  },
});

function positive(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} wants a positive integer, got ${v}`);
  return n;
}

const runtime = flags.runtime as RuntimeName;
if (!["bun", "deno", "node"].includes(runtime)) throw new Error(`--runtime bun|deno|node, got ${flags.runtime}`);
if (flags.only !== undefined && flags.only !== "throughput" && flags.only !== "memory")
  throw new Error(`--only throughput|memory, got ${flags.only}`);
const quick = flags.quick;
const requests = positive("requests", flags.requests, quick ? 20_000 : 100_000);
const config = {
  tests: flags.tests.split(",").filter(Boolean),
  pipelines: [1, 16],
  clients: positive("clients", flags.clients, 50),
  rounds: positive("rounds", flags.rounds, quick ? 1 : 3),
  // Pipelined runs are ~10× faster; 10× the requests keeps CPU ticks (10 ms each) meaningful.
  requests: { 1: requests, 16: positive("requests-pipelined", flags["requests-pipelined"], requests * 10) } as Record<number, number>,
  keys: positive("keys", flags.keys, quick ? 100_000 : 1_000_000),
  throughput: flags.only !== "memory",
  memory: !flags["no-memory"] && flags.only !== "throughput",
};

const WARMUP = { requests: 50_000, pipeline: 16 };

const version = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" }).stdout?.trim().split("\n")[0] ?? "?";

function describeMachine(): string {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  return `${availableParallelism()} cores, ${cpu}`;
}

async function throughput(redis: BenchServer, respd: BenchServer, core: string | undefined): Promise<Row[]> {
  const samples = new Map<string, { rps: number[]; us: number[]; error?: string }>();
  const key = (s: BenchServer, test: string, p: number) => `${s.name} ${test} ${p}`;
  // Warm-up, not measured: a JIT runtime should be judged at steady state, as Redis is.
  for (const server of [redis, respd]) {
    for (const test of config.tests)
      await redisBenchmark(server.port, test, { ...WARMUP, clients: config.clients, core, timeoutMs: 60_000 });
  }
  for (let round = 0; round < config.rounds; round++) {
    for (const test of config.tests) {
      for (const p of config.pipelines) {
        // Alternate which server goes first so drift (thermal, page cache) hits both alike.
        const order = (round + config.tests.indexOf(test)) % 2 === 0 ? [redis, respd] : [respd, redis];
        for (const server of order) {
          const n = config.requests[p]!;
          const before = cpuSeconds(server.pid);
          const r = await redisBenchmark(server.port, test, {
            clients: config.clients,
            requests: n,
            pipeline: p,
            core,
            timeoutMs: 120_000,
          });
          const cpu = cpuSeconds(server.pid) - before;
          const k = key(server, test, p);
          const s = samples.get(k) ?? { rps: [], us: [] };
          if (r.error) s.error = r.error.length > 60 ? `${r.error.slice(0, 57)}...` : r.error;
          else {
            s.rps.push(r.rps);
            s.us.push((cpu * 1e6) / n);
          }
          samples.set(k, s);
          const shown = r.error ? `error: ${r.error}` : `${Math.round(r.rps)} req/s, ${((cpu * 1e6) / n).toFixed(2)} µs/req`;
          console.error(
            `  round ${round + 1}/${config.rounds} ${test.padEnd(10)} -P ${String(p).padEnd(2)} ${server.name.padEnd(5)} ${shown}`,
          );
        }
      }
    }
  }
  const rows: Row[] = [];
  for (const test of config.tests) {
    for (const p of config.pipelines) {
      const rd = samples.get(key(redis, test, p))!;
      const rs = samples.get(key(respd, test, p))!;
      const row: Row = {
        test,
        pipeline: p,
        redisRps: median(rd.rps),
        respdRps: median(rs.rps),
        redisUs: median(rd.us),
        respdUs: median(rs.us),
      };
      if (rs.error) row.error = rs.error;
      else if (rd.error) row.error = `(redis) ${rd.error}`;
      rows.push(row);
    }
  }
  return rows;
}

/** DBSIZE must equal the key count; without DBSIZE, at least the last key must be there. */
async function checkLoaded(s: BenchServer): Promise<void> {
  const size = await rawCommand(s.port, "DBSIZE");
  if (size === `:${config.keys}\r\n`) return;
  const last = String(config.keys - 1).padStart(12, "0");
  const got = await rawCommand(s.port, `GET key:${last}`);
  if (size.startsWith("-") && got === `$16\r\nval:${last}\r\n`) {
    console.error(`  ${s.name}: DBSIZE failed (${size.trim()}); checked the last key with GET instead`);
    return;
  }
  throw new Error(`${s.name}: DBSIZE ${JSON.stringify(size)} after loading ${config.keys} keys`);
}

async function memory(redis: BenchServer, respd: BenchServer) {
  const redisEmpty = rssBytes(redis.pid);
  const respdEmpty = rssBytes(respd.pid);
  for (const s of [redis, respd]) {
    const t0 = performance.now();
    await loadKeys(s.port, config.keys);
    await checkLoaded(s);
    console.error(`  loaded ${config.keys} keys into ${s.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  // Let a collector finish its current cycle before reading RSS (bounded, 1 s).
  await new Promise((r) => setTimeout(r, 1000));
  return { keys: config.keys, redisEmpty, respdEmpty, redisLoaded: rssBytes(redis.pid), respdLoaded: rssBytes(respd.pid) };
}

async function main(): Promise<void> {
  const pins = pinning();
  const runtimeVersion = version(respdCommand(runtime, [])[0], ["--version"]);
  console.log(`# respd benchmark ${new Date().toISOString().slice(0, 10)}${quick ? " (--quick)" : ""}`);
  console.log(`machine: ${describeMachine()}`);
  console.log(
    `versions: ${version("redis-server", ["--version"])}; respd on ${runtime} ${runtimeVersion}; ${version("redis-benchmark", ["--version"])}`,
  );
  console.log(
    pins
      ? `pinning: servers on core ${pins.server}, redis-benchmark on core ${pins.client} (taskset)`
      : "pinning: NONE (taskset missing or fewer than 2 cores): figures are noisier",
  );
  console.log(
    `method: redis-benchmark -c ${config.clients}, -n ${config.requests[1]} at -P 1 and ${config.requests[16]} at -P 16, ` +
      `${config.rounds} round(s) after a warm-up, servers alternating, medians; CPU = utime+stime from /proc/<pid>/stat ÷ requests`,
  );

  let servers = await startPair(runtime, pins?.server);
  try {
    console.log(
      `servers: redis pid ${servers.redis.pid} port ${servers.redis.port}; respd pid ${servers.respd.pid} (${processName(servers.respd.pid)}) port ${servers.respd.port}\n`,
    );
    if (config.throughput) {
      const rows = await throughput(servers.redis, servers.respd, pins?.client);
      console.log("## Throughput and server CPU per request (medians)\n");
      console.log(throughputTable(rows));
      console.log(
        `\ntargets: respd/redis req/s ≥ ${TARGETS.throughputP1} at -P 1; respd CPU/request ≤ ${TARGETS.cpuP16}× redis at -P 16\n`,
      );
    }

    if (config.memory) {
      // Fresh servers, so benchmark buffers and leftovers do not count.
      await Promise.all([servers.redis.stop(), servers.respd.stop()]);
      servers = await startPair(runtime, pins?.server);
      const m = await memory(servers.redis, servers.respd);
      console.log(`## Memory: ${config.keys.toLocaleString("en-US")} keys key:%012d -> 16-byte values (VmRSS)\n`);
      console.log(memoryTable(m));
      console.log(`\ntarget: respd RSS ≤ ${TARGETS.rss}× redis`);
    }
  } finally {
    await Promise.all([servers.redis.stop(), servers.respd.stop()]);
  }
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    killAll();
    console.error(`\ninterrupted (${sig}); servers stopped`);
    process.exit(130);
  });
}

try {
  await main();
} catch (e) {
  killAll();
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
