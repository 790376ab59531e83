/**
 * DUMP / RESTORE against the real redis-server: byte-identical payloads where
 * Redis's are deterministic, payloads crossing both ways for every type and
 * encoding (contents and OBJECT ENCODING compared), and the exact errors.
 */
import { describe, expect, test } from "bun:test";
import { createTestEngine } from "../src/engine/testing.ts";
import { Crc64 } from "../src/persistence/rdb/crc64.ts";
import type { Differential } from "./helpers/diff.ts";
import { call } from "./helpers/raw.ts";
import { requireRedisInCI } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";

const haveRedis = requireRedisInCI();
let d: Differential;

if (haveRedis) {
  withDifferential(
    (started) => {
      d = started;
    },
    ["--enable-debug-command", "yes"],
  );
}

/** The bytes of a raw bulk reply ("$n\r\n...\r\n"). */
function bulk(raw: string): string {
  const nl = raw.indexOf("\r\n");
  expect(raw[0]).toBe("$");
  return raw.slice(nl + 2, raw.length - 2);
}

/** A payload with a valid footer around `body` (type byte + object). */
function payload(body: number[], version = 10): string {
  const b = Uint8Array.from([...body, version & 0xff, version >> 8]);
  const crc = new Crc64().update(b).bytesLE();
  return Buffer.concat([Buffer.from(b), Buffer.from(crc)]).toString("latin1");
}

const x = (s: string, n: number) => s.repeat(n);
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Commands that build one key of each type and encoding; both servers run them. */
const FIXTURES: string[][] = [
  ["SET", "s:short", "hello"],
  ["SET", "s:int", "12345"],
  ["SET", "s:neg", "-7"],
  ["SET", "s:int32max", "2147483647"],
  ["SET", "s:bigint", "-2147483649"],
  ["SET", "s:int64", "9223372036854775807"],
  ["SET", "s:lead0", "0123"],
  ["SET", "s:21", x("a", 21)],
  ["SET", "s:20", x("a", 20)],
  ["SET", "s:compressible", x("abcdefgh", 40) + x("xyz", 30)],
  ["SET", "s:incompressible", range(60, (i) => String.fromCharCode(33 + ((i * 37) % 90))).join("")],
  ["SET", "s:empty", ""],
  ["SET", "s:binary", "\x00\xff\r\n\x80bytes"],
  ["APPEND", "s:raw", "appended-value"],
  ["RPUSH", "l:small", "a", "b", "1", "200", "-5000", "70000", "9223372036854775807", x("x", 70)],
  ["RPUSH", "l:big", ...range(3000, (i) => `item${i}`)],
  ["RPUSH", "l:longitems", ...range(40, (i) => x(String.fromCharCode(97 + (i % 26)), 300 + i))],
  ["LPUSH", "l:lpush", "c", "b", "a"],
  ["HSET", "h:lp", "f", "v", "n", "12", "neg", "-1", "big", "123456789012"],
  ["HSET", "h:lpz", ...range(20, (i) => [`field:${i}`, `value:${i}`]).flat()],
  ["SADD", "i:16", "1", "5", "-3", "100"],
  ["SADD", "i:32", "1", "100000", "-70000"],
  ["SADD", "i:64", "1", "9223372036854775807", "-9223372036854775808"],
  ["SADD", "i:many", ...range(400, (i) => String(i * 3 - 600))],
  ["ZADD", "z:lp", "1", "a", "2.5", "b", "-0.1", "c", "1e30", "d", "inf", "e", "-inf", "f", "3", "g"],
  ["ZADD", "z:sl", ...range(200, (i) => [`${String((i * 7919) % 1000)}.25`, `m${i}`]).flat()],
  ["ZADD", "z:long", "1", x("m", 80), "2", "short"],
];

