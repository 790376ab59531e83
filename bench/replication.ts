/**
 * Replication (issue 5), master and replica of the same kind, each in its own
 * dir, both on the servers' core. Full sync: `keys` keys loaded into the
 * master once, then per round a fresh replica, timed from `REPLICAOF` until it
 * reports the link up, no sync in progress and the master's DBSIZE. Lag: per
 * round redis-benchmark SETs on the master while the master's
 * `master_repl_offset` and the replica's `slave_repl_offset` are sampled, then
 * the time until the replica catches up. Rounds alternate which kind goes first.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import type { RuntimeName } from "../test/helpers/server.ts";
import { loadKeys, open, rawCommand, readExactly } from "./loader.ts";
import { type BenchServer, cpuSeconds, redisBenchmark, startOne } from "./procs.ts";
import { median } from "./report.ts";

export interface ReplicationConfig {
  keys: number;
  runtime: RuntimeName;
  /** Core for both servers, and for redis-benchmark. */
  core?: string;
  clientCore?: string;
  rounds: number;
  lag: { clients: number; pipeline: number; requests: number; random: number };
}

export interface SyncResult {
  server: "redis" | "respd";
  loadSeconds: number;
  syncSeconds: number;
  masterCpuSeconds: number;
  replicaCpuSeconds: number;
  error?: string;
}

export interface LagResult {
  server: "redis" | "respd";
  rps: number;
  samples: number;
  maxLag: number;
  medianLag: number;
  /** From redis-benchmark's exit until the replica's offset reached the master's. */
  catchUpSeconds: number;
  error?: string;
}

// Redis 7 waits 5 s for more replicas before a diskless transfer; respd does not wait, so neither should Redis.
const EXTRA = ["--repl-diskless-sync-delay", "0"];
const SYNC_BUDGET_MS = 120_000;
const CATCH_UP_BUDGET_MS = 30_000;
const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 200);

/** One connection for repeated INFO replication (a fresh socket per 10 ms poll would measure connects). */
class InfoConn {
  private constructor(private sock: Socket) {}
  static async open(port: number): Promise<InfoConn> {
    return new InfoConn(await open(port));
  }
  async fields(timeoutMs = 10_000): Promise<Map<string, string>> {
    this.sock.write("INFO replication\r\n");
    const got = (
      await readExactly(
        this.sock,
        (b) => {
          const eol = b.indexOf("\r\n");
          if (eol < 0) return 0;
          if (b[0] !== 0x24) return eol + 2;
          return eol + 2 + Number(b.subarray(1, eol).toString("latin1")) + 2;
        },
        timeoutMs,
      )
    ).toString("latin1");
    if (!got.startsWith("$")) throw new Error(`INFO replied ${JSON.stringify(got.trim().slice(0, 100))}`);
    const out = new Map<string, string>();
    for (const line of got.split("\r\n")) {
      const i = line.indexOf(":");
      if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
    }
    return out;
  }
  close(): void {
    this.sock.destroy();
  }
}

function offset(f: Map<string, string>, name: string): number {
  const v = Number(f.get(name));
  if (!Number.isFinite(v)) throw new Error(`INFO replication has no ${name}`);
  return v;
}

async function replicaOf(replica: BenchServer, master: BenchServer): Promise<void> {
  const ok = await rawCommand(replica.port, `REPLICAOF 127.0.0.1 ${master.port}`);
  if (ok !== "+OK\r\n") throw new Error(`REPLICAOF replied ${JSON.stringify(ok.trim())}`);
}

/** Polls every 10 ms (bounded) until the replica is in sync with `keys` keys; resolves with the seconds since `t0`. */
async function untilSynced(replica: BenchServer, keys: number, t0: number): Promise<number> {
  const conn = await InfoConn.open(replica.port);
  let last = "no answer";
  try {
    while (performance.now() - t0 < SYNC_BUDGET_MS) {
      const f = await conn.fields(SYNC_BUDGET_MS);
      last = `link ${f.get("master_link_status")}, sync ${f.get("master_sync_in_progress")}`;
      if (f.get("master_link_status") === "up" && f.get("master_sync_in_progress") === "0") {
        const size = await rawCommand(replica.port, "DBSIZE", SYNC_BUDGET_MS);
        if (size === `:${keys}\r\n`) return (performance.now() - t0) / 1000;
        last += `, DBSIZE ${size.trim()}`;
      }
      await sleep(10);
    }
  } finally {
    conn.close();
  }
  throw new Error(`not in sync after ${SYNC_BUDGET_MS / 1000} s: ${last}`);
}

