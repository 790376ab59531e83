/**
 * Sorted-set commands against the real redis-server: every command, its
 * options and error texts, RESP3 shapes, encodings, then a seeded random
 * sequence with a canonical dump of every key at the end. ZSET_SEED=<n>
 * replays a random run.
 */
import { beforeEach, expect, test } from "bun:test";
import { type Differential, rng } from "./helpers/diff.ts";
import { call, type RawClient } from "./helpers/raw.ts";
import { bulks } from "./helpers/resp2.ts";
import { replayable, seedFrom, withDifferential } from "./helpers/suite.ts";

let d: Differential;
withDifferential((started) => {
  d = started;
});

beforeEach(async () => {
  await d.same("FLUSHALL");
  await d.both("HELLO", "2");
  await d.same("CONFIG", "SET", "zset-max-listpack-entries", "128");
  await d.same("CONFIG", "SET", "zset-max-listpack-value", "64");
});

/** Runs each command on both servers, comparing replies byte for byte (HELLO's reply carries the client id). */
async function run(...commands: string[][]): Promise<void> {
  for (const c of commands) {
    if (c[0] === "HELLO") await d.both(...c);
    else await d.same(...c);
  }
}

/** Splits "ZADD k 1 a" into args; `_` stands for an empty argument. */
const cmds = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.split(/ +/).map((a) => (a === "_" ? "" : a)));

test("ZADD options, conflicts and errors", async () => {
  await run(
    ...cmds(`
      ZADD z 1 a 2 b 3 c
      ZADD z NX XX 1 a
      ZADD z GT LT 1 a
      ZADD z GT NX 1 a
      ZADD z LT NX 1 a
      ZADD z XX NX INCR 1 a 2 b
      ZADD z INCR 1 a 2 b
      ZADD z 1
      ZADD z 1 a 2
      ZADD z NX
      ZADD z x a
      ZADD z nan a
      ZADD z 1e400 a
      ZADD z 1e-400 a
      ZADD z _ a
      ZADD z 1.5e a
      ZADD z 1 a x b
      ZADD z 1e-310 tiny
      ZADD z 0x10 hex
      ZADD z infinity i1 -INF i2 +inf i3
      ZADD z INCR inf a
      ZADD z INCR -inf a
      ZSCORE z a
      ZADD z XX CH 5 a 6 d
      ZADD z GT CH 1 b 10 c
      ZADD z LT CH 1 b 10 c
      ZADD z XX INCR 1 nope
      ZADD z NX INCR 1 b
      ZADD z GT INCR -1 b
      ZADD z LT INCR -1 b
      ZADD z INCR 0 b
      ZADD z CH 1 b
      ZADD z xx gt ch 100 b 100 new
      ZADD nokey XX 1 a
      ZADD nokey XX INCR 1 a
      EXISTS nokey
      ZADD z nx 1 nx
      ZRANGE z 0 -1 WITHSCORES
      ZINCRBY z 1.5 b
      ZINCRBY z x b
      ZINCRBY z nx b
      ZINCRBY z inf b
      ZINCRBY z -inf b
      ZINCRBY nz 3 q
      ZINCRBY nz -0 q
      ZRANGE z 0 -1 WITHSCORES
      ZRANGE nz 0 -1 WITHSCORES
    `),
  );
  await d.same("ZADD", "bin", "1", "\x00\xff\r\n", "1", "", "1", "\x80");
  await d.same("ZRANGE", "bin", "0", "-1", "WITHSCORES");
});

test("score formatting: %.17g doubles in ZSCORE, ranges and ZSCAN", async () => {
  await run(
    ...cmds(`
      ZADD z 0.1 a 1e20 b 1.5e-10 c inf d -0 e 123456789012345678 f -inf g 3.0 h 1e-310 i
      ZRANGE z 0 -1 WITHSCORES
      ZSCORE z a
      ZSCORE z e
      ZMSCORE z a b c d e f g h i nope
      ZSCAN z 0
      ZINCRBY z 0.2 a
    `),
  );
});

