/**
 * Hash commands against the real redis-server. While a hash is small
 * (listpack) every reply, HGETALL/HKEYS/HSCAN order included, must be byte
 * identical; for a hashtable the order is unspecified, so those replies are
 * compared as sets of pairs and HRANDFIELD/HSCAN are checked by their
 * guarantees. Ends with a seeded random sequence (HASH_SEED=<n> replays one)
 * and a canonical dump of both keyspaces.
 */
import { beforeEach, expect, test } from "bun:test";
import { type Differential, rng } from "./helpers/diff.ts";
import { call, type RawClient } from "./helpers/raw.ts";
import { replayable, seedFrom, withDifferential } from "./helpers/suite.ts";

let d: Differential;
withDifferential((started) => {
  d = started;
});

beforeEach(async () => {
  await d.same("FLUSHALL");
  await d.same("CONFIG", "SET", "hash-max-listpack-entries", "512");
  await d.same("CONFIG", "SET", "hash-max-listpack-value", "64");
});

const run = (...commands: string[][]) => d.sequence(commands);

// ---------------------------------------------------------------------------
// A small RESP reader, so unordered replies can be compared by content.

type Parsed = string | number | null | Parsed[] | { error: string } | { map: Parsed[] };

function parse(raw: string): Parsed {
  let at = 0;
  const line = (): string => {
    const end = raw.indexOf("\r\n", at);
    const s = raw.slice(at, end);
    at = end + 2;
    return s;
  };
  const value = (): Parsed => {
    const type = raw[at++];
    const head = line();
    switch (type) {
      case "+":
        return head;
      case "-":
        return { error: head };
      case ":":
        return Number(head);
      case "_":
        return null;
      case "$": {
        const n = Number(head);
        if (n < 0) return null;
        const s = raw.slice(at, at + n);
        at += n + 2;
        return s;
      }
      case "*": {
        const n = Number(head);
        if (n < 0) return null;
        return Array.from({ length: n }, value);
      }
      case "%": {
        const n = Number(head);
        return { map: Array.from({ length: n * 2 }, value) };
      }
      default:
        throw new Error(`unexpected RESP type ${type} in ${JSON.stringify(raw)}`);
    }
  };
  return value();
}

