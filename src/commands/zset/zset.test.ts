/**
 * In-process checks of what the black-box tests cannot see: keyspace
 * events, propagation (as recorded from redis-server 7.0.15's AOF) and
 * blocked clients served by later writes.
 */
import { expect, test } from "bun:test";
import { Blocked } from "../../engine/blocking.ts";
import { createTestEngine } from "../../engine/testing.ts";
import { Double, ErrorReply, NULL_ARRAY } from "../../resp/reply.ts";

function setup() {
  const t = createTestEngine();
  const events: string[] = [];
  t.engine.onNotify((_cls, event, key) => events.push(`${event}:${key}`));
  const run = (line: string) => t.exec(...line.split(" "));
  return { ...t, events, run };
}

test("keyspace events match Redis 7.0.15's sequence", () => {
  const t = setup();
  const script = `ZADD z 1 a 2 b
ZADD z 1 a
ZINCRBY z 1 a
ZINCRBY z 0 a
ZADD z GT 0 a
ZREM z nope
ZREM z a
ZPOPMIN z
ZADD y 1 a 2 b 3 c
ZREMRANGEBYSCORE y 1 1
ZREMRANGEBYRANK y 0 0
ZREMRANGEBYLEX y - +
ZADD y 1 a 2 b 3 c
ZPOPMAX y 1
ZMPOP 1 y MIN COUNT 5
ZADD y 1 a
ZUNIONSTORE u 1 y
ZINTERSTORE u 2 y nokey
ZRANGESTORE r y 0 -1
ZRANGESTORE r y 5 6
ZDIFFSTORE d 1 y
BZPOPMIN y 0`;
  for (const line of script.split("\n")) t.run(line);
  // Recorded from redis-server 7.0.15 with notify-keyspace-events KEA.
  expect(t.events).toEqual([
    "zadd:z",
    "zincr:z",
    "zrem:z",
    "zpopmin:z",
    "del:z",
    "zadd:y",
    "zremrangebyscore:y",
    "zremrangebyrank:y",
    "zremrangebylex:y",
    "del:y",
    "zadd:y",
    "zpopmax:y",
    "zpopmin:y",
    "del:y",
    "zadd:y",
    "zunionstore:u",
    "del:u",
    "zrangestore:r",
    "del:r",
    "zdiffstore:d",
    "zpopmin:y",
    "del:y",
  ]);
});

test("propagation matches Redis's AOF: pops become ZPOPMIN/ZPOPMAX, no-op writes are not propagated", () => {
  const t = setup();
  const script = `ZADD y 1 a 2 b 3 c 4 d 5 e 6 f 7 g
ZMPOP 1 y MIN COUNT 2
ZMPOP 1 y MAX
ZPOPMIN y 10
ZADD y 1 a 2 b 3 c
BZPOPMIN y 0
BZMPOP 0 1 y MAX COUNT 5
ZADD y 1 a
ZADD y 1 a
ZINCRBY y 0 a
ZREM y nope
ZPOPMIN nokey`;
  for (const line of script.split("\n")) t.run(line);
  expect(t.propagated.map((p) => p[1].join(" "))).toEqual([
    "ZADD y 1 a 2 b 3 c 4 d 5 e 6 f 7 g",
    "ZPOPMIN y 2",
    "ZPOPMAX y 1",
    "ZPOPMIN y 10",
    "ZADD y 1 a 2 b 3 c",
    "ZPOPMIN y",
    "ZPOPMAX y 2",
    "ZADD y 1 a",
  ]);
});

test("blocked pops are served FIFO by a later ZADD and propagate as Redis's served pops", async () => {
  const t = setup();
  const a = t.newClient();
  const b = t.newClient();
  const c = t.newClient();
  const first = a.exec("BZPOPMAX", "w", "0") as Blocked;
  const second = b.exec("BZMPOP", "0", "2", "x", "w", "MIN", "COUNT", "3") as Blocked;
  const third = c.exec("BZPOPMIN", "w", "0") as Blocked;
  expect(first).toBeInstanceOf(Blocked);
  expect(second).toBeInstanceOf(Blocked);
  t.propagated.length = 0;
  t.run("ZADD w 1 a 2 b 3 c 4 d");
  expect(await first.promise).toEqual(["w", "d", new Double(4)]);
  expect(await second.promise).toEqual([
    "w",
    [
      ["a", new Double(1)],
      ["b", new Double(2)],
      ["c", new Double(3)],
    ],
  ]);
  expect(t.propagated.map((p) => p[1].join(" "))).toEqual(["ZADD w 1 a 2 b 3 c 4 d", "ZPOPMAX w", "ZPOPMIN w 3"]);
  expect(t.run("EXISTS w")).toBe(0);
  // The third client still waits; a key of another type does not serve it.
  t.run("SET w str");
  t.run("DEL w");
  t.run("ZADD w 7 z");
  expect(await third.promise).toEqual(["w", "z", new Double(7)]);
});

test("a blocked pop times out with a null array", async () => {
  const t = setup();
  const w = t.newClient();
  const blocked = w.exec("BZPOPMIN", "k1", "k2", "0.05") as Blocked;
  expect(blocked).toBeInstanceOf(Blocked);
  expect(blocked.keys).toEqual(["k1", "k2"]);
  expect(await blocked.promise).toBe(NULL_ARRAY);
  const mpop = w.exec("BZMPOP", "0.02", "1", "k1", "MIN") as Blocked;
  expect(await mpop.promise).toBe(NULL_ARRAY);
});

test("ZRANDMEMBER refuses a repeat count too large for one reply instead of failing inside", () => {
  const t = createTestEngine();
  t.exec("ZADD", "z", "1", "a");
  const r = t.exec("ZRANDMEMBER", "z", "-9223372036854775807");
  expect(r).toBeInstanceOf(ErrorReply);
  expect((r as ErrorReply).text).toBe("ERR count is too large (at most 16777216 repeated members)");
  expect(t.exec("ZRANDMEMBER", "z", "-3")).toEqual(["a", "a", "a"]);
});
