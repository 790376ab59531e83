import { expect, test } from "bun:test";
import { rng } from "../../test/helpers/diff.ts";
import { type ZNode, ZSet } from "./zset.ts";

const LIMITS = { entries: 128, value: 64 };

/** Reference order: score, then member bytes. */
const cmp = (a: [string, number], b: [string, number]) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Checks every rank, the level-0 links (both ways) and the dict against a sorted reference. */
function check(z: ZSet, model: Map<string, number>): void {
  const ref = [...model.entries()].sort(cmp);
  expect(z.size).toBe(ref.length);
  expect(z.dict.size).toBe(ref.length);
  const walked: [string, number][] = [];
  for (const n of z.list) walked.push([n.member, n.score]);
  expect(walked).toEqual(ref);
  const back: string[] = [];
  for (let n: ZNode | null = z.list.tail; n !== null; n = n.prev) back.push(n.member);
  expect(back).toEqual(ref.map((e) => e[0]).reverse());
  ref.forEach(([m], i) => {
    expect(z.rankOf(m)).toBe(i);
    expect(z.at(i).member).toBe(m);
  });
}

test("random inserts, score updates and deletes keep order, ranks and links consistent", () => {
  const r = rng(12345);
  const z = new ZSet(false);
  const model = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const member = `m${Math.floor(r() * 300)}`;
    const score = Math.floor(r() * 20) - 10;
    const node = z.dict.get(member);
    const op = r();
    if (op < 0.5) {
      if (node) z.setScore(node, score);
      else z.insert(member, score, LIMITS);
      model.set(member, score);
    } else if (op < 0.8) {
      expect(z.delete(member)).toBe(model.delete(member));
    } else if (z.size > 0) {
      const start = Math.floor(r() * z.size);
      const count = 1 + Math.floor(r() * 5);
      const removed: string[] = [];
      for (let k = start; k < Math.min(z.size, start + count); k++) removed.push(z.at(k).member);
      z.deleteRanks(start, count);
      for (const m of removed) model.delete(m);
    }
    if (i % 100 === 0) check(z, model);
  }
  check(z, model);
  const copy = z.clone();
  check(copy, model);
  expect(copy.list.first).not.toBe(z.list.first);
});

test("members order by bytes (memcmp), shorter prefix first, for equal scores", () => {
  const z = new ZSet();
  for (const m of ["b", "\xff", "a\x00", "a", "", "\x80", "ab"]) z.insert(m, 1, LIMITS);
  expect([...z.list].map((n) => n.member)).toEqual(["", "a", "a\x00", "ab", "b", "\x80", "\xff"]);
});

test("score and lex spans", () => {
  const z = new ZSet(false);
  for (const [m, s] of [
    ["a", 1],
    ["b", 2],
    ["c", 2],
    ["d", 3],
  ] as const)
    z.insert(m, s, LIMITS);
  expect(z.scoreSpan({ min: 2, max: 2, minex: false, maxex: false })).toEqual([1, 2]);
  expect(z.scoreSpan({ min: 1, max: 3, minex: true, maxex: true })).toEqual([1, 2]);
  expect(z.scoreSpan({ min: 2, max: 2, minex: true, maxex: false })).toBeNull();
  expect(z.scoreSpan({ min: 4, max: 9, minex: false, maxex: false })).toBeNull();
  const eq = new ZSet(false);
  for (const m of ["a", "b", "c", "d"]) eq.insert(m, 0, LIMITS);
  const b = (value: string, ex = false) => ({ value, ex, inf: 0 as const });
  expect(eq.lexSpan({ min: b("b"), max: b("c") })).toEqual([1, 2]);
  expect(eq.lexSpan({ min: b("a", true), max: { value: "", ex: true, inf: 1 } })).toEqual([1, 3]);
  expect(eq.lexSpan({ min: { value: "", ex: true, inf: -1 }, max: { value: "", ex: true, inf: -1 } })).toBeNull();
});

test("the encoding flips to skiplist one way, past either listpack limit", () => {
  const z = new ZSet();
  for (let i = 0; i < 3; i++) z.insert(`m${i}`, i, { entries: 3, value: 64 });
  expect(z.encoding()).toBe("listpack");
  z.insert("m3", 3, { entries: 3, value: 64 });
  expect(z.encoding()).toBe("skiplist");
  z.delete("m3");
  expect(z.encoding()).toBe("skiplist");
  const long = new ZSet();
  long.insert("x".repeat(65), 1, LIMITS);
  expect(long.encoding()).toBe("skiplist");
});

