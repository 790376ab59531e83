/**
 * The set family against the real redis-server: replies and errors byte for
 * byte where Redis's order is deterministic (intsets list ascending; results
 * built as intsets too), as sets where it is not (hashtables), properties
 * for the random commands, RESP3 reply types, and a seeded random sequence
 * ending in a canonical dump. SETS_SEED=<n> replays a random run.
 */
import { expect, test } from "bun:test";
import { type Differential, rng } from "./helpers/diff.ts";
import { call, type RawClient } from "./helpers/raw.ts";
import { bulks, parseScan } from "./helpers/resp2.ts";
import { requireRedisInCI } from "./helpers/server.ts";
import { replayable, seedFrom, withDifferential } from "./helpers/suite.ts";

const haveRedis = requireRedisInCI();
let d: Differential;
withDifferential((started) => {
  d = started;
});

const run = (...cmds: string[][]) => d.sequence(cmds);
const ints = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

async function sscanAll(c: RawClient, key: string, ...opts: string[]): Promise<[string[], number]> {
  const out: string[] = [];
  let cursor = "0";
  let calls = 0;
  do {
    const [next, members] = parseScan(await call(c, "SSCAN", key, cursor, ...opts));
    out.push(...members);
    cursor = next;
    calls++;
  } while (cursor !== "0");
  return [out, calls];
}

test.skipIf(!haveRedis)("SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS on intsets, byte for byte", async () => {
  await run(
    ["FLUSHALL"],
    ["SADD", "s", "3", "1", "2", "2", "-5", "9223372036854775807", "-9223372036854775808"],
    ["SMEMBERS", "s"],
    ["OBJECT", "ENCODING", "s"],
    ["TYPE", "s"],
    ["SCARD", "s"],
    ["SCARD", "nokey"],
    ["SISMEMBER", "s", "2"],
    ["SISMEMBER", "s", "02"],
    ["SISMEMBER", "s", "x"],
    ["SISMEMBER", "nokey", "x"],
    ["SMISMEMBER", "s", "1", "7", "x", "-5"],
    ["SMISMEMBER", "nokey", "1", "2"],
    ["SADD", "s", "1", "2"],
    ["SREM", "s", "1", "x", "1", "100"],
    ["SREM", "nokey", "1"],
    ["SMEMBERS", "s"],
    ["SMEMBERS", "nokey"],
    // The last member deletes the key; later arguments are ignored.
    ["SADD", "t", "1", "2"],
    ["SREM", "t", "1", "2", "3"],
    ["EXISTS", "t"],
    ["SET", "str", "x"],
    ["SADD", "str", "1"],
    ["SREM", "str", "1"],
    ["SCARD", "str"],
    ["SISMEMBER", "str", "1"],
    ["SMISMEMBER", "str", "1"],
    ["SMEMBERS", "str"],
    ["SADD", "s"],
    ["SREM", "s"],
    ["SMEMBERS"],
    ["SMEMBERS", "a", "b"],
    ["SISMEMBER", "s"],
    ["SMISMEMBER", "s"],
    ["SCARD"],
  );
});

