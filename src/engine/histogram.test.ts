import { expect, test } from "bun:test";
import { LatencyHistogram } from "./histogram.ts";

// Expected figures are what Redis 7.0.15 reports for the same durations (its HDR histogram: 1 ns..1 s, 2 digits).
test("LATENCY HISTOGRAM buckets: power-of-two steps labelled with the step's highest value in usec", () => {
  const h = new LatencyHistogram();
  for (const us of [0, 1, 2, 3, 9, 40, 1000]) h.record(us);
  expect(h.total).toBe(7);
  // 0 and 1 us land at 1; 2 at 2; 3 at 4; 9 at 16; 40 at 66; 1000 us (1e6 ns) at 1056.
  expect(h.cumulative()).toEqual([
    [1, 2],
    [2, 3],
    [4, 4],
    [16, 5],
    [66, 6],
    [1056, 7],
  ]);
});

test("durations of a second and more are clamped and reported at the top sub-bucket", () => {
  const h = new LatencyHistogram();
  h.record(5_000_000);
  expect(h.cumulative()).toEqual([[1073741, 1]]);
});

test("INFO latencystats percentiles: the highest value of the sub-bucket reaching the rank", () => {
  const h = new LatencyHistogram();
  h.record(9);
  // Redis prints p50=9.023 for one 9 us SET.
  expect(h.valueAtPercentile(50) / 1000).toBeCloseTo(9.023, 3);
  for (let i = 0; i < 99; i++) h.record(4);
  expect(h.valueAtPercentile(50) / 1000).toBeCloseTo(4.015, 3);
  expect(h.valueAtPercentile(100) / 1000).toBeCloseTo(9.023, 3);
  // p0 is the lowest value of the first sub-bucket.
  expect(h.valueAtPercentile(0)).toBe(4000);
});
