/** maxmemory against the real redis-server: eviction by policy, its keyspace events, and OOM once nothing more can go. */
import { afterAll, expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call, RawClient } from "./helpers/raw.ts";
import { startRespd } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

let d: Differential;
let sub: [RawClient, RawClient];
withDifferential(async (started) => {
  d = started;
  sub = await d.connectPair();
});
afterAll(() => {
  for (const c of sub ?? []) c.close();
});

/** The evicted keys each server announced, sorted (which goes first is random in Redis). */
async function evictedEvents(): Promise<[string[], string[]]> {
  const read = async (c: RawClient) => {
    let seen = "";
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const p = c.pending();
      if (p.length === seen.length && seen.length > 0) break;
      seen = p;
    }
    await c.readBytes(seen.length, 10);
    return [...seen.matchAll(/evicted\r\n\$\d+\r\n([^\r]+)\r\n/g)].map((m) => m[1] as string).sort();
  };
  return [await read(sub[0]), await read(sub[1])];
}

test("allkeys and volatile policies evict as the limit drops; with nothing left to evict, writes get OOM", async () => {
  await d.same("CONFIG", "SET", "notify-keyspace-events", "Ee");
  for (const c of sub) await call(c, "PSUBSCRIBE", "__keyevent@*");
  await d.sequence([["FLUSHALL"], ["SET", "p", "1"], ["SET", "v1", "1", "EX", "100"], ["SET", "v2", "2", "EX", "100"]]);
  await d.same("CONFIG", "SET", "maxmemory-policy", "volatile-lru");
  await d.same("CONFIG", "SET", "maxmemory", "1");
  // Only the keys with a TTL can go: the persistent one stays, and a write is refused.
  const [a, b] = await evictedEvents();
  expect(b).toEqual(a);
  expect(a).toEqual(["v1", "v2"]);
  await d.sequence([["DBSIZE"], ["SET", "x", "1"], ["GET", "p"]]);
  await d.same("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
  await d.sequence([["SET", "y", "1"], ["DBSIZE"]]);
  const [a2, b2] = await evictedEvents();
  expect(b2).toEqual(a2);
  expect(a2).toEqual(["p"]);
  await d.same("CONFIG", "SET", "maxmemory", "0");
  await d.same("CONFIG", "SET", "maxmemory-policy", "noeviction");
  await d.sequence([["SET", "z", "1"], ["DBSIZE"]]);
  const [sa, sb] = await d.both("INFO", "stats");
  const evicted = (s: string) => /evicted_keys:(\d+)/.exec(s)?.[1];
  expect(evicted(sb)).toBe(evicted(sa));
});

test("a replica evicts nothing of its master's data (replica-ignore-maxmemory)", async () => {
  const master = await startRespd();
  const replica = await startRespd({ args: ["--replicaof", `127.0.0.1 ${master.port}`] });
  const m = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  try {
    await waitFor("link up", async () => infoField(await call(r, "INFO", "replication"), "master_link_status") === "up");
    for (let i = 0; i < 20; i++) await call(m, "SET", `rk${i}`, "v");
    await waitFor("synced", async () => (await call(r, "DBSIZE")) === ":20\r\n");
    expect(await call(r, "CONFIG", "SET", "maxmemory-policy", "allkeys-random")).toBe("+OK\r\n");
    expect(await call(r, "CONFIG", "SET", "maxmemory", "1")).toBe("+OK\r\n");
    expect(await call(r, "GET", "rk1")).toBe("$1\r\nv\r\n");
    expect(await call(r, "DBSIZE")).toBe(":20\r\n");
  } finally {
    m.close();
    r.close();
    await replica.stop();
    await master.stop();
  }
});