test.skipIf(!haveRedis)("encoding: non-canonical integers and the intset threshold convert for good", async () => {
  const probes = ["01", "+1", "-0", " 1", "1.5", "9223372036854775808", "-9223372036854775809", "abc", ""];
  for (const p of probes) {
    await run(
      ["DEL", "e"],
      ["SADD", "e", "1", "2"],
      ["SADD", "e", p],
      ["OBJECT", "ENCODING", "e"],
      ["SREM", "e", p],
      ["OBJECT", "ENCODING", "e"],
    );
    await d.sameUnordered("SMEMBERS", "e");
  }
  await run(
    ["DEL", "e"],
    ["SADD", "e", "x"],
    ["OBJECT", "ENCODING", "e"],
    ["DEL", "e"],
    ["SADD", "e", "1", "x"],
    ["OBJECT", "ENCODING", "e"],
  );
  // 512 integers stay an intset, the 513th converts, removing it does not convert back.
  await run(["DEL", "big"], ["SADD", "big", ...ints(1, 512)], ["OBJECT", "ENCODING", "big"], ["SMEMBERS", "big"]);
  await run(["SADD", "big", "513"], ["OBJECT", "ENCODING", "big"], ["SREM", "big", "513"], ["OBJECT", "ENCODING", "big"], ["SCARD", "big"]);
  await d.sameUnordered("SMEMBERS", "big");
  try {
    await run(["CONFIG", "SET", "set-max-intset-entries", "3"], ["DEL", "c"], ["SADD", "c", "1", "2", "3"], ["OBJECT", "ENCODING", "c"]);
    await run(["SADD", "c", "4"], ["OBJECT", "ENCODING", "c"]);
    await run(["CONFIG", "SET", "set-max-intset-entries", "0"], ["DEL", "c"], ["SADD", "c", "1"], ["OBJECT", "ENCODING", "c"]);
  } finally {
    await run(["CONFIG", "SET", "set-max-intset-entries", "512"]);
  }
});

test.skipIf(!haveRedis)("hashtable sets: same members, unspecified order", async () => {
  await run(["FLUSHALL"], ["SADD", "h", "a", "b", "c", "1", "\x00\xff", "a"], ["SCARD", "h"], ["OBJECT", "ENCODING", "h"]);
  await d.sameUnordered("SMEMBERS", "h");
  await run(["SISMEMBER", "h", "\x00\xff"], ["SMISMEMBER", "h", "a", "z", "1"], ["SREM", "h", "a", "1", "q"], ["SCARD", "h"]);
  await d.sameUnordered("SMEMBERS", "h");
  await run(["SADD", "h", ...Array.from({ length: 300 }, (_, i) => `m${i}`)], ["SCARD", "h"]);
  await d.sameUnordered("SMEMBERS", "h");
});

test.skipIf(!haveRedis)("SMOVE", async () => {
  await run(
    ["FLUSHALL"],
    ["SADD", "a", "1", "2", "3"],
    ["SADD", "b", "x"],
    ["SET", "str", "v"],
    ["SMOVE", "a", "b", "1"],
    ["SMOVE", "a", "b", "9"],
    ["SMOVE", "a", "a", "2"],
    ["SMOVE", "a", "a", "9"],
    ["SMOVE", "nokey", "b", "1"],
    ["SMOVE", "nokey", "str", "1"],
    ["SMOVE", "str", "b", "1"],
    ["SMOVE", "a", "str", "2"],
    ["SMOVE", "a", "str", "9"],
    ["SMOVE", "a", "new", "2"],
    ["OBJECT", "ENCODING", "new"],
    ["SMOVE", "b", "new2", "x"],
    ["OBJECT", "ENCODING", "new2"],
    ["EXISTS", "b"],
    ["SADD", "new", "3"],
    ["SMOVE", "a", "new", "3"],
    ["EXISTS", "a"],
    ["SMEMBERS", "new"],
    ["SMOVE", "a", "b"],
    ["SMOVE", "a", "b", "c", "d"],
  );
});