test("ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT and WRONGTYPE", async () => {
  await run(
    ...cmds(`
      ZADD z 1 a 2 b 3 c 3 d
      ZCARD z
      ZCARD nokey
      ZCOUNT z -inf +inf
      ZCOUNT z (1 3
      ZCOUNT z (1 (3
      ZCOUNT z 3 1
      ZCOUNT z (3 3
      ZCOUNT z x 3
      ZCOUNT z 1 y
      ZCOUNT z _ _
      ZCOUNT z ( (
      ZCOUNT nokey 0 1
      ZLEXCOUNT z - +
      ZLEXCOUNT z [c +
      ZLEXCOUNT z a +
      ZLEXCOUNT nokey - +
      ZRANK z a
      ZRANK z d
      ZRANK z nope
      ZRANK nokey a
      ZREVRANK z a
      ZREVRANK z d
      ZREVRANK z nope
      ZSCORE z nope
      ZSCORE nokey a
      ZMSCORE z a nope b
      ZMSCORE nokey a b
      SET str x
      ZADD str 1 a
      ZINCRBY str 1 a
      ZREM str a
      ZCARD str
      ZSCORE str a
      ZMSCORE str a
      ZRANK str a
      ZREVRANK str a
      ZCOUNT str 0 1
      ZLEXCOUNT str - +
      ZRANGE str 0 -1
      ZRANGESTORE d str 0 -1
      ZREMRANGEBYRANK str 0 1
      ZPOPMIN str
      ZRANDMEMBER str
      ZSCAN str 0
      ZREM z a nope
      ZREM z nope
      ZREM nokey a
      ZREM z b c d q
      EXISTS z
    `),
  );
});

test("ZRANGE and the older range commands: ranks, scores, lex, REV, LIMIT, WITHSCORES and errors", async () => {
  await run(
    ...cmds(`
      ZADD z 1 a 2 b 3 c 4 d 5 e
      ZADD l 0 a 0 b 0 c 0 d 0 e
      ZRANGE z 0 -1
      ZRANGE z 0 -1 WITHSCORES
      ZRANGE z 1 -2 REV WITHSCORES
      ZRANGE z -100 100
      ZRANGE z 3 1
      ZRANGE z 5 10
      ZRANGE z -1 -1
      ZRANGE z x 1
      ZRANGE z 0 9223372036854775807
      ZRANGE z 0 9223372036854775808
      ZRANGE z -inf +inf BYSCORE
      ZRANGE z (1 (5 BYSCORE WITHSCORES
      ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2 WITHSCORES
      ZRANGE z -inf +inf BYSCORE LIMIT 0 -1
      ZRANGE z -inf +inf BYSCORE LIMIT -1 2
      ZRANGE z -inf +inf BYSCORE LIMIT 1 0
      ZRANGE z -inf +inf BYSCORE LIMIT 10 1
      ZRANGE z -inf +inf BYSCORE LIMIT 4 5
      ZRANGE z -inf +inf BYSCORE LIMIT x 1
      ZRANGE z -inf +inf BYSCORE LIMIT 1
      ZRANGE z x y BYSCORE
      ZRANGE l - + BYLEX
      ZRANGE l [b (d BYLEX
      ZRANGE l + - BYLEX REV LIMIT 1 2
      ZRANGE l - + BYLEX WITHSCORES
      ZRANGE l a b BYLEX
      ZRANGE z 0 1 LIMIT 0 1
      ZRANGE z 0 1 LIMIT 0 -1
      ZRANGE z 0 1 BYSCORE BYLEX
      ZRANGE z 0 1 REV REV
      ZRANGE z 0 1 FOO
      ZRANGE nokey 0 -1
      ZRANGE nokey 0 -1 BYSCORE
      ZRANGE nokey x y
      ZREVRANGE z 0 -1
      ZREVRANGE z 0 1 WITHSCORES
      ZREVRANGE z 0 -1 REV
      ZREVRANGE z 0 -1 LIMIT 0 1
      ZREVRANGE z 0 -1 BYSCORE
      ZRANGEBYSCORE z -inf +inf
      ZRANGEBYSCORE z 2 4 WITHSCORES LIMIT 1 5
      ZRANGEBYSCORE z -inf +inf BYSCORE
      ZRANGEBYSCORE z -inf +inf REV
      ZRANGEBYSCORE z _ _
      ZRANGEBYSCORE z ( (
      ZRANGEBYSCORE z (2 5
      ZRANGEBYSCORE z 1e400 1e500
      ZRANGEBYSCORE z -1e400 1e500
      ZRANGEBYSCORE z 0x1 0x3
      ZRANGEBYSCORE z 1x 2
      ZRANGEBYSCORE z nan 2
      ZRANGEBYSCORE z -inf (nan
      ZREVRANGEBYSCORE z +inf -inf WITHSCORES
      ZREVRANGEBYSCORE z 4 (2
      ZREVRANGEBYSCORE z -inf +inf
      ZREVRANGEBYSCORE z +inf -inf LIMIT 1 1
      ZRANGEBYLEX l - +
      ZRANGEBYLEX l + -
      ZRANGEBYLEX l - -
      ZRANGEBYLEX l + +
      ZRANGEBYLEX l [a [a
      ZRANGEBYLEX l (a (a
      ZRANGEBYLEX l (a [c
      ZRANGEBYLEX l [c [a
      ZRANGEBYLEX l a c
      ZRANGEBYLEX l - +x
      ZRANGEBYLEX l -x +
      ZRANGEBYLEX l _ +
      ZRANGEBYLEX l - + LIMIT 1 2
      ZRANGEBYLEX l - + WITHSCORES
      ZREVRANGEBYLEX l + - LIMIT 1 1
      ZREVRANGEBYLEX l [d (a
      ZREVRANGEBYLEX l - +
      ZRANGEBYLEX z - +
      ZRANGEBYLEX z [b [d
    `),
  );
  await d.same("ZRANGEBYLEX", "l", "[a\x00", "+");
  await d.same("ZRANGEBYLEX", "l", "+\x00", "-");
  await d.same("ZRANGEBYSCORE", "z", "1\x00x", "3");
});

