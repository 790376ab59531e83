/**
 * Streams against the real redis-server: every reply byte for byte, the
 * DUMP payloads (so the listpack nodes are Redis's own bytes), and DEBUG
 * DIGEST after a seeded random run of stream and consumer-group commands.
 * Replies that carry clock readings (idle times, delivery times) are left
 * out of the comparisons, or made equal by TIME.
 */
import { beforeEach, expect, test } from "bun:test";
import { type Differential, rng } from "./helpers/diff.ts";
import { replayable, seedFrom, withDifferential } from "./helpers/suite.ts";

let d: Differential;
withDifferential(
  (started) => {
    d = started;
  },
  ["--enable-debug-command", "yes"],
);

beforeEach(async () => {
  await d.same("FLUSHALL");
  await d.same("CONFIG", "SET", "stream-node-max-entries", "100");
  await d.same("CONFIG", "SET", "stream-node-max-bytes", "4096");
});

const run = (...commands: string[][]) => d.sequence(commands);

test("XADD IDs, XLEN, XRANGE / XREVRANGE and their errors", async () => {
  await run(
    ["XADD", "s", "1-1", "a", "1", "b", "2"],
    ["XADD", "s", "1-1", "a", "1"],
    ["XADD", "s", "0-0", "a", "1"],
    ["XADD", "s", "1-*", "a", "3", "b", "4"],
    ["XADD", "s", "2-*", "c", "12345678901234"],
    ["XADD", "s", "2", "c", "x"],
    ["XADD", "s", "18446744073709551615-18446744073709551614", "f", "v"],
    ["XADD", "s", "18446744073709551615-*", "f", "v"],
    ["XADD", "s", "18446744073709551615-*", "f", "v"],
    ["XADD", "s", "abc", "f", "v"],
    ["XADD", "s", "1-1", "f"],
    ["XADD", "s", "NOMKSTREAM", "MAXLEN", "~", "x", "*", "f", "v"],
    ["XADD", "new", "NOMKSTREAM", "5-5", "f", "v"],
    ["EXISTS", "new"],
    ["XLEN", "s"],
    ["XLEN", "nokey"],
    ["XRANGE", "s", "-", "+"],
    ["XRANGE", "s", "(1-1", "+", "COUNT", "2"],
    ["XRANGE", "s", "1", "1"],
    ["XRANGE", "s", "-", "+", "COUNT", "0"],
    ["XRANGE", "s", "-", "+", "COUNT", "-1"],
    ["XRANGE", "s", "(-", "+"],
    ["XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"],
    ["XRANGE", "s", "-", "(0-0"],
    ["XRANGE", "s", "-", "+", "FOO"],
    ["XREVRANGE", "s", "+", "-", "COUNT", "3"],
    ["XREVRANGE", "s", "(2-1", "(1-1"],
    ["XRANGE", "nokey", "-", "+"],
    ["SET", "str", "x"],
    ["XADD", "str", "*", "f", "v"],
    ["XRANGE", "str", "-", "+"],
    ["XLEN", "str"],
    ["TYPE", "s"],
    ["OBJECT", "ENCODING", "s"],
    ["DEBUG", "DIGEST-VALUE", "s"],
    ["DUMP", "s"],
  );
});

test("node layout: DUMP bytes match across node splits, XDEL and trimming", async () => {
  await d.same("CONFIG", "SET", "stream-node-max-entries", "7");
  const cmds: string[][] = [];
  for (let i = 1; i <= 60; i++) {
    const fields = i % 5 === 0 ? ["other", String(i)] : ["a", String(i * 1000), "b", `v${i}`];
    cmds.push(["XADD", "s", `${i}-${i % 3}`, ...fields]);
  }
  cmds.push(["XADD", "s", "61-0", "big", "x".repeat(5000)]);
  cmds.push(["XADD", "s", "70-0", "a", "-5", "b", "9223372036854775807"]);
  await run(...cmds);
  await run(
    ["DUMP", "s"],
    ["XDEL", "s", "3-0", "4-1", "5-2", "99-0", "1-1"],
    ["XINFO", "STREAM", "s"],
    ["DUMP", "s"],
    ["XTRIM", "s", "MAXLEN", "~", "40"],
    ["XTRIM", "s", "MAXLEN", "=", "30"],
    ["DUMP", "s"],
    ["XTRIM", "s", "MINID", "40"],
    ["XTRIM", "s", "MINID", "~", "55", "LIMIT", "7"],
    ["XTRIM", "s", "MAXLEN", "5", "LIMIT", "3"],
    ["XTRIM", "s", "LIMIT", "3"],
    ["XTRIM", "s"],
    ["XINFO", "STREAM", "s"],
    ["DUMP", "s"],
    ["XADD", "s", "MAXLEN", "2", "80-0", "a", "1"],
    ["XINFO", "STREAM", "s"],
    ["DUMP", "s"],
    ["DEBUG", "DIGEST"],
  );
});

