/**
 * BITCOUNT counts whole 32-bit words where it can: every range of every
 * alignment, on a SET string and on a SETRANGE buffer, gives the byte by byte
 * count.
 */
import { expect, test } from "bun:test";
import { createTestEngine } from "../../engine/testing.ts";

function naive(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i <= to; i++) for (let b = s.charCodeAt(i); b; b >>= 1) n += b & 1;
  return n;
}

test("BITCOUNT over byte ranges of every alignment matches a byte by byte count", () => {
  const t = createTestEngine();
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const value = Array.from({ length: 301 }, () => String.fromCharCode((next() >> 16) & 0xff)).join("");
  t.exec("SET", "s", value);
  t.exec("SETRANGE", "b", "0", value);
  for (let from = 0; from < 20; from++) {
    for (const to of [from, from + 1, from + 3, from + 4, from + 9, 150, 299, 300]) {
      if (to < from) continue;
      const want = naive(value, from, to);
      expect([from, to, t.exec("BITCOUNT", "s", String(from), String(to))]).toEqual([from, to, want]);
      expect([from, to, t.exec("BITCOUNT", "b", String(from), String(to))]).toEqual([from, to, want]);
    }
  }
  expect(t.exec("BITCOUNT", "b")).toBe(naive(value, 0, 300));
  // Bit ranges mask the first and last bytes (bit 0 is the first byte's most significant bit).
  const bit = (i: number) => (value.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1;
  for (const [from, to] of [
    [5, 2000],
    [3, 37],
    [9, 2407],
  ] as const) {
    let want = 0;
    for (let i = from; i <= Math.min(to, 301 * 8 - 1); i++) want += bit(i);
    expect(t.exec("BITCOUNT", "b", String(from), String(to), "BIT")).toBe(want);
  }
});
