/** Per-key footprint of many small sorted sets (100k sets of 5 members). Run: bun bench/zset-small.ts */
import { heapStats } from "bun:jsc";
import { ZSet } from "../src/store/zset.ts";

const SETS = 100_000;
const LIMITS = { entries: 128, value: 64 };
Bun.gc(true);
const before = heapStats().heapSize;
const rss0 = process.memoryUsage().rss;
const all: ZSet[] = [];
for (let k = 0; k < SETS; k++) {
  const z = new ZSet();
  for (let i = 0; i < 5; i++) z.insert(`m:${k}:${i}`, i, LIMITS);
  z.dict.get(`m:${k}:0`);
  all.push(z);
}
Bun.gc(true);
const per = (a: number, b: number) => ((b - a) / SETS).toFixed(0);
console.log(
  `${SETS} sets of 5: heap ${per(before, heapStats().heapSize)} B/set, rss ${per(rss0, process.memoryUsage().rss)} B/set (${all.length})`,
);
