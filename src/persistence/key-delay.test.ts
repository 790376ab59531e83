import { expect, test } from "bun:test";
import { Database } from "../store/database.ts";
import { KeyDelay, KeySaveDelay, keysPerSlice } from "./key-delay.ts";
import { Snapshot } from "./snapshot.ts";

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

const hooks = { expired() {} };

test("rdb-key-save-delay: the walk writes one key per delay and says how long to wait; preserves are not delayed", async () => {
  const now = Date.now();
  const dbs = [new Database(0, hooks)];
  const d0 = dbs[0] as Database;
  for (let i = 0; i < 5; i++) d0.set(`k${i}`, "v", now);
  let usec = 50_000;
  const snap = new Snapshot(dbs, { compress: false, checksum: true, out: () => {}, keyDelay: new KeySaveDelay(() => usec) });
  expect(snap.step(1000)).toBe(false);
  expect(snap.keysProcessed).toBe(1);
  expect(snap.waitMs()).toBeGreaterThan(20);
  // Holding: a step before the delay has passed writes nothing.
  expect(snap.step(1000)).toBe(false);
  expect(snap.keysProcessed).toBe(1);
  // A write about to change a key not yet saved is never held back (Redis's parent does not sleep).
  for (let i = 0; i < 5; i++) snap.preserve(0, `k${i}`);
  expect(snap.keysProcessed).toBe(5);
  // ...but each still takes its delay: the snapshot cannot end before 5 delays have passed.
  expect(snap.step(1000)).toBe(false);
  expect(snap.waitMs()).toBeGreaterThan(150);
  // Turning the delay off lets the walk end at once.
  usec = 0;
  expect(snap.waitMs()).toBe(0);
  expect(snap.step(1000)).toBe(true);
});

test("rdb-key-save-delay: a walk of n keys lasts about n delays", async () => {
  const now = Date.now();
  const dbs = [new Database(0, hooks)];
  for (let i = 0; i < 4; i++) (dbs[0] as Database).set(`k${i}`, "v", now);
  const snap = new Snapshot(dbs, {
    compress: false,
    checksum: true,
    out: () => {},
    keyDelay: new KeySaveDelay(() => 30_000),
  });
  const start = performance.now();
  while (!snap.step(5)) await new Promise((r) => setTimeout(r, Math.max(1, snap.waitMs())));
  // Redis sleeps after every key, the last one too: 4 x 30 ms.
  expect(performance.now() - start).toBeGreaterThanOrEqual(110);
  expect(snap.keysProcessed).toBe(4);
});