const KINDS = ["redis", "respd"] as const;
type Kind = (typeof KINDS)[number];
const start = (kind: Kind, cfg: ReplicationConfig) => startOne(kind, cfg.runtime, { core: cfg.core, extra: EXTRA });

/** utime+stime plus cutime+cstime (children it has waited for) from /proc/<pid>/stat; NaN once it has exited. */
function withChildren(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** Round `i`'s order: alternating, so drift on a shared machine hits both alike. */
const order = (i: number): readonly Kind[] => (i % 2 === 0 ? KINDS : [...KINDS].reverse());

/** One full sync onto a fresh replica of a loaded master; the replica is stopped afterwards. */
async function syncOnce(kind: Kind, cfg: ReplicationConfig, master: BenchServer): Promise<SyncSample> {
  const replica = await start(kind, cfg);
  try {
    const cpu0 = [withChildren(master.pid), cpuSeconds(replica.pid)];
    const t0 = performance.now();
    await replicaOf(replica, master);
    const seconds = await untilSynced(replica, cfg.keys, t0);
    const replicaCpu = cpuSeconds(replica.pid) - cpu0[1]!;
    // Redis's snapshot runs in a forked child, counted once reaped (its serverCron checks at 10 Hz): give it 300 ms.
    await sleep(300);
    return { seconds, masterCpu: withChildren(master.pid) - cpu0[0]!, replicaCpu };
  } finally {
    await replica.stop();
  }
}

interface SyncSample {
  seconds: number;
  masterCpu: number;
  replicaCpu: number;
}

async function fullSync(cfg: ReplicationConfig): Promise<SyncResult[]> {
  const masters = new Map<Kind, BenchServer>();
  const samples = new Map<Kind, SyncSample[]>(KINDS.map((k) => [k, []]));
  const results = new Map<Kind, SyncResult>(
    KINDS.map((k) => [
      k,
      { server: k, loadSeconds: Number.NaN, syncSeconds: Number.NaN, masterCpuSeconds: Number.NaN, replicaCpuSeconds: Number.NaN },
    ]),
  );
  try {
    for (const kind of KINDS) {
      const r = results.get(kind)!;
      try {
        const master = await start(kind, cfg);
        masters.set(kind, master);
        const t0 = performance.now();
        await loadKeys(master.port, cfg.keys);
        r.loadSeconds = (performance.now() - t0) / 1000;
        console.error(`  ${kind}: loaded ${cfg.keys} keys into the master in ${r.loadSeconds.toFixed(1)} s`);
      } catch (e) {
        r.error = `load: ${message(e)}`;
      }
    }
    for (let round = 0; round < cfg.rounds; round++) {
      for (const kind of order(round)) {
        const r = results.get(kind)!;
        if (r.error) continue;
        try {
          const x = await syncOnce(kind, cfg, masters.get(kind)!);
          samples.get(kind)!.push(x);
          console.error(`  round ${round + 1}/${cfg.rounds} ${kind}: full sync ${x.seconds.toFixed(2)} s`);
        } catch (e) {
          r.error = `sync: ${message(e)}`;
        }
      }
    }
  } finally {
    await Promise.all([...masters.values()].map((m) => m.stop()));
  }
  for (const [kind, r] of results) {
    const xs = samples.get(kind)!;
    r.syncSeconds = median(xs.map((x) => x.seconds));
    r.masterCpuSeconds = median(xs.map((x) => x.masterCpu));
    r.replicaCpuSeconds = median(xs.map((x) => x.replicaCpu));
    if (r.error) console.error(`  ${kind}: full sync failed at ${r.error}`);
  }
  return [...results.values()];
}

interface Pair {
  master: BenchServer;
  replica: BenchServer;
  /** master_repl_offset on the master minus slave_repl_offset on the replica, both asked at once. */
  lag(): Promise<number>;
  stop(): Promise<void>;
}

/** A master and a replica in sync, with open INFO connections to both. */
async function startPair(kind: Kind, cfg: ReplicationConfig): Promise<Pair> {
  const servers: BenchServer[] = [];
  const conns: InfoConn[] = [];
  const stop = async () => {
    for (const c of conns) c.close();
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const master = await start(kind, cfg);
    servers.push(master);
    const replica = await start(kind, cfg);
    servers.push(replica);
    await replicaOf(replica, master);
    await untilSynced(replica, 0, performance.now());
    const m = await InfoConn.open(master.port);
    conns.push(m);
    const s = await InfoConn.open(replica.port);
    conns.push(s);
    const lag = async () => {
      const [mf, sf] = await Promise.all([m.fields(), s.fields()]);
      return offset(mf, "master_repl_offset") - offset(sf, "slave_repl_offset");
    };
    return { master, replica, lag, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

interface LagSample {
  rps: number;
  lags: number[];
  catchUpSeconds: number;
}

async function lagOnce(pair: Pair, cfg: ReplicationConfig): Promise<LagSample> {
  const { clients, pipeline, requests, random } = cfg.lag;
  let done = false;
  const opts = { clients, pipeline, requests, random, core: cfg.clientCore, timeoutMs: 120_000 };
  const bench = redisBenchmark(pair.master.port, "set", opts).finally(() => {
    done = true;
  });
  const lags: number[] = [];
  // Bounded by redis-benchmark's own timeout.
  while (!done) {
    lags.push(await pair.lag());
    await sleep(50);
  }
  const result = await bench;
  const ended = performance.now();
  if (result.error) throw new Error(`redis-benchmark: ${result.error}`);
  while (performance.now() - ended < CATCH_UP_BUDGET_MS) {
    if ((await pair.lag()) <= 0) return { rps: result.rps, lags, catchUpSeconds: (performance.now() - ended) / 1000 };
    await sleep(10);
  }
  throw new Error(`replica behind after ${CATCH_UP_BUDGET_MS / 1000} s: ${await pair.lag()} bytes`);
}

async function lagUnderLoad(cfg: ReplicationConfig): Promise<LagResult[]> {
  const pairs = new Map<Kind, Pair>();
  const samples = new Map<Kind, LagSample[]>(KINDS.map((k) => [k, []]));
  const results = new Map<Kind, LagResult>(
    KINDS.map((k) => [
      k,
      { server: k, rps: Number.NaN, samples: 0, maxLag: Number.NaN, medianLag: Number.NaN, catchUpSeconds: Number.NaN },
    ]),
  );
  try {
    for (const kind of KINDS) {
      try {
        pairs.set(kind, await startPair(kind, cfg));
      } catch (e) {
        results.get(kind)!.error = `start: ${message(e)}`;
      }
    }
    for (let round = 0; round < cfg.rounds; round++) {
      for (const kind of order(round)) {
        const r = results.get(kind)!;
        if (r.error) continue;
        try {
          const x = await lagOnce(pairs.get(kind)!, cfg);
          samples.get(kind)!.push(x);
          console.error(
            `  round ${round + 1}/${cfg.rounds} ${kind}: ${Math.round(x.rps)} SET/s, ${x.lags.length} samples, lag max ` +
              `${Math.max(...x.lags)} median ${median(x.lags)} bytes, equal ${(x.catchUpSeconds * 1000).toFixed(0)} ms after`,
          );
        } catch (e) {
          r.error = `load: ${message(e)}`;
        }
      }
    }
  } finally {
    await Promise.all([...pairs.values()].map((p) => p.stop()));
  }
  for (const [kind, r] of results) {
    const xs = samples.get(kind)!;
    const all = xs.flatMap((x) => x.lags);
    r.rps = median(xs.map((x) => x.rps));
    r.samples = all.length;
    r.maxLag = all.length ? Math.max(...all) : Number.NaN;
    r.medianLag = median(all);
    r.catchUpSeconds = median(xs.map((x) => x.catchUpSeconds));
    if (r.error) console.error(`  ${kind}: lag test failed at ${r.error}`);
  }
  return [...results.values()];
}

/** Full sync, then lag under load, each for Redis and respd on their own servers, rounds alternating. */
export async function replicationWorkload(cfg: ReplicationConfig): Promise<{ sync: SyncResult[]; lag: LagResult[] }> {
  const sync = await fullSync(cfg);
  const lag = await lagUnderLoad(cfg);
  return { sync, lag };
}
