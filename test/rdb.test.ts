/**
 * RDB files against the real redis-server and redis-check-rdb: files respd
 * writes load into Redis with the same contents (DEBUG DIGEST) and
 * encodings; files Redis writes (SAVE) load into respd; old encodings that
 * 7.0 still reads load the same in both; truncated or corrupt files are
 * refused with an RdbError, never a crash.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestEngine, type TestEngine } from "../src/engine/testing.ts";
import { RdbError, RdbType } from "../src/persistence/rdb/constants.ts";
import { Crc64 } from "../src/persistence/rdb/crc64.ts";
import { DEFAULT_LIMITS, limitsFrom } from "../src/persistence/rdb/decode.ts";
import { loadRdb, RdbFileWriter, writeRdb } from "../src/persistence/rdb/file.ts";
import { encodeIntset } from "../src/persistence/rdb/intset.ts";
import { RdbWriter } from "../src/persistence/rdb/io.ts";
import { encodeListpack } from "../src/persistence/rdb/listpack.ts";
import { encodeZiplist } from "../src/persistence/rdb/ziplist.ts";
import { encodingOf, type Value } from "../src/store/values.ts";
import { call, RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS, requireRedisInCI, type ServerProcess, startRedis } from "./helpers/server.ts";

const haveRedis = requireRedisInCI();
const CHECK_RDB = ["/usr/bin/redis-check-rdb", "/usr/local/bin/redis-check-rdb"].find((p) => existsSync(p));
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const x = (s: string, n: number) => s.repeat(n);
const FUTURE = String(Date.now() + 3_600_000);

/** A dataset with every type and encoding, in db 0 and db 3, some keys with a TTL. */
const DATASET: string[][] = [
  ["SET", "s:short", "hello"],
  ["SET", "s:int", "-12345"],
  ["SET", "s:big", "9223372036854775807"],
  ["SET", "s:long", x("abcdefgh", 40)],
  ["SET", "s:bin", "\x00\xff\r\n"],
  ["APPEND", "s:raw", "grown"],
  ["RPUSH", "l:small", "a", "1", "-300", x("y", 100)],
  ["RPUSH", "l:big", ...range(2500, (i) => `item-${i}`)],
  ["HSET", "h:lp", "f", "v", "n", "12"],
  ["HSET", "h:lp300", ...range(300, (i) => [`field${i}`, `v${i}`]).flat()],
  ["HSET", "h:ht", ...range(600, (i) => [`field${i}`, `v${i}`]).flat()],
  ["SADD", "i:set", "1", "-5", "70000", "9223372036854775807"],
  ["SADD", "set:ht", ...range(40, (i) => `m${i}`)],
  ["ZADD", "z:lp", "1", "a", "2.5", "b", "-inf", "c"],
  ["ZADD", "z:sl", ...range(200, (i) => [String(i * 1.5), `m${i}`]).flat()],
  // Streams: several listpack nodes, a deleted entry, consumer groups with pending entries, an empty stream with a group.
  ["XADD", "x:s", "1-1", "f", "v", "n", "1"],
  ["XADD", "x:s", "1-2", "f", "w", "n", "2"],
  ["XADD", "x:s", "2-0", "other", "fields"],
  ["XADD", "x:s", "3-0", "f", "x", "n", "-3"],
  ["XDEL", "x:s", "2-0"],
  ["XGROUP", "CREATE", "x:s", "g1", "0"],
  ["XGROUP", "CREATE", "x:s", "g2", "$"],
  ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "x:s", ">"],
  ["XREADGROUP", "GROUP", "g1", "bob", "STREAMS", "x:s", ">"],
  ["XACK", "x:s", "g1", "1-1"],
  ["XGROUP", "CREATECONSUMER", "x:s", "g2", "carol"],
  ["XADD", "x:big", "MAXLEN", "1000", "1-0", ...range(3, (i) => [`field${i}`, `value${i}`]).flat()],
  ...range(350, (i) => ["XADD", "x:big", `${i + 10}-0`, "a", String(i), "b", x("z", i % 40)]),
  ["XADD", "x:empty", "5-5", "a", "b"],
  ["XDEL", "x:empty", "5-5"],
  ["XGROUP", "CREATE", "x:empty", "g", "$"],
  // HyperLogLogs (strings to the file): sparse and dense. The sparse one is longer than 44 bytes, so a loaded copy
  // is "raw" as the original is (a shorter one loads as embstr, in Redis too).
  ["PFADD", "hll:sparse", ...range(50, (i) => `s${i}`)],
  ["PFADD", "hll:dense", ...range(3000, (i) => `el${i}`)],
  // Geo sets (sorted sets to the file): listpack and skiplist.
  ["GEOADD", "geo:lp", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
  ["GEOADD", "geo:sl", ...range(200, (i) => [String(13 + i / 100), String(52 + i / 200), `p${i}`]).flat()],
  ["PEXPIREAT", "s:short", FUTURE],
  ["PEXPIREAT", "h:lp", FUTURE],
  ["SELECT", "3"],
  ["SET", "db3:key", "in db three"],
  ["RPUSH", "db3:list", "x", "y"],
  ["PEXPIREAT", "db3:list", FUTURE],
  ["SELECT", "0"],
];

