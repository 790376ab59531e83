/** Counters behind INFO stats, commandstats, errorstats and latencystats. */
import { LatencyHistogram } from "./histogram.ts";

export interface CommandStat {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** Made on the first call recorded while latency-tracking is on (LATENCY HISTOGRAM, INFO latencystats). */
  histogram: LatencyHistogram | null;
}

export class Stats {
  totalConnectionsReceived = 0;
  totalCommandsProcessed = 0;
  rejectedConnections = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  replyBufferShrinks = 0;
  replyBufferExpands = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  totalNetInputBytes = 0;
  totalNetOutputBytes = 0;
  totalErrorReplies = 0;
  /** Background jobs started (Redis's forks: BGSAVE, AOF rewrite, full sync) and how long starting the last one's companion took. */
  totalForks = 0;
  latestForkUsec = 0;
  /** Per command full name ("get", "client|list"). */
  commands = new Map<string, CommandStat>();
  /** Per error code ("ERR", "WRONGTYPE"). */
  errors = new Map<string, number>();

  /** Bumped by reset(), so rows cached elsewhere are refetched. */
  generation = 0;

  /** Ring of (time, commands, net input, net output) samples for the instantaneous_* metrics. */
  #samples: [number, number, number, number][] = [];

  command(name: string): CommandStat {
    let s = this.commands.get(name);
    if (!s) {
      s = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, histogram: null };
      this.commands.set(name, s);
    }
    return s;
  }

  /** Adds a call's duration to the command's latency histogram. */
  recordLatency(s: CommandStat, micros: number): void {
    if (s.histogram === null) s.histogram = new LatencyHistogram();
    s.histogram.record(micros);
  }

  error(code: string): void {
    this.totalErrorReplies++;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** Called from the cron; keeps 16 samples like Redis's STATS_METRIC_SAMPLES. */
  sample(now: number): void {
    this.#samples.push([now, this.totalCommandsProcessed, this.totalNetInputBytes, this.totalNetOutputBytes]);
    if (this.#samples.length > 16) this.#samples.shift();
  }

  opsPerSec(): number {
    const s = this.#samples;
    if (s.length < 2) return 0;
    const [t0, c0] = s[0] as [number, number, number, number];
    const [t1, c1] = s[s.length - 1] as [number, number, number, number];
    return t1 > t0 ? Math.round(((c1 - c0) * 1000) / (t1 - t0)) : 0;
  }

  /** instantaneous_input_kbps / output_kbps over the same samples. */
  kbps(): [input: number, output: number] {
    const s = this.#samples;
    if (s.length < 2) return [0, 0];
    const [t0, , i0, o0] = s[0] as [number, number, number, number];
    const [t1, , i1, o1] = s[s.length - 1] as [number, number, number, number];
    if (t1 <= t0) return [0, 0];
    return [((i1 - i0) * 1000) / (t1 - t0) / 1024, ((o1 - o0) * 1000) / (t1 - t0) / 1024];
  }

  /** CONFIG RESETSTAT. */
  reset(): void {
    this.totalConnectionsReceived = 0;
    this.totalCommandsProcessed = 0;
    this.rejectedConnections = 0;
    this.expiredKeys = 0;
    this.evictedKeys = 0;
    this.replyBufferShrinks = 0;
    this.replyBufferExpands = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.totalNetInputBytes = 0;
    this.totalNetOutputBytes = 0;
    this.totalErrorReplies = 0;
    this.totalForks = 0;
    this.latestForkUsec = 0;
    this.commands.clear();
    this.errors.clear();
    this.#samples = [];
    this.generation++;
  }
}
