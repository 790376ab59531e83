/** Medians and the Markdown tables the benchmark prints (and bench/RESULTS.md keeps). */

import type { PersistenceResult } from "./persistence.ts";

export function median(xs: number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export interface Row {
  test: string;
  pipeline: number;
  redisRps: number;
  respdRps: number;
  redisUs: number;
  respdUs: number;
  /**
   * Median over rounds of respd's CPU/request ÷ Redis's in the same round (the two runs are back to back):
   * the host's drift between rounds cancels out of each pair, so this is the steadier ratio and the one the
   * target is judged on.
   */
  pairedCpuRatio: number;
  /** respd/redis req/s this row must reach (at -P 1). */
  rpsTarget?: number;
  /** respd/redis CPU per request this row must stay within (at -P 16). */
  cpuTarget?: number;
  /** Set when respd failed the run (e.g. an unimplemented command). */
  error?: string;
}

/** The issues' targets: issue 1 (strings, memory), issue 3 (data types, 1M-member sorted set). */
export const TARGETS = {
  stringsP1: 0.9,
  stringsCpuP16: 1.3,
  dataTypesP1: 0.7,
  rss: 2,
  /** No sorted-set operation at 1M members may be more than this many times slower than Redis. */
  zsetSlowdown: 5,
  /** Issue 13: streams, bitmaps, HyperLogLog and geo within this multiple of Redis's CPU per request. */
  newTypesCpu: 1.5,
  /** Issue 13: bytes per stream entry within this multiple of Redis's. */
  streamEntryMemory: 2,
};

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
const verdict = (ok: boolean, known: boolean) => (!known ? "n/a" : ok ? "ok" : "MISS");

function target(r: Row): string {
  const out: string[] = [];
  if (r.rpsTarget !== undefined) {
    const ratio = r.respdRps / r.redisRps;
    out.push(`rps ≥ ${r.rpsTarget}×: ${verdict(ratio >= r.rpsTarget, Number.isFinite(ratio))}`);
  }
  if (r.cpuTarget !== undefined) {
    const ratio = r.pairedCpuRatio;
    out.push(`CPU ≤ ${r.cpuTarget}×: ${verdict(ratio <= r.cpuTarget, Number.isFinite(ratio))}`);
  }
  return out.length ? out.join("; ") : "—";
}

export function throughputTable(rows: Row[]): string {
  const lines = [
    "| test | P | redis req/s | respd req/s | ratio | redis µs/req | respd µs/req | CPU ratio | paired CPU ratio | target |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    const t = r.error ? `respd error: ${r.error}` : target(r);
    lines.push(
      `| ${r.test} | ${r.pipeline} | ${int(r.redisRps)} | ${int(r.respdRps)} | ${fmt(r.respdRps / r.redisRps, 2)} | ` +
        `${fmt(r.redisUs, 2)} | ${fmt(r.respdUs, 2)} | ${fmt(r.respdUs / r.redisUs, 2)} | ${fmt(r.pairedCpuRatio, 2)} | ${t} |`,
    );
  }
  return lines.join("\n");
}

export interface MemoryResult {
  keys: number;
  redisEmpty: number;
  respdEmpty: number;
  redisLoaded: number;
  respdLoaded: number;
  /** respd's RSS the moment its load finished, before its idle-time collection (src/server/idle-gc.ts). */
  respdAtLoadEnd: number;
}

export function memoryTable(m: MemoryResult): string {
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const ratio = m.respdLoaded / m.redisLoaded;
  return [
    `| keys | redis empty (MB) | respd empty (MB) | respd at load end (MB) | redis loaded (MB) | respd loaded (MB) | ratio | target |`,
    "|---:|---:|---:|---:|---:|---:|---:|---|",
    `| ${int(m.keys)} | ${mb(m.redisEmpty)} | ${mb(m.respdEmpty)} | ${mb(m.respdAtLoadEnd)} | ${mb(m.redisLoaded)} | ${mb(m.respdLoaded)} | ` +
      `${fmt(ratio, 2)} | RSS ≤ ${TARGETS.rss}×: ${verdict(ratio <= TARGETS.rss, Number.isFinite(ratio))} |`,
  ].join("\n");
}

export interface StreamMemoryResult {
  entries: number;
  redisEmpty: number;
  respdEmpty: number;
  redisLoaded: number;
  respdLoaded: number;
}

/** One stream's RSS: growth over the empty server, per entry. */
export function streamMemoryTable(m: StreamMemoryResult): string {
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const per = (loaded: number, empty: number) => (loaded - empty) / m.entries;
  const [rd, rs] = [per(m.redisLoaded, m.redisEmpty), per(m.respdLoaded, m.respdEmpty)];
  const ratio = rs / rd;
  const limit = TARGETS.streamEntryMemory;
  return [
    "| entries | redis empty (MB) | respd empty (MB) | redis loaded (MB) | respd loaded (MB) | redis B/entry | respd B/entry | ratio | target |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    `| ${int(m.entries)} | ${mb(m.redisEmpty)} | ${mb(m.respdEmpty)} | ${mb(m.redisLoaded)} | ${mb(m.respdLoaded)} | ${fmt(rd, 1)} | ${fmt(rs, 1)} | ` +
      `${fmt(ratio, 2)} | B/entry ≤ ${limit}×: ${verdict(ratio <= limit, Number.isFinite(ratio))} |`,
  ].join("\n");
}

export interface ZsetRow {
  op: string;
  requests: number;
  redisRps: number;
  respdRps: number;
  redisUs: number;
  respdUs: number;
  error?: string;
}

/** "x times slower" judged both ways: by req/s and by server CPU per operation. */
export function zsetTable(rows: ZsetRow[]): string {
  const lines = [
    "| operation | requests | redis ops/s | respd ops/s | ratio | redis µs/op | respd µs/op | CPU ratio | target |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  const limit = TARGETS.zsetSlowdown;
  for (const r of rows) {
    const rps = r.respdRps / r.redisRps;
    const cpu = r.respdUs / r.redisUs;
    const t = r.error
      ? `respd error: ${r.error}`
      : `rps ≥ 1/${limit}×: ${verdict(rps >= 1 / limit, Number.isFinite(rps))}; CPU ≤ ${limit}×: ${verdict(cpu <= limit, Number.isFinite(cpu))}`;
    lines.push(
      `| ${r.op} | ${int(r.requests)} | ${int(r.redisRps)} | ${int(r.respdRps)} | ${fmt(rps, 2)} | ` +
        `${fmt(r.redisUs, 2)} | ${fmt(r.respdUs, 2)} | ${fmt(cpu, 2)} | ${t} |`,
    );
  }
  return lines.join("\n");
}

export interface FanoutRow {
  subscribers: number;
  messages: number;
  redis: { seconds: number; cpuSeconds: number; systemSeconds: number; error?: string };
  respd: { seconds: number; cpuSeconds: number; systemSeconds: number; error?: string };
}

/** Pub/sub fan-out: deliveries = subscribers × messages. */
export function fanoutTable(rows: FanoutRow[]): string {
  const lines = [
    "| subscribers | messages | deliveries | redis deliveries/s | respd deliveries/s | ratio | redis µs/delivery | respd µs/delivery | CPU ratio | redis kernel % | respd kernel % | note |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    const n = r.subscribers * r.messages;
    const ok = (s: FanoutRow["redis"]) => !s.error;
    const rate = (s: FanoutRow["redis"]) => (ok(s) ? n / s.seconds : Number.NaN);
    const us = (s: FanoutRow["redis"]) => (ok(s) ? (s.cpuSeconds * 1e6) / n : Number.NaN);
    const sys = (s: FanoutRow["redis"]) => (ok(s) ? (100 * s.systemSeconds) / s.cpuSeconds : Number.NaN);
    const note = [r.redis.error && `redis: ${r.redis.error}`, r.respd.error && `respd: ${r.respd.error}`].filter(Boolean).join("; ");
    lines.push(
      `| ${int(r.subscribers)} | ${int(r.messages)} | ${int(n)} | ${int(rate(r.redis))} | ${int(rate(r.respd))} | ` +
        `${fmt(rate(r.respd) / rate(r.redis), 3)} | ${fmt(us(r.redis), 3)} | ${fmt(us(r.respd), 3)} | ${fmt(us(r.respd) / us(r.redis), 1)} | ` +
        `${fmt(sys(r.redis), 0)} | ${fmt(sys(r.respd), 0)} | ${note || "—"} |`,
    );
  }
  return lines.join("\n");
}

/** What the persistence table reads of each server's result. */
export type PersistenceRow = Omit<PersistenceResult, "server" | "keys">;

export function persistenceTable(redis: PersistenceRow, respd: PersistenceRow): string {
  const lines = ["| figure | redis | respd | respd ÷ redis |", "|---|---:|---:|---:|"];
  const row = (label: string, pick: (r: PersistenceRow) => number, digits: number, scale = 1) => {
    const a = pick(redis) / scale;
    const b = pick(respd) / scale;
    lines.push(`| ${label} | ${fmt(a, digits)} | ${fmt(b, digits)} | ${fmt(b / a, 2)} |`);
  };
  row("load with pipelined commands (s)", (r) => r.loadSeconds, 1);
  row("RSS loaded (MB)", (r) => r.rssLoaded, 1, 1e6);
  row("SAVE wall clock (s)", (r) => r.saveSeconds, 2);
  row("SAVE server CPU (s)", (r) => r.saveCpuSeconds, 2);
  row("dump.rdb (MB)", (r) => r.fileBytes, 1, 1e6);
  row("start, empty dir: spawn to +PONG (s)", (r) => r.emptyStartSeconds, 3);
  row("start on its dump.rdb: spawn to +PONG (s)", (r) => r.startSeconds, 2);
  row("load time (start on file − empty start) (s)", (r) => r.startSeconds - r.emptyStartSeconds, 2);
  return lines.join("\n");
}

export interface ReplicationSyncRow {
  loadSeconds: number;
  syncSeconds: number;
  masterCpuSeconds: number;
  replicaCpuSeconds: number;
}

export interface ReplicationLagRow {
  rps: number;
  samples: number;
  maxLag: number;
  medianLag: number;
  catchUpSeconds: number;
}

/** Replication: full sync and lag under load, redis and respd side by side with respd ÷ redis. */
export function replicationTable(sync: [ReplicationSyncRow, ReplicationSyncRow], lag: [ReplicationLagRow, ReplicationLagRow]): string {
  const lines = ["| figure | redis | respd | respd ÷ redis |", "|---|---:|---:|---:|"];
  const row = <T>(pair: [T, T], label: string, pick: (r: T) => number, show: (n: number) => string) => {
    const [a, b] = [pick(pair[0]), pick(pair[1])];
    lines.push(`| ${label} | ${show(a)} | ${show(b)} | ${fmt(b / a, 2)} |`);
  };
  const s = (d: number) => (n: number) => fmt(n, d);
  row(sync, "load master with pipelined SETs (s)", (r) => r.loadSeconds, s(1));
  row(sync, "full sync: REPLICAOF to in sync (s)", (r) => r.syncSeconds, s(2));
  row(sync, "full sync: master CPU incl. fork child (s)", (r) => r.masterCpuSeconds, s(2));
  row(sync, "full sync: replica CPU (s)", (r) => r.replicaCpuSeconds, s(2));
  row(lag, "under load: SETs/s on the master", (r) => r.rps, int);
  row(lag, "under load: samples", (r) => r.samples, int);
  row(lag, "under load: max lag (bytes)", (r) => r.maxLag, int);
  row(lag, "under load: median lag (bytes)", (r) => r.medianLag, int);
  row(lag, "after load: time to equal offsets (ms)", (r) => r.catchUpSeconds * 1000, s(0));
  return lines.join("\n");
}
