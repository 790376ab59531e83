/**
 * `npm run bench`: redis-benchmark against the real redis-server and respd,
 * alternating, pinned (server on one core, client on the other), medians of
 * several rounds (strings and issue 3's data types); then issue 13's streams, bitmaps,
 * HyperLogLog and geo (with XREADGROUP+XACK from bench/xgroup.ts and a 1,000,000-entry stream's RSS); then a sorted set of
 * 1,000,000 members (ZADD, ZRANK, ZRANGEBYSCORE); then RSS with 1,000,000 keys loaded; then pub/sub
 * fan-out to 1–10,000 subscribers; then SAVE and load-at-start of 1,000,000 mixed keys; then replication
 * (full sync of 1,000,000 keys, replica lag under redis-benchmark SETs). See
 * /work/shared/PERFORMANCE-NOTES.md for why server CPU per request is the
 * figure that matters on a 2-core machine.
 *
 *   bun run bench/run.ts [--quick] [--tests set,get,lrange_100] [--requests N] [--requests-pipelined N]
 *                        [--rounds N] [--clients N] [--keys N] [--no-memory] [--no-zset] [--no-datatypes2] [--stream-entries N]
 *                        [--zset-members N] [--zset-requests N] [--no-pubsub] [--pubsub-sizes 1,100,1000,10000]
 *                        [--pubsub-deliveries N | --pubsub-messages M] [--no-persistence] [--persist-keys N]
 *                        [--no-replication] [--repl-keys N]
 *                        [--only throughput,datatypes2,zset,memory,pubsub,persistence,bgsave,replication (any of them)]
 *                        [--runtime bun|deno|node]
 *
 * --requests applies to the string tests; the data-type tests run a share of it (bench/workloads.ts).
 * Pub/sub publishes M = deliveries ÷ subscribers messages per size unless --pubsub-messages fixes M.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { type RuntimeName, respdCommand } from "../test/helpers/server.ts";
import { bgsaveTable, bgsaveWorkload } from "./bgsave.ts";
import { loadKeys, rawCommand } from "./loader.ts";
import { type PersistenceResult, persistenceWorkload } from "./persistence.ts";
import { type BenchServer, cpuSeconds, killAll, pinning, processName, redisBenchmark, rssBytes, startPair } from "./procs.ts";
import { fanout } from "./pubsub.ts";
import { replicationWorkload } from "./replication.ts";
import {
  type FanoutRow,
  fanoutTable,
  median,
  memoryTable,
  persistenceTable,
  type Row,
  replicationTable,
  type StreamMemoryResult,
  streamMemoryTable,
  TARGETS,
  throughputTable,
  zsetTable,
} from "./report.ts";
import { DATATYPES2, DEFAULT_TESTS, type ThroughputTest, throughputTest } from "./workloads.ts";
import { consume, loadStream, type Measure, type ScriptedConfig, type ScriptedResult, setbits } from "./xgroup.ts";
import { zsetWorkload } from "./zset.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    tests: { type: "string", default: DEFAULT_TESTS },
    requests: { type: "string" },
    "requests-pipelined": { type: "string" },
    rounds: { type: "string" },
    clients: { type: "string", default: "50" },
    keys: { type: "string" },
    "no-memory": { type: "boolean", default: false },
    "no-zset": { type: "boolean", default: false },
    "no-datatypes2": { type: "boolean", default: false },
    "stream-entries": { type: "string" },
    "zset-members": { type: "string" },
    "zset-requests": { type: "string" },
    "no-pubsub": { type: "boolean", default: false },
    "pubsub-sizes": { type: "string", default: "1,100,1000,10000" },
    "pubsub-deliveries": { type: "string" },
    "pubsub-messages": { type: "string" },
    "no-persistence": { type: "boolean", default: false },
    "persist-keys": { type: "string" },
    "no-replication": { type: "boolean", default: false },
    "no-bgsave": { type: "boolean", default: false },
    "repl-keys": { type: "string" },
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
const SECTIONS = ["throughput", "datatypes2", "zset", "memory", "pubsub", "persistence", "bgsave", "replication"];
const only = flags.only?.split(",");
for (const s of only ?? []) if (!SECTIONS.includes(s)) throw new Error(`--only ${SECTIONS.join("|")} (comma-separated), got ${s}`);
const wanted = (section: string) => only === undefined || only.includes(section);
const quick = flags.quick;
const requests = positive("requests", flags.requests, quick ? 20_000 : 100_000);
const config = {
  tests: flags.tests.split(",").filter(Boolean),
  pipelines: [1, 16],
  clients: positive("clients", flags.clients, 50),
  rounds: positive("rounds", flags.rounds, quick ? 1 : 3),
  // Pipelined runs are ~10× faster; 5× the requests keeps CPU ticks (10 ms each) meaningful (Redis: ~40 ticks
  // a run at 0.8 µs/request) and the default run near 5 minutes with the data types.
  requests: { 1: requests, 16: positive("requests-pipelined", flags["requests-pipelined"], requests * 5) } as Record<number, number>,
  keys: positive("keys", flags.keys, quick ? 100_000 : 1_000_000),
  throughput: wanted("throughput"),
  datatypes2: !flags["no-datatypes2"] && wanted("datatypes2"),
  streamEntries: positive("stream-entries", flags["stream-entries"], quick ? 100_000 : 1_000_000),
  memory: !flags["no-memory"] && wanted("memory"),
  zset: !flags["no-zset"] && wanted("zset"),
  zsetMembers: positive("zset-members", flags["zset-members"], quick ? 100_000 : 1_000_000),
  // CPU time comes in 10 ms ticks: Redis spends 3–10 µs per operation here, so 50,000 requests give it 15–50 ticks.
  zsetRequests: positive("zset-requests", flags["zset-requests"], quick ? 20_000 : 50_000),
  pubsub: !flags["no-pubsub"] && wanted("pubsub"),
  pubsubSizes: flags["pubsub-sizes"].split(",").map((n) => positive("pubsub-sizes", n, 1)),
  // respd spends ~10 µs per delivery at the time of writing: 1M deliveries per size keep the section near a minute.
  pubsubDeliveries: positive("pubsub-deliveries", flags["pubsub-deliveries"], quick ? 100_000 : 1_000_000),
  pubsubMessages: flags["pubsub-messages"] === undefined ? undefined : positive("pubsub-messages", flags["pubsub-messages"], 1),
  persistence: !flags["no-persistence"] && wanted("persistence"),
  persistKeys: positive("persist-keys", flags["persist-keys"], quick ? 100_000 : 1_000_000),
  bgsave: !flags["no-bgsave"] && wanted("bgsave"),
  replication: !flags["no-replication"] && wanted("replication"),
  replKeys: positive("repl-keys", flags["repl-keys"], quick ? 100_000 : 1_000_000),
};
const tests = config.tests.map(throughputTest);

const WARMUP = { requests: 50_000, pipeline: 16 };

const version = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" }).stdout?.trim().split("\n")[0] ?? "?";

function describeMachine(): string {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  return `${availableParallelism()} cores, ${cpu}`;
}

async function throughput(redis: BenchServer, respd: BenchServer, core: string | undefined, tests: ThroughputTest[]): Promise<Row[]> {
  const samples = new Map<string, { rps: number[]; us: number[]; error?: string }>();
  const key = (s: BenchServer, test: string, p: number) => `${s.name} ${test} ${p}`;
  const bench = async (server: BenchServer, t: ThroughputTest, opts: { requests: number; pipeline: number; timeoutMs: number }) => {
    await t.setup?.(server.port);
    return redisBenchmark(server.port, t.name, { ...opts, clients: config.clients, core, command: t.command, random: t.random });
  };
  // Warm-up, not measured: a JIT runtime should be judged at steady state, as Redis is.
  for (const server of [redis, respd]) {
    for (const t of tests) await bench(server, t, { ...WARMUP, timeoutMs: 60_000 });
  }
  for (let round = 0; round < config.rounds; round++) {
    for (const [ti, t] of tests.entries()) {
      for (const p of config.pipelines) {
        // Alternate which server goes first so drift (thermal, page cache) hits both alike.
        const order = (round + ti) % 2 === 0 ? [redis, respd] : [respd, redis];
        for (const server of order) {
          const n = Math.round(config.requests[p]! * t.scale);
          const before = cpuSeconds(server.pid);
          const r = await bench(server, t, { requests: n, pipeline: p, timeoutMs: 120_000 });
          const cpu = cpuSeconds(server.pid) - before;
          const k = key(server, t.name, p);
          const s = samples.get(k) ?? { rps: [], us: [] };
          if (r.error) s.error = r.error.length > 60 ? `${r.error.slice(0, 57)}...` : r.error;
          else {
            s.rps.push(r.rps);
            s.us.push((cpu * 1e6) / n);
          }
          samples.set(k, s);
          const shown = r.error ? `error: ${r.error}` : `${Math.round(r.rps)} req/s, ${((cpu * 1e6) / n).toFixed(2)} µs/req`;
          console.error(
            `  round ${round + 1}/${config.rounds} ${t.name.padEnd(10)} -P ${String(p).padEnd(2)} ${server.name.padEnd(5)} ${shown}`,
          );
        }
      }
    }
  }
  const rows: Row[] = [];
  for (const t of tests) {
    for (const p of config.pipelines) {
      const rd = samples.get(key(redis, t.name, p))!;
      const rs = samples.get(key(respd, t.name, p))!;
      const row: Row = {
        test: t.name,
        pipeline: p,
        redisRps: median(rd.rps),
        respdRps: median(rs.rps),
        redisUs: median(rd.us),
        respdUs: median(rs.us),
        pairedCpuRatio: rs.us.length === rd.us.length ? median(rs.us.map((us, i) => us / (rd.us[i] as number))) : Number.NaN,
      };
      if (p === 1 && t.p1Target !== undefined) row.rpsTarget = t.p1Target;
      if (p === 16 && t.p16CpuTarget !== undefined) row.cpuTarget = t.p16CpuTarget;
      if (t.cpuTarget !== undefined) row.cpuTarget = t.cpuTarget;
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
  let respdAtLoadEnd = 0;
  for (const s of [redis, respd]) {
    const t0 = performance.now();
    await loadKeys(s.port, config.keys);
    if (s === respd) respdAtLoadEnd = rssBytes(respd.pid);
    await checkLoaded(s);
    console.error(`  loaded ${config.keys} keys into ${s.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  // "Loaded" is RSS 1 s later: respd returns a burst's garbage on its first idle cron tick (100 ms).
  await new Promise((r) => setTimeout(r, 1000));
  const [redisLoaded, respdLoaded] = [rssBytes(redis.pid), rssBytes(respd.pid)];
  return { keys: config.keys, redisEmpty, respdEmpty, respdAtLoadEnd, redisLoaded, respdLoaded };
}

const mb = (b: number) => (b / 1e6).toFixed(1);

/** The open-files limit this process inherited (each subscriber is one socket here and one in the server). */
function openFilesLimit(): number {
  const r = spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" });
  const n = Number(r.stdout?.trim());
  return r.stdout?.trim() === "unlimited" ? Number.POSITIVE_INFINITY : Number.isFinite(n) && n > 0 ? n : 1024;
}

