/**
 * The generic keyspace family against the real redis-server: replies and
 * errors byte for byte, glob matching, SCAN guarantees, expiry reclamation
 * and a seeded random command sequence.
 */
import { expect, test } from "bun:test";
import { type Differential, rng } from "./helpers/diff.ts";
import { call, type RawClient } from "./helpers/raw.ts";
import { parseScan, pipeline } from "./helpers/resp2.ts";
import { requireRedisInCI } from "./helpers/server.ts";
import { replayable, seedFrom, withDifferential } from "./helpers/suite.ts";

const haveRedis = requireRedisInCI();
let d: Differential;
withDifferential((started) => {
  d = started;
});

async function bothPipeline(cmds: string[][]): Promise<void> {
  await Promise.all([pipeline(d.redisClient, cmds), pipeline(d.respdClient, cmds)]);
}

/** A full SCAN iteration; returns the sorted keys. */
async function scanAll(c: RawClient, ...opts: string[]): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = parseScan(await call(c, "SCAN", cursor, ...opts));
    out.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return out.sort();
}

test.skipIf(!haveRedis)("DEL, UNLINK, EXISTS, TYPE, DBSIZE, RANDOMKEY replies and errors", async () => {
  await d.sequence([
    ["FLUSHALL"],
    ["RANDOMKEY"],
    ["SET", "a", "1"],
    ["SET", "b", "2"],
    ["EXISTS", "a", "a", "b", "c"],
    ["EXISTS"],
    ["TYPE", "a"],
    ["TYPE", "nope"],
    ["TYPE"],
    ["TYPE", "a", "b"],
    ["DBSIZE"],
    ["DBSIZE", "x"],
    ["DEL", "a", "a", "c"],
    ["DEL"],
    ["UNLINK", "b", "c"],
    ["UNLINK"],
    ["DBSIZE"],
    ["SET", "only", "1"],
    ["RANDOMKEY"],
    ["RANDOMKEY", "x"],
  ]);
});

test.skipIf(!haveRedis)("RENAME, RENAMENX, MOVE, COPY", async () => {
  await d.sequence([
    ["FLUSHALL"],
    ["RENAME", "a", "b"],
    ["RENAMENX", "a", "b"],
    ["RENAME", "a"],
    ["SET", "a", "1"],
    ["RENAME", "a", "a"],
    ["RENAMENX", "a", "a"],
    ["EXPIRE", "a", "1000"],
    ["RENAME", "a", "b"],
    ["TTL", "b"],
    ["EXISTS", "a"],
    ["SET", "c", "3"],
    ["RENAMENX", "b", "c"],
    ["RENAME", "b", "c"],
    ["TTL", "c"],
    ["GET", "c"],
    ["MOVE", "c", "0"],
    ["MOVE", "c", "16"],
    ["MOVE", "c", "-1"],
    ["MOVE", "c", "x"],
    ["MOVE", "c", "4294967296"],
    ["MOVE", "nope", "1"],
    ["MOVE", "c", "1"],
    ["MOVE", "c", "1"],
    ["SELECT", "1"],
    ["TTL", "c"],
    ["SET", "x", "y"],
    ["MOVE", "x", "0"],
    ["SELECT", "0"],
    ["SET", "x", "other"],
    ["SELECT", "1"],
    ["MOVE", "x", "0"],
    ["COPY", "c", "c"],
    ["COPY", "c", "c", "DB", "1"],
    ["COPY", "c", "c", "DB", "0"],
    ["COPY", "c", "c", "DB", "0"],
    ["COPY", "x", "c", "DB", "0", "REPLACE"],
    ["COPY", "c", "d", "db"],
    ["COPY", "c", "d", "DB", "x"],
    ["COPY", "c", "d", "DB", "99"],
    ["COPY", "c", "d", "REPLACE", "junk"],
    ["COPY", "nope", "d"],
    ["COPY", "c"],
    ["COPY", "c", "d", "replace", "replace"],
    ["TTL", "d"],
    ["SELECT", "0"],
    ["GET", "c"],
    ["TTL", "c"],
    ["OBJECT", "ENCODING", "c"],
  ]);
});

