/**
 * Sorted set at scale: one zset of `members` members (1,000,000 by default)
 * loaded with pipelined ZADDs, then fixed-count redis-benchmark runs of ZADD,
 * ZRANK and ZRANGEBYSCORE ... LIMIT 0 10 with random arguments, on a few
 * connections pipelined 16 deep, both servers alternating; medians.
 */
import { loadZset, rawCommand } from "./loader.ts";
import { type BenchServer, cpuSeconds, redisBenchmark, rssBytes } from "./procs.ts";
import { median, type ZsetRow } from "./report.ts";

export const ZSET_KEY = "bigz";

export interface ZsetConfig {
  members: number;
  requests: number;
  rounds: number;
  clients: number;
  pipeline: number;
  core?: string;
}

/**
 * redis-benchmark replaces each `__rand_int__` with its own random 12-digit
 * number in [0, members), which is also how the loader names members
 * (`member:%012d`) and the range of their scores.
 */
const OPS: { op: string; command: string[] }[] = [
  { op: "ZADD key <rand> new:<rand>", command: ["ZADD", ZSET_KEY, "__rand_int__", "new:__rand_int__"] },
  { op: "ZRANK key member:<rand>", command: ["ZRANK", ZSET_KEY, "member:__rand_int__"] },
  // A random window start with +inf as max: LIMIT makes every window 10 members wide.
  { op: "ZRANGEBYSCORE key <rand> +inf LIMIT 0 10", command: ["ZRANGEBYSCORE", ZSET_KEY, "__rand_int__", "+inf", "LIMIT", "0", "10"] },
];

export interface ZsetLoad {
  server: string;
  seconds: number;
  rssBefore: number;
  rssAfter: number;
  error?: string;
}

/** A server that cannot load the set in this long is reported as failed, and the run goes on. */
const LOAD_BUDGET_MS = 180_000;

async function load(s: BenchServer, members: number): Promise<ZsetLoad> {
  const rssBefore = rssBytes(s.pid);
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  try {
    await loadZset(s.port, ZSET_KEY, members, LOAD_BUDGET_MS);
    const card = await rawCommand(s.port, `ZCARD ${ZSET_KEY}`);
    if (card !== `:${members}\r\n`) throw new Error(`ZCARD ${JSON.stringify(card)} after loading ${members} members`);
  } catch (e) {
    const error = `load: ${e instanceof Error ? e.message : e}`;
    console.error(`  ${s.name}: ${error}`);
    return { server: s.name, seconds: seconds(), rssBefore, rssAfter: rssBytes(s.pid), error };
  }
  console.error(`  loaded ${members} zset members into ${s.name} in ${seconds().toFixed(1)} s`);
  return { server: s.name, seconds: seconds(), rssBefore, rssAfter: rssBytes(s.pid) };
}

export async function zsetWorkload(
  redis: BenchServer,
  respd: BenchServer,
  cfg: ZsetConfig,
): Promise<{ loads: ZsetLoad[]; rows: ZsetRow[] }> {
  const loads = [await load(redis, cfg.members), await load(respd, cfg.members)];
  // Only servers holding the whole set are measured.
  const servers = [redis, respd].filter((_, i) => !loads[i]!.error);
  const run = (s: BenchServer, command: string[], requests: number) =>
    redisBenchmark(s.port, "", {
      clients: cfg.clients,
      requests,
      pipeline: cfg.pipeline,
      core: cfg.core,
      timeoutMs: 120_000,
      command,
      random: cfg.members,
    });
  // Unmeasured warm-up, a tenth of a run each.
  for (const s of servers) for (const { command } of OPS) await run(s, command, Math.ceil(cfg.requests / 10));

  const samples = new Map<string, { rps: number[]; us: number[]; error?: string }>();
  for (let round = 0; round < cfg.rounds; round++) {
    for (const [i, { op, command }] of OPS.entries()) {
      const order = (round + i) % 2 === 0 ? servers : [...servers].reverse();
      for (const s of order) {
        const before = cpuSeconds(s.pid);
        const r = await run(s, command, cfg.requests);
        const us = ((cpuSeconds(s.pid) - before) * 1e6) / cfg.requests;
        const k = `${s.name} ${op}`;
        const sample = samples.get(k) ?? { rps: [], us: [] };
        if (r.error) sample.error = r.error.length > 60 ? `${r.error.slice(0, 57)}...` : r.error;
        else {
          sample.rps.push(r.rps);
          sample.us.push(us);
        }
        samples.set(k, sample);
        const shown = r.error ? `error: ${r.error}` : `${Math.round(r.rps)} ops/s, ${us.toFixed(2)} µs/op`;
        console.error(`  round ${round + 1}/${cfg.rounds} ${op.padEnd(40)} ${s.name.padEnd(5)} ${shown}`);
      }
    }
  }
  const rows = OPS.map(({ op }): ZsetRow => {
    const rd = samples.get(`redis ${op}`) ?? { rps: [], us: [], error: loads[0]!.error };
    const rs = samples.get(`respd ${op}`) ?? { rps: [], us: [], error: loads[1]!.error };
    const row: ZsetRow = {
      op,
      requests: cfg.requests,
      redisRps: median(rd.rps),
      respdRps: median(rs.rps),
      redisUs: median(rd.us),
      respdUs: median(rs.us),
    };
    if (rs.error) row.error = rs.error;
    else if (rd.error) row.error = `(redis) ${rd.error}`;
    return row;
  });
  return { loads, rows };
}
