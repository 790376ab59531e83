/**
 * The benchmark's own workloads stay runnable: the mixed data set loads with
 * exactly the replies bench/dataset.ts expects and passes its spot checks, and
 * a small pub/sub fan-out completes, and issue 13's workloads (redis-benchmark
 * commands, SETBIT and XREADGROUP+XACK scripts, the stream loader) run without
 * an error, on real Redis and on respd alike. No timings are asserted.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mixedBatch, spotChecks } from "../bench/dataset.ts";
import { pipelineLoad, rawCommand } from "../bench/loader.ts";
import { type BenchServer, redisBenchmark, startPair } from "../bench/procs.ts";
import { fanout } from "../bench/pubsub.ts";
import { DATATYPES2 } from "../bench/workloads.ts";
import { consume, loadStream, setbits } from "../bench/xgroup.ts";
import { HOOK_TIMEOUT_MS, selectedRuntime } from "./helpers/server.ts";

let servers: { redis: BenchServer; respd: BenchServer };

beforeAll(async () => {
  servers = await startPair(selectedRuntime());
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([servers.redis.stop(), servers.respd.stop()]);
});

const KEYS = 2000;

for (const name of ["redis", "respd"] as const) {
  test(`${name}: the mixed data set loads with the expected replies and passes the spot checks`, async () => {
    const s = servers[name];
    let replies = "";
    const build = (from: number, to: number) => {
      const b = mixedBatch(from, to);
      replies = b.replies;
      return b.commands;
    };
    await pipelineLoad(s.port, KEYS, build, () => replies);
    expect(await rawCommand(s.port, "DBSIZE")).toBe(`:${KEYS}\r\n`);
    for (const [command, want] of spotChecks(KEYS)) expect([command, await rawCommand(s.port, command)]).toEqual([command, want]);
    expect(await rawCommand(s.port, "TYPE bigzset:000000001999")).toBe("+zset\r\n");
  });

  test(`${name}: a fan-out to 5 subscribers delivers every message`, async () => {
    const r = await fanout(servers[name], 5, 1200, 20_000);
    expect(r.error).toBeUndefined();
    expect(r.seconds).toBeGreaterThan(0);
  });

  test(`${name}: issue 13's workloads run and every reply is the expected one`, async () => {
    const s = servers[name];
    for (const t of DATATYPES2) {
      await t.setup?.(s.port);
      const r = await redisBenchmark(s.port, t.name, {
        clients: 4,
        // Enough to take a millisecond: a faster run prints "inf" req/s, which reads as a failed run.
        requests: 1000,
        pipeline: 1,
        timeoutMs: 30_000,
        command: t.command,
        random: t.random,
      });
      expect([t.name, r.error]).toEqual([t.name, undefined]);
    }
    const cfg = { connections: 4, requests: 400, pipeline: 16, timeoutMs: 30_000 };
    const measure = (go: () => Promise<void>) => go();
    for (const r of [
      await setbits(s.port, cfg, measure),
      await consume(s.port, { ...cfg, pipeline: 1, count: 1 }, measure),
      await consume(s.port, { ...cfg, count: 10 }, measure),
    ]) {
      expect(r.error).toBeUndefined();
      expect(r.requests).toBe(400);
    }
    expect(await rawCommand(s.port, "XPENDING xg:3 g")).toStartWith("*4\r\n:0\r\n");
    await loadStream(s.port, "bigstream", 25_000);
  });
}
