/**
 * A seeded random mix of every command respd implements, with arguments drawn
 * from keys, option words, numbers at the edges and binary values, sent to
 * redis-server and respd alike: replies must be byte-identical (order-free
 * where Redis's order depends on its hash seed), and no reply may be an
 * internal error. The per-family suites test each family's semantics; this
 * one finds what falls between them. Replay a failure with MIX_SEED=<seed>.
 */
import { describe, expect, test } from "bun:test";
import { type Differential, rng } from "./helpers/diff.ts";
import { call } from "./helpers/raw.ts";
import { redisServerPath } from "./helpers/server.ts";
import { replayable, seedFrom, withDifferential } from "./helpers/suite.ts";

const haveRedis = redisServerPath() !== null;

/** Commands whose replies legitimately differ between two servers, or that would end or disturb the run. */
const LEFT_OUT = new Set([
  // Stop, block, change the connection or the server's setup.
  ..."shutdown debug monitor subscribe psubscribe ssubscribe unsubscribe punsubscribe sunsubscribe quit reset hello auth".split(" "),
  ..."blpop brpop blmove brpoplpush blmpop bzpopmin bzpopmax bzmpop wait failover replicaof slaveof sync psync replconf".split(" "),
  ..."client config save bgsave bgrewriteaof select swapdb multi exec discard watch unwatch".split(" "),
  // Connects to whatever host and port the arguments name.
  "migrate",
  // Replies that depend on the clock, randomness, the hash seed's order or the implementation's counters.
  ..."info time lastsave randomkey spop srandmember zrandmember hrandfield command memory object latency slowlog".split(" "),
  ..."dbsize keys scan sscan hscan zscan ttl pttl expiretime pexpiretime dump restore lolwut".split(" "),
  // A short relative TTL expires at a slightly different moment on each server (the strings and keys suites test them).
  ..."setex psetex expire pexpire".split(" "),
]);

/** SET and GETEX with EX/PX: a relative TTL, left out as above. */
function relativeTtl(argv: string[]): boolean {
  const name = argv[0] as string;
  if (name !== "set" && name !== "getex") return false;
  return argv.some((a) => a === "EX" || a === "PX");
}

/** Replies whose element order follows Redis's hash table (seeded per process). */
const UNORDERED = new Set(["smembers", "sunion", "sinter", "sdiff", "hgetall", "hkeys", "hvals"]);

const KEYS = ["k1", "k2", "k3", "{a}x", ""];
const WORDS = ["NX", "XX", "GT", "LT", "CH", "INCR", "WITHSCORES", "LIMIT", "BYSCORE", "BYLEX", "REV", "COUNT", "MATCH", "TYPE"];
WORDS.push("STORE", "ALPHA", "ASC", "DESC", "GET", "BY", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "PERSIST", "LEFT", "RIGHT");
WORDS.push("BEFORE", "AFTER", "RANK", "MAXLEN", "WEIGHTS", "AGGREGATE", "SUM", "MIN", "MAX", "IDX", "LEN", "MINMATCHLEN");
WORDS.push("WITHMATCHLEN", "REPLACE", "DB");
const NUMS = ["0", "1", "-1", "2", "3", "10", "-10", "1.5", "-0", "inf", "-inf", "+inf", "(1", "[a", "-", "+", "(", "nan", "1e3"];
NUMS.push("9223372036854775807", "-9223372036854775808", "9223372036854775808", "0x10", " 1", "4294967296", "-2147483649");
const VALUES = ["a", "b", "c", "hello", "", "\x00\xff", "x".repeat(70), "12", "3.0", "-5"];

describe.skipIf(!haveRedis)("a random mix of every implemented command", () => {
  let d: Differential;
  withDifferential((started) => {
    d = started;
  });

  test("matches Redis reply for reply", async () => {
    const listing = await call(d.respdClient, "COMMAND", "LIST");
    const names = listing
      .split("\r\n")
      .filter((line, i) => i > 0 && line.length > 0 && !line.startsWith("$"))
      .map((n) => n.toLowerCase())
      .filter((n) => !n.includes("|") && !LEFT_OUT.has(n));
    expect(names.length).toBeGreaterThan(80);
    const seed = seedFrom("MIX_SEED");
    const rand = rng(seed);
    const pick = <T>(from: readonly T[]): T => from[Math.floor(rand() * from.length)] as T;
    const arg = () => {
      const r = rand();
      return r < 0.3 ? pick(KEYS) : r < 0.5 ? pick(WORDS) : r < 0.8 ? pick(NUMS) : pick(VALUES);
    };
    const log: string[][] = [];
    await replayable("MIX_SEED", seed, log, 10, async () => {
      for (let i = 0; i < 4000; i++) {
        if (i % 500 === 0) await d.same("FLUSHALL");
        const name = pick(names);
        const argv = [name, ...Array.from({ length: Math.floor(rand() * 6) }, arg)];
        if (relativeTtl(argv)) continue;
        log.push(argv);
        const [a, b] = await d.both(...argv);
        expect(b).not.toContain("internal error");
        const sorted = (reply: string) => reply.split("\r\n").sort().join("\r\n");
        if (UNORDERED.has(name)) expect({ argv, reply: sorted(b) }).toEqual({ argv, reply: sorted(a) });
        else expect({ argv, reply: b }).toEqual({ argv, reply: a });
      }
    });
  });
});
