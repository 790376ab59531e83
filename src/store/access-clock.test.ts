import { expect, test } from "bun:test";
import { AccessClock, LFU_INIT } from "./access-clock.ts";

const MINUTE = 60_000;

test("LFU: a new key starts at 5; accesses add one with probability 1/((c-5)*factor+1)", () => {
  const clock = new AccessClock();
  clock.lfu = true;
  const now = 1_000 * MINUTE;
  let word = clock.initial(now);
  expect(clock.frequency(word, now)).toBe(LFU_INIT);
  // A draw under the probability increments; one above it does not.
  clock.random = () => 0;
  word = clock.accessed(word, now);
  expect(clock.frequency(word, now)).toBe(6);
  clock.random = () => 0.5; // 1/(1*10+1) < 0.5: no increment
  word = clock.accessed(word, now);
  expect(clock.frequency(word, now)).toBe(6);
  clock.logFactor = 0; // probability 1
  for (let i = 0; i < 300; i++) word = clock.accessed(word, now);
  expect(clock.frequency(word, now)).toBe(255);
});

test("LFU: the counter decays by one per lfu-decay-time minutes, never below 0; 0 turns decay off", () => {
  const clock = new AccessClock();
  clock.lfu = true;
  const now = 2_000 * MINUTE;
  const word = clock.withFrequency(10, now);
  expect(clock.frequency(word, now + 3 * MINUTE)).toBe(7);
  clock.decayTime = 2;
  expect(clock.frequency(word, now + 5 * MINUTE)).toBe(8);
  expect(clock.frequency(word, now + 100 * MINUTE)).toBe(0);
  clock.decayTime = 0;
  expect(clock.frequency(word, now + 100 * MINUTE)).toBe(10);
});

test("LFU: the 16-bit minute clock wraps as Redis's does", () => {
  const clock = new AccessClock();
  clock.lfu = true;
  const before = 65_534 * MINUTE;
  const word = clock.withFrequency(20, before);
  // Three minutes later the clock reads 1 (wrapped): 65535 - 65534 + 1 = 2 periods by Redis's formula.
  expect(clock.frequency(word, before + 3 * MINUTE)).toBe(18);
});

test("LRU: the column holds the second of the last access", () => {
  const clock = new AccessClock();
  expect(clock.initial(5_000_500)).toBe(5_000.5);
  expect(clock.accessed(1, 7_000_000)).toBe(7_000);
});