/** Flat field/value list -> sorted "field=value" strings. */
function pairSet(flat: Parsed[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push(`${JSON.stringify(flat[i])}=${JSON.stringify(flat[i + 1])}`);
  return out.sort();
}

function strings(p: Parsed): string[] {
  if (!Array.isArray(p)) throw new Error(`expected an array, got ${JSON.stringify(p)}`);
  return p as string[];
}

async function encodingOf(key: string): Promise<string> {
  const [a, b] = await d.both("OBJECT", "ENCODING", key);
  expect({ key, encoding: b }).toEqual({ key, encoding: a });
  return a;
}

const LISTPACK = "$8\r\nlistpack\r\n";
const HASHTABLE = "$9\r\nhashtable\r\n";

/**
 * Compares a whole-hash reply: byte for byte while the hash is a listpack,
 * as sets (of pairs for HGETALL) once it is a hashtable.
 */
async function sameWhole(cmd: "HGETALL" | "HKEYS" | "HVALS", key: string): Promise<void> {
  if ((await encodingOf(key)) === LISTPACK) {
    await d.same(cmd, key);
    return;
  }
  const [a, b] = await d.both(cmd, key);
  if (cmd === "HGETALL") expect({ key, pairs: pairSet(strings(parse(b))) }).toEqual({ key, pairs: pairSet(strings(parse(a))) });
  else expect({ key, items: strings(parse(b)).sort() }).toEqual({ key, items: strings(parse(a)).sort() });
}

/** A full HSCAN iteration on one server: every field/value pair seen, sorted and deduplicated. */
async function hscanAll(c: RawClient, key: string, ...opts: string[]): Promise<string[]> {
  const seen = new Set<string>();
  let cursor = "0";
  let rounds = 0;
  do {
    const reply = parse(await call(c, "HSCAN", key, cursor, ...opts)) as [string, string[]];
    cursor = reply[0];
    for (const p of pairSet(reply[1])) seen.add(p);
    if (++rounds > 100000) throw new Error("HSCAN does not terminate");
  } while (cursor !== "0");
  return [...seen].sort();
}

async function hgetall(c: RawClient, key: string): Promise<string[]> {
  return pairSet(strings(parse(await call(c, "HGETALL", key))));
}

/** Fills `key` with n fields f0..f{n-1} = v0.. on both servers. */
async function fill(key: string, n: number, prefix = "f"): Promise<void> {
  for (let i = 0; i < n; i += 100) {
    const args = ["HSET", key];
    for (let j = i; j < Math.min(n, i + 100); j++) args.push(`${prefix}${j}`, `v${j}`);
    await d.same(...args);
  }
}

// ---------------------------------------------------------------------------

test("HSET, HGET, HMGET, HMSET, HSETNX, HLEN, HSTRLEN, HEXISTS on a listpack hash", async () => {
  await run(
    ["HSET", "h", "a", "1"],
    ["HSET", "h", "b", "2", "c", "3", "a", "10"],
    ["HSET", "h", "b", "2", "b", "3"],
    ["HGET", "h", "a"],
    ["HGET", "h", "zz"],
    ["HGET", "nokey", "a"],
    ["HMGET", "h", "a", "zz", "c", "a"],
    ["HMGET", "nokey", "a", "b"],
    ["HMSET", "h", "d", "4", "e", "\x00\xff\r\n"],
    ["HMSET", "h2", "x", "y"],
    ["HSETNX", "h", "a", "new"],
    ["HSETNX", "h", "z", "new"],
    ["HSETNX", "h3", "f", "v"],
    ["HLEN", "h"],
    ["HLEN", "nokey"],
    ["HSTRLEN", "h", "e"],
    ["HSTRLEN", "h", "a"],
    ["HSTRLEN", "h", "zz"],
    ["HSTRLEN", "nokey", "a"],
    ["HEXISTS", "h", "a"],
    ["HEXISTS", "h", "zz"],
    ["HEXISTS", "nokey", "a"],
    ["HGETALL", "h"],
    ["HKEYS", "h"],
    ["HVALS", "h"],
    ["HGETALL", "nokey"],
    ["HKEYS", "nokey"],
    ["HVALS", "nokey"],
    ["HSET", "h", "", ""],
    ["HGET", "h", ""],
    ["HSTRLEN", "h", ""],
    ["HGETALL", "h"],
    ["TYPE", "h"],
    ["OBJECT", "ENCODING", "h"],
  );
});

test("HDEL keeps the listpack order and removes an emptied hash", async () => {
  await run(
    ["HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"],
    ["HDEL", "h", "b"],
    ["HGETALL", "h"],
    ["HSET", "h", "b", "5", "a", "6"],
    ["HGETALL", "h"],
    ["HDEL", "h", "zz", "a", "a"],
    ["HDEL", "nokey", "a"],
    ["HDEL", "h", "c", "d", "b", "zz"],
    ["EXISTS", "h"],
    ["HGETALL", "h"],
    ["HLEN", "h"],
  );
});

test("arity and wrong-type errors", async () => {
  await run(
    ["SET", "s", "x"],
    ["HSET", "h"],
    ["HSET", "h", "a"],
    ["HSET", "h", "a", "1", "b"],
    ["HMSET", "h", "a", "1", "b"],
    ["HMSET", "h", "a"],
    ["EXISTS", "h"],
    ["HSET", "s", "a", "1", "b"],
    ["HSETNX", "h", "a"],
    ["HGET", "h"],
    ["HMGET", "h"],
    ["HDEL", "h"],
    ["HLEN"],
    ["HSTRLEN", "h"],
    ["HEXISTS", "h"],
    ["HKEYS"],
    ["HVALS", "a", "b"],
    ["HGETALL"],
    ["HINCRBY", "h", "f"],
    ["HINCRBYFLOAT", "h", "f"],
    ["HRANDFIELD"],
    ["HSCAN", "h"],
  );
  for (const c of [
    ["HSET", "s", "a", "1"],
    ["HMSET", "s", "a", "1"],
    ["HSETNX", "s", "a", "1"],
    ["HGET", "s", "a"],
    ["HMGET", "s", "a"],
    ["HDEL", "s", "a"],
    ["HLEN", "s"],
    ["HSTRLEN", "s", "a"],
    ["HEXISTS", "s", "a"],
    ["HKEYS", "s"],
    ["HVALS", "s"],
    ["HGETALL", "s"],
    ["HINCRBY", "s", "a", "1"],
    ["HINCRBYFLOAT", "s", "a", "1"],
    ["HRANDFIELD", "s"],
    ["HRANDFIELD", "s", "1"],
    ["HRANDFIELD", "s", "-3", "WITHVALUES"],
    ["HRANDFIELD", "s", "0"],
    ["HSCAN", "s", "0"],
  ])
    await d.same(...c);
  await run(["HSET", "h", "a", "1"], ["GET", "h"], ["INCR", "h"], ["APPEND", "h", "x"], ["TYPE", "h"]);
});

test("HINCRBY: integers, overflow and non-integer values", async () => {
  await run(
    ["HINCRBY", "h", "n", "5"],
    ["HINCRBY", "h", "n", "-7"],
    ["HINCRBY", "h", "n", "0"],
    ["HINCRBY", "new", "n", "-9223372036854775808"],
    ["HINCRBY", "new", "n", "-1"],
    ["HINCRBY", "new", "n", "9223372036854775807"],
    ["HINCRBY", "new", "n", "9223372036854775807"],
    ["HSET", "h", "big", "9223372036854775806"],
    ["HINCRBY", "h", "big", "1"],
    ["HINCRBY", "h", "big", "1"],
    ["HINCRBY", "h", "big", "-9223372036854775807"],
    ["HINCRBY", "h", "big", "9007199254740993"],
    ["HINCRBY", "h", "n", "9223372036854775808"],
    ["HINCRBY", "h", "n", "1.5"],
    ["HINCRBY", "h", "n", " 1"],
    ["HINCRBY", "h", "n", ""],
    ["HINCRBY", "nokey", "n", "x"],
    ["EXISTS", "nokey"],
    ["HSET", "h", "s", "abc", "sp", " 1", "z", "007", "f", "1.0", "e", ""],
    ["HINCRBY", "h", "s", "1"],
    ["HINCRBY", "h", "sp", "1"],
    ["HINCRBY", "h", "z", "1"],
    ["HINCRBY", "h", "f", "1"],
    ["HINCRBY", "h", "e", "1"],
    ["HGETALL", "h"],
    ["HGETALL", "new"],
  );
});

test("HINCRBYFLOAT: long double arithmetic, formatting and errors", async () => {
  await run(
    ["HINCRBYFLOAT", "h", "f", "10.5"],
    ["HINCRBYFLOAT", "h", "f", "0.1"],
    ["HINCRBYFLOAT", "h", "f", "-5.0e3"],
    ["HINCRBYFLOAT", "h", "f", "0x10"],
    ["HINCRBYFLOAT", "h", "g", "3.0e3"],
    ["HINCRBYFLOAT", "h", "g", "1e-20"],
    ["HINCRBYFLOAT", "h", "i", "1"],
    ["HSET", "h", "int", "17", "s", "abc", "sp", "1 ", "inf", "inf", "neg", "-0"],
    ["HINCRBYFLOAT", "h", "int", "1.5"],
    ["HINCRBYFLOAT", "h", "s", "1"],
    ["HINCRBYFLOAT", "h", "sp", "1"],
    ["HINCRBYFLOAT", "h", "inf", "1"],
    ["HINCRBYFLOAT", "h", "neg", "0"],
    ["HINCRBYFLOAT", "h", "f", "inf"],
    ["HINCRBYFLOAT", "h", "f", "-inf"],
    ["HINCRBYFLOAT", "h", "f", "nan"],
    ["HINCRBYFLOAT", "h", "f", "abc"],
    ["HINCRBYFLOAT", "h", "f", ""],
    ["HINCRBYFLOAT", "h", "f", " 1"],
    ["HINCRBYFLOAT", "b", "big", "1e4931"],
    ["HINCRBYFLOAT", "b", "big", "1e4932"],
    ["HINCRBYFLOAT", "b", "big", "1e4932"],
    ["HINCRBYFLOAT", "b", "big", "1e4933"],
    ["HINCRBYFLOAT", "b", "small", "1e-4950"],
    ["HGET", "b", "small"],
    ["OBJECT", "ENCODING", "b"],
    ["HINCRBYFLOAT", "nokey", "f", "nan"],
    ["EXISTS", "nokey"],
    ["HGETALL", "h"],
    ["OBJECT", "ENCODING", "h"],
  );
});

test("listpack to hashtable conversion follows the thresholds, one way", async () => {
  const long = "x".repeat(65);
  const edge = "y".repeat(64);
  await run(
    ["HSET", "a", "f", edge, edge, "v"],
    ["OBJECT", "ENCODING", "a"],
    ["HSET", "a", "g", long],
    ["OBJECT", "ENCODING", "a"],
    ["HDEL", "a", "g"],
    ["OBJECT", "ENCODING", "a"],
    ["HSET", "b", long, "1"],
    ["OBJECT", "ENCODING", "b"],
    ["HSET", "c", "f", "1"],
    ["HSETNX", "c", "f", long],
    ["OBJECT", "ENCODING", "c"],
    ["HSETNX", "c", "g", long],
    ["OBJECT", "ENCODING", "c"],
    ["HSET", "d", "f", "1"],
    ["HINCRBY", "d", long, "1"],
    ["OBJECT", "ENCODING", "d"],
    ["HSET", "e", "f", "1"],
    ["HINCRBYFLOAT", "e", "f", "1e70"],
    ["OBJECT", "ENCODING", "e"],
    ["HSET", "e2", "f", "1"],
    ["HINCRBYFLOAT", "e2", "f", "1e60"],
    ["OBJECT", "ENCODING", "e2"],
    ["HMSET", "g", "a", "1", "b", long],
    ["OBJECT", "ENCODING", "g"],
  );
  await fill("big", 512);
  await run(["OBJECT", "ENCODING", "big"], ["HSET", "big", "one-more", "v"], ["OBJECT", "ENCODING", "big"], ["HLEN", "big"]);
  await run(
    ["CONFIG", "SET", "hash-max-listpack-entries", "3"],
    ["CONFIG", "SET", "hash-max-listpack-value", "4"],
    ["HSET", "t", "a", "1", "b", "2", "c", "3"],
    ["OBJECT", "ENCODING", "t"],
    ["HSET", "t", "d", "4"],
    ["OBJECT", "ENCODING", "t"],
    ["HDEL", "t", "a", "b", "c"],
    ["OBJECT", "ENCODING", "t"],
    ["HSET", "u", "abcd", "1234"],
    ["OBJECT", "ENCODING", "u"],
    ["HSET", "u", "x", "12345"],
    ["OBJECT", "ENCODING", "u"],
    ["CONFIG", "SET", "hash-max-listpack-entries", "0"],
    ["HSET", "z", "a", "1"],
    ["OBJECT", "ENCODING", "z"],
  );
});

test("a hashtable hash answers like Redis (whole-hash replies compared as sets)", async () => {
  await fill("h", 1000);
  await run(
    ["OBJECT", "ENCODING", "h"],
    ["HLEN", "h"],
    ["HGET", "h", "f500"],
    ["HMGET", "h", "f1", "nope", "f999"],
    ["HSET", "h", "f1", "changed", "new", "x"],
    ["HSETNX", "h", "f2", "no"],
    ["HSETNX", "h", "new2", "yes"],
    ["HSTRLEN", "h", "f1"],
    ["HEXISTS", "h", "f3"],
    ["HINCRBY", "h", "cnt", "3"],
    ["HINCRBYFLOAT", "h", "cnt", "0.25"],
    ["HDEL", "h", "f4", "f5", "nope"],
    ["HLEN", "h"],
  );
  for (const cmd of ["HGETALL", "HKEYS", "HVALS"] as const) await sameWhole(cmd, "h");
  // Deleting all but one field keeps the hashtable encoding and finally removes the key.
  const del = ["HDEL", "h"];
  for (let i = 0; i < 1000; i++) del.push(`f${i}`);
  await run(del, ["OBJECT", "ENCODING", "h"]);
  await sameWhole("HGETALL", "h");
  await run(["HDEL", "h", "new", "new2", "cnt"], ["EXISTS", "h"]);
});

test("HGETALL is a map and HRANDFIELD WITHVALUES nests pairs in RESP3", async () => {
  const [redis, respd] = await d.connectPair();
  for (const c of [redis, respd]) await call(c, "HELLO", "3");
  const both = async (...args: string[]) => {
    const want = await call(redis, ...args);
    expect({ args, reply: await call(respd, ...args) }).toEqual({ args, reply: want });
    return want;
  };
  await both("HSET", "h", "a", "1", "b", "2", "c", "3");
  await both("HGETALL", "h");
  await both("HGETALL", "nokey");
  await both("HKEYS", "nokey");
  await both("HGET", "h", "nope");
  await both("HMGET", "h", "a", "nope");
  await both("HRANDFIELD", "h", "3", "WITHVALUES");
  await both("HRANDFIELD", "h", "10", "WITHVALUES");
  await both("HRANDFIELD", "h", "10");
  await both("HRANDFIELD", "nokey");
  await both("HRANDFIELD", "nokey", "3", "WITHVALUES");
  await both("HRANDFIELD", "h", "0", "WITHVALUES");
  await both("HSCAN", "h", "0");
  await both("HINCRBYFLOAT", "h", "a", "1.5");
  await both("HSET", "one", "only", "v");
  await both("HRANDFIELD", "one", "-3", "WITHVALUES");
  await both("HRANDFIELD", "one", "1", "WITHVALUES");
  const neg = parse(await call(respd, "HRANDFIELD", "h", "-5", "WITHVALUES")) as Parsed[];
  expect(neg.length).toBe(5);
  for (const pair of neg) expect(Array.isArray(pair) && pair.length === 2).toBe(true);
  // The same on a hashtable: nested pairs that belong to the hash.
  await both("CONFIG", "SET", "hash-max-listpack-entries", "1");
  await both("HSET", "t", "a", "1", "b", "2", "c", "3");
  await both("OBJECT", "ENCODING", "t");
  for (const count of ["2", "-4", "1"]) {
    const got = parse(await call(respd, "HRANDFIELD", "t", count, "WITHVALUES")) as string[][];
    expect(got.length).toBe(Math.abs(Number(count)));
    for (const [f, v] of got) expect({ a: "1", b: "2", c: "3" }[f as "a"]).toBe(v as string);
  }
  const map = parse(await call(respd, "HGETALL", "t")) as { map: string[] };
  expect(pairSet(map.map)).toEqual(pairSet(["a", "1", "b", "2", "c", "3"]));
  redis.close();
  respd.close();
});

test("HRANDFIELD: argument errors and the deterministic cases", async () => {
  await run(
    ["HSET", "h", "a", "1", "b", "2", "c", "3"],
    ["SET", "s", "x"],
    ["HRANDFIELD", "nokey"],
    ["HRANDFIELD", "nokey", "5"],
    ["HRANDFIELD", "nokey", "-5", "WITHVALUES"],
    ["HRANDFIELD", "h", "x"],
    ["HRANDFIELD", "nokey", "x"],
    ["HRANDFIELD", "h", "1.5"],
    ["HRANDFIELD", "h", "9223372036854775808"],
    ["HRANDFIELD", "h", "-9223372036854775808"],
    ["HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES"],
    ["HRANDFIELD", "h", "1", "x"],
    ["HRANDFIELD", "nokey", "1", "x"],
    ["HRANDFIELD", "s", "1", "foo"],
    ["HRANDFIELD", "h", "1", "WITHVALUES", "x"],
    ["HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"],
    ["HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"],
    ["HRANDFIELD", "h", "9223372036854775807", "WITHVALUES"],
    ["HRANDFIELD", "h", "4611686018427387903", "withvalues"],
    ["HRANDFIELD", "h", "9223372036854775807"],
    ["HRANDFIELD", "h", "3"],
    ["HRANDFIELD", "h", "3", "WITHVALUES"],
    ["HRANDFIELD", "h", "0"],
    ["HRANDFIELD", "h", "0", "WITHVALUES"],
    ["HRANDFIELD", "s", "0"],
    ["HSET", "one", "k", "v"],
    ["HRANDFIELD", "one"],
    ["HRANDFIELD", "one", "1"],
    ["HRANDFIELD", "one", "-3"],
    ["HRANDFIELD", "one", "-2", "WITHVALUES"],
  );
  // respd builds each reply whole, so it refuses an absurd repeat count (Redis would exhaust memory).
  expect(await call(d.respdClient, "HRANDFIELD", "h", "-9223372036854775807")).toStartWith("-ERR");
  expect(await call(d.respdClient, "PING")).toBe("+PONG\r\n");
});

test("HRANDFIELD: samples are members, distinct when asked, in listpack order for a small hash", async () => {
  await fill("small", 20);
  await fill("big", 600);
  const c = d.respdClient;
  const fields = (n: number) => new Set(Array.from({ length: n }, (_, i) => `f${i}`));
  for (const [key, n] of [
    ["small", 20],
    ["big", 600],
  ] as const) {
    const all = fields(n);
    for (const count of [1, 2, 5, n - 1, Math.floor(n / 2), Math.floor(n / 3) - 1]) {
      const got = strings(parse(await call(c, "HRANDFIELD", key, String(count))));
      expect(got.length).toBe(count);
      expect(new Set(got).size).toBe(count);
      for (const f of got) expect(all.has(f)).toBe(true);
      if (key === "small") {
        const idx = got.map((f) => Number(f.slice(1)));
        expect(idx).toEqual([...idx].sort((a, b) => a - b));
      }
      const withValues = strings(parse(await call(c, "HRANDFIELD", key, String(count), "WITHVALUES")));
      expect(withValues.length).toBe(count * 2);
      for (let i = 0; i < withValues.length; i += 2) expect(withValues[i + 1]).toBe(`v${(withValues[i] as string).slice(1)}`);
    }
    const repeated = strings(parse(await call(c, "HRANDFIELD", key, String(-3 * n))));
    expect(repeated.length).toBe(3 * n);
    for (const f of repeated) expect(all.has(f)).toBe(true);
    // With 3n draws over n fields, a fair sampler sees most of them.
    expect(new Set(repeated).size).toBeGreaterThan(n / 2);
    const whole = strings(parse(await call(c, "HRANDFIELD", key, String(n + 5))));
    expect(new Set(whole)).toEqual(all);
    const one = parse(await call(c, "HRANDFIELD", key));
    expect(all.has(one as string)).toBe(true);
  }
  // count >= size on a listpack: the whole hash in insertion order, byte for byte.
  await run(["HRANDFIELD", "small", "20"], ["HRANDFIELD", "small", "100", "WITHVALUES"]);
});

test("HSCAN: a listpack comes back whole with cursor 0; options and errors", async () => {
  await run(
    ["HSET", "h", "a1", "1", "b1", "2", "a2", "3", "c", "4"],
    ["SET", "s", "x"],
    ["HSCAN", "h", "0"],
    ["HSCAN", "h", "17"],
    ["HSCAN", "h", "0", "COUNT", "1"],
    ["HSCAN", "h", "0", "MATCH", "a*"],
    ["HSCAN", "h", "0", "match", "*"],
    ["HSCAN", "h", "0", "MATCH", "b*", "COUNT", "5", "MATCH", "a*"],
    ["HSCAN", "h", "0", "MATCH", "["],
    ["HSCAN", "h", "0", "MATCH", "zz*"],
    ["HSCAN", "h", "0", "COUNT", "0"],
    ["HSCAN", "h", "0", "COUNT", "-1"],
    ["HSCAN", "h", "0", "COUNT", "x"],
    ["HSCAN", "h", "0", "COUNT", "9223372036854775808"],
    ["HSCAN", "h", "0", "COUNT"],
    ["HSCAN", "h", "0", "MATCH"],
    ["HSCAN", "h", "0", "TYPE", "string"],
    ["HSCAN", "h", "0", "NOVALUES"],
    ["HSCAN", "h", "x"],
    ["HSCAN", "h", "-1"],
    ["HSCAN", "h", "18446744073709551615"],
    ["HSCAN", "h", "18446744073709551616"],
    ["HSCAN", "h", " 1"],
    ["HSCAN", "nokey", "0"],
    ["HSCAN", "nokey", "0", "COUNT", "0"],
    ["HSCAN", "nokey", "0", "FOO"],
    ["HSCAN", "nokey", "x", "FOO"],
    ["HSCAN", "s", "x"],
    ["HSCAN", "s", "0"],
  );
});

test("HSCAN over a hashtable: a full iteration returns every pair, MATCH filters fields", async () => {
  await fill("h", 700);
  await fill("h", 50, "other");
  expect(await encodingOf("h")).toBe(HASHTABLE);
  const want = await hgetall(d.redisClient, "h");
  expect(await hscanAll(d.respdClient, "h")).toEqual(want);
  expect(await hscanAll(d.respdClient, "h", "COUNT", "1")).toEqual(want);
  expect(await hscanAll(d.respdClient, "h", "COUNT", "1000")).toEqual(want);
  expect(await hscanAll(d.respdClient, "h", "MATCH", "other*")).toEqual(await hscanAll(d.redisClient, "h", "MATCH", "other*"));
  // COUNT is honoured roughly: a small COUNT gives a small page.
  const page = parse(await call(d.respdClient, "HSCAN", "h", "0", "COUNT", "4")) as [string, string[]];
  expect(page[0]).not.toBe("0");
  expect(page[1].length).toBeLessThan(40);
  await run(["HSCAN", "h", "x"], ["HSCAN", "h", "0", "COUNT", "0"], ["HSCAN", "h", "0", "TYPE", "hash"]);
  // Fields present for the whole scan are returned even when others come and go between calls.
  const seen = new Set<string>();
  let cursor = "0";
  let i = 0;
  do {
    const reply = parse(await call(d.respdClient, "HSCAN", "h", cursor, "COUNT", "20")) as [string, string[]];
    cursor = reply[0];
    for (let j = 0; j < reply[1].length; j += 2) seen.add(reply[1][j] as string);
    await call(d.respdClient, "HSET", "h", `churn${i}`, "x");
    if (i % 2 === 0) await call(d.respdClient, "HDEL", "h", `churn${i - 2}`);
    i++;
  } while (cursor !== "0");
  for (let j = 0; j < 700; j++) expect(seen.has(`f${j}`)).toBe(true);
});

test("COMMAND INFO and COMMAND DOCS of every hash command match Redis", async () => {
  for (const name of [
    "hset",
    "hsetnx",
    "hget",
    "hmget",
    "hmset",
    "hdel",
    "hlen",
    "hstrlen",
    "hexists",
    "hkeys",
    "hvals",
    "hgetall",
    "hincrby",
    "hincrbyfloat",
    "hrandfield",
    "hscan",
  ]) {
    await d.same("COMMAND", "INFO", name);
    await d.same("COMMAND", "DOCS", name);
  }
});

test("COPY, RENAME and DUMP-free keyspace commands carry hashes", async () => {
  await fill("h", 5);
  await fill("big", 600);
  await run(
    ["COPY", "h", "h2"],
    ["HSET", "h2", "f0", "changed"],
    ["HGET", "h", "f0"],
    ["HGETALL", "h2"],
    ["OBJECT", "ENCODING", "h2"],
    ["COPY", "big", "big2"],
    ["OBJECT", "ENCODING", "big2"],
    ["HDEL", "big2", "f1"],
    ["HLEN", "big"],
    ["HLEN", "big2"],
    ["RENAME", "h2", "h3"],
    ["HGETALL", "h3"],
    ["TYPE", "h3"],
  );
  await d.sameUnordered("SCAN", "0", "TYPE", "hash", "COUNT", "100");
});

// ---------------------------------------------------------------------------
// Seeded random sequence.

const FIELDS = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "", "\x00\xff", "x".repeat(65)];
const VALUES = [
  "1",
  "0",
  "-5",
  "10",
  "1.5",
  "abc",
  "",
  " 1",
  "007",
  "9223372036854775807",
  "-9223372036854775808",
  "1e10",
  "y".repeat(70),
  "\r\n",
];
const INCRS = ["1", "-1", "0", "100", "9223372036854775807", "-9223372036854775808", "abc", "1.5", ""];
const FLOATS = ["0.1", "-0.1", "1e10", "1e400", "inf", "nan", "abc", "0x10", "1e-20", "5", "3.0e2", " 1", "-2.5"];