test.skipIf(!haveRedis)("EXPIRE family, TTL family, PERSIST, TOUCH", async () => {
  const future = String(Math.floor(Date.now() / 1000) + 100000);
  const futureMs = String(Date.now() + 50000000);
  await d.sequence([
    ["FLUSHALL"],
    ["EXPIRE", "k", "10"],
    ["TTL", "k"],
    ["PTTL", "k"],
    ["EXPIRETIME", "k"],
    ["PEXPIRETIME", "k"],
    ["SET", "k", "v"],
    ["TTL", "k"],
    ["PTTL", "k"],
    ["EXPIRETIME", "k"],
    ["PEXPIRETIME", "k"],
    ["EXPIRE", "k", "x"],
    ["EXPIRE", "k", "1.5"],
    ["EXPIRE", "k"],
    ["EXPIRE", "k", "10", "NX", "XX"],
    ["EXPIRE", "k", "10", "nx", "gt"],
    ["EXPIRE", "k", "10", "NX", "LT"],
    ["EXPIRE", "k", "10", "GT", "LT"],
    ["EXPIRE", "k", "10", "foo"],
    ["EXPIRE", "k", "x", "foo"],
    ["EXPIRE", "k", "10", "NX", "foo"],
    ["EXPIRE", "k", "9223372036854775807"],
    ["EXPIRE", "k", "9223372036854775"],
    ["EXPIRE", "k", "-9223372036854775808"],
    ["PEXPIRE", "k", "9223372036854775807"],
    ["EXPIREAT", "k", "9223372036854775807"],
    ["EXPIREAT", "k", "-9223372036854775807"],
    ["EXPIRE", "k", "100", "XX"],
    ["EXPIRE", "k", "100", "GT"],
    ["EXPIRE", "k", "100", "LT"],
    ["TTL", "k"],
    ["EXPIRE", "k", "50", "GT"],
    ["EXPIRE", "k", "500", "GT"],
    ["EXPIRE", "k", "500", "NX"],
    ["EXPIRE", "k", "400", "XX", "LT"],
    ["TTL", "k"],
    ["EXPIREAT", "k", future],
    ["EXPIRETIME", "k"],
    ["PEXPIREAT", "k", futureMs],
    ["PEXPIRETIME", "k"],
    ["EXPIRETIME", "k"],
    ["PERSIST", "k"],
    ["PERSIST", "k"],
    ["PERSIST", "nope"],
    ["TTL", "k"],
    ["PEXPIRE", "k", "0"],
    ["EXISTS", "k"],
    ["SET", "k", "v"],
    ["EXPIREAT", "k", "1"],
    ["EXISTS", "k"],
    ["SET", "k", "v"],
    ["EXPIRE", "k", "-5", "LT"],
    ["EXISTS", "k"],
    ["SET", "k", "v"],
    ["TOUCH", "k", "k", "nope"],
    ["TOUCH"],
  ]);
});

test.skipIf(!haveRedis)("OBJECT subcommands", async () => {
  await d.sequence([
    ["FLUSHALL"],
    ["SET", "i", "123"],
    ["SET", "big", "10000"],
    ["SET", "neg", "-1"],
    ["SET", "s", "hello"],
    ["SET", "long", "x".repeat(45)],
    ["SET", "huge", "12345678901234567890"],
    ["OBJECT", "ENCODING", "i"],
    ["OBJECT", "ENCODING", "s"],
    ["OBJECT", "ENCODING", "long"],
    ["OBJECT", "ENCODING", "huge"],
    ["OBJECT", "ENCODING", "nope"],
    ["OBJECT", "REFCOUNT", "i"],
    ["OBJECT", "REFCOUNT", "big"],
    ["OBJECT", "REFCOUNT", "neg"],
    ["OBJECT", "REFCOUNT", "s"],
    ["OBJECT", "REFCOUNT", "nope"],
    ["OBJECT", "IDLETIME", "nope"],
    ["OBJECT", "FREQ", "s"],
    ["OBJECT", "FREQ", "nope"],
    ["OBJECT", "HELP"],
    ["object", "help"],
    ["OBJECT", "HELP", "x"],
    ["OBJECT"],
    ["OBJECT", "foo"],
    ["OBJECT", "foo", "bar"],
    ["OBJECT", "ENCODING"],
    ["OBJECT", "ENCODING", "a", "b"],
  ]);
  // Idle seconds of a key just set: 0, or 1 when a second boundary fell between (Redis reads a clock its cron caches).
  const [redisIdle, respdIdle] = await d.both("OBJECT", "IDLETIME", "s");
  expect([":0\r\n", ":1\r\n"]).toContain(redisIdle);
  expect([":0\r\n", ":1\r\n"]).toContain(respdIdle);
  // RESP3 nulls (HELLO's reply carries the client id, which differs).
  await d.both("HELLO", "3");
  try {
    await d.same("OBJECT", "ENCODING", "nope");
    await d.same("OBJECT", "REFCOUNT", "nope");
  } finally {
    await d.both("HELLO", "2");
  }
});