let redisA: ServerProcess | null = null;
let clientA: RawClient;

beforeAll(async () => {
  if (!haveRedis) return;
  redisA = await startRedis(["--enable-debug-command", "yes"]);
  clientA = await RawClient.connect((redisA as ServerProcess).port);
  for (const c of DATASET) await call(clientA, ...c);
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  clientA?.close();
  await redisA?.stop();
});

/** Starts a redis-server that loads `file` at startup and returns a client and its DEBUG DIGEST. */
async function loadIntoRedis(file: Uint8Array): Promise<{ server: ServerProcess; client: RawClient; digest: string }> {
  const dir = mkdtempSync(join(tmpdir(), "respd-rdb-"));
  writeFileSync(join(dir, "x.rdb"), file);
  const server = (await startRedis(["--enable-debug-command", "yes", "--dir", dir, "--dbfilename", "x.rdb"])) as ServerProcess;
  const client = await RawClient.connect(server.port);
  return { server, client, digest: await call(client, "DEBUG", "DIGEST") };
}

async function encodings(c: RawClient, keys: [number, string][]): Promise<string[]> {
  const out: string[] = [];
  for (const [db, key] of keys) {
    await call(c, "SELECT", String(db));
    out.push(`${db}:${key}:${await call(c, "OBJECT", "ENCODING", key)}`);
  }
  await call(c, "SELECT", "0");
  return out;
}

/** Commands in DATASET that only change keys made earlier (their second word may not even be a key). */
const NOT_MAKING = new Set(["PEXPIREAT", "XDEL", "XGROUP", "XREADGROUP", "XACK"]);

function keysOf(): [number, string][] {
  const keys: [number, string][] = [];
  let db = 0;
  for (const c of DATASET) {
    if (c[0] === "SELECT") db = Number(c[1]);
    else if (!NOT_MAKING.has(c[0] as string) && !keys.some(([d, k]) => d === db && k === c[1])) keys.push([db, c[1] as string]);
  }
  return keys;
}

/** What DEBUG DIGEST leaves out of a stream: its groups, their consumers and pending entries (times excluded). */
async function streamGroups(c: RawClient): Promise<string[]> {
  const out: string[] = [];
  for (const key of ["x:s", "x:empty"]) out.push(await call(c, "XINFO", "GROUPS", key));
  const extended = await call(c, "XPENDING", "x:s", "g1", "-", "+", "10", "alice");
  // Each entry is [id, consumer, idle ms, deliveries]: the idle time depends on when the test ran.
  out.push(await call(c, "XPENDING", "x:s", "g1"), extended.replace(/(\$5\r\nalice\r\n):\d+\r\n/g, "$1"));
  for (const g of ["g1", "g2"]) {
    const consumers = await call(c, "XINFO", "CONSUMERS", "x:s", g);
    // Drop the idle times (and 7.2's inactive): the file keeps delivery times, not when this test ran.
    out.push(consumers.replace(/\$4\r\nidle\r\n:\d+\r\n/g, ""));
  }
  return out;
}

/** Loads `file` into a fresh in-process engine, as startup loading would. */
function loadIntoEngine(file: Uint8Array): TestEngine {
  const t = createTestEngine();
  const limits = limitsFrom((name) => t.engine.config.num(name));
  loadRdb(
    file,
    {
      key(db, key, value: Value, expireAt) {
        const d = t.engine.dbs[db];
        if (!d) throw new Error(`db ${db} out of range`);
        d.set(key, value, Date.now());
        if (expireAt !== -1) d.setExpire(key, expireAt);
      },
    },
    limits,
  );
  return t;
}

