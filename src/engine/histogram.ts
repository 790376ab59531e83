/**
 * Per-command latency histograms (LATENCY HISTOGRAM, INFO latencystats).
 *
 * Redis records each call's duration in nanoseconds in an HDR histogram
 * tracking 1 ns .. 1 s with 2 significant digits, and its replies (the log2
 * buckets of LATENCY HISTOGRAM, the percentiles of INFO) show that
 * histogram's rounding. This keeps the same bucket layout, so respd reports
 * the same figures for the same durations: 256 sub-buckets, buckets doubling
 * in width, values mapped to (bucket, sub-bucket) as hdr_histogram does.
 */

/** LATENCY_HISTOGRAM_MIN_VALUE / MAX_VALUE, in ns. */
const MIN_VALUE = 1;
const MAX_VALUE = 1_000_000_000;
/** 2 significant digits: 2 * 10^2 rounded up to a power of two. */
const SUB_BUCKET_COUNT = 256;
const SUB_BUCKET_HALF_COUNT = 128;
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7;
const SUB_BUCKET_MASK = SUB_BUCKET_COUNT - 1;
/** Buckets needed to reach MAX_VALUE: 256 << 22 is the first power past 1e9. */
const BUCKET_COUNT = 23;
const COUNTS_LEN = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT;

function bucketOf(v: number): number {
  // 64 - clz64(v | mask) - (half magnitude + 1); values stay under 2^32, so clz32 suffices.
  return 32 - Math.clz32(v | SUB_BUCKET_MASK) - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);
}

/** `v` is an integer under 2^31 (ns up to 1e9), so shifts are exact. */
function indexOf(v: number): number {
  const bucket = bucketOf(v);
  const sub = v >> bucket;
  return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (sub - SUB_BUCKET_HALF_COUNT);
}

function valueAtIndex(index: number): number {
  let bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let sub = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

function lowestEquivalent(v: number): number {
  const bucket = bucketOf(v);
  return Math.floor(v / 2 ** bucket) * 2 ** bucket;
}

function highestEquivalent(v: number): number {
  const bucket = bucketOf(v);
  const sub = Math.floor(v / 2 ** bucket);
  const width = 2 ** (sub >= SUB_BUCKET_COUNT ? bucket + 1 : bucket);
  return lowestEquivalent(v) + width - 1;
}

export class LatencyHistogram {
  readonly #counts = new Float64Array(COUNTS_LEN);
  total = 0;

  /** Records one call that took `micros` microseconds. */
  record(micros: number): void {
    let ns = micros * 1000;
    if (ns < MIN_VALUE) ns = MIN_VALUE;
    else if (ns > MAX_VALUE) ns = MAX_VALUE;
    const i = indexOf(ns);
    this.#counts[i] = (this.#counts[i] as number) + 1;
    this.total++;
  }

  /**
   * LATENCY HISTOGRAM's `histogram_usec`: [usec, cumulative count] at each
   * power-of-two step from 1024 ns (hdr's log iterator, base 2), skipping
   * steps that added nothing; a step is labelled with the highest value its
   * last sub-bucket holds, in whole microseconds, as Redis prints it.
   */
  cumulative(): [usec: number, count: number][] {
    const out: [number, number][] = [];
    let cumulative = 0;
    let previous = 0;
    let level = 1024;
    let index = 0;
    const counts = this.#counts;
    // Steps run while counts remain, as in hdr's iterator.
    while (cumulative < this.total) {
      const levelLowest = lowestEquivalent(level);
      while (index < COUNTS_LEN && valueAtIndex(index) < levelLowest) cumulative += counts[index++] as number;
      if (index >= COUNTS_LEN) {
        // Past the last sub-bucket (values near 1 s): hdr reports the rest at that sub-bucket's top.
        if (cumulative > previous) out.push([Math.floor(highestEquivalent(valueAtIndex(COUNTS_LEN - 1)) / 1000), cumulative]);
        break;
      }
      cumulative += counts[index] as number;
      if (cumulative > previous) out.push([Math.floor(highestEquivalent(valueAtIndex(index)) / 1000), cumulative]);
      previous = cumulative;
      // The reported index's count is in; the next step starts after it.
      index++;
      level *= 2;
    }
    return out;
  }

  /** hdr_value_at_percentile, in ns: the highest value of the sub-bucket where the count reaches the percentile. */
  valueAtPercentile(percentile: number): number {
    const p = Math.min(percentile, 100);
    const target = Math.max(1, Math.floor((p / 100) * this.total + 0.5));
    let seen = 0;
    let at = 0;
    for (let i = 0; i < COUNTS_LEN; i++) {
      seen += this.#counts[i] as number;
      if (seen >= target) {
        at = valueAtIndex(i);
        break;
      }
    }
    return percentile === 0 ? lowestEquivalent(at) : highestEquivalent(at);
  }
}