test.skipIf(!haveRedis)("SINTER, SUNION, SDIFF on intsets reply in ascending order", async () => {
  await run(
    ["FLUSHALL"],
    ["SADD", "a", ...ints(1, 20)],
    ["SADD", "b", ...ints(10, 30)],
    ["SADD", "c", "15", "5", "25", "-1"],
    ["SADD", "h", "15", "16", "x"],
    ["SINTER", "a", "b"],
    ["SINTER", "a", "b", "c"],
    ["SINTER", "c", "a"],
    ["SINTER", "a"],
    ["SINTER", "a", "a"],
    ["SINTER", "a", "nokey"],
    ["SINTER", "nokey", "a"],
    ["SUNION", "a", "b", "c"],
    ["SUNION", "c", "nokey"],
    ["SUNION", "nokey"],
    ["SDIFF", "a", "b"],
    ["SDIFF", "b", "a", "c"],
    ["SDIFF", "a", "a"],
    ["SDIFF", "a", "b", "a"],
    ["SDIFF", "nokey", "a"],
    ["SDIFF", "a", "nokey"],
    ["SDIFF", "c", "h"],
    // Algorithm 2 (big other sets relative to the first).
    ["SDIFF", "c", "a", "b"],
    ["SADD", "w", ...ints(1, 100)],
    ["SDIFF", "w", "c"],
    ["SCARD", "h"],
    ["SET", "str", "v"],
    ["SINTER", "a", "str"],
    ["SINTER", "nokey", "str"],
    ["SINTER", "str", "nokey"],
    ["SUNION", "a", "str"],
    ["SDIFF", "nokey", "str"],
    ["SDIFF", "a", "str"],
    ["SINTER"],
    ["SUNION"],
    ["SDIFF"],
  );
  // Results with strings come from a hashtable: compare as sets.
  await d.sameUnordered("SINTER", "h", "a");
  await d.sameUnordered("SUNION", "h", "a");
  await d.sameUnordered("SDIFF", "h", "c");
  await d.sameUnordered("SINTER", "h", "h");
});

test.skipIf(!haveRedis)("SINTERSTORE, SUNIONSTORE, SDIFFSTORE: encodings, TTL, empty results", async () => {
  await run(
    ["FLUSHALL"],
    ["SADD", "a", ...ints(1, 10)],
    ["SADD", "b", ...ints(5, 15)],
    ["SADD", "h", "5", "6", "x"],
    ["SINTERSTORE", "d", "a", "b"],
    ["SMEMBERS", "d"],
    ["OBJECT", "ENCODING", "d"],
    ["SINTERSTORE", "d", "h", "a"],
    ["OBJECT", "ENCODING", "d"],
    ["SMEMBERS", "d"],
    ["SUNIONSTORE", "d", "a", "b"],
    ["OBJECT", "ENCODING", "d"],
    ["SMEMBERS", "d"],
    ["SUNIONSTORE", "d", "a", "h"],
    ["OBJECT", "ENCODING", "d"],
    ["SCARD", "d"],
    ["SDIFFSTORE", "d", "a", "b"],
    ["SMEMBERS", "d"],
    ["SDIFFSTORE", "d", "h", "a"],
    ["OBJECT", "ENCODING", "d"],
    ["SMEMBERS", "d"],
    // The destination's TTL goes; an empty result deletes it.
    ["SET", "d", "string"],
    ["EXPIRE", "d", "100"],
    ["SUNIONSTORE", "d", "a"],
    ["TTL", "d"],
    ["TYPE", "d"],
    ["SINTERSTORE", "d", "a", "nokey"],
    ["EXISTS", "d"],
    ["SINTERSTORE", "d", "a", "nokey"],
    ["SADD", "d", "1"],
    ["SDIFFSTORE", "d", "a", "a"],
    ["EXISTS", "d"],
    ["SADD", "d", "1"],
    ["SUNIONSTORE", "d", "nokey"],
    ["EXISTS", "d"],
    ["SADD", "d", "1"],
    ["SINTERSTORE", "d", "a", "h", "b", "nokey2"],
    ["EXISTS", "d"],
    // Sources and destination may be the same key.
    ["SUNIONSTORE", "a", "a", "b"],
    ["SMEMBERS", "a"],
    ["SDIFFSTORE", "b", "b", "h"],
    ["SMEMBERS", "b"],
    ["SET", "str", "v"],
    ["SINTERSTORE", "d", "a", "str"],
    ["SUNIONSTORE", "d", "str"],
    ["SDIFFSTORE", "str", "a"],
    ["TYPE", "str"],
    ["SINTERSTORE", "d"],
    ["SUNIONSTORE", "d"],
    ["SDIFFSTORE", "d"],
  );
  // A big all-integer union is a hashtable (over the threshold); a big diff via algorithm 2 too.
  await run(["SADD", "p", ...ints(1, 400)], ["SADD", "q", ...ints(300, 700)], ["SUNIONSTORE", "u", "p", "q"], ["OBJECT", "ENCODING", "u"]);
  await run(["SADD", "r", ...ints(1, 600)], ["SADD", "tiny", "1"], ["SDIFFSTORE", "u", "r", "tiny"], ["OBJECT", "ENCODING", "u"]);
  await run(["SADD", "many", ...ints(1, 500)], ["SDIFFSTORE", "u", "r", "many"], ["OBJECT", "ENCODING", "u"], ["SMEMBERS", "u"]);
});