/** Sizes the fd limit allows (with room for the servers' own files), and a note for the ones it does not. */
function fanoutSizes(): { sizes: number[]; skipped: string[] } {
  const limit = openFilesLimit();
  const fits = (n: number) => n + 128 <= limit;
  const skipped = config.pubsubSizes.filter((n) => !fits(n)).map((n) => `${n} subscribers skipped: ulimit -n is ${limit}`);
  return { sizes: config.pubsubSizes.filter(fits), skipped };
}

async function pubsub(redis: BenchServer, respd: BenchServer, sizes: number[]): Promise<FanoutRow[]> {
  const rows: FanoutRow[] = [];
  for (const [i, n] of sizes.entries()) {
    const messages = config.pubsubMessages ?? Math.max(1, Math.round(config.pubsubDeliveries / n));
    const row: Partial<FanoutRow> = { subscribers: n, messages };
    for (const server of i % 2 === 0 ? [redis, respd] : [respd, redis]) {
      // Bounded: at most 10 s plus 50 µs per delivery (respd's rate at the time of writing is ~10 µs).
      const r = await fanout(server, n, messages, 10_000 + (n * messages) / 20);
      const d = n * messages;
      const shown = r.error ?? `${Math.round(d / r.seconds)} deliveries/s, ${((r.cpuSeconds * 1e6) / d).toFixed(3)} µs/delivery`;
      console.error(`  ${String(n).padStart(6)} subscribers × ${messages} messages ${server.name.padEnd(5)} ${shown}`);
      row[server.name as "redis" | "respd"] = r;
    }
    rows.push(row as FanoutRow);
  }
  return rows;
}