test("ZRANGESTORE: results, empty results delete the destination, errors", async () => {
  await run(
    ...cmds(`
      ZADD z 1 a 2 b 3 c 4 d
      ZRANGESTORE dst z 0 -1
      ZRANGE dst 0 -1 WITHSCORES
      ZRANGESTORE dst z 1 2 BYSCORE LIMIT 0 1
      ZRANGE dst 0 -1 WITHSCORES
      ZRANGESTORE dst z +inf (1 BYSCORE REV
      ZRANGE dst 0 -1 WITHSCORES
      ZRANGESTORE dst z [b + BYLEX
      ZRANGE dst 0 -1 WITHSCORES
      ZRANGESTORE dst z 0 -1 WITHSCORES
      ZRANGESTORE dst z 0 -1 LIMIT 0 1
      ZRANGESTORE dst z 10 20
      EXISTS dst
      SET dst x
      ZRANGESTORE dst nokey 0 -1
      EXISTS dst
      SET dst x
      EXPIRE dst 100
      ZRANGESTORE dst z 0 0
      TYPE dst
      TTL dst
      ZRANGESTORE z z 1 2
      ZRANGE z 0 -1 WITHSCORES
    `),
  );
});

test("ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX", async () => {
  await run(
    ...cmds(`
      ZADD z 1 a 2 b 3 c 4 d 5 e 6 f
      ZREMRANGEBYRANK z 0 0
      ZREMRANGEBYRANK z -1 -1
      ZREMRANGEBYRANK z 5 10
      ZREMRANGEBYRANK z 2 1
      ZRANGE z 0 -1
      ZREMRANGEBYSCORE z (2 3
      ZREMRANGEBYSCORE z 10 20
      ZRANGE z 0 -1
      ZREMRANGEBYSCORE z x y
      ZREMRANGEBYLEX z x y
      ZREMRANGEBYRANK z x y
      ZREMRANGEBYSCORE nokey x 1
      ZREMRANGEBYSCORE nokey 0 1
      ZADD l 0 a 0 b 0 c 0 d
      ZREMRANGEBYLEX l (a [c
      ZRANGE l 0 -1
      ZREMRANGEBYLEX l - +
      EXISTS l
      ZREMRANGEBYRANK z 0 -1
      EXISTS z
    `),
  );
});

test("ZPOPMIN, ZPOPMAX, ZMPOP and their errors (RESP2)", async () => {
  await run(
    ...cmds(`
      ZADD z 1 a 2 b 3 c 4 d 5 e
      ZPOPMIN z
      ZPOPMAX z 2
      ZPOPMIN z 0
      ZPOPMIN z -1
      ZPOPMIN z x
      ZPOPMIN z 1 2
      ZPOPMIN nokey
      ZPOPMIN nokey 3
      ZPOPMAX z 10
      EXISTS z
      ZADD z 1 a 2 b 3 c
      ZMPOP 1 z MIN
      ZMPOP 2 nokey z max COUNT 5
      ZMPOP 1 nokey MIN
      ZMPOP 0 z MIN
      ZMPOP -1 z MIN
      ZMPOP x z MIN
      ZMPOP 2 z MIN
      ZMPOP 1 z MID
      ZMPOP 1 z MIN COUNT 0
      ZMPOP 1 z MIN COUNT -1
      ZMPOP 1 z MIN COUNT x
      ZMPOP 1 z MIN COUNT 1 COUNT 1
      ZMPOP 1 z MIN FOO
      ZMPOP 1 z MIN COUNT
      SET str x
      ZMPOP 2 nokey str MIN
      ZPOPMIN str
      ZPOPMIN str 0
    `),
  );
});