function randomCommand(r: () => number, keys: string[]): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  // Long fields and values are rare, so hashes stay listpack for a while before converting.
  const field = () => (r() < 0.97 ? pick(FIELDS.slice(0, -1)) : pick(FIELDS));
  const value = () => (r() < 0.97 ? pick(VALUES.filter((v) => v.length < 64)) : pick(VALUES));
  const k = pick(keys);
  const fields = (n: number) => Array.from({ length: n }, field);
  switch (Math.floor(r() * 22)) {
    case 0:
    case 1: {
      const args = ["HSET", k];
      for (let n = 1 + Math.floor(r() * 4); n > 0; n--) args.push(field(), value());
      if (r() < 0.05) args.pop();
      return args;
    }
    case 2:
      return ["HMSET", k, field(), value(), field(), value()];
    case 3:
      return ["HSETNX", k, field(), value()];
    case 4:
      return ["HGET", k, field()];
    case 5:
      return ["HMGET", k, ...fields(3)];
    case 6:
      return ["HDEL", k, ...fields(1 + Math.floor(r() * 3))];
    case 7:
      return ["HLEN", k];
    case 8:
      return ["HSTRLEN", k, field()];
    case 9:
      return ["HEXISTS", k, field()];
    case 10:
      return ["HGETALL", k];
    case 11:
      return [pick(["HKEYS", "HVALS"]), k];
    case 12:
    case 13:
      return ["HINCRBY", k, field(), pick(INCRS)];
    case 14:
      return ["HINCRBYFLOAT", k, field(), pick(FLOATS)];
    case 15:
      return ["HRANDFIELD", k, ...pick([[], ["1"], ["3"], ["50"], ["-4"], ["0"], ["2", "WITHVALUES"], ["x"], ["1", "foo"]])];
    case 16:
      return ["HSCAN", k, "0", ...pick([[], ["MATCH", "[a-f]*"], ["COUNT", "3"], ["COUNT", "0"]])];
    case 17:
      return ["OBJECT", "ENCODING", k];
    case 18:
      return r() < 0.3 ? ["DEL", k] : ["TYPE", k];
    case 19:
      return r() < 0.3 ? ["SET", k, "str"] : ["EXISTS", k];
    case 20:
      return ["HSET", k, ...fields(4).flatMap((f, i) => [`${f}${i}`, value()])];
    default:
      return ["HLEN", k];
  }
}