/** Issue 13's workloads redis-benchmark cannot run (bench/xgroup.ts), after its own: name, depth, runner. */
const SCRIPTED: { name: string; pipeline: number; run: (port: number, cfg: ScriptedConfig, m: Measure) => Promise<ScriptedResult> }[] = [
  { name: "setbit", pipeline: 1, run: setbits },
  { name: "setbit", pipeline: 16, run: setbits },
  { name: "xreadgroup+xack COUNT 1", pipeline: 1, run: (port, cfg, m) => consume(port, { ...cfg, count: 1 }, m) },
  { name: "xreadgroup+xack COUNT 1", pipeline: 16, run: (port, cfg, m) => consume(port, { ...cfg, count: 1 }, m) },
  { name: "xreadgroup+xack COUNT 10", pipeline: 16, run: (port, cfg, m) => consume(port, { ...cfg, count: 10 }, m) },
];

/** Issue 13's section: redis-benchmark runs as in throughput(), then XREADGROUP+XACK from bench/xgroup.ts. */
async function datatypes2(redis: BenchServer, respd: BenchServer, core: string | undefined): Promise<void> {
  const rows = await throughput(redis, respd, core, DATATYPES2);
  // The consumers live in this process: keep it off the servers' core, as redis-benchmark is.
  if (core !== undefined) spawnSync("taskset", ["-a", "-cp", core, String(process.pid)]);
  const samples = new Map<string, { rps: number[]; us: number[]; error?: string }>();
  const run = async (s: BenchServer, w: (typeof SCRIPTED)[number], requests: number) => {
    let cpu = 0;
    const r = await w.run(s.port, { connections: config.clients, requests, pipeline: w.pipeline, timeoutMs: 120_000 }, async (go) => {
      const before = cpuSeconds(s.pid);
      await go();
      cpu = cpuSeconds(s.pid) - before;
    });
    return { ...r, us: (cpu * 1e6) / r.requests };
  };
  for (const s of [redis, respd]) for (const w of SCRIPTED) await run(s, w, WARMUP.requests);
  for (let round = 0; round < config.rounds; round++) {
    for (const [wi, w] of SCRIPTED.entries()) {
      for (const s of (round + wi) % 2 === 0 ? [redis, respd] : [respd, redis]) {
        const r = await run(s, w, Math.round(config.requests[w.pipeline]! * 0.5));
        const k = `${s.name} ${w.name} ${w.pipeline}`;
        const sample = samples.get(k) ?? { rps: [], us: [] };
        if (r.error) sample.error = r.error.length > 60 ? `${r.error.slice(0, 57)}...` : r.error;
        else {
          sample.rps.push(r.rps);
          sample.us.push(r.us);
        }
        samples.set(k, sample);
        const shown = r.error ? `error: ${r.error}` : `${Math.round(r.rps)} req/s, ${r.us.toFixed(2)} µs/req`;
        console.error(
          `  round ${round + 1}/${config.rounds} ${w.name.padEnd(10)} -P ${String(w.pipeline).padEnd(2)} ${s.name.padEnd(5)} ${shown}`,
        );
      }
    }
  }
  for (const w of SCRIPTED) {
    const rd = samples.get(`redis ${w.name} ${w.pipeline}`)!;
    const rs = samples.get(`respd ${w.name} ${w.pipeline}`)!;
    const row: Row = {
      test: w.name,
      pipeline: w.pipeline,
      redisRps: median(rd.rps),
      respdRps: median(rs.rps),
      redisUs: median(rd.us),
      respdUs: median(rs.us),
      pairedCpuRatio: rs.us.length === rd.us.length ? median(rs.us.map((us, i) => us / (rd.us[i] as number))) : Number.NaN,
      cpuTarget: TARGETS.newTypesCpu,
    };
    if (rs.error) row.error = rs.error;
    else if (rd.error) row.error = `(redis) ${rd.error}`;
    rows.push(row);
  }
  console.log("## Streams, bitmaps, HyperLogLog, geo (issue 13): server CPU per request (medians)\n");
  console.log(
    `method: as the throughput section (redis-benchmark -c ${config.clients}, half its requests, -r where a command has ` +
      "__rand_int__; commands in bench/workloads.ts DATATYPES2); setbit and xreadgroup+xack: bench/xgroup.ts (its own client in the bench process, on the client core), " +
      `${config.clients} connections each consuming its own preloaded stream, XREADGROUP COUNT n then XACK of the n IDs, ` +
      "every reply checked; setbit: offsets a permutation of [0, 2^20) on a fresh key, no offset twice; a request is one command\n",
  );
  console.log(throughputTable(rows));
  console.log(`\ntarget: respd CPU/request ≤ ${TARGETS.newTypesCpu}× redis (paired ratio)\n`);
}