test("consumer groups: XGROUP, XREADGROUP, XACK, XPENDING summary, XCLAIM / XAUTOCLAIM JUSTID, XINFO GROUPS", async () => {
  await run(
    ["XGROUP", "CREATE", "s", "g", "$"],
    ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    ["XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-5"],
    ["XGROUP", "HELP"],
    ["XINFO", "HELP"],
    ["XADD", "s", "1-0", "a", "1"],
    ["XADD", "s", "2-0", "a", "2"],
    ["XADD", "s", "3-0", "a", "3"],
    ["XGROUP", "CREATE", "s", "g2", "0"],
    ["XINFO", "GROUPS", "s"],
    ["XREADGROUP", "GROUP", "g2", "alice", "COUNT", "2", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g2", "bob", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g2", "bob", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g2", "alice", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "nog", "alice", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g2", "alice", "STREAMS", "s", "$"],
    ["XREAD", "STREAMS", "s", ">"],
    ["XPENDING", "s", "g2"],
    ["XPENDING", "s", "nog"],
    ["XACK", "s", "g2", "1-0", "9-0"],
    ["XACK", "s", "g2", "bad"],
    ["XDEL", "s", "2-0"],
    ["XREADGROUP", "GROUP", "g2", "alice", "STREAMS", "s", "0"],
    ["XCLAIM", "s", "g2", "carol", "0", "2-0", "3-0", "JUSTID"],
    ["XPENDING", "s", "g2"],
    ["XCLAIM", "s", "g2", "carol", "0", "1-0", "FORCE", "JUSTID"],
    ["XCLAIM", "s", "g2", "carol", "0", "3-0", "FOO"],
    ["XAUTOCLAIM", "s", "g2", "dave", "0", "0", "COUNT", "1", "JUSTID"],
    ["XAUTOCLAIM", "s", "g2", "dave", "0", "0", "JUSTID"],
    ["XAUTOCLAIM", "s", "g2", "dave", "0", "0", "COUNT", "0"],
    ["XINFO", "GROUPS", "s"],
    ["XGROUP", "CREATECONSUMER", "s", "g2", "erin"],
    ["XGROUP", "CREATECONSUMER", "s", "g2", "erin"],
    ["XGROUP", "DELCONSUMER", "s", "g2", "dave"],
    ["XGROUP", "DELCONSUMER", "s", "nog", "dave"],
    ["XGROUP", "SETID", "s", "g2", "1-0", "ENTRIESREAD", "1"],
    ["XGROUP", "SETID", "s", "g2", "$"],
    ["XGROUP", "SETID", "nokey", "g2", "$"],
    ["XINFO", "GROUPS", "s"],
    ["XGROUP", "DESTROY", "s", "g2"],
    ["XGROUP", "DESTROY", "s", "g2"],
    ["XINFO", "GROUPS", "s"],
    ["XINFO", "STREAM", "s"],
    ["XINFO", "CONSUMERS", "s", "nog"],
    ["XINFO", "STREAM", "nokey"],
    ["XSETID", "s", "2-0"],
    ["XSETID", "s", "9-0", "ENTRIESADDED", "1"],
    ["XSETID", "s", "9-0", "ENTRIESADDED", "10", "MAXDELETEDID", "8-0"],
    ["XSETID", "s", "9-0", "MAXDELETEDID", "10-0"],
    ["XSETID", "nokey", "9-0"],
    ["XINFO", "STREAM", "s"],
  );
});

