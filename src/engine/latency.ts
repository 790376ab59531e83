/**
 * The latency monitor (Redis's latency.c): for each event class ("command",
 * "fast-command"...) a ring of the last 160 spikes at or above
 * latency-monitor-threshold milliseconds, one sample per second (a second
 * spike in the same second keeps the larger), plus the all-time maximum.
 */

export interface LatencySample {
  /** Unix time in seconds. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

export interface LatencySeries {
  samples: LatencySample[];
  max: number;
}

const HISTORY_LEN = 160;

export class LatencyMonitor {
  readonly events = new Map<string, LatencySeries>();

  add(event: string, latency: number, nowSeconds = Math.floor(Date.now() / 1000)): void {
    let series = this.events.get(event);
    if (!series) {
      series = { samples: [], max: 0 };
      this.events.set(event, series);
    }
    if (latency > series.max) series.max = latency;
    const last = series.samples[series.samples.length - 1];
    if (last && last.time === nowSeconds) {
      if (latency > last.latency) last.latency = latency;
      return;
    }
    series.samples.push({ time: nowSeconds, latency });
    if (series.samples.length > HISTORY_LEN) series.samples.shift();
  }

  /** Forgets the named events (all when none given); returns how many existed. */
  reset(events: string[] = []): number {
    if (events.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const e of events) if (this.events.delete(e)) n++;
    return n;
  }
}