/** How many unordered checks met a hashtable, so the random run provably covers both encodings. */
let hashtableChecks = 0;

/** Checks one random command whose reply order may legitimately differ. */
async function checkUnordered(cmd: string[]): Promise<void> {
  const key = cmd[1] as string;
  const [enc] = await d.both("OBJECT", "ENCODING", key);
  // Only a hashtable answers in an unspecified order; anything else (listpack, missing, wrong type) is exact.
  const listpackOrMissing = enc !== HASHTABLE;
  if (!listpackOrMissing) hashtableChecks++;
  const name = cmd[0] as string;
  if (name === "HRANDFIELD") {
    const count = cmd[2];
    // Deterministic: errors, a missing key, count 0 and whole-listpack answers.
    const [a, b] = await d.both(...cmd);
    if (a.startsWith("-") || a === "*0\r\n" || a === "$-1\r\n" || (listpackOrMissing && count !== undefined && Number(count) >= 16)) {
      expect({ cmd, reply: b }).toEqual({ cmd, reply: a });
      return;
    }
    const pa = parse(a);
    const pb = parse(b);
    if (!Array.isArray(pa)) {
      expect(typeof pb).toBe("string");
      return;
    }
    expect({ cmd, length: (pb as Parsed[]).length }).toEqual({ cmd, length: (pa as Parsed[]).length });
    const members = new Set(strings(parse(await call(d.respdClient, "HKEYS", key))));
    const got = strings(pb);
    const step = cmd[3] === undefined ? 1 : 2;
    for (let i = 0; i < got.length; i += step) expect(members.has(got[i] as string)).toBe(true);
    return;
  }
  if (listpackOrMissing) {
    await d.same(...cmd);
    return;
  }
  if (name === "HSCAN") {
    const opts = cmd.slice(3);
    const [a, b] = await d.both(...cmd);
    if (a.startsWith("-")) {
      expect({ cmd, reply: b }).toEqual({ cmd, reply: a });
      return;
    }
    expect(await hscanAll(d.respdClient, key, ...opts)).toEqual(await hscanAll(d.redisClient, key, ...opts));
    return;
  }
  await sameWhole(name as "HGETALL", key);
}