test.skipIf(!haveRedis)("SINTERCARD and its key finder", async () => {
  await run(
    ["FLUSHALL"],
    ["SADD", "a", ...ints(1, 10)],
    ["SADD", "b", ...ints(5, 15)],
    ["SADD", "h", "5", "x"],
    ["SINTERCARD", "2", "a", "b"],
    ["SINTERCARD", "1", "a"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "3"],
    ["SINTERCARD", "2", "a", "b", "limit", "0"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "100"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "2"],
    ["SINTERCARD", "2", "a", "nokey"],
    ["SINTERCARD", "3", "h", "a", "b"],
    ["SINTERCARD", "0", "a"],
    ["SINTERCARD", "-1", "a"],
    ["SINTERCARD", "x", "a"],
    ["SINTERCARD", "3", "a", "b"],
    ["SINTERCARD", "9223372036854775807", "a"],
    ["SINTERCARD", "9223372036854775808", "a"],
    ["SINTERCARD", "1", "a", "LIMIT", "-1"],
    ["SINTERCARD", "1", "a", "LIMIT", "x"],
    ["SINTERCARD", "1", "a", "LIMIT"],
    ["SINTERCARD", "1", "a", "foo"],
    ["SINTERCARD", "1", "a", "b"],
    ["SET", "str", "v"],
    ["SINTERCARD", "2", "nokey", "str"],
    ["SINTERCARD", "1"],
    ["COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1"],
    ["COMMAND", "GETKEYS", "SINTERCARD", "1", "a", "b"],
    ["COMMAND", "GETKEYS", "SINTERCARD", "0", "a"],
    ["COMMAND", "GETKEYS", "SINTERCARD", "3", "a", "b"],
    ["COMMAND", "GETKEYSANDFLAGS", "SINTERCARD", "2", "a", "b"],
    ["COMMAND", "GETKEYS", "SINTERSTORE", "d", "a", "b"],
    ["COMMAND", "GETKEYS", "SMOVE", "a", "b", "m"],
  );
});

test.skipIf(!haveRedis)("COMMAND INFO and DOCS rows match Redis", async () => {
  const names =
    "sadd srem smembers sismember smismember scard spop srandmember smove sinter sintercard sinterstore sunion sunionstore sdiff sdiffstore sscan";
  for (const name of names.split(" ")) {
    await d.same("COMMAND", "INFO", name);
    await d.same("COMMAND", "DOCS", name);
  }
});