test.skipIf(!haveRedis)("FLUSHDB, FLUSHALL, SWAPDB", async () => {
  await d.sequence([
    ["FLUSHALL"],
    ["SET", "a", "1"],
    ["SELECT", "1"],
    ["SET", "b", "2"],
    ["FLUSHDB", "x"],
    ["FLUSHDB", "ASYNC", "SYNC"],
    ["FLUSHDB", "async"],
    ["DBSIZE"],
    ["SET", "b", "2"],
    ["FLUSHDB", "SYNC"],
    ["FLUSHDB"],
    ["SET", "b", "2"],
    ["SWAPDB", "0", "1"],
    ["GET", "a"],
    ["GET", "b"],
    ["SELECT", "0"],
    ["GET", "b"],
    ["SWAPDB", "0", "0"],
    ["SWAPDB", "x", "0"],
    ["SWAPDB", "0", "x"],
    ["SWAPDB", "0", "16"],
    ["SWAPDB", "-1", "0"],
    ["SWAPDB", "4294967296", "0"],
    ["SWAPDB", "0", "2147483648"],
    ["SWAPDB", "0"],
    ["FLUSHALL", "x"],
    ["FLUSHALL", "ASYNC"],
    ["DBSIZE"],
    ["SET", "a", "1"],
    ["FLUSHALL", "SYNC"],
    ["FLUSHALL"],
    ["DBSIZE"],
  ]);
});

test.skipIf(!haveRedis)("KEYS and SCAN agree with Redis on random glob patterns", async () => {
  await d.same("FLUSHALL");
  const seed = seedFrom("SEED", 1000000);
  const rand = rng(seed);
  const alphabet = ["a", "b", "A", "-", "^", "]", "[", "\\", "*", "?", "\xff", "\x80", "\x00", "z"];
  const pick = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    return s;
  };
  const keys = new Set<string>([""]);
  while (keys.size < 80) keys.add(pick(1 + Math.floor(rand() * 5)));
  await bothPipeline([...keys].map((k) => ["SET", k, "v"]));
  try {
    for (let i = 0; i < 400; i++) {
      const pattern = pick(Math.floor(rand() * 7));
      await d.sameUnordered("KEYS", pattern);
    }
    for (let i = 0; i < 100; i++) {
      const pattern = pick(Math.floor(rand() * 6));
      // SCAN order and cursors differ (different hash functions); the set of keys must not.
      const [a, b] = [await scanAllRaw(d.redisClient, pattern), await scanAllRaw(d.respdClient, pattern)];
      expect({ pattern, keys: b }).toEqual({ pattern, keys: a });
    }
    for (const p of ["*", "**", "", "?", "[", "[^", "\\", "*\\", "[a-", "[\\]"]) await d.sameUnordered("KEYS", p);
  } catch (e) {
    console.error(`glob differential failed with SEED=${seed}`);
    throw e;
  }
});

/** A full SCAN with a MATCH pattern that may contain CR/LF-free binary: compare raw key replies. */
async function scanAllRaw(c: RawClient, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const raw = await call(c, "SCAN", cursor, "MATCH", pattern, "COUNT", "7");
    // Reuse the reply parser on bulk lengths, since keys here may contain any byte but CR/LF.
    const [next, keys] = parseScan(raw);
    out.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return out.sort();
}

