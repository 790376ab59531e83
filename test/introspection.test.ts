/**
 * Introspection replies against the real redis-server: OBJECT FREQ under LFU
 * and LRU policies, LOLWUT's deterministic outputs, the hidden
 * watchdog-period config, and the stats a CLIENT UNBLOCK ... ERROR leaves.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Differential } from "./helpers/diff.ts";
import { call, RawClient } from "./helpers/raw.ts";
import { parseReply } from "./helpers/resp-parse.ts";
import { requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";
import { waitFor } from "./helpers/wait.ts";

const haveRedis = requireRedisInCI();
let d: Differential;
if (haveRedis) {
  withDifferential((started) => {
    d = started;
  });
}

describe.skipIf(!haveRedis)("introspection vs redis-server", () => {
  test("OBJECT FREQ: Redis's error without an LFU policy; 5 for a new key under one; IDLETIME refused then", async () => {
    await d.same("SET", "k", "v");
    await d.same("OBJECT", "FREQ", "k");
    await d.same("OBJECT", "FREQ", "missing");
    for (const policy of ["allkeys-lfu", "volatile-lfu"]) {
      await d.same("CONFIG", "SET", "maxmemory-policy", policy);
      await d.same("SET", "fresh", "v");
      await d.same("OBJECT", "FREQ", "fresh");
      await d.same("OBJECT", "FREQ", "missing");
      await d.same("OBJECT", "IDLETIME", "fresh");
      await d.same("DEL", "fresh");
    }
    await d.same("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    await d.same("OBJECT", "FREQ", "k");
    await d.same("CONFIG", "SET", "maxmemory-policy", "noeviction");
  });

  test("OBJECT FREQ grows logarithmically with accesses (lfu-log-factor 0: one per access) and RESTORE FREQ sets it", async () => {
    await d.same("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
    await d.same("CONFIG", "SET", "lfu-log-factor", "0");
    await d.same("SET", "hot", "v");
    for (let i = 0; i < 20; i++) await d.same("GET", "hot");
    expect(await d.same("OBJECT", "FREQ", "hot")).toBe(":25\r\n");
    // An overwrite keeps the counter; the write's own lookup counts as an access.
    await d.same("SET", "hot", "w");
    expect(await d.same("OBJECT", "FREQ", "hot")).toBe(":26\r\n");
    for (let i = 0; i < 300; i++) await d.both("GET", "hot");
    expect(await d.same("OBJECT", "FREQ", "hot")).toBe(":255\r\n");
    const dump = parseReply(await call(d.redisClient, "DUMP", "hot")) as string;
    await d.same("RESTORE", "cold", "0", dump, "FREQ", "100");
    await d.same("OBJECT", "FREQ", "cold");
    await d.same("RESTORE", "cold2", "0", dump, "FREQ", "256");
    await d.same("CONFIG", "SET", "lfu-log-factor", "10");
    await d.same("CONFIG", "SET", "maxmemory-policy", "noeviction");
    await d.same("FLUSHALL");
  });

  test("LOLWUT: 7.0's default, version 5 with one row of squares (no randomness), and argument errors", async () => {
    await d.same("LOLWUT");
    await d.same("LOLWUT", "VERSION", "7");
    await d.same("LOLWUT", "VERSION", "5", "1", "1", "1");
    await d.same("LOLWUT", "VERSION", "5", "40", "6", "1");
    await d.same("LOLWUT", "VERSION", "x");
    await d.same("LOLWUT", "VERSION", "5", "x");
    await d.same("LOLWUT", "VERSION", "6", "1", "x");
    await d.same("LOLWUT", "ignored", "args");
    // The random pieces: one coloured cell per column and row (version 6), the same braille grid (version 5).
    const [a, b] = await d.both("LOLWUT", "VERSION", "6", "10", "4");
    const cells = (raw: string) => raw.split("\x1b[0m").length - 1;
    expect(cells(b)).toBe(40);
    expect(cells(a)).toBe(40);
    expect(b.slice(b.lastIndexOf("\n", b.length - 4))).toBe(a.slice(a.lastIndexOf("\n", a.length - 4)));
    const [a5, b5] = await d.both("LOLWUT", "VERSION", "5");
    expect(b5.length).toBe(a5.length);
  });

  test("COMMAND GETKEYSANDFLAGS SORT: the STORE target is OW update, as Redis's sortGetKeys says", async () => {
    await d.same("COMMAND", "GETKEYSANDFLAGS", "SORT", "k1", "STORE", "k2");
    await d.same("COMMAND", "GETKEYSANDFLAGS", "SORT", "k1", "BY", "w_*", "GET", "#", "STORE", "k2");
    await d.same("COMMAND", "GETKEYSANDFLAGS", "SORT_RO", "k1", "BY", "w_*");
  });

  test("watchdog-period: a hidden config, shown only when asked for by name", async () => {
    await d.same("CONFIG", "GET", "watchdog-period");
    await d.same("CONFIG", "SET", "watchdog-period", "200");
    await d.same("CONFIG", "GET", "watchdog-period");
    await d.same("CONFIG", "SET", "watchdog-period", "-1");
    await d.same("CONFIG", "GET", "watchdog*");
    await d.same("CONFIG", "SET", "watchdog-period", "0");
  });

  test("CLIENT UNBLOCK ... ERROR counts a failed call and an UNBLOCKED error", async () => {
    const stats: string[] = [];
    for (const c of [d.redisClient, d.respdClient]) {
      const port = c === d.redisClient ? d.redis.port : d.respd.port;
      await call(c, "CONFIG", "RESETSTAT");
      const blocked = await RawClient.connect(port);
      const id = parseReply(await call(blocked, "CLIENT", "ID")) as number;
      blocked.write("*3\r\n$5\r\nBLPOP\r\n$5\r\nempty\r\n$1\r\n0\r\n");
      await waitFor(
        "the client to block",
        async () => (parseReply(await call(c, "CLIENT", "UNBLOCK", String(id), "ERROR")) as number) === 1,
      );
      expect((await blocked.readBytes(1)).toString()).toBe("-");
      blocked.close();
      const info = parseReply(await call(c, "INFO", "all")) as string;
      stats.push(
        info
          .split("\r\n")
          .filter((l) => /^(errorstat_UNBLOCKED|cmdstat_blpop|total_error_replies)/.test(l))
          .map((l) => l.replace(/usec=\d+,usec_per_call=[0-9.]+/, "usec=N"))
          .join("\n"),
      );
    }
    expect(stats[1]).toBe(stats[0] as string);
    expect(stats[0]).toContain("errorstat_UNBLOCKED:count=1");
  });

  test("RDB files carry FREQ under an LFU policy and IDLE under an LRU one, both ways between respd and Redis", async () => {
    const lfu = ["--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor", "0", "--lfu-decay-time", "0"];
    const lru = ["--maxmemory-policy", "allkeys-lru"];
    const run = async (server: ServerProcess | null, body: (c: RawClient) => Promise<void>) => {
      if (server === null) throw new Error("redis-server is not installed");
      const c = await RawClient.connect(server.port);
      try {
        await body(c);
      } finally {
        c.close();
        await server.stop();
      }
    };
    const freqOf = async (c: RawClient, key: string) => parseReply(await call(c, "OBJECT", "FREQ", key));
    for (const [writer, reader] of [
      [startRespd, startRedis],
      [startRedis, startRespd],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), "respd-lfu-"));
      const start = (f: typeof startRespd | typeof startRedis, args: string[]) =>
        f === startRespd ? startRespd({ args, dir }) : startRedis([...args, "--dir", dir]);
      await run(await start(writer, lfu), async (c) => {
        await call(c, "SET", "hot", "v");
        for (let i = 0; i < 20; i++) await call(c, "GET", "hot");
        await call(c, "SET", "cold", "v");
        expect(await call(c, "SAVE")).toBe("+OK\r\n");
      });
      await run(await start(reader, lfu), async (c) => {
        expect(await freqOf(c, "hot")).toBe(25);
        expect(await freqOf(c, "cold")).toBe(5);
      });
      // Under LRU the idle time goes across; a key restored 100 s idle is still about that idle after the trip.
      await run(await start(writer, lru), async (c) => {
        await call(c, "FLUSHALL");
        await call(c, "SET", "src", "v");
        const dump = parseReply(await call(c, "DUMP", "src")) as string;
        await call(c, "RESTORE", "old", "0", dump, "IDLETIME", "100");
        expect(await call(c, "SAVE")).toBe("+OK\r\n");
      });
      await run(await start(reader, lru), async (c) => {
        const idle = parseReply(await call(c, "OBJECT", "IDLETIME", "old")) as number;
        expect(idle).toBeGreaterThanOrEqual(99);
        expect(idle).toBeLessThan(130);
      });
    }
  });
});