test.skipIf(!haveRedis)("SPOP and SRANDMEMBER errors and deterministic cases", async () => {
  await run(
    ["FLUSHALL"],
    ["SADD", "s", "3", "1", "2"],
    ["SPOP", "s", "-1"],
    ["SPOP", "nokey", "-1"],
    ["SPOP", "s", "x"],
    ["SPOP", "s", "9223372036854775808"],
    ["SPOP", "s", "1", "2"],
    ["SPOP", "s", "0"],
    ["SPOP", "nokey"],
    ["SPOP", "nokey", "5"],
    ["SRANDMEMBER", "s", "x"],
    ["SRANDMEMBER", "s", "1", "2"],
    ["SRANDMEMBER", "s", "-9223372036854775808"],
    ["SRANDMEMBER", "s", "9223372036854775808"],
    ["SRANDMEMBER", "s", "0"],
    ["SRANDMEMBER", "nokey"],
    ["SRANDMEMBER", "nokey", "5"],
    ["SRANDMEMBER", "nokey", "-5"],
    // count >= size: the whole set, an intset in ascending order.
    ["SRANDMEMBER", "s", "3"],
    ["SRANDMEMBER", "s", "9223372036854775807"],
    ["SET", "str", "v"],
    ["SPOP", "str"],
    ["SPOP", "str", "1"],
    ["SPOP", "str", "0"],
    ["SRANDMEMBER", "str"],
    ["SRANDMEMBER", "str", "2"],
    ["SADD", "one", "7"],
    ["SRANDMEMBER", "one"],
    ["SRANDMEMBER", "one", "-3"],
    ["SPOP", "one"],
    ["EXISTS", "one"],
    ["SPOP", "s", "100"],
    ["EXISTS", "s"],
    ["SPOP"],
    ["SRANDMEMBER"],
  );
  // An all-integer hashtable popped whole is replied via a temporary intset: ascending.
  await run(["CONFIG", "SET", "set-max-intset-entries", "2"], ["SADD", "h", "5", "3", "9", "1"], ["OBJECT", "ENCODING", "h"]);
  await run(["CONFIG", "SET", "set-max-intset-entries", "512"], ["SPOP", "h", "4"]);
});

test.skipIf(!haveRedis)("SPOP and SRANDMEMBER return members by Redis's distinctness rules", async () => {
  for (const [name, members] of [
    ["ints", ints(1, 50)],
    ["strs", Array.from({ length: 50 }, (_, i) => `m${i}`)],
  ] as const) {
    await run(["DEL", name], ["SADD", name, ...members]);
    const check = async (count: number, distinct: boolean) => {
      const reply = bulks(await call(d.respdClient, "SRANDMEMBER", name, String(count)));
      expect(reply.length).toBe(distinct ? Math.min(Math.abs(count), members.length) : Math.abs(count));
      for (const m of reply) expect(members).toContain(m);
      if (distinct) expect(new Set(reply).size).toBe(reply.length);
    };
    for (const count of [1, 5, 20, 40, 49, 50, 80]) await check(count, true);
    for (const count of [-1, -5, -200]) await check(count, false);
    // Negative counts repeat: 200 picks of 50 members cannot all be distinct.
    const many = bulks(await call(d.respdClient, "SRANDMEMBER", name, "-200"));
    expect(new Set(many).size).toBeLessThan(200);
    // Single picks vary.
    const singles = new Set<string>();
    for (let i = 0; i < 40; i++) singles.add(await call(d.respdClient, "SRANDMEMBER", name));
    expect(singles.size).toBeGreaterThan(5);

    // SPOP with counts in each strategy, then without count, until empty.
    const popped: string[] = [];
    for (const count of ["3", "30", "10"]) {
      const got = bulks(await call(d.respdClient, "SPOP", name, count));
      expect(got.length).toBe(Number(count));
      popped.push(...got);
      expect(await call(d.respdClient, "SCARD", name)).toBe(`:${members.length - popped.length}\r\n`);
    }
    for (;;) {
      const r = await call(d.respdClient, "SPOP", name);
      if (r === "$-1\r\n") break;
      popped.push(bulks(`*1\r\n${r}`)[0] as string);
    }
    expect(popped.slice().sort()).toEqual(members.slice().sort());
    expect(await call(d.respdClient, "EXISTS", name)).toBe(":0\r\n");
    await call(d.redisClient, "DEL", name);
  }
});