test("blocking pops that can be served at once, and their argument errors", async () => {
  await run(
    ...cmds(`
      SET str x
      BZPOPMIN str 0
      BZPOPMIN nokey str 0
      BZPOPMIN nokey x
      BZPOPMIN nokey -1
      BZPOPMIN nokey inf
      BZPOPMIN nokey -inf
      BZPOPMIN nokey 1e400
      BZPOPMIN nokey 1e5000
      BZPOPMIN nokey 1e16
      BZPOPMIN nokey nan
      BZPOPMIN nokey _
      BZPOPMIN nokey 0.01
      BZPOPMAX nokey 0.01
      BZMPOP 0.01 1 nokey MIN
      BZMPOP x 1 nokey MIN
      BZMPOP x 1 nokey MID
      BZMPOP -1 1 nokey MIN
      BZMPOP 0.01 0 nokey MIN
      BZMPOP 0.01 1 nokey MIN COUNT 0
      ZADD z 1 a 2 b 3 c
      BZPOPMIN nokey z 0
      BZPOPMAX z str 0
      BZMPOP 0 2 nokey z MAX COUNT 10
      EXISTS z
    `),
  );
});

test("RESP3 shapes: doubles, pairs, nested pops and nulls", async () => {
  await run(
    ...cmds(`
      HELLO 3
      ZADD z 1 a 2.5 b 3 c
      ZSCORE z b
      ZSCORE z nope
      ZMSCORE z a nope
      ZINCRBY z 1 c
      ZADD z INCR 1 c
      ZADD z XX INCR 1 nope
      ZRANK z nope
      ZRANGE z 0 -1
      ZRANGE z 0 -1 WITHSCORES
      ZRANGEBYSCORE z -inf +inf WITHSCORES
      ZREVRANGE z 0 -1 WITHSCORES
      ZRANDMEMBER nokey
      ZRANDMEMBER nokey 5
      ZRANDMEMBER z 0
      ZUNION 1 z WITHSCORES
      ZSCAN z 0
      ZPOPMIN z
      ZPOPMIN z 1
      ZPOPMIN nokey 1
      ZPOPMIN nokey
      ZADD z 1 a 2 b
      ZMPOP 1 z MIN COUNT 2
      ZMPOP 1 nokey MIN
      BZPOPMIN z 0
      BZPOPMIN nokey 0.01
      ZADD z 1 a 2 b
      BZMPOP 0 1 z MAX COUNT 5
      BZMPOP 0.01 1 nokey MAX
    `),
  );
});

test("ZUNION, ZINTER, ZDIFF, ZINTERCARD: sets as sources, WEIGHTS, AGGREGATE and errors", async () => {
  await run(
    ...cmds(`
      ZADD a 1 x 2 y 3 z
      ZADD b 10 y 20 z 30 w
      SADD s y w q
      SADD i 1 2 3
      SET str v
      ZUNION 2 a b
      ZUNION 2 a b WITHSCORES
      ZUNION 3 a b s WITHSCORES
      ZUNION 4 a b s i WITHSCORES
      ZUNION 3 a b s WEIGHTS 1 2 3 WITHSCORES
      ZUNION 3 a b s WEIGHTS 1 2 WITHSCORES
      ZUNION 3 a b s WEIGHTS 1 2 x WITHSCORES
      ZUNION 2 a b AGGREGATE MIN WITHSCORES
      ZUNION 2 a b aggregate max withscores
      ZUNION 2 a b AGGREGATE AVG
      ZUNION 2 a b AGGREGATE
      ZUNION 2 a b FOO
      ZUNION 0 a
      ZUNION -1 a
      ZUNION x a
      ZUNION 3 a b
      ZUNION 2 a str
      ZUNION 2 a str FOO
      ZUNION 2 a nokey WITHSCORES
      ZINTER 2 a b WITHSCORES
      ZINTER 3 a b s WITHSCORES
      ZINTER 2 a nokey
      ZINTER 2 a b WEIGHTS 0 inf WITHSCORES
      ZINTER 2 a a WITHSCORES
      ZINTER 0 a
      ZINTER 2 a str
      ZDIFF 2 a b WITHSCORES
      ZDIFF 2 b s WITHSCORES
      ZDIFF 2 nokey a
      ZDIFF 1 a WITHSCORES
      ZDIFF 2 a b WEIGHTS 1 2
      ZDIFF 2 a b AGGREGATE SUM
      ZDIFF 0 a
      ZINTERCARD 2 a b
      ZINTERCARD 2 a b LIMIT 1
      ZINTERCARD 2 a b LIMIT 0
      ZINTERCARD 2 a b LIMIT -1
      ZINTERCARD 2 a b LIMIT x
      ZINTERCARD 2 a b WITHSCORES
      ZINTERCARD 2 a b WEIGHTS 1 1
      ZINTERCARD 0 a
      ZINTERCARD 3 a b
      ZINTERCARD 2 a str
      ZINTERCARD 2 a s
      ZADD inf1 inf x
      ZADD inf2 -inf x
      ZUNION 2 inf1 inf2 WITHSCORES
      ZINTER 2 inf1 inf2 WITHSCORES
      ZUNION 2 inf1 inf2 WEIGHTS 0 1 AGGREGATE MIN WITHSCORES
      ZUNION 2 inf1 inf2 WEIGHTS 0 1 AGGREGATE MAX WITHSCORES
      ZINTER 2 inf1 inf2 WEIGHTS 1 0 AGGREGATE MIN WITHSCORES
      ZINTER 2 inf1 inf2 WEIGHTS 1 0 AGGREGATE MAX WITHSCORES
      ZINTER 2 inf1 inf2 WEIGHTS 0 1 AGGREGATE MAX WITHSCORES
    `),
  );
});

