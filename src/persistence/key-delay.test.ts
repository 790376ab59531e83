import { expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { Rewrite } from "./aof/rewrite.ts";
import { KeyDelay, keysPerSlice } from "./key-delay.ts";

test("KeyDelay owes whole milliseconds and carries the rest", () => {
  const d = new KeyDelay();
  expect(d.owe(10, 50)).toBe(0); // 500 µs: nothing to wait yet
  expect(d.owe(10, 50)).toBe(1); // 1000 µs
  expect(d.owe(3, 1000)).toBe(3);
  expect(d.owe(5, 0)).toBe(0);
  // Negative: 1 µs once in N keys, so 1000 keys at -1 owe exactly 1 ms.
  expect(new KeyDelay().owe(1000, -1)).toBe(1);
});

test("keysPerSlice caps a slice so its delay is about the slice's length, at least one key", () => {
  expect(keysPerSlice(0, 5)).toBe(Number.POSITIVE_INFINITY);
  expect(keysPerSlice(-10, 5)).toBe(Number.POSITIVE_INFINITY);
  expect(keysPerSlice(50, 5)).toBe(100);
  expect(keysPerSlice(10_000_000, 5)).toBe(1);
});

test("an AOF rewrite step stops after about maxKeys keys", () => {
  const t = createTestEngine();
  for (let i = 0; i < 1000; i++) t.exec("SET", `k${i}`, "v");
  const rw = new Rewrite(t.engine, { preamble: false, compress: false, checksum: false, encode: { listFill: -2 } });
  expect(rw.step(1000, 1)).toBe(false);
  // One hash-table bucket at most: a few keys, not the whole db.
  expect(rw.keysWritten).toBeGreaterThanOrEqual(1);
  expect(rw.keysWritten).toBeLessThan(50);
  while (!rw.step(1000));
  expect(rw.keysWritten).toBe(1000);
});