test.skipIf(!haveRedis)("SPOP of most of a hashtable rebuilds the rest with Redis's encoding, keeping the TTL", async () => {
  // 600 integers (a hashtable), popping 500 leaves 100: rebuilt as an intset, as in Redis.
  await run(["FLUSHALL"], ["SADD", "s", ...ints(1, 600)], ["EXPIRE", "s", "1000"], ["OBJECT", "ENCODING", "s"]);
  const [a, b] = await d.both("SPOP", "s", "500");
  expect(bulks(a).length).toBe(500);
  expect(bulks(b).length).toBe(500);
  await run(["SCARD", "s"], ["OBJECT", "ENCODING", "s"], ["TTL", "s"]);
  // Popping a few from a big set (one by one) keeps the hashtable.
  await run(["SADD", "t", ...ints(1, 600)]);
  await d.both("SPOP", "t", "10");
  await run(["SCARD", "t"], ["OBJECT", "ENCODING", "t"], ["TTL", "t"]);
});

test.skipIf(!haveRedis)("SSCAN", async () => {
  await run(
    ["FLUSHALL"],
    ["SADD", "i", ...ints(1, 30)],
    ["SSCAN", "i", "0"],
    ["SSCAN", "i", "0", "COUNT", "2"],
    ["SSCAN", "i", "77", "MATCH", "1*"],
    ["SSCAN", "i", "0", "match", "*", "count", "1"],
    ["SSCAN", "i", "0", "COUNT", "0"],
    ["SSCAN", "i", "0", "COUNT", "x"],
    ["SSCAN", "i", "0", "TYPE", "set"],
    ["SSCAN", "i", "0", "MATCH"],
    ["SSCAN", "i", "x"],
    ["SSCAN", "i", "-1"],
    ["SSCAN", "nokey", "0", "COUNT", "0"],
    ["SSCAN", "nokey", "x"],
    ["SET", "str", "v"],
    ["SSCAN", "str", "0", "COUNT", "0"],
    ["SSCAN", "str", "x"],
    ["SSCAN", "i"],
  );
  const members = Array.from({ length: 500 }, (_, i) => `m${i}`);
  await run(["SADD", "h", ...members, "x1", "x2"]);
  for (const c of [d.redisClient, d.respdClient]) {
    const [all, calls] = await sscanAll(c, "h", "COUNT", "20");
    expect(new Set(all).size).toBe(502);
    expect(calls).toBeGreaterThan(5);
    const [matched] = await sscanAll(c, "h", "MATCH", "x*");
    expect(matched.sort()).toEqual(["x1", "x2"]);
  }
});

test.skipIf(!haveRedis)("RESP3: set replies are `~`, SRANDMEMBER and SMISMEMBER arrays", async () => {
  const [redis, respd] = await d.connectPair();
  for (const c of [redis, respd]) await call(c, "HELLO", "3");
  const both = async (...args: string[]) => {
    const want = await call(redis, ...args);
    expect({ args, reply: await call(respd, ...args) }).toEqual({ args, reply: want });
  };
  for (const args of [
    ["FLUSHALL"],
    ["SADD", "a", "3", "1", "2"],
    ["SADD", "b", "2", "3", "4"],
    ["SMEMBERS", "a"],
    ["SMEMBERS", "nokey"],
    ["SINTER", "a", "b"],
    ["SINTER", "a", "nokey"],
    ["SUNION", "a", "b"],
    ["SDIFF", "a", "b"],
    ["SDIFF", "nokey", "a"],
    ["SINTERCARD", "2", "a", "b"],
    ["SMISMEMBER", "a", "1", "9"],
    ["SRANDMEMBER", "a", "5"],
    ["SRANDMEMBER", "a", "0"],
    ["SRANDMEMBER", "nokey", "5"],
    ["SRANDMEMBER", "nokey"],
    ["SSCAN", "a", "0"],
    ["SSCAN", "nokey", "0"],
    ["SPOP", "a", "0"],
    ["SPOP", "nokey", "2"],
    ["SPOP", "nokey"],
    ["SPOP", "a", "10"],
  ]) {
    await both(...args);
  }
  redis.close();
  respd.close();
});