/** A key's contents as both servers can print them in the same order. */
async function canonical(c: Parameters<typeof call>[0], key: string): Promise<string> {
  const type = await call(c, "TYPE", key);
  const enc = await call(c, "OBJECT", "ENCODING", key);
  let body: string;
  if (type === "+string\r\n") body = await call(c, "GET", key);
  else if (type === "+list\r\n") body = await call(c, "LRANGE", key, "0", "-1");
  else if (type === "+zset\r\n") body = await call(c, "ZRANGE", key, "0", "-1", "WITHSCORES");
  else if (type === "+set\r\n") body = (await call(c, "SMEMBERS", key)).split("\r\n").sort().join("\n");
  else if (type === "+hash\r\n") {
    const parts = (await call(c, "HGETALL", key)).split("\r\n").slice(1, -1);
    const pairs: string[] = [];
    for (let i = 0; i < parts.length; i += 4) pairs.push(`${parts[i + 1]}=${parts[i + 3]}`);
    body = pairs.sort().join("\n");
  } else body = "";
  return `${type}${enc}${body}`;
}

describe.skipIf(!haveRedis)("DUMP / RESTORE against redis-server", () => {
  test("DUMP payloads are byte-identical to Redis's", async () => {
    for (const c of FIXTURES) await d.both(...c);
    for (const c of FIXTURES) await d.same("DUMP", c[1] as string);
    await d.same("DUMP", "nosuchkey");
    // Without compression, and with another list fill factor.
    await d.same("CONFIG", "SET", "rdbcompression", "no");
    for (const key of ["s:compressible", "h:lpz", "l:big"]) await d.same("DUMP", key);
    await d.same("CONFIG", "SET", "rdbcompression", "yes");
    await d.same("CONFIG", "SET", "list-max-listpack-size", "5");
    await d.same("RPUSH", "l:fill5", ...range(23, (i) => `e${i}`));
    await d.same("DUMP", "l:fill5");
    await d.same("CONFIG", "SET", "list-max-listpack-size", "-1");
    await d.same("RPUSH", "l:fill-1", ...range(800, (i) => `e${i}`));
    await d.same("DUMP", "l:fill-1");
    await d.same("CONFIG", "SET", "list-max-listpack-size", "-2");
  });

  test("Redis payloads restore into respd with the same contents and encodings", async () => {
    const r = d.redisClient;
    const build: string[][] = [
      ["HSET", "h:ht", ...range(600, (i) => [`f${i}`, `v${i}`]).flat()],
      ["HSET", "h:longval", "f", x("v", 100)],
      ["SADD", "set:ht", ...range(50, (i) => `m${i}`)],
      ["SADD", "set:bigints", ...range(600, (i) => String(i))],
      ["ZADD", "z:sl2", ...range(300, (i) => [String(i / 3), `m${i}`]).flat()],
    ];
    for (const c of build) await call(r, ...c);
    // Plain quicklist nodes: elements above the packed threshold get a node each.
    expect(await call(r, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")).toBe("+OK\r\n");
    await call(r, "RPUSH", "l:plain", "small", x("P", 150), "1234", x("Q", 5000), "tail");
    await call(r, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824");
    const keys = [...FIXTURES.map((c) => c[1] as string), ...build.map((c) => c[1] as string), "l:plain"];
    for (const key of new Set(keys)) {
      const dump = bulk(await call(r, "DUMP", key));
      expect(await call(d.respdClient, "RESTORE", key, "0", dump, "REPLACE")).toBe("+OK\r\n");
      expect({ key, got: await canonical(d.respdClient, key) }).toEqual({ key, got: await canonical(r, key) });
    }
  });

  test("respd payloads restore into Redis with the same contents and encodings", async () => {
    const c = d.respdClient;
    await call(c, "HSET", "h:ht", ...range(600, (i) => [`f${i}`, `v${i}`]).flat());
    await call(c, "SADD", "set:ht2", ...range(50, (i) => `m${i}`));
    const keys = [...FIXTURES.map((f) => f[1] as string), "h:ht", "set:ht2", "z:sl2"];
    for (const key of new Set(keys)) {
      const dump = bulk(await call(c, "DUMP", key));
      expect(await call(d.redisClient, "RESTORE", `copy:${key}`, "0", dump)).toBe("+OK\r\n");
      expect({ key, got: await canonical(d.redisClient, `copy:${key}`) }).toEqual({ key, got: await canonical(c, key) });
    }
  });

  test("RESTORE options and errors match", async () => {
    await d.both("DEL", "src", "dst", "t");
    await d.same("SET", "src", "value");
    const p = bulk(await d.same("DUMP", "src"));
    const bad = p.slice(0, -1) + String.fromCharCode((p.charCodeAt(p.length - 1) + 1) & 0xff);
    const cases: string[][] = [
      ["RESTORE", "src", "0", p],
      ["RESTORE", "dst", "0", p],
      ["GET", "dst"],
      ["RESTORE", "dst", "0", p, "REPLACE"],
      ["RESTORE", "dst", "-1", p, "REPLACE"],
      ["RESTORE", "dst", "abc", p, "REPLACE"],
      ["RESTORE", "t", "0", bad],
      ["RESTORE", "t", "0", "short"],
      ["RESTORE", "t", "0", payload([0, 3, 0x61, 0x62, 0x63], 11)],
      ["RESTORE", "t", "0", payload([0, 3, 0x61, 0x62, 0x63], 9)],
      ["GET", "t"],
      ["RESTORE", "t", "0", payload([0, 3, 0x61])],
      ["RESTORE", "t", "0", payload([8, 1, 0x61])],
      ["RESTORE", "t", "0", payload([15, 0])],
      ["RESTORE", "t", "0", payload([2, 0])],
      ["RESTORE", "t", "0", payload([11, 8, 2, 0, 0, 0, 0, 0, 0, 0])],
      ["RESTORE", "t", "0", payload([2, 2, 1, 0x61, 1, 0x61])],
      ["RESTORE", "t", "0", p, "IDLETIME", "-1"],
      ["RESTORE", "t", "0", p, "IDLETIME", "x"],
      ["RESTORE", "t", "0", p, "FREQ", "256"],
      ["RESTORE", "t", "0", p, "FREQ", "-1"],
      ["RESTORE", "t", "0", p, "IDLETIME", "10", "FREQ", "5"],
      ["RESTORE", "t", "0", p, "IDLETIME"],
      ["RESTORE", "t", "0", p, "BOGUS"],
      ["RESTORE", "t", "0", p, "replace", "absttl"],
      ["RESTORE", "t", "0", p],
      ["RESTORE", "t", "1", p, "REPLACE", "ABSTTL"],
      ["EXISTS", "t"],
      ["RESTORE", "t", "0", p, "REPLACE", "IDLETIME", "1000"],
      ["OBJECT", "IDLETIME", "t"],
      ["RESTORE", "t", "100000", p, "REPLACE"],
      ["TTL", "t"],
      ["RESTORE", "t", String(Date.now() + 500000), p, "REPLACE", "ABSTTL"],
      ["TTL", "t"],
      ["RESTORE"],
      ["RESTORE", "k", "0"],
      ["DUMP"],
      ["DUMP", "a", "b"],
    ];
    for (const c of cases) await d.same(...c);
    await d.same("LPUSH", "lst", "x");
    await d.same("RESTORE", "lst", "0", p, "REPLACE");
    await d.same("TYPE", "lst");
  });
});

describe("RESTORE propagation", () => {
  test("relative TTLs propagate as ABSTTL, an already-expired REPLACE as DEL", () => {
    const t = createTestEngine();
    t.exec("SET", "k", "v");
    const p = t.exec("DUMP", "k") as string;
    t.propagated.length = 0;
    const before = Date.now();
    t.exec("RESTORE", "n", "5000", p);
    const [[, argv]] = t.propagated as [[number, string[]]];
    expect(argv[0]?.toUpperCase()).toBe("RESTORE");
    expect(argv[4]).toBe("ABSTTL");
    expect(Number(argv[2])).toBeGreaterThanOrEqual(before + 5000);
    t.propagated.length = 0;
    t.exec("RESTORE", "k", "1", p, "REPLACE", "ABSTTL");
    expect(t.propagated).toEqual([[0, ["DEL", "k"]]]);
    expect(t.exec("EXISTS", "k")).toBe(0);
    t.propagated.length = 0;
    t.exec("RESTORE", "z", "0", p);
    expect(t.propagated.map(([, a]) => a[0]?.toUpperCase())).toEqual(["RESTORE"]);
  });
});