test("XINFO STREAM FULL and XPENDING extended, with TIME and IDLE fixed by XCLAIM", async () => {
  await run(
    ["XADD", "s", "1-0", "a", "1"],
    ["XADD", "s", "2-0", "a", "2"],
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"],
    ["XCLAIM", "s", "g", "bob", "0", "1-0", "2-0", "TIME", "1000", "RETRYCOUNT", "7", "JUSTID"],
  );
  const [a, b] = await d.both("XINFO", "STREAM", "s", "FULL", "COUNT", "1");
  // seen-time is the clock; blank it before comparing.
  const blank = (s: string) => s.replace(/seen-time\r\n:\d+/g, "seen-time\r\n:T");
  expect(blank(b)).toEqual(blank(a));
  const [c, e] = await d.both("XPENDING", "s", "g", "IDLE", "1", "-", "+", "10", "bob");
  const idle = (s: string) => s.replace(/:\d{6,}\r\n/g, ":T\r\n");
  expect(idle(e)).toEqual(idle(c));
});

test("random stream and consumer-group commands end with the same DEBUG DIGEST", async () => {
  const seed = seedFrom("STREAM_SEED");
  const rand = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)] as T;
  const int = (n: number) => Math.floor(rand() * n);
  const log: string[][] = [];
  await d.same("CONFIG", "SET", "stream-node-max-entries", String(3 + int(10)));
  await d.same("CONFIG", "SET", "stream-node-max-bytes", pick(["0", "200", "4096"]));
  const ms = [0, 0];
  const value = () => pick(["", "0", "7", "-12", "300", "99999", "123456789012", "x", "hello", "z".repeat(70), String(int(1e6))]);
  const id = () => `${int(40)}-${int(4)}`;
  const bound = () => pick(["-", "+", id(), `(${id()}`, String(int(40))]);
  const keyOf = () => `s${int(2)}`;
  await replayable("STREAM_SEED", seed, log, 8, async () => {
    for (let round = 0; round < 400; round++) {
      const k = int(2);
      const key = `s${k}`;
      const g = `g${int(2)}`;
      const c = `c${int(3)}`;
      const r = rand();
      let cmd: string[];
      if (r < 0.35) {
        ms[k] = (ms[k] as number) + int(3);
        const trim: string[] =
          rand() < 0.2 ? (rand() < 0.5 ? ["MAXLEN", pick(["=", "~", ""]), String(int(15))] : ["MINID", pick(["=", "~", ""]), id()]) : [];
        const fields = rand() < 0.5 ? ["a", value(), "b", value()] : ["f", value()];
        const theId = rand() < 0.5 ? `${ms[k]}-*` : rand() < 0.9 ? `${ms[k]}-${int(5)}` : id();
        cmd = ["XADD", key, ...(rand() < 0.1 ? ["NOMKSTREAM"] : []), ...trim.filter((x) => x !== ""), theId, ...fields];
      } else if (r < 0.42) cmd = ["XDEL", key, id(), id()];
      else if (r < 0.46) cmd = ["XTRIM", key, pick(["MAXLEN", "MINID"]), pick(["=", "~"]), rand() < 0.5 ? String(int(20)) : id()];
      else if (r < 0.52) cmd = [pick(["XRANGE", "XREVRANGE"]), key, bound(), bound(), "COUNT", String(int(6))];
      else if (r < 0.55) cmd = ["XREAD", "COUNT", String(1 + int(4)), "STREAMS", "s0", "s1", id(), id()];
      else if (r < 0.6) cmd = ["XGROUP", "CREATE", key, g, pick(["$", "0", id()]), ...(rand() < 0.5 ? ["MKSTREAM"] : [])];
      else if (r < 0.72)
        cmd = [
          "XREADGROUP",
          "GROUP",
          g,
          c,
          "COUNT",
          String(1 + int(4)),
          ...(rand() < 0.2 ? ["NOACK"] : []),
          "STREAMS",
          key,
          pick([">", ">", "0", id()]),
        ];
      else if (r < 0.77) cmd = ["XACK", key, g, id(), id(), id()];
      else if (r < 0.8) cmd = ["XCLAIM", key, g, c, "0", id(), id(), ...(rand() < 0.3 ? ["FORCE"] : []), "JUSTID"];
      else if (r < 0.83) cmd = ["XAUTOCLAIM", key, g, c, "0", bound().replace(/^[-+]$/, "0"), "COUNT", String(1 + int(5)), "JUSTID"];
      else if (r < 0.86) cmd = ["XPENDING", key, g];
      else if (r < 0.88) cmd = ["XGROUP", pick(["CREATECONSUMER", "DELCONSUMER"]), key, g, c];
      else if (r < 0.9) cmd = ["XGROUP", "SETID", key, g, pick(["$", id()])];
      else if (r < 0.91) cmd = ["XGROUP", "DESTROY", key, g];
      else if (r < 0.94) cmd = ["XINFO", pick(["STREAM", "GROUPS"]), keyOf()];
      else if (r < 0.96) cmd = ["XLEN", key];
      else if (r < 0.97) cmd = ["XSETID", key, id()];
      else if (r < 0.98) cmd = ["DEBUG", "DIGEST-VALUE", key];
      else cmd = ["DUMP", key];
      // DUMP carries delivery and seen times: compare it only while the stream has no groups.
      if (cmd[0] === "DUMP") {
        const info = await d.same("XINFO", "GROUPS", key);
        if (info !== "*0\r\n") continue;
      }
      log.push(cmd);
      await d.same(...cmd);
    }
    await d.same("DEBUG", "DIGEST");
  });
});