/** A random set command over a few keys, mixing integers, strings, edge members and wrong types. */
function randomCommand(r: () => number, keys: string[]): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const key = () => (r() < 0.08 ? "str" : r() < 0.05 ? "nokey" : pick(keys));
  const member = () => {
    const x = r();
    if (x < 0.6) return String(Math.floor(r() * 24) - 4);
    if (x < 0.85) return pick(["a", "b", "c", "d", "e", "f"]);
    return pick(["-0", "01", "+1", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.5", ""]);
  };
  const members = (min: number) => Array.from({ length: min + Math.floor(r() * 5) }, member);
  const someKeys = () => Array.from({ length: 1 + Math.floor(r() * 3) }, key);
  switch (Math.floor(r() * 22)) {
    case 0:
    case 1:
    case 2:
      return ["SADD", key(), ...members(1)];
    case 3:
    case 4:
      return ["SREM", key(), ...members(1)];
    case 5:
      return ["SCARD", key()];
    case 6:
      return ["SISMEMBER", key(), member()];
    case 7:
      return ["SMISMEMBER", key(), ...members(1)];
    case 8:
      return ["SMOVE", key(), key(), member()];
    case 9:
      return ["SINTER", ...someKeys()];
    case 10:
      return ["SUNION", ...someKeys()];
    case 11:
      return ["SDIFF", ...someKeys()];
    case 12:
      return ["SINTERSTORE", key(), ...someKeys()];
    case 13:
      return ["SUNIONSTORE", key(), ...someKeys()];
    case 14:
      return ["SDIFFSTORE", key(), ...someKeys()];
    case 15: {
      const ks = someKeys();
      const limit = r() < 0.5 ? ["LIMIT", String(Math.floor(r() * 4) - 1)] : [];
      return ["SINTERCARD", String(r() < 0.1 ? 0 : ks.length), ...ks, ...limit];
    }
    case 16:
      return ["SMEMBERS", key()];
    case 17:
      // Deterministic only when the count covers the whole set.
      return [pick(["SPOP", "SRANDMEMBER"]), key(), pick(["1000", "0", "-0", "x"])];
    case 18:
      return ["OBJECT", "ENCODING", key()];
    case 19:
      return r() < 0.5 ? ["SET", "str", "v"] : ["DEL", key()];
    case 20:
      return ["SSCAN", key(), "0", "COUNT", "1000"];
    default:
      return ["TYPE", key()];
  }
}

/** Replies whose member order is unspecified once a hashtable is involved. */
const UNORDERED = new Set(["SINTER", "SUNION", "SDIFF", "SMEMBERS", "SPOP", "SRANDMEMBER", "SSCAN"]);

test.skipIf(!haveRedis)(
  "a seeded random sequence of set commands matches Redis",
  async () => {
    const seed = seedFrom("SETS_SEED");
    const r = rng(seed);
    const keys = ["s0", "s1", "s2", "s3"];
    const log: string[][] = [];
    try {
      await replayable("SETS_SEED", seed, log, 8, async () => {
        await run(["FLUSHALL"], ["CONFIG", "SET", "set-max-intset-entries", "8"]);
        for (let i = 0; i < 3000; i++) {
          const cmd = randomCommand(r, keys);
          log.push(cmd);
          if (UNORDERED.has(cmd[0] as string)) await d.sameUnordered(...cmd);
          else await d.same(...cmd);
        }
        // Canonical dump: every key's type, encoding and sorted members.
        await d.same("DBSIZE");
        for (const k of [...keys, "str", "nokey"]) {
          await d.same("TYPE", k);
          await d.same("OBJECT", "ENCODING", k);
          const [a, b] = await d.both("SMEMBERS", k);
          if (a.startsWith("*")) expect({ k, members: bulks(b).sort() }).toEqual({ k, members: bulks(a).sort() });
          else expect(b).toBe(a);
        }
      });
    } finally {
      await run(["CONFIG", "SET", "set-max-intset-entries", "512"]);
    }
  },
  30000,
);