const STREAM_KEY = "bigstream";

async function streamMemory(redis: BenchServer, respd: BenchServer): Promise<StreamMemoryResult> {
  const empty = { redis: rssBytes(redis.pid), respd: rssBytes(respd.pid) };
  for (const s of [redis, respd]) {
    const t0 = performance.now();
    await loadStream(s.port, STREAM_KEY, config.streamEntries);
    console.error(`  loaded ${config.streamEntries} stream entries into ${s.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  await new Promise((r) => setTimeout(r, 1000));
  return {
    entries: config.streamEntries,
    redisEmpty: empty.redis,
    respdEmpty: empty.respd,
    redisLoaded: rssBytes(redis.pid),
    respdLoaded: rssBytes(respd.pid),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const pins = pinning();
  const runtimeVersion = version(respdCommand(runtime, [])[0], ["--version"]);
  console.log(`# respd benchmark ${new Date().toISOString().slice(0, 10)}${quick ? " (--quick)" : ""}`);
  console.log(
    `machine: ${describeMachine()}; load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
  console.log(
    `versions: ${version("redis-server", ["--version"])}; respd on ${runtime} ${runtimeVersion}; ${version("redis-benchmark", ["--version"])}`,
  );
  console.log(
    pins
      ? `pinning: servers on core ${pins.server}, redis-benchmark on core ${pins.client} (taskset)`
      : "pinning: NONE (taskset missing or fewer than 2 cores): figures are noisier",
  );
  const scaled = tests.filter((t) => t.scale !== 1).map((t) => `${t.name} ×${t.scale}`);
  console.log(
    `method: redis-benchmark -c ${config.clients}, -n ${config.requests[1]} at -P 1 and ${config.requests[16]} at -P 16` +
      `${scaled.length ? ` (requests scaled: ${scaled.join(", ")})` : ""}, ` +
      `${config.rounds} round(s) after a warm-up, servers alternating, medians; CPU = utime+stime from /proc/<pid>/stat ÷ requests; ` +
      "paired CPU ratio = median over rounds of respd ÷ redis within a round (the target's verdict uses it)",
  );

  let servers = await startPair(runtime, pins?.server);
  // Each section gets fresh servers, so earlier data, buffers and leftovers do not count.
  const restart = async () => {
    await Promise.all([servers.redis.stop(), servers.respd.stop()]);
    servers = await startPair(runtime, pins?.server);
  };
  try {
    console.log(
      `servers: redis pid ${servers.redis.pid} port ${servers.redis.port}; respd pid ${servers.respd.pid} (${processName(servers.respd.pid)}) port ${servers.respd.port}\n`,
    );
    if (config.throughput) {
      const rows = await throughput(servers.redis, servers.respd, pins?.client, tests);
      console.log("## Throughput and server CPU per request (medians)\n");
      console.log(throughputTable(rows));
      console.log(
        `\ntargets: respd/redis req/s ≥ ${TARGETS.stringsP1} at -P 1 and CPU/request ≤ ${TARGETS.stringsCpuP16}× redis at -P 16 ` +
          `for ping/strings; req/s ≥ ${TARGETS.dataTypesP1} at -P 1 for the data types\n`,
      );
    }

    if (config.datatypes2) {
      if (config.throughput) await restart();
      await datatypes2(servers.redis, servers.respd, pins?.client);
      // The stream's RSS is read on fresh servers.
      await restart();
      const m = await streamMemory(servers.redis, servers.respd);
      console.log(`### RSS of one stream of ${m.entries.toLocaleString("en-US")} entries\n`);
      console.log(
        `method: fresh servers; ${m.entries} \`XADD ${STREAM_KEY} * f val:%012d\` (16-byte values, auto IDs) pipelined 10,000 a write, ` +
          "XLEN checked; VmRSS 1 s after the load minus VmRSS before it, ÷ entries\n",
      );
      console.log(streamMemoryTable(m));
      console.log(`\ntarget: bytes per entry ≤ ${TARGETS.streamEntryMemory}× redis\n`);
    }

    if (config.zset) {
      if (config.throughput || config.datatypes2) await restart();
      const z = { members: config.zsetMembers, requests: config.zsetRequests, rounds: config.rounds, clients: 4, pipeline: 16 };
      const { loads, rows } = await zsetWorkload(servers.redis, servers.respd, { ...z, core: pins?.client });
      console.log(`## Sorted set with ${z.members.toLocaleString("en-US")} members (medians)\n`);
      console.log(
        `method: ${z.members} pipelined ZADDs (member:%012d, scores a permutation of 0..${z.members - 1}), then per operation ` +
          `redis-benchmark -c ${z.clients} -P ${z.pipeline} -n ${z.requests} -r ${z.members}, ${z.rounds} round(s) after a warm-up; ` +
          "µs/op = server CPU ÷ requests\n",
      );
      console.log(zsetTable(rows));
      console.log(`\ntarget: no operation more than ${TARGETS.zsetSlowdown}× slower than redis\n`);
      for (const l of loads)
        console.log(`load ${l.server}: ${l.error ?? `${l.seconds.toFixed(1)} s`}; RSS ${mb(l.rssBefore)} MB -> ${mb(l.rssAfter)} MB`);
      console.log("");
    }

    if (config.memory) {
      if (config.throughput || config.datatypes2 || config.zset) await restart();
      const m = await memory(servers.redis, servers.respd);
      console.log(`## Memory: ${config.keys.toLocaleString("en-US")} keys key:%012d -> 16-byte values (VmRSS)\n`);
      console.log(memoryTable(m));
      console.log(
        `\ntarget: respd RSS ≤ ${TARGETS.rss}× redis ("loaded": 1 s after the load; "at load end": before respd's idle-time collection)\n`,
      );
    }

    if (config.pubsub) {
      const { sizes, skipped } = fanoutSizes();
      const most = Math.max(0, ...sizes);
      await Promise.all([servers.redis.stop(), servers.respd.stop()]);
      servers = await startPair(runtime, pins?.server, ["--maxclients", String(most + 100)]);
      // The subscribers live in this process: keep it off the servers' core, as redis-benchmark is.
      const pinnedSelf = pins !== null && spawnSync("taskset", ["-a", "-cp", pins.client, String(process.pid)]).status === 0;
      const rows = await pubsub(servers.redis, servers.respd, sizes);
      console.log("## Pub/sub fan-out (one run per size)\n");
      console.log(
        `method: N subscribers (raw sockets in the bench process${pinnedSelf ? `, pinned to core ${pins?.client}` : ""}) on one ` +
          "channel, one publisher sending M PUBLISHes of a 32-byte payload pipelined 500 per write (at most 2 writes unanswered " +
          "and 2,000 messages ahead of the average subscriber); the clock stops when every subscriber has every message. " +
          `Servers started with --maxclients ${most + 100}. µs/delivery = server CPU ÷ (N×M); kernel % = ` +
          "stime's share of it\n",
      );
      console.log(fanoutTable(rows));
      for (const s of skipped) console.log(`\n${s}`);
      console.log("");
    }

    if (config.persistence) {
      // This section starts and restarts its own servers.
      await Promise.all([servers.redis.stop(), servers.respd.stop()]);
      const p = { keys: config.persistKeys, runtime, core: pins?.server, budgetMs: 300_000 };
      const { results, cross } = await persistenceWorkload(p);
      const [rd, rs] = results as [PersistenceResult, PersistenceResult];
      console.log(`## Persistence: SAVE and load at start, ${p.keys.toLocaleString("en-US")} mixed keys\n`);
      console.log(
        "method: the same generated mix (bench/dataset.ts: 60% strings, 15% small hashes, 10% small lists, 7.5% small sets, " +
          '7% small sorted sets, 0.4% large ones of each) loaded with pipelined commands into a server with --save "" and ' +
          "its own --dir; SAVE timed from command to +OK; the server stopped and started on the same dir, timed from spawn " +
          "until PING answers +PONG (polled every 5 ms); then DBSIZE and 10 values checked\n",
      );
      console.log(persistenceTable(rd, rs));
      for (const r of results) if (r.error) console.log(`\n${r.server} failed at ${r.error}`);
      console.log(
        `\nrespd started on redis's dump.rdb: ${cross.error ? `FAILED: ${cross.error}` : `ready after ${cross.seconds.toFixed(2)} s, DBSIZE and values match`}`,
      );
      // The finally below stops these again, harmlessly.
    }

    if (config.bgsave) {
      // Its own servers, with the 1M keys of the memory section.
      await Promise.all([servers.redis.stop(), servers.respd.stop()]);
      const b = { keys: config.keys, requests: quick ? 50_000 : 300_000, runtime, core: pins?.server, clientCore: pins?.client };
      const results = await bgsaveWorkload(b);
      console.log(`## Serving while BGSAVE runs: ${b.keys.toLocaleString("en-US")} keys\n`);
      console.log(
        `method: keys loaded as in the memory section; redis-benchmark -t get -c 50 -n ${b.requests.toLocaleString("en-US")} ` +
          "-r <keys> --precision 3, once idle and once while a BGSAVE is kept running (a new one started whenever the last " +
          "finished); redis forks, respd writes its copy-on-write snapshot in slices between commands\n",
      );
      console.log(bgsaveTable(results));
      console.log("");
    }

    if (config.replication) {
      // This section starts its own masters and replicas.
      await Promise.all([servers.redis.stop(), servers.respd.stop()]);
      const lag = { clients: 50, pipeline: 16, requests: 200_000, random: 100_000 };
      const r = { keys: config.replKeys, runtime, core: pins?.server, clientCore: pins?.client, rounds: config.rounds, lag };
      const { sync, lag: lags } = await replicationWorkload(r);
      console.log(`## Replication: full sync of ${r.keys.toLocaleString("en-US")} keys, lag under load\n`);
      console.log(
        "method: master and replica of the same kind, each with its own --dir, both on the servers' core, " +
          "--repl-diskless-sync-delay 0 on both (Redis 7 otherwise waits 5 s before a transfer; respd never waits). " +
          `Full sync: ${r.keys} keys key:%012d -> 16-byte values loaded into the master with pipelined SETs, then timed ` +
          "from REPLICAOF on a fresh replica (one per round) until its INFO replication shows master_link_status:up and " +
          "master_sync_in_progress:0 and its DBSIZE matches (polled every 10 ms). Lag: a fresh pair in sync, then " +
          `redis-benchmark -t set -c ${lag.clients} -P ${lag.pipeline} -n ${lag.requests} -r ${lag.random} on the master ` +
          "(client core); every 50 ms the master's master_repl_offset minus the replica's slave_repl_offset " +
          "(both asked at once over open connections); then the time from the benchmark's exit until they are equal (polled every 10 ms). " +
          `${r.rounds} round(s) each, kinds alternating; sync, CPU, SETs/s and time to equal are medians over rounds, ` +
          "max and median lag are over all samples of all rounds\n",
      );
      console.log(replicationTable([sync[0]!, sync[1]!], [lags[0]!, lags[1]!]));
      for (const x of [...sync, ...lags]) if (x.error) console.log(`\n${x.server} failed at ${x.error}`);
      console.log("");
    }
  } finally {
    await Promise.all([servers.redis.stop(), servers.respd.stop()]);
  }
  const minutes = (performance.now() - started) / 60_000;
  console.log(
    `\ntotal ${minutes.toFixed(1)} min; load average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
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
