/**
 * In-process sorted-set footprint and speed: one zset of N members
 * (`member:<i>`, random scores) built through the store API; prints heap and
 * RSS growth per member, then times 200k ZADD-like inserts + rank lookups.
 * Run: bun bench/zset-memory.ts [members]
 */
import { heapStats } from "bun:jsc";
import { ZSet } from "../src/store/zset.ts";

const N = Number(process.argv[2] ?? 1_000_000);
const LIMITS = { entries: 128, value: 64 };

// Members are built in the loop so the strings themselves count, as they would from the wire.
Bun.gc(true);
const before = { heap: heapStats().heapSize, rss: process.memoryUsage().rss };
let z: ZSet | null = new ZSet(false);
for (let i = 0; i < N; i++) z.insert(`member:${i}`, Math.random() * N, LIMITS);
Bun.gc(true);
const after = { heap: heapStats().heapSize, rss: process.memoryUsage().rss };
const per = (a: number, b: number) => ((b - a) / N).toFixed(1);
console.log(`${N} (size ${z.size}) members: heap ${per(before.heap, after.heap)} B/member, rss ${per(before.rss, after.rss)} B/member`);
z = null;
Bun.gc(true);

const OPS = 200_000;
const times: number[] = [];
for (let run = 0; run < 3; run++) {
  const s = new ZSet(false);
  const t0 = performance.now();
  for (let i = 0; i < OPS; i++) {
    const m = `member:${(i * 7919) % OPS}`;
    const node = s.dict.get(m);
    if (node === undefined) s.insert(m, Math.random() * OPS, LIMITS);
    else s.setScore(node, Math.random() * OPS);
  }
  let sum = 0;
  for (let i = 0; i < OPS; i++) sum += s.rankOf(`member:${i}`);
  times.push(performance.now() - t0);
  if (sum !== (OPS * (OPS - 1)) / 2) throw new Error("bad rank sum");
}
console.log(`${OPS} ZADD + ${OPS} ZRANK: min ${Math.min(...times).toFixed(0)} ms (runs ${times.map((t) => t.toFixed(0)).join(", ")})`);
