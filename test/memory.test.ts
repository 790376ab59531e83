/**
 * MEMORY: replies Redis gives the same bytes for (errors, nil, HELP, PURGE,
 * STATS's field names) against the real redis-server, and respd's own
 * MEMORY USAGE estimate growing with what a value holds.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call, RawClient } from "./helpers/raw.ts";
import { type Parsed, pairsOf, parseReply } from "./helpers/resp-parse.ts";
import { HOOK_TIMEOUT_MS, requireRedisInCI, type ServerProcess, startRespd } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";

const haveRedis = requireRedisInCI();
let d: Differential;
if (haveRedis) {
  withDifferential((started) => {
    d = started;
  });
}

describe.skipIf(!haveRedis)("MEMORY vs redis-server", () => {
  test("USAGE: nil for a missing key, Redis's errors for bad options", async () => {
    await d.same("SET", "k", "v");
    await d.same("MEMORY", "USAGE", "missing");
    await d.same("MEMORY", "USAGE", "missing", "SAMPLES", "3");
    await d.same("MEMORY", "USAGE", "k", "SAMPLES");
    await d.same("MEMORY", "USAGE", "k", "SAMPLES", "-1");
    await d.same("MEMORY", "USAGE", "k", "SAMPLES", "x");
    await d.same("MEMORY", "USAGE", "k", "FOO", "1");
    await d.same("MEMORY", "USAGE");
  });

  test("HELP, PURGE, unknown subcommands and arities", async () => {
    await d.same("MEMORY", "HELP");
    await d.same("MEMORY", "PURGE");
    await d.same("MEMORY");
    await d.same("MEMORY", "NOSUCH");
    await d.same("MEMORY", "STATS", "extra");
    await d.same("MEMORY", "DOCTOR", "extra");
    await d.same("COMMAND", "GETKEYS", "MEMORY", "USAGE", "key");
  });

  test("STATS: Redis's fields in Redis's order, a map in RESP3; DOCTOR and MALLOC-STATS are text", async () => {
    await d.same("FLUSHALL");
    await d.same("SET", "a", "1");
    await d.same("SELECT", "2");
    await d.same("SET", "b", "1");
    await d.same("SELECT", "0");
    const fields = (raw: string) =>
      pairsOf(parseReply(raw)).map(([k, v]) => [k, Array.isArray(v) ? pairsOf(v).map(([kk]) => kk) : typeof v]);
    const [redis, respd] = await d.both("MEMORY", "STATS");
    // Values differ (allocators); names, nesting and types match. Ratios are doubles: bulk strings in RESP2.
    expect(fields(respd)).toEqual(fields(redis));
    for (const c of [d.redisClient, d.respdClient]) await call(c, "HELLO", "3");
    const [redis3, respd3] = await d.both("MEMORY", "STATS");
    expect(respd3[0]).toBe("%");
    const kinds = (raw: string) =>
      pairsOf(parseReply(raw)).map(([k, v]) => [k, v !== null && typeof v === "object" && "double" in v ? "double" : typeof v]);
    expect(kinds(respd3)).toEqual(kinds(redis3));
    for (const c of [d.redisClient, d.respdClient]) await call(c, "HELLO", "2");
    for (const sub of ["DOCTOR", "MALLOC-STATS"]) {
      const [a, b] = await d.both("MEMORY", sub);
      expect(a[0]).toBe("$");
      expect(b[0]).toBe("$");
    }
  });
});

describe("MEMORY USAGE estimates", () => {
  let server: ServerProcess;
  let c: RawClient;
  beforeAll(async () => {
    server = await startRespd();
    c = await RawClient.connect(server.port);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    c.close();
    await server.stop();
  });

  const usage = async (key: string, ...extra: string[]) => parseReply(await call(c, "MEMORY", "USAGE", key, ...extra)) as number;
  const run = (...args: string[]) => call(c, ...args);

  test("strings: grow with their length; the key counts too", async () => {
    await run("SET", "s", "x".repeat(10));
    const small = await usage("s");
    await run("SET", "s", "x".repeat(10_000));
    const big = await usage("s");
    expect(small).toBeGreaterThan(10);
    expect(big - small).toBeGreaterThanOrEqual(9_980);
    await run("SET", "a-much-longer-key-name-than-s".repeat(4), "x".repeat(10));
    expect(await usage("a-much-longer-key-name-than-s".repeat(4))).toBeGreaterThan(small + 100);
    // APPEND makes an editable buffer with spare room: at least its bytes.
    await run("APPEND", "s", "y");
    expect(await usage("s")).toBeGreaterThanOrEqual(10_001);
  });

  test("every aggregate type, both encodings, grows with its elements", async () => {
    const grow = async (key: string, add: (i: number) => string[], small: number, big: number) => {
      for (let i = 0; i < small; i++) await run(...add(i));
      const before = await usage(key, "SAMPLES", "0");
      for (let i = small; i < big; i++) await run(...add(i));
      const after = await usage(key, "SAMPLES", "0");
      expect(before).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(before + (big - small) * 8);
      return after;
    };
    await grow("h", (i) => ["HSET", "h", `field:${i}`, `value:${i}`], 10, 600);
    await grow("l", (i) => ["RPUSH", "l", `element:${i}`], 10, 600);
    await grow("si", (i) => ["SADD", "si", String(i)], 10, 600);
    await grow("ss", (i) => ["SADD", "ss", `member:${i}`], 10, 600);
    await grow("z", (i) => ["ZADD", "z", String(i), `member:${i}`], 10, 600);
    expect(parseReply(await run("OBJECT", "ENCODING", "h"))).toBe("hashtable");
    expect(parseReply(await run("OBJECT", "ENCODING", "si"))).toBe("hashtable");
  });

  test("SAMPLES: the default samples 5 elements and extrapolates; 0 measures all", async () => {
    await run("DEL", "skew");
    // The first five values are short, the rest long: only a full count sees the long ones.
    for (let i = 0; i < 200; i++) await run("RPUSH", "skew", i < 5 ? "s" : "x".repeat(200));
    const sampled = await usage("skew");
    const full = await usage("skew", "SAMPLES", "0");
    expect(full).toBeGreaterThan(sampled + 150 * 190);
    expect(await usage("skew", "SAMPLES", "1000")).toBe(full);
  });

  test("STATS counts keys per db and reports the heap", async () => {
    await run("FLUSHALL");
    await run("SET", "x", "1");
    const stats = new Map(pairsOf(parseReply(await run("MEMORY", "STATS"))) as [string, Parsed][]);
    expect(stats.get("keys.count")).toBe(1);
    expect(stats.get("total.allocated") as number).toBeGreaterThan(0);
    expect(pairsOf(stats.get("db.0") as Parsed).map(([k]) => k)).toEqual([
      "overhead.hashtable.main",
      "overhead.hashtable.expires",
      "overhead.hashtable.slot-to-keys",
    ]);
  });
});