/** Nodes visited by a rank search (the same descent SkipList.at does), counted from outside. */
function searchSteps(z: ZSet, rank: number): number {
  const l = z.store;
  let x = 0;
  let traversed = 0;
  let steps = 0;
  for (let i = l.level - 1; i >= 0; i--) {
    for (let n = l.forward(x, i); n !== 0 && traversed + l.span(x, i) <= rank; n = l.forward(x, i)) {
      traversed += l.span(x, i);
      x = n;
      steps++;
    }
    steps++;
  }
  return steps;
}

test("insert, rank and delete stay logarithmic: 200k of each, and searches visit O(log n) nodes", () => {
  const z = new ZSet(false);
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) z.insert(`member:${(i * 7919) % n}`, (i * 104729) % 1000, LIMITS);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += z.rankOf(`member:${i}`);
  const ms = performance.now() - t0;
  expect(sum).toBe((n * (n - 1)) / 2);
  // The functional bound: about 4 steps per level, log4(200k) ~ 9 levels; a list would need ~n/2.
  let steps = 0;
  for (let i = 1; i <= n; i += 97) steps += searchSteps(z, i);
  expect(steps / Math.ceil(n / 97)).toBeLessThan(120);
  expect(z.list.level).toBeLessThan(20);
  for (let i = 0; i < n; i += 2) z.delete(`member:${i}`);
  expect(z.size).toBe(n / 2);
  // Wall time only as a generous guard (a quadratic structure takes minutes; this is ~0.5 s unloaded).
  expect(ms).toBeLessThan(15000);
}, 30000);

test("a big shrink repacks node ids and keeps order, ranks, index and SCAN complete", () => {
  const z = new ZSet(false);
  const model = new Map<string, number>();
  for (let i = 0; i < 5000; i++) {
    z.insert(`k${i}`, i % 37, LIMITS);
    model.set(`k${i}`, i % 37);
  }
  for (let i = 0; i < 5000; i++) {
    if (i % 10 === 0) continue;
    expect(z.delete(`k${i}`)).toBe(true);
    model.delete(`k${i}`);
  }
  check(z, model);
  // Ids were repacked into the low slots: every live slot is below the old population.
  const seen = new Set<string>();
  let cursor = 0;
  let maxSlot = 0;
  const visit = (slot: number) => {
    seen.add((z.dict.values[slot] as ZNode).member);
    maxSlot = Math.max(maxSlot, slot);
  };
  do cursor = z.dict.scan(cursor, visit);
  while (cursor !== 0);
  expect(maxSlot).toBeLessThan(2000);
  expect(seen).toEqual(new Set(model.keys()));
  for (const m of model.keys()) expect(z.dict.get(m)?.score).toBe(model.get(m) as number);
  z.deleteRanks(0, z.size);
  check(z, new Map());
  z.insert("again", 1, LIMITS);
  check(z, new Map([["again", 1]]));
});

test("nodes read after their member is deleted keep member and score; setScore updates the node", () => {
  const z = new ZSet(false);
  for (const [m, s] of [
    ["a", 1],
    ["b", 2],
    ["c", 3],
  ] as const)
    z.insert(m, s, LIMITS);
  const first = z.list.first as ZNode;
  z.delete("a");
  expect([first.member, first.score]).toEqual(["a", 1]);
  const b = z.dict.get("b") as ZNode;
  z.setScore(b, 10);
  expect(b.score).toBe(10);
  expect(z.list.tail?.member).toBe("b");
  expect(z.list.tail?.prev?.member).toBe("c");
  expect(z.list.first?.next[0]?.member).toBe("b");
});

test("random members are fair across hash buckets (dictGetFairRandomKey)", () => {
  const z = new ZSet(false);
  for (let i = 0; i < 10; i++) z.insert(`m${i}`, i, LIMITS);
  const counts = new Map<string, number>();
  const draws = 20000;
  for (let i = 0; i < draws; i++) {
    const m = (z.dict.values[z.dict.randomSlot()] as ZNode).member;
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  expect(counts.size).toBe(10);
  let x2 = 0;
  for (const n of counts.values()) x2 += (n - draws / 10) ** 2 / (draws / 10);
  // df = 9: Redis's own threshold in its SRANDMEMBER/ZRANDMEMBER histogram tests.
  expect(x2).toBeLessThan(40);
});