test("ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE", async () => {
  await run(
    ...cmds(`
      ZADD a 1 x 2 y 3 z
      ZADD b 10 y 20 z 30 w
      SADD s y w q
      ZUNIONSTORE d 2 a b
      ZRANGE d 0 -1 WITHSCORES
      ZUNIONSTORE d 2 a b WITHSCORES
      ZINTERSTORE d 2 a b WEIGHTS 2 0.5 AGGREGATE MAX
      ZRANGE d 0 -1 WITHSCORES
      ZINTERSTORE d 2 a s
      ZRANGE d 0 -1 WITHSCORES
      ZDIFFSTORE d 2 a b
      ZRANGE d 0 -1 WITHSCORES
      ZDIFFSTORE d 2 a b WEIGHTS 1 1
      ZINTERSTORE d 2 a nokey
      EXISTS d
      ZUNIONSTORE d 0 a
      ZUNIONSTORE d x a
      ZUNIONSTORE s 2 a b
      TYPE s
      ZUNIONSTORE a 2 a a
      ZRANGE a 0 -1 WITHSCORES
    `),
  );
});

test("OBJECT ENCODING follows the listpack limits, one way, for every way of building a set", async () => {
  await run(
    ...cmds(`
      CONFIG SET zset-max-listpack-entries 4
      CONFIG SET zset-max-listpack-value 8
      ZADD a 1 a 2 b 3 c
      OBJECT ENCODING a
      ZADD a 4 d
      OBJECT ENCODING a
      ZADD a 5 e
      OBJECT ENCODING a
      ZREM a a b c d
      OBJECT ENCODING a
      ZADD b 1 aaaaaaaaa
      OBJECT ENCODING b
      ZADD c 1 a 2 aaaaaaaaa
      OBJECT ENCODING c
      ZADD d 1 a 1 a 1 a 1 a 1 a 1 a
      OBJECT ENCODING d
      ZINCRBY e 1 aaaaaaaaa
      OBJECT ENCODING e
      ZADD big 1 a 2 b 3 c 4 d 5 e 6 f
      ZRANGESTORE r big 0 3
      OBJECT ENCODING r
      ZRANGESTORE r big 0 4
      OBJECT ENCODING r
      ZUNIONSTORE u 1 big
      OBJECT ENCODING u
      ZREMRANGEBYRANK big 0 2
      OBJECT ENCODING big
      ZUNIONSTORE u 1 big
      OBJECT ENCODING u
      ZINTERSTORE u 2 big c
      OBJECT ENCODING u
      ZDIFFSTORE u 2 c big
      OBJECT ENCODING u
      ZUNIONSTORE u 1 b
      OBJECT ENCODING u
      ZRANGESTORE r b 0 -1
      OBJECT ENCODING r
      COPY big big2
      OBJECT ENCODING big2
      ZRANGE big2 0 -1 WITHSCORES
      CONFIG SET zset-max-listpack-entries 0
      ZADD z0 1 a
      OBJECT ENCODING z0
      ZRANGESTORE r z0 0 -1
      OBJECT ENCODING r
      ZUNIONSTORE u 1 z0
      OBJECT ENCODING u
    `),
  );
});