function check(path: string): { ok: boolean; out: string } {
  const r = spawnSync(CHECK_RDB as string, [path], { encoding: "latin1" });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!haveRedis)("RDB files against redis-server", () => {
  test("a file respd writes passes redis-check-rdb and loads into Redis unchanged", async () => {
    const t = createTestEngine();
    for (const c of DATASET) t.exec(...c);
    for (const checksum of [true, false]) {
      const file = writeRdb(t.engine.dbs, { checksum });
      const dir = mkdtempSync(join(tmpdir(), "respd-rdb-"));
      writeFileSync(join(dir, "x.rdb"), file);
      if (CHECK_RDB) {
        const r = check(join(dir, "x.rdb"));
        expect({ ok: r.ok, out: r.out }).toEqual({ ok: true, out: expect.stringContaining("RDB looks OK") });
      }
      const b = await loadIntoRedis(file);
      try {
        expect(b.digest).toBe(await call(clientA, "DEBUG", "DIGEST"));
        expect(await encodings(b.client, keysOf())).toEqual(await encodings(clientA, keysOf()));
        expect(await streamGroups(b.client)).toEqual(await streamGroups(clientA));
      } finally {
        b.client.close();
        await b.server.stop();
      }
    }
  });

  test("a dump.rdb Redis SAVEs loads into respd with the same contents and encodings", async () => {
    expect(await call(clientA, "SAVE")).toBe("+OK\r\n");
    const dir = (await call(clientA, "CONFIG", "GET", "dir")).split("\r\n")[4] as string;
    const file = new Uint8Array(readFileSync(join(dir, "dump.rdb")));
    const t = loadIntoEngine(file);
    for (const [db, key] of keysOf()) {
      await call(clientA, "SELECT", String(db));
      const enc = (await call(clientA, "OBJECT", "ENCODING", key)).split("\r\n")[1] ?? null;
      const v = t.engine.dbs[db]?.lookup(key, Date.now(), false);
      expect({ key, enc: v === undefined ? null : encodingOf(v) }).toEqual({ key, enc });
    }
    await call(clientA, "SELECT", "0");
    // Contents: written back out by respd, Redis computes the same digest.
    const b = await loadIntoRedis(writeRdb(t.engine.dbs));
    try {
      expect(b.digest).toBe(await call(clientA, "DEBUG", "DIGEST"));
    } finally {
      b.client.close();
      await b.server.stop();
    }
  });

  test("old encodings 7.0 still reads load the same in respd and Redis", async () => {
    const file = legacyFile();
    const a = await loadIntoRedis(file);
    const t = loadIntoEngine(file);
    const b = await loadIntoRedis(writeRdb(t.engine.dbs));
    try {
      expect(a.digest).not.toBe("$40\r\n0000000000000000000000000000000000000000\r\n");
      expect(b.digest).toBe(a.digest);
      const keys = LEGACY_KEYS.map((k) => [0, k] as [number, string]);
      expect(await encodings(b.client, keys)).toEqual(await encodings(a.client, keys));
    } finally {
      for (const s of [a, b]) {
        s.client.close();
        await s.server.stop();
      }
    }
  });
});

const LEGACY_KEYS = ["list", "ql", "lzl", "zzl", "zset", "hzl", "hash", "zm", "iset", "big:hzl", "zlp"];

/** An RDB file using the encodings older Redis versions wrote. */
function legacyFile(): Uint8Array {
  const w = new RdbWriter(false);
  for (const c of "REDIS0009") w.byte(c.charCodeAt(0));
  w.byte(0xfe);
  w.length(0);
  const key = (type: number, name: string) => {
    w.byte(type);
    w.string(name);
  };
  key(RdbType.LIST, "list");
  w.length(3);
  for (const s of ["a", "12", x("L", 30)]) w.string(s);
  key(RdbType.LIST_QUICKLIST, "ql");
  w.length(2);
  w.blob(encodeZiplist(["n1", "2", "-3"]));
  w.blob(encodeZiplist(["n4", x("q", 300)]));
  key(RdbType.LIST_ZIPLIST, "lzl");
  w.blob(encodeZiplist(["z1", "99"]));
  key(RdbType.ZSET_ZIPLIST, "zzl");
  w.blob(encodeZiplist(["a", "1", "b", "2.5", "c", "-7"]));
  key(RdbType.ZSET, "zset");
  w.length(2);
  w.string("m1");
  w.byte(3);
  for (const c of "1.5") w.byte(c.charCodeAt(0));
  w.string("m2");
  w.byte(254); // +inf
  key(RdbType.HASH_ZIPLIST, "hzl");
  w.blob(encodeZiplist(["f1", "v1", "f2", "22"]));
  key(RdbType.HASH_ZIPLIST, "big:hzl");
  w.blob(encodeZiplist(range(200, (i) => [`k${i}`, `v${i}`]).flat()));
  key(RdbType.HASH, "hash");
  w.length(2);
  for (const s of ["a", "1", "b", x("long", 30)]) w.string(s);
  key(RdbType.HASH_ZIPMAP, "zm");
  w.blob(Uint8Array.from([2, 1, 0x66, 1, 1, 0x76, 0, 4, 0x6e, 0x61, 0x6d, 0x65, 1, 0, 0x78, 0xff]));
  key(RdbType.SET_INTSET, "iset");
  w.blob(encodeIntset([-2n, 4n, 1000000n]));
  key(RdbType.ZSET_LISTPACK, "zlp");
  w.blob(encodeListpack(["x", "1", "y", "2"]));
  w.byte(0xff);
  const body = w.take();
  return withCrc(body);
}

