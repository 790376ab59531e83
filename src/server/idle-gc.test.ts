import { expect, test } from "bun:test";
import { IdleCollector } from "./idle-gc.ts";

const MB = 1024 * 1024;

function harness(startRss: number, canCollect = true) {
  const state = { rss: startRss, heap: 100 * MB, collected: 0, blocking: [] as boolean[] };
  const c = new IdleCollector({
    rss: () => state.rss,
    heapUsed: () => state.heap,
    collectGarbage: (blocking) => {
      state.collected++;
      state.blocking.push(blocking);
      return canCollect;
    },
  });
  return { state, c };
}

test("collects once when the server goes idle after RSS grew, then not again while idle", () => {
  const { state, c } = harness(50 * MB);
  c.tick(1, true);
  state.rss = 250 * MB; // a bulk load
  c.tick(1000, true); // busy tick: never collects
  expect(state.collected).toBe(0);
  c.tick(1000, true); // first idle tick
  expect(state.collected).toBe(1);
  state.rss = 227 * MB; // what the collection returned
  for (let i = 0; i < 20; i++) c.tick(1000, true);
  expect(state.collected).toBe(1);
});

test("small growth and busy servers are left to the engine's own collector", () => {
  const { state, c } = harness(50 * MB);
  state.rss = 60 * MB; // under 16 MB of growth
  c.tick(5, true);
  c.tick(5, true);
  expect(state.collected).toBe(0);
  state.rss = 500 * MB;
  for (let i = 0; i < 10; i++) c.tick(100 + i, true); // never idle
  expect(state.collected).toBe(0);
});

test("growth that is live data raises the floor: one collection per eighth of growth, not per tick", () => {
  const { state, c } = harness(400 * MB);
  state.rss = 440 * MB; // 10%: under an eighth
  c.tick(7, true);
  c.tick(7, true);
  expect(state.collected).toBe(0);
  state.rss = 460 * MB; // 15%
  c.tick(7, true);
  expect(state.collected).toBe(1);
  c.tick(7, true); // nothing freed: the floor is now 460 MB
  expect(state.collected).toBe(1);
});

test("jemalloc-bg-thread no switches it off", () => {
  const { state, c } = harness(50 * MB);
  state.rss = 300 * MB;
  c.tick(3, false);
  c.tick(3, false);
  expect(state.collected).toBe(0);
  c.tick(3, true);
  expect(state.collected).toBe(1);
});

test("a big heap gets a concurrent collection, a small one a finished one", () => {
  const { state, c } = harness(50 * MB);
  state.rss = 300 * MB;
  c.tick(1, true);
  c.tick(1, true);
  state.heap = 2048 * MB;
  state.rss = 3000 * MB;
  c.tick(2, true);
  c.tick(2, true);
  expect(state.blocking).toEqual([true, false]);
});

test("a runtime that cannot collect is not counted as having collected", () => {
  const { state, c } = harness(50 * MB, false);
  state.rss = 300 * MB;
  c.tick(1, true);
  c.tick(1, true);
  expect(state.collected).toBe(1);
  expect(c.collections).toBe(0);
});
