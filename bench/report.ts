/** Medians and the Markdown tables the benchmark prints (and bench/RESULTS.md keeps). */

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
  /** Set when respd failed the run (e.g. an unimplemented command). */
  error?: string;
}

/** The targets; `check` says whether a row meets the one that applies to it. */
export const TARGETS = {
  throughputP1: 0.9,
  cpuP16: 1.3,
  rss: 2,
};

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
const verdict = (ok: boolean, known: boolean) => (!known ? "n/a" : ok ? "ok" : "MISS");

function target(r: Row): string {
  if (r.pipeline === 1) {
    const ratio = r.respdRps / r.redisRps;
    return `rps ≥ ${TARGETS.throughputP1}×: ${verdict(ratio >= TARGETS.throughputP1, Number.isFinite(ratio))}`;
  }
  if (r.pipeline === 16) {
    const ratio = r.respdUs / r.redisUs;
    return `CPU ≤ ${TARGETS.cpuP16}×: ${verdict(ratio <= TARGETS.cpuP16, Number.isFinite(ratio))}`;
  }
  return "";
}

export function throughputTable(rows: Row[]): string {
  const lines = [
    "| test | P | redis req/s | respd req/s | ratio | redis µs/req | respd µs/req | CPU ratio | target |",
    "|---|---|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    const t = r.error ? `respd error: ${r.error}` : target(r);
    lines.push(
      `| ${r.test} | ${r.pipeline} | ${int(r.redisRps)} | ${int(r.respdRps)} | ${fmt(r.respdRps / r.redisRps, 2)} | ` +
        `${fmt(r.redisUs, 2)} | ${fmt(r.respdUs, 2)} | ${fmt(r.respdUs / r.redisUs, 2)} | ${t} |`,
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
}

export function memoryTable(m: MemoryResult): string {
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const ratio = m.respdLoaded / m.redisLoaded;
  return [
    `| keys | redis empty (MB) | respd empty (MB) | redis loaded (MB) | respd loaded (MB) | ratio | target |`,
    "|---:|---:|---:|---:|---:|---:|---|",
    `| ${int(m.keys)} | ${mb(m.redisEmpty)} | ${mb(m.respdEmpty)} | ${mb(m.redisLoaded)} | ${mb(m.respdLoaded)} | ` +
      `${fmt(ratio, 2)} | RSS ≤ ${TARGETS.rss}×: ${verdict(ratio <= TARGETS.rss, Number.isFinite(ratio))} |`,
  ].join("\n");
}