function withCrc(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 8);
  out.set(body);
  out.set(new Crc64().update(body).bytesLE(), body.length);
  return out;
}

describe("loading damaged files", () => {
  const t = createTestEngine();
  for (const c of DATASET) t.exec(...c);
  const good = writeRdb(t.engine.dbs);
  const noop = { key() {} };

  test("a good file loads every key and verifies its checksum", () => {
    let n = 0;
    const r = loadRdb(good, { key: () => n++ });
    expect(r.checksumVerified).toBe(true);
    expect(n).toBe(keysOf().length);
  });

  test("every truncation is an RdbError", () => {
    for (let cut = 0; cut < good.length; cut += Math.max(1, Math.floor(good.length / 400))) {
      expect(() => loadRdb(good.subarray(0, cut), noop)).toThrow(RdbError);
    }
    expect(() => loadRdb(good.subarray(0, good.length - 1), noop)).toThrow(RdbError);
  });

  test("a flipped byte fails the checksum; without a checksum it never crashes", () => {
    // "7.0.15" of the redis-ver AUX field starts at byte 21; and the trailer itself.
    for (const at of [21, good.length - 3]) {
      const bad = good.slice();
      bad[at] = (bad[at] as number) ^ 0x01;
      expect(() => loadRdb(bad, noop)).toThrow(/RDB CRC error/);
    }
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 300; i++) {
      const f = good.slice();
      f.fill(0, f.length - 8); // checksum 0: not verified, like rdbchecksum no
      for (let k = 0; k < 3; k++) f[9 + Math.floor(rnd() * (f.length - 18))] = Math.floor(rnd() * 256);
      try {
        loadRdb(f, noop, DEFAULT_LIMITS);
      } catch (e) {
        if (!(e instanceof RdbError)) throw e;
      }
    }
  });

  test("bad headers, broken streams, modules and functions are refused clearly", () => {
    expect(() => loadRdb(new TextEncoder().encode("NOTRDB0010"), noop)).toThrow(/signature/);
    expect(() => loadRdb(new TextEncoder().encode("REDIS0011\xff"), noop)).toThrow(/version/);
    const f = new RdbFileWriter().header([]);
    const head = f.take();
    // An empty stream: no nodes, length 0, last/first/max-deleted IDs 0-0, nothing added, no groups.
    const stream = withCrc(Uint8Array.from([...head, RdbType.STREAM_LISTPACKS_2, 1, 0x73, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff]));
    const types: string[] = [];
    loadRdb(stream, { key: (_db: number, _k: string, v: Value) => types.push(typeof v === "object" ? v.type : typeof v) });
    expect(types).toEqual(["stream"]);
    // A node key that is not 16 bytes is corrupt.
    const badNode = withCrc(Uint8Array.from([...head, RdbType.STREAM_LISTPACKS_2, 1, 0x73, 1, 1, 0x41, 0xff]));
    expect(() => loadRdb(badNode, noop)).toThrow(/stream ID/);
    const fn = new RdbFileWriter().header([]).functionLibrary("#!lua name=x\n").end().take();
    expect(() => loadRdb(fn, noop)).toThrow(/function/);
    const seen: string[] = [];
    loadRdb(fn, { key() {}, functionLibrary: (code) => seen.push(code) });
    expect(seen).toEqual(["#!lua name=x\n"]);
    const mod = withCrc(Uint8Array.from([...new TextEncoder().encode("REDIS0010"), 0xf7, 1, 2, 0, 0xff]));
    expect(() => loadRdb(mod, noop)).toThrow(/module/);
  });
});
