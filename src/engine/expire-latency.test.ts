import { expect, test } from "bun:test";
import { createTestEngine } from "./testing.ts";

test("an active expire cycle at or above latency-monitor-threshold is an expire-cycle latency event", async () => {
  const t = createTestEngine((config) => config.set("latency-monitor-threshold", "1"));
  // Enough due keys that one cycle (budget: a quarter of the 100 ms cron period) spends well over 1 ms deleting.
  for (let i = 0; i < 50_000; i++) t.exec("SET", `k${i}`, "v", "PX", "1");
  await Bun.sleep(5);
  t.engine.cron();
  const event = t.engine.latency.events.get("expire-cycle");
  expect(event?.samples.length).toBe(1);
  expect(event?.max).toBeGreaterThanOrEqual(1);
  expect(t.engine.dbs[0]?.size).toBeLessThan(50_000);
});

test("no expire-cycle event while latency monitoring is off", async () => {
  const t = createTestEngine();
  for (let i = 0; i < 1_000; i++) t.exec("SET", `k${i}`, "v", "PX", "1");
  await Bun.sleep(5);
  t.engine.cron();
  expect(t.engine.latency.events.size).toBe(0);
});
