import { describe, expect, test } from "bun:test";
import { Dict } from "./dict.ts";

function scanAll<V>(d: Dict<V>, between?: (round: number) => void): Set<string> {
  const seen = new Set<string>();
  let cursor = 0;
  let round = 0;
  do {
    cursor = d.scan(cursor, (s) => seen.add(d.keys[s] as string));
    between?.(round++);
  } while (cursor !== 0);
  return seen;
}

describe("Dict", () => {
  test("set, get, delete, size", () => {
    const d = new Dict<number>();
    for (let i = 0; i < 1000; i++) d.set(`k${i}`, i);
    expect(d.size).toBe(1000);
    expect(d.get("k500")).toBe(500);
    for (let i = 0; i < 1000; i += 2) expect(d.delete(`k${i}`)).toBeGreaterThanOrEqual(0);
    expect(d.size).toBe(500);
    expect(d.get("k500")).toBeUndefined();
    expect(d.get("k501")).toBe(501);
    expect(d.delete("nope")).toBe(-1);
  });

  test("binary keys that decode to the same UTF-8 stay distinct", () => {
    const d = new Dict<string>();
    d.set("\x80", "a");
    d.set("\x81", "b");
    expect(d.get("\x80")).toBe("a");
    expect(d.get("\x81")).toBe("b");
  });

  test("scan visits every key exactly once on a stable table", () => {
    const d = new Dict<number>();
    for (let i = 0; i < 5000; i++) d.set(`key:${i}`, i);
    const seen = scanAll(d);
    expect(seen.size).toBe(5000);
  });

  test("scan returns every key present for the whole scan while the table grows and shrinks", () => {
    const d = new Dict<number>();
    for (let i = 0; i < 2000; i++) d.set(`stable:${i}`, i);
    for (let i = 0; i < 2000; i++) d.set(`churn:${i}`, i);
    let next = 0;
    const seen = scanAll(d, (round) => {
      // Grow hard early, shrink later: both resize directions happen mid-scan.
      if (round < 20) for (let i = 0; i < 500; i++) d.set(`added:${next++}`, 0);
      else for (let i = 0; i < 400; i++) d.delete(`added:${--next}`);
      if (round === 5) for (let i = 0; i < 2000; i++) d.delete(`churn:${i}`);
    });
    for (let i = 0; i < 2000; i++) expect(seen.has(`stable:${i}`)).toBe(true);
  });

  test("randomSlot returns live entries and covers the table", () => {
    const d = new Dict<number>();
    for (let i = 0; i < 50; i++) d.set(`k${i}`, i);
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(d.keys[d.randomSlot()] as string);
    expect(seen.size).toBe(50);
    expect(new Dict<number>().randomSlot()).toBe(-1);
  });
});

describe("Dict compaction", () => {
  test("after a big shrink, slots are packed and every entry is still found", () => {
    const d = new Dict<number>();
    for (let i = 0; i < 10000; i++) d.set(`k${i}`, i);
    for (let i = 0; i < 10000; i++) if (i % 100 !== 0) d.delete(`k${i}`);
    expect(d.size).toBe(100);
    expect([...d.slots()].length).toBe(100);
    expect(Math.max(...d.slots())).toBeLessThan(200);
    for (let i = 0; i < 10000; i += 100) expect(d.get(`k${i}`)).toBe(i);
    d.set("new", -1);
    expect(d.get("new")).toBe(-1);
  });
});

describe("Dict's last-found slot", () => {
  test("a key found before other keys' deletes compacted the table is found at its new slot", () => {
    const d = new Dict<number>();
    for (let i = 0; i < 10000; i++) d.set(`k${i}`, i);
    const kept = "k9999";
    const before = d.slotOf(kept);
    for (let i = 0; i < 9990; i++) d.delete(`k${i}`);
    const after = d.slotOf(kept);
    expect(after).not.toBe(before);
    expect(d.keys[after]).toBe(kept);
    expect(d.get(kept)).toBe(9999);
  });

  test("a deleted key is not found through it, and re-adding stores a new entry", () => {
    const d = new Dict<number>();
    d.set("a", 1);
    d.set("b", 2);
    expect(d.get("a")).toBe(1);
    d.delete("a");
    expect(d.slotOf("a")).toBe(-1);
    expect(d.get("a")).toBeUndefined();
    d.set("a", 3);
    expect(d.get("a")).toBe(3);
    expect(d.size).toBe(2);
    d.clear();
    expect(d.get("a")).toBeUndefined();
  });
});

/** Pearson's chi-square of `draws` against a uniform spread over `counts.size` outcomes. */
function chiSquare(counts: Map<string, number>, draws: number): number {
  const expected = draws / counts.size;
  let x2 = 0;
  for (const n of counts.values()) x2 += (n - expected) ** 2 / expected;
  return x2;
}

test("randomSlot is fair across buckets of different chain lengths (dictGetFairRandomKey)", () => {
  // Ten keys in sixteen buckets always share some buckets: a plain bucket pick
  // gave keys alone in their bucket twice the chance of the others.
  for (let round = 0; round < 5; round++) {
    const d = new Dict<number>();
    for (let i = 0; i < 10; i++) d.set(`key:${round}:${i}`, i);
    const counts = new Map<string, number>();
    const draws = 20000;
    for (let i = 0; i < draws; i++) {
      const k = d.keys[d.randomSlot()] as string;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(10);
    // df = 9: 40 is Redis's own threshold (p ~ 1e-5).
    expect(chiSquare(counts, draws)).toBeLessThan(40);
  }
});