async function both(c: [RawClient, RawClient], ...args: string[]): Promise<[string, string]> {
  return [await call(c[0], ...args), await call(c[1], ...args)];
}

test("ZSCAN: a listpack comes back whole; a skiplist is iterated to the same set of pairs", async () => {
  const pair = await d.connectPair();
  await run(
    ...cmds(`
      ZADD small 1 a 2 b 3 c
      ZSCAN small 0
      ZSCAN small 7
      ZSCAN small 0 MATCH b*
      ZSCAN small 0 COUNT 0
      ZSCAN small 0 COUNT x
      ZSCAN small 0 TYPE zset
      ZSCAN small 0 MATCH
      ZSCAN small x
      ZSCAN small -1
      ZSCAN nokey 0
    `),
  );
  const args: string[] = [];
  for (let i = 0; i < 300; i++) args.push(String(i * 0.5), `m${i}`);
  await d.same("ZADD", "big", ...args);
  await d.same("OBJECT", "ENCODING", "big");
  for (const match of [null, "m1*"]) {
    const seen: [Set<string>, Set<string>] = [new Set(), new Set()];
    for (let side = 0; side < 2; side++) {
      let cursor = "0";
      let rounds = 0;
      do {
        const extra = match ? ["MATCH", match] : [];
        const raw = await call(pair[side] as RawClient, "ZSCAN", "big", cursor, "COUNT", "20", ...extra);
        const [next, ...items] = bulks(raw);
        cursor = next as string;
        for (let i = 0; i < items.length; i += 2) seen[side]?.add(`${items[i]}=${items[i + 1]}`);
        rounds++;
      } while (cursor !== "0" && rounds < 1000);
      expect(cursor).toBe("0");
    }
    expect([...seen[1]].sort()).toEqual([...seen[0]].sort());
    expect(seen[0].size).toBe(match ? 111 : 300);
  }
  for (const c of pair) c.close();
});

test("ZRANDMEMBER: counts, distinctness, repetition, WITHSCORES pairs and errors", async () => {
  await run(
    ...cmds(`
      ZADD z 1 a 2 b 3 c
      ZRANDMEMBER nokey
      ZRANDMEMBER nokey 5
      ZRANDMEMBER z 0
      ZRANDMEMBER z 5 WITHSCORE
      ZRANDMEMBER z 5 WITHSCORES x
      ZRANDMEMBER z x
      ZRANDMEMBER z -9223372036854775808
      ZRANDMEMBER z 4611686018427387904 WITHSCORES
      ZRANDMEMBER z -4611686018427387904 WITHSCORES
    `),
  );
  const pair = await d.connectPair();
  const members = new Set(["a", "b", "c"]);
  for (let i = 0; i < 2; i++) {
    const c = pair[i] as RawClient;
    const one = bulks(await call(c, "ZRANDMEMBER", "z"));
    expect(one.length).toBe(1);
    expect(members.has(one[0] as string)).toBe(true);
    const all = bulks(await call(c, "ZRANDMEMBER", "z", "10", "WITHSCORES"));
    expect(all.length).toBe(6);
    expect(new Set(all.filter((_, j) => j % 2 === 0))).toEqual(members);
    const rep = bulks(await call(c, "ZRANDMEMBER", "z", "-20"));
    expect(rep.length).toBe(20);
    for (const m of rep) expect(members.has(m)).toBe(true);
  }
  // A large set: distinct picks for both sampling strategies, scores matching the members.
  const args: string[] = [];
  for (let i = 0; i < 500; i++) args.push(String(i), `m${i}`);
  await d.same("ZADD", "big", ...args);
  for (const count of ["10", "200"]) {
    const [ra, rb] = await both(pair, "ZRANDMEMBER", "big", count, "WITHSCORES");
    for (const raw of [ra, rb]) {
      const items = bulks(raw);
      expect(items.length).toBe(Number(count) * 2);
      const picked = items.filter((_, j) => j % 2 === 0);
      expect(new Set(picked).size).toBe(Number(count));
      for (let j = 0; j < items.length; j += 2) expect(items[j]).toBe(`m${items[j + 1]}`);
    }
  }
  for (const c of pair) c.close();
});

// ---- seeded random sequence ----

