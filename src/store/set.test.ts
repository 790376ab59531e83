import { describe, expect, test } from "bun:test";
import { SetValue } from "./set.ts";

describe("SetValue", () => {
  test("starts as an intset and keeps integers sorted ascending", () => {
    const s = new SetValue();
    for (const m of ["5", "-3", "100", "0", "5", "9223372036854775807", "-9223372036854775808"]) s.add(m, 512);
    expect(s.encoding()).toBe("intset");
    expect(s.toArray()).toEqual(["-9223372036854775808", "-3", "0", "5", "100", "9223372036854775807"]);
    expect(s.size).toBe(6);
    expect(s.has("100")).toBe(true);
    expect(s.has("0100")).toBe(false);
    expect(s.remove("-3")).toBe(true);
    expect(s.remove("-3")).toBe(false);
    expect(s.toArray()).toEqual(["-9223372036854775808", "0", "5", "100", "9223372036854775807"]);
  });

  test("non-canonical integers and non-integers convert to a hashtable for good", () => {
    for (const m of ["01", "+1", "-0", " 1", "1.0", "9223372036854775808", "abc", ""]) {
      const s = SetValue.forMember("1");
      s.add("1", 512);
      expect(s.add(m, 512)).toBe(true);
      expect(s.encoding()).toBe("hashtable");
      expect(s.has(m)).toBe(true);
      expect(s.has("1")).toBe(true);
      s.remove(m);
      expect(s.encoding()).toBe("hashtable");
    }
    expect(SetValue.forMember("x").encoding()).toBe("hashtable");
    expect(SetValue.forMember("-12").encoding()).toBe("intset");
  });

  test("converts when the intset grows past the threshold", () => {
    const s = new SetValue();
    for (let i = 0; i < 4; i++) s.add(String(i), 4);
    expect(s.encoding()).toBe("intset");
    s.add("4", 4);
    expect(s.encoding()).toBe("hashtable");
    expect(s.toArray().sort()).toEqual(["0", "1", "2", "3", "4"]);
    // A threshold of 0 converts on the first member.
    const z = new SetValue();
    z.add("1", 0);
    expect(z.encoding()).toBe("hashtable");
  });

  test("pop and random return members; pop empties the set", () => {
    for (const first of ["1", "a"]) {
      const s = SetValue.forMember(first);
      const all = first === "1" ? ["1", "2", "3", "4"] : ["a", "b", "c", "d"];
      for (const m of all) s.add(m, 512);
      for (let i = 0; i < 20; i++) expect(all).toContain(s.random());
      const popped: string[] = [];
      while (s.size > 0) popped.push(s.pop());
      expect(popped.sort()).toEqual(all);
    }
  });

  test("scan: an intset comes whole with cursor 0, a hashtable visits everything", () => {
    const s = new SetValue();
    for (let i = 0; i < 10; i++) s.add(String(i), 512);
    const out: string[] = [];
    expect(s.scan(12345, 2, out)).toBe(0);
    expect(out.length).toBe(10);
    const h = SetValue.forMember("m");
    for (let i = 0; i < 1000; i++) h.add(`m${i}`, 512);
    const seen = new Set<string>();
    let cursor = 0;
    let calls = 0;
    do {
      const batch: string[] = [];
      cursor = h.scan(cursor, 10, batch);
      for (const m of batch) seen.add(m);
      calls++;
    } while (cursor !== 0);
    expect(seen.size).toBe(1000);
    expect(calls).toBeGreaterThan(10);
  });

  test("clone is deep and keeps the encoding", () => {
    const a = new SetValue();
    a.add("1", 512);
    const b = a.clone();
    b.add("2", 512);
    expect(a.size).toBe(1);
    expect(b.encoding()).toBe("intset");
    const h = SetValue.forMember("x");
    h.add("x", 512);
    const hc = h.clone();
    hc.remove("x");
    expect(h.has("x")).toBe(true);
    expect(hc.encoding()).toBe("hashtable");
  });
});
