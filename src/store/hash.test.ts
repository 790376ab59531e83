import { describe, expect, test } from "bun:test";
import { HashValue } from "./hash.ts";

const LIMITS = { entries: 4, value: 8 };

function pairs(h: HashValue): string[] {
  const out: string[] = [];
  h.each((f, v) => out.push(f, v));
  return out;
}

describe("HashValue", () => {
  test("a small hash keeps insertion order; updates keep their place, deletes close the gap", () => {
    const h = new HashValue();
    expect(h.set("b", "1", LIMITS)).toBe(true);
    expect(h.set("a", "2", LIMITS)).toBe(true);
    expect(h.set("c", "3", LIMITS)).toBe(true);
    expect(h.set("b", "9", LIMITS)).toBe(false);
    expect(pairs(h)).toEqual(["b", "9", "a", "2", "c", "3"]);
    expect(h.delete("a")).toBe(true);
    expect(h.delete("a")).toBe(false);
    expect(pairs(h)).toEqual(["b", "9", "c", "3"]);
    expect(h.size).toBe(2);
    expect(h.get("c")).toBe("3");
    expect(h.get("zz")).toBeUndefined();
    expect(h.encoding()).toBe("listpack");
  });

  test("converts one way past the entry limit", () => {
    const h = new HashValue();
    for (let i = 0; i < 4; i++) h.set(`f${i}`, "v", LIMITS);
    expect(h.encoding()).toBe("listpack");
    h.set("f4", "v", LIMITS);
    expect(h.encoding()).toBe("hashtable");
    for (let i = 0; i < 4; i++) h.delete(`f${i}`);
    expect(h.encoding()).toBe("hashtable");
    expect(pairs(h)).toEqual(["f4", "v"]);
  });

  test("converts on a long field or value, even when it replaces a value", () => {
    const h = new HashValue();
    h.set("f", "12345678", LIMITS);
    expect(h.encoding()).toBe("listpack");
    expect(h.set("f", "123456789", LIMITS)).toBe(false);
    expect(h.encoding()).toBe("hashtable");
    expect(h.get("f")).toBe("123456789");
    const g = new HashValue();
    g.set("123456789", "x", LIMITS);
    expect(g.encoding()).toBe("hashtable");
  });

  test("binary fields stay distinct", () => {
    const h = new HashValue();
    h.set("\x80", "a", LIMITS);
    h.set("\x81", "b", LIMITS);
    h.set("\x00", "c", LIMITS);
    expect([h.get("\x80"), h.get("\x81"), h.get("\x00")]).toEqual(["a", "b", "c"]);
  });

  test("clone shares nothing, in both encodings", () => {
    for (const n of [2, 50]) {
      const h = new HashValue();
      for (let i = 0; i < n; i++) h.set(`f${i}`, `${i}`, LIMITS);
      const c = h.clone();
      expect(c.encoding()).toBe(h.encoding());
      c.set("f0", "changed", LIMITS);
      c.delete("f1");
      expect(h.get("f0")).toBe("0");
      expect(h.get("f1")).toBe("1");
      expect(c.size).toBe(n - 1);
    }
  });

  test("sample returns distinct pairs; a listpack sample keeps the hash's order", () => {
    for (const n of [4, 200]) {
      const h = new HashValue();
      const limits = { entries: n, value: 64 };
      for (let i = 0; i < n; i++) h.set(`f${i}`, `v${i}`, limits);
      for (const count of [1, 2, n - 1, Math.floor(n / 4) || 1]) {
        const got: string[] = [];
        h.sample(count, (f, v) => {
          expect(v).toBe(`v${f.slice(1)}`);
          got.push(f);
        });
        expect(new Set(got).size).toBe(count);
        if (h.isListpack) expect(got.map((f) => Number(f.slice(1)))).toEqual(got.map((f) => Number(f.slice(1))).sort((a, b) => a - b));
      }
    }
  });

  test("random visits every field eventually", () => {
    for (const n of [3, 100]) {
      const h = new HashValue();
      for (let i = 0; i < n; i++) h.set(`f${i}`, "v", { entries: 10, value: 64 });
      const seen = new Set<string>();
      for (let i = 0; i < n * 50; i++) h.random((f) => seen.add(f));
      expect(seen.size).toBe(n);
    }
  });

  test("scan over a hashtable returns every field once a full cycle completes", () => {
    const h = new HashValue();
    for (let i = 0; i < 1000; i++) h.set(`f${i}`, "v", LIMITS);
    const seen = new Set<string>();
    let cursor = 0;
    do cursor = h.scan(cursor, (f) => seen.add(f));
    while (cursor !== 0);
    expect(seen.size).toBe(1000);
  });
});