/** TYPE, encoding and sorted contents of every key on one server. */
async function dump(c: RawClient): Promise<string[]> {
  const keys = strings(parse(await call(c, "KEYS", "*"))).sort();
  const out: string[] = [];
  for (const k of keys) {
    const type = await call(c, "TYPE", k);
    const enc = await call(c, "OBJECT", "ENCODING", k);
    const content = type === "+hash\r\n" ? (await hgetall(c, k)).join(",") : await call(c, "GET", k);
    out.push(`${JSON.stringify(k)} ${type.trim()} ${enc.trim()} ${content}`);
  }
  return out;
}

test("a seeded random sequence of hash commands matches Redis", async () => {
  const seed = seedFrom("HASH_SEED");
  const r = rng(seed);
  // A low entry threshold makes conversions frequent; the value threshold stays 64.
  await run(["CONFIG", "SET", "hash-max-listpack-entries", "16"]);
  const keys = ["h0", "h1", "h2", "h3"];
  const log: string[][] = [];
  await replayable("HASH_SEED", seed, log, 10, async () => {
    for (let i = 0; i < 5000; i++) {
      const cmd = randomCommand(r, keys);
      log.push(cmd);
      const name = cmd[0] as string;
      if (name === "HGETALL" || name === "HKEYS" || name === "HVALS" || name === "HSCAN" || name === "HRANDFIELD")
        await checkUnordered(cmd);
      else await d.same(...cmd);
    }
    expect(await dump(d.respdClient)).toEqual(await dump(d.redisClient));
    expect(hashtableChecks).toBeGreaterThan(0);
  });
}, 40000);
