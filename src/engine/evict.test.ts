import { expect, test } from "bun:test";
import type { HostInfo } from "./engine.ts";
import { createTestEngine } from "./testing.ts";

/** A host whose heap reads a fixed size: the evictor credits what it evicts against it. */
function fixedHeap(bytes: number): HostInfo {
  return { heapUsed: () => bytes, collectGarbage: () => false } as unknown as HostInfo;
}

for (const [policy, survivor, victim] of [
  ["allkeys-lfu", "hot", "cold"],
  ["allkeys-lru", "recent", "old"],
] as const) {
  test(`${policy} evicts the sampled key with the ${policy.endsWith("lfu") ? "lowest counter" : "oldest access"}`, async () => {
    const t = createTestEngine();
    t.exec("CONFIG", "SET", "maxmemory-policy", policy);
    t.exec("CONFIG", "SET", "lfu-log-factor", "0"); // one increment per access
    t.exec("CONFIG", "SET", "maxmemory-samples", "64"); // every key is sampled
    if (policy === "allkeys-lfu") {
      t.exec("SET", "hot", "v");
      t.exec("SET", "cold", "v");
      for (let i = 0; i < 10; i++) t.exec("GET", "hot");
    } else {
      t.exec("SET", "old", "v");
      t.exec("SET", "recent", "v");
      await new Promise((r) => setTimeout(r, 1100)); // the LRU clock has a second's resolution
      t.exec("GET", "recent");
    }
    t.engine.host = fixedHeap(1_000_000);
    // One byte over: one eviction's estimated size brings it under.
    expect(t.engine.evictor.run(1_000_000 - 1, Date.now())).toBe(true);
    expect(t.exec("EXISTS", victim)).toBe(0);
    expect(t.exec("EXISTS", survivor)).toBe(1);
  });
}
