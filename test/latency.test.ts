/**
 * LATENCY HISTOGRAM and INFO latencystats against the real redis-server: the
 * same commands, calls and reply shapes (RESP2 flattened, RESP3 maps); the
 * bucket values are timings, so only their form is compared.
 */
import { describe, expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call, RawClient } from "./helpers/raw.ts";
import { type Parsed, pairsOf, parseReply } from "./helpers/resp-parse.ts";
import { requireRedisInCI } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";

const haveRedis = requireRedisInCI();
let d: Differential;
if (haveRedis) {
  withDifferential((started) => {
    d = started;
  });
}

/** {command: calls} of a LATENCY HISTOGRAM reply, checking each entry's form on the way. */
function histogramCalls(raw: string, resp3: boolean): Record<string, number> {
  const v = parseReply(raw);
  if (resp3) expect(raw[0]).toBe("%");
  const out: Record<string, number> = {};
  for (const [name, entry] of pairsOf(v)) {
    const fields = pairsOf(entry);
    expect(fields.map(([k]) => k)).toEqual(["calls", "histogram_usec"]);
    const calls = fields[0]?.[1] as number;
    const buckets = pairsOf(fields[1]?.[1] as Parsed) as [number, number][];
    // Cumulative counts over growing bucket bounds, ending at the number of calls.
    expect(buckets.length).toBeGreaterThan(0);
    for (let i = 1; i < buckets.length; i++) {
      expect((buckets[i] as [number, number])[0]).toBeGreaterThan((buckets[i - 1] as [number, number])[0]);
      expect((buckets[i] as [number, number])[1]).toBeGreaterThan((buckets[i - 1] as [number, number])[1]);
    }
    expect(buckets[buckets.length - 1]?.[1]).toBe(calls);
    out[name as string] = calls;
  }
  return out;
}

async function bothHistograms(cmds: string[][], ask: string[], resp3 = false): Promise<[Record<string, number>, Record<string, number>]> {
  const results: Record<string, number>[] = [];
  for (const port of [d.redis.port, d.respd.port]) {
    const c = await RawClient.connect(port);
    if (resp3) await call(c, "HELLO", "3");
    await call(c, "CONFIG", "RESETSTAT");
    for (const cmd of cmds) await call(c, ...cmd);
    results.push(histogramCalls(await call(c, "LATENCY", "HISTOGRAM", ...ask), resp3));
    c.close();
  }
  return [results[0] as Record<string, number>, results[1] as Record<string, number>];
}

describe.skipIf(!haveRedis)("LATENCY HISTOGRAM vs redis-server", () => {
  test("all commands after CONFIG RESETSTAT: the same commands with the same call counts", async () => {
    const [redis, respd] = await bothHistograms(
      [
        ["SET", "a", "b"],
        ["SET", "c", "d"],
        ["GET", "a"],
        ["CLIENT", "ID"],
      ],
      [],
    );
    expect(respd).toEqual(redis);
    expect(respd).toEqual({ set: 2, get: 1, "client|id": 1, "config|resetstat": 1 });
  });

  test("named commands, a container's subcommands, unknown names skipped; RESP3 maps", async () => {
    const cmds = [
      ["SET", "a", "b"],
      ["CLIENT", "ID"],
      ["CLIENT", "GETNAME"],
      ["HSET", "h", "f", "v"],
    ];
    for (const resp3 of [false, true]) {
      const [redis, respd] = await bothHistograms(cmds, ["client", "hset", "nosuch", "get"], resp3);
      expect(respd).toEqual(redis);
      expect(respd).toEqual({ "client|id": 1, "client|getname": 1, hset: 1 });
      const [r2, p2] = await bothHistograms(cmds, ["client|id"], resp3);
      expect(p2).toEqual(r2);
    }
  });

  test("no data: an empty map, byte for byte", async () => {
    await d.same("CONFIG", "RESETSTAT");
    await d.same("LATENCY", "HISTOGRAM", "blabla", "zadd");
  });

  test("INFO latencystats: one line per command with the configured percentiles; off with latency-tracking no", async () => {
    const lines = async (c: RawClient) => {
      const text = parseReply(await call(c, "INFO", "latencystats")) as string;
      return (
        text
          .split("\r\n")
          .filter((l) => l !== "")
          .map((l) => l.replace(/=[0-9.]+/g, "=N"))
          // Redis lists commands in its dict's order; respd in its table's.
          .sort()
      );
    };
    for (const c of [d.redisClient, d.respdClient]) {
      await call(c, "CONFIG", "RESETSTAT");
      await call(c, "CONFIG", "SET", "latency-tracking-info-percentiles", "0.0 50.0 99.9 100");
      await call(c, "SET", "k", "v");
    }
    const redis = await lines(d.redisClient);
    expect(await lines(d.respdClient)).toEqual(redis);
    expect(redis).toContain("latency_percentiles_usec_set:p0=N,p50=N,p99.9=N,p100=N");
    for (const c of [d.redisClient, d.respdClient]) {
      await call(c, "CONFIG", "SET", "latency-tracking", "no");
      expect(await lines(c)).toEqual(["# Latencystats"]);
      await call(c, "CONFIG", "SET", "latency-tracking", "yes");
      await call(c, "CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9");
    }
    await d.same("CONFIG", "SET", "latency-tracking-info-percentiles", "10 a");
    await d.same("CONFIG", "SET", "latency-tracking-info-percentiles", "101");
    await d.same("CONFIG", "GET", "latency-tracking-info-percentiles");
  });

  test("LATENCY HELP lists HISTOGRAM", async () => {
    await d.same("LATENCY", "HELP");
  });
});