test.skipIf(!haveRedis)("KEYS: more than 1000 nested '*' fail like Redis", async () => {
  await d.same("FLUSHALL");
  await d.same("SET", "a".repeat(1200), "v");
  await d.same("KEYS", "*a".repeat(1000));
  await d.same("KEYS", "*a".repeat(1001));
  await d.same("KEYS", `${"*a".repeat(30)}b`);
});

test.skipIf(!haveRedis)("SCAN option parsing and errors", async () => {
  await d.sequence([
    ["FLUSHALL"],
    ["SCAN", "0"],
    ["SCAN", "x"],
    ["SCAN", " 1"],
    ["SCAN", "1 "],
    ["SCAN", "18446744073709551616"],
    ["SCAN", "-"],
    ["SCAN", "0", "COUNT", "0"],
    ["SCAN", "0", "COUNT", "-1"],
    ["SCAN", "0", "COUNT", "x"],
    ["SCAN", "0", "COUNT"],
    ["SCAN", "0", "MATCH"],
    ["SCAN", "0", "TYPE"],
    ["SCAN", "0", "BOGUS", "1"],
    ["SCAN", "x", "COUNT", "0"],
    ["SCAN", "0", "COUNT", "0", "MATCH"],
    ["SET", "k", "v"],
    ["SCAN", "0"],
    ["SCAN", ""],
    ["SCAN", "+0"],
    ["SCAN", "0", "TYPE", "string"],
    ["SCAN", "0", "TYPE", "STRING", "MATCH", "k", "COUNT", "100"],
    ["SCAN", "0", "TYPE", "list"],
    ["SCAN", "0", "TYPE", "bogus"],
    ["SCAN", "0", "MATCH", "x*"],
  ]);
  // Which keys the last bucket holds depends on the hash function; the cursor (done) does not.
  for (const cursor of ["-1", "18446744073709551615"]) {
    const [a, b] = await d.both("SCAN", cursor);
    expect(parseScan(b)[0]).toBe("0");
    expect(parseScan(a)[0]).toBe("0");
  }
  const pairs: string[][] = [];
  for (let i = 0; i < 300; i++) pairs.push(["SET", `k${i}`, String(i)]);
  await bothPipeline(pairs);
  for (const opts of [[], ["COUNT", "1"], ["COUNT", "1000"], ["MATCH", "k1*"], ["TYPE", "string", "MATCH", "*9"]]) {
    expect(await scanAll(d.respdClient, ...opts)).toEqual(await scanAll(d.redisClient, ...opts));
  }
});

test("SCAN returns every key present throughout while thousands of keys come and go", async () => {
  const c = d.respdClient;
  await call(c, "FLUSHALL");
  const stable: string[][] = [];
  for (let i = 0; i < 20000; i++) stable.push(["SET", `stable:${i}`, "v"]);
  await pipeline(c, stable);
  const seen = new Set<string>();
  let cursor = "0";
  let round = 0;
  let churn = 0;
  do {
    const [next, keys] = parseScan(await call(c, "SCAN", cursor, "COUNT", "500"));
    for (const k of keys) seen.add(k);
    cursor = next;
    // Add enough to double the table mid-scan, then remove them to shrink it again.
    const cmds: string[][] = [];
    if (round < 20) for (let j = 0; j < 1500; j++) cmds.push(["SET", `temp:${churn++}`, "v"]);
    else for (let j = 0; j < 1500 && churn > 0; j++) cmds.push(["DEL", `temp:${--churn}`]);
    if (cmds.length > 0) await pipeline(c, cmds);
    round++;
  } while (cursor !== "0");
  let missed = 0;
  for (let i = 0; i < 20000; i++) if (!seen.has(`stable:${i}`)) missed++;
  expect(missed).toBe(0);
  expect(round).toBeGreaterThan(20);
  // MATCH and TYPE on the same big table.
  expect((await scanAll(c, "MATCH", "stable:1999*", "COUNT", "1000")).length).toBe(11);
  expect((await scanAll(c, "TYPE", "list", "COUNT", "5000")).length).toBe(0);
}, 30000);