const MEMBERS = ["a", "b", "c", "d", "e", "f", "g", "h", "", "\x00\xff", "long".repeat(20)];
const SCORES = ["0", "1", "-1", "2.5", "1e3", "-inf", "inf", "0.1", "3", "x", "nan", "10", "-0"];
const RANKS = ["0", "1", "-1", "2", "-3", "10", "-100", "x"];
const SMIN = ["-inf", "0", "(1", "1", "(2.5", "x", "3"];
const SMAX = ["+inf", "10", "(3", "2", "1e3", "(inf", "y"];
const LMIN = ["-", "[a", "(b", "[c", "[", "x", "+"];
const LMAX = ["+", "[f", "(e", "[c", "-", "y"];

function randomCommand(r: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const k = pick(["z1", "z2", "z3", "s1", "str"]);
  // Lex commands go to a key whose scores are all equal, where lex order is defined.
  const lk = "lex";
  const k2 = pick(["z1", "z2", "z3", "s1", "nokey"]);
  const m = () => pick(MEMBERS);
  switch (Math.floor(r() * 30)) {
    case 0:
    case 1: {
      const out = ["ZADD", k];
      for (const o of ["NX", "XX", "GT", "LT", "CH", "INCR"]) if (r() < 0.12) out.push(o);
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--) out.push(pick(SCORES), m());
      return out;
    }
    case 2:
      return ["ZADD", lk, "0", m(), "0", m()];
    case 3:
      return ["ZINCRBY", k, pick(SCORES), m()];
    case 4:
      return ["ZREM", k, m(), m()];
    case 5:
      return [pick(["ZCARD", "ZSCORE", "ZRANK", "ZREVRANK"]), k, m()].slice(0, r() < 0.3 ? 2 : 3);
    case 6:
      return ["ZMSCORE", k, m(), m()];
    case 7:
      return ["ZCOUNT", k, pick(SMIN), pick(SMAX)];
    case 8:
      return ["ZLEXCOUNT", lk, pick(LMIN), pick(LMAX)];
    case 9:
      return ["ZRANGE", k, pick(RANKS), pick(RANKS), ...(r() < 0.5 ? ["WITHSCORES"] : []), ...(r() < 0.3 ? ["REV"] : [])];
    case 10: {
      const out = ["ZRANGE", k, pick(SMIN), pick(SMAX), "BYSCORE"];
      if (r() < 0.4) out.push("LIMIT", pick(["0", "1", "-1", "3"]), pick(["1", "2", "-1", "0"]));
      if (r() < 0.5) out.push("WITHSCORES");
      return out;
    }
    case 11:
      return ["ZREVRANGEBYSCORE", k, pick(SMAX), pick(SMIN), ...(r() < 0.5 ? ["WITHSCORES"] : [])];
    case 12: {
      const out = [pick(["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), lk];
      out.push(...(out[0] === "ZRANGEBYLEX" ? [pick(LMIN), pick(LMAX)] : [pick(LMAX), pick(LMIN)]));
      if (r() < 0.4) out.push("LIMIT", pick(["0", "1", "-1"]), pick(["1", "2", "-1"]));
      return out;
    }
    case 13:
      return ["ZRANGESTORE", pick(["dst", "z3"]), k, pick(RANKS), pick(RANKS)];
    case 14:
      return ["ZREMRANGEBYRANK", k, pick(RANKS), pick(RANKS)];
    case 15:
      return ["ZREMRANGEBYSCORE", k, pick(SMIN), pick(SMAX)];
    case 16:
      return ["ZREMRANGEBYLEX", lk, pick(LMIN), pick(LMAX)];
    case 17:
      return [pick(["ZPOPMIN", "ZPOPMAX"]), k, ...(r() < 0.5 ? [pick(["0", "1", "2", "10", "-1"])] : [])];
    case 18:
      return ["ZMPOP", "2", k, k2, pick(["MIN", "MAX"]), ...(r() < 0.5 ? ["COUNT", pick(["1", "3", "0"])] : [])];
    case 19:
      return [pick(["BZPOPMIN", "BZPOPMAX"]), k, k2, "0.01"];
    case 20: {
      const op = pick(["ZUNION", "ZINTER", "ZDIFF"]);
      const out = [op, "2", k, k2];
      if (op !== "ZDIFF" && r() < 0.4) out.push("WEIGHTS", pick(["1", "2", "-1", "0.5"]), pick(["1", "0", "3"]));
      if (op !== "ZDIFF" && r() < 0.4) out.push("AGGREGATE", pick(["SUM", "MIN", "MAX"]));
      if (r() < 0.6) out.push("WITHSCORES");
      return out;
    }
    case 21: {
      const op = pick(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]);
      const out = [op, pick(["dst", "z2"]), "2", k, k2];
      if (op !== "ZDIFFSTORE" && r() < 0.4) out.push("AGGREGATE", pick(["SUM", "MIN", "MAX"]));
      return out;
    }
    case 22:
      return ["ZINTERCARD", "2", k, k2, ...(r() < 0.4 ? ["LIMIT", pick(["0", "1", "2"])] : [])];
    case 23:
      return ["SADD", "s1", m(), m()];
    case 24:
      return ["OBJECT", "ENCODING", k];
    case 25:
      return ["ZRANDMEMBER", k, "0"];
    case 26:
      return ["ZADD", k, ...Array.from({ length: 8 }, (_, i) => [String(i), `bulk${Math.floor(r() * 200)}`]).flat()];
    case 27:
      return ["DEL", k];
    case 28:
      return ["SET", "str", "v"];
    default:
      return ["ZRANGE", k, "0", "-1", "WITHSCORES"];
  }
}

/** TYPE plus the full contents of every key, in an order-independent form. */
async function dump(c: RawClient): Promise<string> {
  const keys = bulks(await call(c, "KEYS", "*")).sort();
  const out: string[] = [];
  for (const key of keys) {
    const type = await call(c, "TYPE", key);
    let body = "";
    if (type === "+zset\r\n") body = await call(c, "ZRANGE", key, "0", "-1", "WITHSCORES");
    else if (type === "+set\r\n")
      body = bulks(await call(c, "SMEMBERS", key))
        .sort()
        .join(",");
    else body = await call(c, "GET", key);
    out.push(`${key} ${type.trim()} ${body}`);
  }
  return out.join("\n");
}

test("ZRANGESTORE keeps -0 where Redis 7.0 starts a skiplist (a rank range longer than the listpack limit)", async () => {
  await d.same("CONFIG", "SET", "zset-max-listpack-entries", "2");
  await d.same("ZADD", "neg0", "1", "a", "2", "b", "3", "c");
  await d.same("ZADD", "neg0", "-0", "e");
  for (const range of [
    ["0", "-1"],
    ["0", "1"],
    ["-inf", "+inf", "BYSCORE"],
    ["-", "+", "BYLEX"],
  ]) {
    await d.same("ZRANGESTORE", "neg0:dst", "neg0", ...range);
    await d.same("ZRANGE", "neg0:dst", "0", "-1", "WITHSCORES");
    await d.same("OBJECT", "ENCODING", "neg0:dst");
  }
  await d.same("CONFIG", "SET", "zset-max-listpack-entries", "128");
  await d.same("DEL", "neg0", "neg0:dst");
});

test("a seeded random sequence of sorted-set commands matches Redis, and so do the final contents", async () => {
  const seed = seedFrom("ZSET_SEED");
  const r = rng(seed);
  await run(["CONFIG", "SET", "zset-max-listpack-entries", "12"], ["CONFIG", "SET", "zset-max-listpack-value", "40"]);
  const log: string[][] = [];
  await replayable("ZSET_SEED", seed, log, 10, async () => {
    for (let i = 0; i < 4000; i++) {
      const cmd = randomCommand(r);
      log.push(cmd);
      await d.same(...cmd);
    }
    expect(await dump(d.respdClient)).toBe(await dump(d.redisClient));
  });
}, 40000);

test("ZSCAN prints a listpack's integral scores as integers and a skiplist's as %.17g", async () => {
  await run(
    ...cmds(`
      ZADD lp 123456789012345678 a 4611686018427387904 b 4611686018427387905 c 1e19 d -3 e 2.5 f
      ZSCAN lp 0
      CONFIG SET zset-max-listpack-entries 2
      ZADD sl 123456789012345678 a 4611686018427387904 b 1e19 d -3 e
      OBJECT ENCODING sl
    `),
  );
  // A skiplist's scan order follows each server's hash function: compare the pairs.
  const pairs = (raw: string) => {
    const [cursor, ...items] = bulks(raw);
    const out: string[] = [];
    for (let i = 0; i < items.length; i += 2) out.push(`${items[i]}=${items[i + 1]}`);
    return [cursor, out.sort()];
  };
  const [a, b] = await d.both("ZSCAN", "sl", "0", "COUNT", "100");
  expect(pairs(b)).toEqual(pairs(a));
  expect(pairs(a)[1]).toContain("a=1.2345678901234568e+17");
});
