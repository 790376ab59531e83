/** The clients users point at Redis work unchanged: node-redis, ioredis, redis-benchmark. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import Redis from "ioredis";
import { createClient } from "redis";
import { HOOK_TIMEOUT_MS, type ServerProcess, startRespd } from "./helpers/server.ts";

let server: ServerProcess;
beforeAll(async () => {
  server = await startRespd();
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  await server.stop();
});

test("node-redis (RESP2 and RESP3): connect, strings, expiry, auto-pipelined commands", async () => {
  for (const RESP of [2, 3] as const) {
    const client = createClient({ url: `redis://127.0.0.1:${server.port}`, RESP });
    await client.connect();
    expect(await client.ping()).toBe("PONG");
    expect(await client.set(`nr:${RESP}`, "v", { EX: 100 })).toBe("OK");
    expect(await client.get(`nr:${RESP}`)).toBe("v");
    expect(await client.ttl(`nr:${RESP}`)).toBeGreaterThan(90);
    expect(await client.incr(`c:${RESP}`)).toBe(1);
    const [a, b] = await Promise.all([client.incr(`c:${RESP}`), client.incr(`c:${RESP}`)]);
    expect([a, b]).toEqual([2, 3]);
    await client.quit();
  }
});

test("ioredis: default options (ready check via INFO), pipeline, Buffer values", async () => {
  const r = new Redis({ port: server.port, host: "127.0.0.1" });
  const res = await r.pipeline().set("io:a", "1").incr("io:a").get("io:a").exec();
  expect(res?.map(([err, v]) => [err, v])).toEqual([
    [null, "OK"],
    [null, 2],
    [null, "2"],
  ]);
  const bin = Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0x80]);
  await r.set("io:bin", bin);
  expect(await r.getBuffer("io:bin")).toEqual(bin);
  r.disconnect();
});

test("redis-benchmark runs its standard tests against respd without errors", () => {
  const run = spawnSync(
    "redis-benchmark",
    [
      "-p",
      String(server.port),
      "-t",
      "ping_inline,ping_mbulk,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,lrange_100,mset",
      "-n",
      "2000",
      "-q",
      "--csv",
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(run.status).toBe(0);
  const rows = run.stdout.trim().split("\n").slice(1);
  // One CSV row per test, each with a positive requests/s figure: no test errored out.
  expect(rows.length).toBeGreaterThanOrEqual(14);
  for (const row of rows) expect(Number(row.split(",")[1]?.replaceAll('"', ""))).toBeGreaterThan(0);
  expect(run.stderr).not.toContain("ERR");
});