test("expired keys are reclaimed by the active cycle without access, and lazily on access", async () => {
  const c = d.respdClient;
  await call(c, "FLUSHALL");
  const cmds: string[][] = [];
  for (let i = 0; i < 1000; i++) cmds.push(["SET", `e:${i}`, "v"], ["PEXPIRE", `e:${i}`, "100"]);
  await pipeline(c, cmds);
  expect(await call(c, "DBSIZE")).toBe(":1000\r\n");
  await Bun.sleep(1500);
  expect(await call(c, "DBSIZE")).toBe(":0\r\n");
  // Lazily: a key read after its TTL is gone even if the cycle has not reached it.
  await call(c, "SET", "lazy", "v");
  await call(c, "PEXPIRE", "lazy", "30");
  await Bun.sleep(60);
  expect(await call(c, "GET", "lazy")).toBe("$-1\r\n");
  expect(await call(c, "EXISTS", "lazy")).toBe(":0\r\n");
  expect(await call(c, "TTL", "lazy")).toBe(":-2\r\n");
});

test.skipIf(!haveRedis)(
  "seeded random sequence of keyspace commands matches Redis",
  async () => {
    const seed = seedFrom("SEED", 1000000);
    const rand = rng(seed);
    const int = (n: number) => Math.floor(rand() * n);
    const keys = ["a", "b", "c", "d", "e"];
    const key = () => keys[int(keys.length)] as string;
    const values = ["1", "42", "9999", "10000", "-3", "hello", "x".repeat(50), "3.14"];
    const farSec = Math.floor(Date.now() / 1000) + 1000000;
    const expireOpt = () => [[], ["NX"], ["XX"], ["GT"], ["LT"], ["XX", "GT"], ["NX", "GT"]][int(7)] as string[];
    const generators: (() => string[])[] = [
      () => ["SET", key(), values[int(values.length)] as string],
      () => ["SET", key(), values[int(values.length)] as string],
      () => ["DEL", key(), key()],
      () => ["UNLINK", key()],
      () => ["EXISTS", key(), key(), key()],
      () => ["TYPE", key()],
      () => ["RENAME", key(), key()],
      () => ["RENAMENX", key(), key()],
      () => ["MOVE", key(), String(int(3))],
      () => ["COPY", key(), key(), ...(rand() < 0.5 ? ["DB", String(int(3))] : []), ...(rand() < 0.5 ? ["REPLACE"] : [])],
      () => ["EXPIRE", key(), String([100, 1000, 10000, -1][int(4)]), ...expireOpt()],
      () => ["PEXPIRE", key(), String([500000, 5000000, 0][int(3)]), ...expireOpt()],
      () => ["EXPIREAT", key(), String(farSec + int(3) * 1000), ...expireOpt()],
      () => ["PEXPIREAT", key(), String(farSec * 1000 + int(3) * 7), ...expireOpt()],
      () => ["TTL", key()],
      () => ["EXPIRETIME", key()],
      () => ["PERSIST", key()],
      () => ["TOUCH", key(), key()],
      () => ["OBJECT", "ENCODING", key()],
      // No OBJECT REFCOUNT here: a COPY of a shared integer has refcount 1 in Redis (a known deviation).
      () => ["DBSIZE"],
      () => ["SELECT", String(int(3))],
      () => ["SWAPDB", String(int(3)), String(int(3))],
      () => (rand() < 0.2 ? ["FLUSHDB"] : ["GET", key()]),
      () => ["KEYS", "*"],
      () => ["SCAN", "0", "COUNT", "1000", ...(rand() < 0.5 ? ["MATCH", `[${key()}${key()}]`] : [])],
    ];
    await d.same("FLUSHALL");
    await d.same("SELECT", "0");
    const history: string[][] = [];
    try {
      await replayable("SEED", seed, history, 15, async () => {
        for (let i = 0; i < 1500; i++) {
          const cmd = (generators[int(generators.length)] as () => string[])();
          history.push(cmd);
          if (cmd[0] === "KEYS" || cmd[0] === "SCAN") await d.sameUnordered(...cmd);
          else await d.same(...cmd);
        }
      });
    } finally {
      await d.same("SELECT", "0");
    }
  },
  30000,
);