test("RESTORE of the other server's DUMP, both ways, with groups", async () => {
  await run(
    ["XADD", "s", "1-1", "a", "1", "b", "2"],
    ["XADD", "s", "1-2", "a", "3", "b", "4"],
    ["XADD", "s", "5-0", "c", "3", "d", "12345678901"],
    ["XDEL", "s", "1-2"],
    ["XGROUP", "CREATE", "s", "g1", "0"],
    ["XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "3"],
    ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "1", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g1", "bob", "STREAMS", "s", ">"],
    ["XGROUP", "CREATECONSUMER", "s", "g2", "carol"],
  );
  const [fromRedis, fromRespd] = await d.both("DUMP", "s");
  const payload = (reply: string) => {
    const nl = reply.indexOf("\r\n");
    return reply.slice(nl + 2, nl + 2 + Number(reply.slice(1, nl)));
  };
  // Each restores the other's payload; both then hold the two copies.
  const redisPayload = Buffer.from(payload(fromRedis), "latin1");
  const respdPayload = Buffer.from(payload(fromRespd), "latin1");
  const { call } = await import("./helpers/raw.ts");
  expect(await call(d.respdClient, "RESTORE", "copy", "0", redisPayload)).toBe("+OK\r\n");
  expect(await call(d.redisClient, "RESTORE", "copy", "0", respdPayload)).toBe("+OK\r\n");
  // FULL shows the PEL's delivery times and seen times: restored from the same bytes, they must agree.
  const [a, b] = await d.both("XINFO", "STREAM", "copy", "FULL");
  const [a2, b2] = await d.both("XINFO", "STREAM", "s", "FULL");
  expect(b).toEqual(a2);
  expect(a).toEqual(b2);
  await d.same("DEBUG", "DIGEST-VALUE", "copy");
  await d.same("COPY", "copy", "copy2");
  await d.same("DEBUG", "DIGEST-VALUE", "copy2");
  await d.same("XINFO", "GROUPS", "copy2");
  await d.sameUnordered("SCAN", "0", "TYPE", "stream");
  // DEBUG RELOAD goes through an RDB file.
  await d.same("DEBUG", "RELOAD");
  // respd's "copy" holds redis-server's payload: compare it with redis-server's own "s" (their clocks differ).
  expect(await call(d.respdClient, "XINFO", "STREAM", "copy", "FULL")).toEqual(await call(d.redisClient, "XINFO", "STREAM", "s", "FULL"));
  expect(await call(d.redisClient, "XINFO", "STREAM", "copy", "FULL")).toEqual(await call(d.respdClient, "XINFO", "STREAM", "s", "FULL"));
});
