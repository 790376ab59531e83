/**
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH against the real redis-server,
 * byte for byte: queueing, EXECABORT, runtime errors inside EXEC, blocking
 * commands inside MULTI, RESP3, two clients racing on WATCH (writes, expiry,
 * FLUSH*, SWAPDB, RENAME), QUIT/RESET inside MULTI, CLIENT LIST flags,
 * stats and CLIENT PAUSE WRITE.
 */
import { afterAll, beforeEach, expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call, encodeCommand, type RawClient } from "./helpers/raw.ts";
import { withDifferential } from "./helpers/suite.ts";

let d: Differential;
/** Second connections: [to redis, to respd]. */
let other: [RawClient, RawClient];

withDifferential(async (started) => {
  d = started;
  other = await d.connectPair();
  // Keys must expire only when touched, so both servers see the same thing.
  await d.same("DEBUG", "SET-ACTIVE-EXPIRE", "0");
});

afterAll(() => {
  for (const c of other ?? []) c.close();
});

beforeEach(async () => {
  await d.same("FLUSHALL");
  await d.same("UNWATCH");
  await d.same("SELECT", "0");
});

const run = (...commands: string[][]) => d.sequence(commands);

/** The other client runs `cmd` on both servers; its replies must match too. */
async function byOther(...cmd: string[]): Promise<void> {
  const [a, b] = [await call(other[0], ...cmd), await call(other[1], ...cmd)];
  expect({ cmd, reply: b }).toEqual({ cmd, reply: a });
}

/** Sends everything in one write to each server and compares all the replies. */
async function pipelined(cmds: string[][]): Promise<void> {
  const payload = Buffer.concat(cmds.map((a) => encodeCommand(a)));
  const out: string[][] = [];
  for (const c of [d.redisClient, d.respdClient]) {
    c.write(payload);
    const replies: string[] = [];
    for (let i = 0; i < cmds.length; i++) replies.push(await c.readReply());
    out.push(replies);
  }
  expect(out[1]).toEqual(out[0] as string[]);
}

test("basic queueing, replies, DISCARD, misuse errors", async () => {
  await run(
    ["EXEC"],
    ["DISCARD"],
    ["MULTI"],
    ["SET", "a", "1"],
    ["INCR", "a"],
    ["GET", "a"],
    ["MULTI"],
    ["WATCH", "a"],
    ["UNWATCH"],
    ["EXEC"],
    ["EXEC"],
    ["MULTI"],
    ["SET", "b", "1"],
    ["DISCARD"],
    ["EXISTS", "b"],
    ["DISCARD"],
    ["MULTI"],
    ["EXEC"],
    ["WATCH"],
    ["MULTI", "x"],
    ["EXEC", "x"],
    // A refused EXEC discards the transaction and drops the watches.
    ["SET", "k", "1"],
    ["WATCH", "k"],
    ["SET", "k", "2"],
    ["MULTI"],
    ["GET", "k"],
    ["EXEC", "x"],
    ["EXEC"],
    ["MULTI"],
    ["GET", "k"],
    ["EXEC"],
  );
});

test("queue-time errors abort EXEC with EXECABORT; the state is cleared", async () => {
  const cases: string[][] = [["nosuchcommand", "x"], ["SET", "a"], ["CLIENT", "nosuchsub"], ["SHUTDOWN"], ["GET"]];
  for (const bad of cases) {
    await run(["MULTI"], ["SET", "a", "1"], bad, ["SET", "b", "2"], ["EXEC"], ["EXISTS", "a", "b"], ["EXEC"]);
  }
  // A rejected command then DISCARD: the flag does not leak into the next MULTI.
  await run(["MULTI"], ["SET"], ["DISCARD"], ["MULTI"], ["SET", "a", "1"], ["EXEC"]);
});

test("runtime errors inside EXEC do not roll back", async () => {
  await run(
    ["SET", "s", "abc"],
    ["MULTI"],
    ["INCR", "s"],
    ["LPUSH", "s", "x"],
    ["SET", "t", "1"],
    ["INCRBY", "t", "notanumber"],
    ["APPEND", "s", "d"],
    ["HSET", "h", "f", "v"],
    ["ZADD", "z", "nan", "m"],
    ["EXEC"],
    ["GET", "s"],
    ["GET", "t"],
    ["HGETALL", "h"],
  );
});

test("blocking commands inside MULTI answer at once", async () => {
  await run(
    ["MULTI"],
    ["BLPOP", "l", "0"],
    ["BRPOP", "l", "l2", "5"],
    ["BLMPOP", "0", "1", "l", "LEFT"],
    ["BLMOVE", "l", "m", "LEFT", "RIGHT", "0"],
    ["BRPOPLPUSH", "l", "m", "0"],
    ["BZPOPMIN", "z", "0"],
    ["BZPOPMAX", "z", "0"],
    ["BZMPOP", "0", "1", "z", "MIN"],
    ["RPUSH", "l", "a", "b", "c"],
    ["ZADD", "z", "1", "m", "2", "n"],
    ["BLPOP", "l", "0"],
    ["BLMOVE", "l", "m", "LEFT", "RIGHT", "0"],
    ["BZPOPMAX", "z", "0"],
    ["BLPOP", "l", "-1"],
    ["EXEC"],
    ["LRANGE", "m", "0", "-1"],
  );
});

test("RESP3 replies", async () => {
  await d.both("HELLO", "3"); // client ids differ
  await run(
    ["HSET", "h", "f", "1"],
    ["MULTI"],
    ["HGETALL", "h"],
    ["SET", "x", "1"],
    ["INCRBYFLOAT", "x", "1.5"],
    ["SMEMBERS", "nokey"],
    ["BLPOP", "l", "0"],
    ["GET", "missing"],
    ["LPUSH", "h", "v"],
    ["EXEC"],
    ["WATCH", "h"],
    ["HSET", "h", "f", "2"],
    ["MULTI"],
    ["PING"],
    ["EXEC"],
    ["MULTI"],
    ["FOO"],
    ["EXEC"],
  );
  await d.both("HELLO", "2");
});

test("a whole transaction pipelined in one write", async () => {
  await pipelined([["MULTI"], ["SET", "a", "1"], ["BADCMD"], ["EXEC"], ["MULTI"], ["SET", "a", "2"], ["GET", "a"], ["EXEC"], ["GET", "a"]]);
});

test("WATCH: another client's write makes EXEC return a null array", async () => {
  await run(["SET", "k", "1"], ["WATCH", "k"]);
  await byOther("SET", "k", "2");
  await run(["MULTI"], ["GET", "k"], ["EXEC"], ["GET", "k"]);
  // Writes that leave the key alone, or touch another key, do not count.
  await run(["WATCH", "k", "k2"]);
  await byOther("DEL", "nosuchkey");
  await byOther("SET", "unrelated", "1");
  await byOther("GET", "k");
  await run(["MULTI"], ["GET", "k"], ["EXEC"]);
  // A missing key being created counts; so does a delete.
  await run(["WATCH", "missing"]);
  await byOther("LPUSH", "missing", "x");
  await run(["MULTI"], ["PING"], ["EXEC"], ["WATCH", "k"]);
  await byOther("DEL", "k");
  await run(["MULTI"], ["PING"], ["EXEC"]);
});

test("WATCH: own writes before MULTI count, writes inside the transaction do not; UNWATCH forgets", async () => {
  await run(["WATCH", "k"], ["SET", "k", "1"], ["MULTI"], ["GET", "k"], ["EXEC"]);
  await run(["WATCH", "k"], ["MULTI"], ["SET", "k", "2"], ["EXEC"], ["GET", "k"]);
  await run(["WATCH", "k"]);
  await byOther("SET", "k", "3");
  await run(["UNWATCH"], ["MULTI"], ["GET", "k"], ["EXEC"]);
  // DISCARD also unwatches.
  await run(["WATCH", "k"], ["MULTI"], ["DISCARD"]);
  await byOther("SET", "k", "4");
  await run(["MULTI"], ["GET", "k"], ["EXEC"]);
  // Watching the same key twice, several keys, keys in another db.
  await run(["WATCH", "k", "k"], ["SELECT", "1"], ["WATCH", "k"], ["SELECT", "0"]);
  await byOther("SELECT", "1");
  await byOther("SET", "k", "x");
  await byOther("SELECT", "0");
  await run(["MULTI"], ["PING"], ["EXEC"]);
});

test("WATCH: a watched key expiring counts; one already expired at WATCH time does not", async () => {
  await run(["SET", "e", "1", "PX", "20"], ["WATCH", "e"]);
  await Bun.sleep(40);
  await run(["MULTI"], ["PING"], ["EXEC"]);
  // Expired and lazily deleted by someone's read after WATCH.
  await run(["SET", "e", "1", "PX", "20"], ["WATCH", "e"]);
  await Bun.sleep(40);
  await byOther("GET", "e");
  await run(["MULTI"], ["PING"], ["EXEC"]);
  // Already expired (not yet deleted) when watched: its deletion is no change...
  await run(["SET", "e", "1", "PX", "1"]);
  await Bun.sleep(10);
  await run(["WATCH", "e"]);
  await byOther("GET", "e");
  await run(["MULTI"], ["PING"], ["EXEC"]);
  // ...but setting it again is.
  await run(["SET", "e", "1", "PX", "1"]);
  await Bun.sleep(10);
  await run(["WATCH", "e"]);
  await byOther("SET", "e", "2");
  await run(["MULTI"], ["PING"], ["EXEC"]);
  // Expired at WATCH time, then flushed.
  await run(["SET", "e", "1", "PX", "1"]);
  await Bun.sleep(10);
  await run(["WATCH", "e"]);
  await byOther("FLUSHALL");
  await run(["MULTI"], ["PING"], ["EXEC"]);
});

test("WATCH: FLUSHALL, FLUSHDB, SWAPDB, RENAME", async () => {
  const scenario = async (setup: string[][], watch: string[], action: string[]) => {
    await d.same("FLUSHALL");
    await d.same("SELECT", "0");
    for (const c of setup) await byOther(...c);
    await byOther("SELECT", "0");
    await d.same(...watch);
    await byOther(...action);
    await run(["MULTI"], ["PING"], ["EXEC"]);
  };
  await scenario([["SET", "k", "1"]], ["WATCH", "k"], ["FLUSHALL"]);
  await scenario([["SET", "k", "1"]], ["WATCH", "k"], ["FLUSHALL", "ASYNC"]);
  await scenario([], ["WATCH", "k"], ["FLUSHALL"]);
  await scenario([["SET", "k", "1"]], ["WATCH", "k"], ["FLUSHDB"]);
  await scenario([["SET", "other", "1"]], ["WATCH", "k"], ["FLUSHDB"]);
  await scenario(
    [
      ["SELECT", "1"],
      ["SET", "k", "1"],
    ],
    ["WATCH", "k"],
    ["FLUSHDB"],
  );
  await scenario([["SET", "k", "1"]], ["WATCH", "k"], ["SWAPDB", "0", "1"]);
  await scenario(
    [
      ["SELECT", "1"],
      ["SET", "k", "1"],
    ],
    ["WATCH", "k"],
    ["SWAPDB", "0", "1"],
  );
  await scenario(
    [
      ["SELECT", "1"],
      ["SET", "k", "1"],
    ],
    ["WATCH", "k"],
    ["SWAPDB", "1", "0"],
  );
  await scenario(
    [
      ["SELECT", "2"],
      ["SET", "k", "1"],
    ],
    ["WATCH", "k"],
    ["SWAPDB", "0", "1"],
  );
  await scenario([["SET", "x", "1"]], ["WATCH", "k"], ["SWAPDB", "0", "1"]);
  await scenario([["SET", "k", "1"]], ["WATCH", "k"], ["SWAPDB", "0", "0"]);
  await scenario([["SET", "r", "1"]], ["WATCH", "r"], ["RENAME", "r", "r2"]);
  await scenario([["SET", "r", "1"]], ["WATCH", "r2"], ["RENAME", "r", "r2"]);
  await scenario([["SET", "r", "1"]], ["WATCH", "r"], ["MOVE", "r", "3"]);
  await scenario([["SET", "r", "1"]], ["WATCH", "r"], ["EXPIRE", "r", "100"]);
  await scenario([["SET", "r", "1"]], ["WATCH", "r"], ["PERSIST", "r"]);
});

test("WATCH and SWAPDB with stale keys: expired replaced by nothing or by expired is no change", async () => {
  // Each case: what db 0 and db 1 hold (a stale key has a 1 ms TTL, already past), the db the watch is in.
  const cases: [string, string, string][] = [
    ["none", "stale", "0"],
    ["stale", "none", "0"],
    ["stale", "stale", "0"],
    ["stale", "live", "0"],
    ["live", "stale", "0"],
    ["stale", "none", "1"],
  ];
  for (const [in0, in1, watchDb] of cases) {
    await d.same("FLUSHALL");
    for (const [db, what] of [
      ["0", in0],
      ["1", in1],
    ] as const) {
      await byOther("SELECT", db);
      if (what === "stale") await byOther("SET", "x", db, "PX", "1");
      if (what === "live") await byOther("SET", "x", db);
    }
    await new Promise((r) => setTimeout(r, 5));
    await d.same("SELECT", watchDb);
    await d.same("WATCH", "x");
    await byOther("SWAPDB", "0", "1");
    await run(["MULTI"], ["PING"], ["EXEC"]);
  }
});

test("maxmemory (noeviction): OOM refuses denyoom commands and anything queued in MULTI, not DISCARD or a read-only EXEC", async () => {
  const limit = async (v: string) => {
    await byOther("CONFIG", "SET", "maxmemory", v);
  };
  await run(["SET", "x", "v"], ["MULTI"], ["GET", "x"], ["PING"]);
  await limit("1");
  await run(["EXEC"], ["SET", "y", "1"], ["GET", "x"], ["MULTI"], ["SET", "y", "1"], ["DISCARD"]);
  await limit("0");
  await run(["MULTI"], ["SET", "y", "1"], ["GET", "y"]);
  await limit("1");
  await run(["EXEC"], ["EXISTS", "y"]);
  await limit("0");
  await run(["MULTI"], ["SET", "y", "2"]);
  await limit("1");
  await run(["LPUSH", "l", "1"], ["SET", "z", "1"]);
  await limit("0");
  await run(["EXEC"], ["EXISTS", "y", "z"]);
});

test("a gate's refusal of EXEC (min-replicas-to-write) aborts the transaction with EXECABORT", async () => {
  await run(["SET", "xx", "1"], ["MULTI"], ["INCR", "xx"]);
  await byOther("CONFIG", "SET", "min-replicas-to-write", "2");
  await run(["EXEC"], ["GET", "xx"], ["EXEC"]);
  await byOther("CONFIG", "SET", "min-replicas-to-write", "0");
});

test("QUIT and RESET inside MULTI", async () => {
  await run(["WATCH", "k"], ["MULTI"], ["SET", "k", "1"], ["RESET"], ["EXEC"], ["EXISTS", "k"]);
  // RESET dropped the watch: a later write does not fail the next transaction.
  await byOther("SET", "k", "2");
  await run(["MULTI"], ["GET", "k"], ["EXEC"]);
  const [ra, rb] = await d.connectPair();
  for (const c of [ra, rb]) {
    expect(await call(c, "MULTI")).toBe("+OK\r\n");
    expect(await call(c, "SET", "q", "1")).toBe("+QUEUED\r\n");
    expect(await call(c, "QUIT")).toBe("+OK\r\n");
    expect(await c.waitClosed()).toBe(true);
  }
  await run(["EXISTS", "q"]);
});

test("CLIENT LIST shows flags x/d and multi= like Redis", async () => {
  const view = async (i: 0 | 1) => {
    const list = await call(other[i], "CLIENT", "LIST");
    return list
      .split("\n")
      .filter((l) => !l.includes("cmd=client|list"))
      .map((l) => (l.match(/flags=\S+|multi=\S+|cmd=\S+/g) ?? []).join(" "))
      .join("|");
  };
  const compare = async () => expect(await view(1)).toEqual(await view(0));
  await run(["MULTI"], ["SET", "a", "1"], ["GET", "a"]);
  await compare();
  await run(["BADCMD"], ["SET", "b", "1"]);
  await compare();
  await run(["EXEC"], ["WATCH", "a"]);
  await byOther("SET", "a", "2");
  await compare();
  await run(["MULTI"], ["GET", "a"]);
  await compare();
  await run(["EXEC"]);
  await compare();
});

test("commandstats and errorstats count inner commands, rejections and EXEC itself", async () => {
  await run(["CONFIG", "RESETSTAT"]);
  await run(["MULTI"], ["SET", "a", "1"], ["LPUSH", "a", "x"], ["EXEC"]);
  await run(["MULTI"], ["FOO"], ["SET", "a"], ["EXEC"], ["EXEC"], ["DISCARD"]);
  await run(["WATCH", "a"], ["SET", "a", "2"], ["MULTI"], ["GET", "a"], ["EXEC"], ["MULTI"], ["MULTI"], ["WATCH", "x"], ["DISCARD"]);
  const stats = async (c: RawClient, section: string) =>
    (await call(c, "INFO", section))
      .split("\r\n")
      .filter((l) => l.includes(":") && !l.includes("config|resetstat"))
      .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, ""))
      .sort();
  for (const section of ["commandstats", "errorstats"]) {
    expect(await stats(d.respdClient, section)).toEqual(await stats(d.redisClient, section));
  }
});

test("CLIENT PAUSE WRITE holds an EXEC with queued writes, not a read-only one", async () => {
  const [ra, rb] = await d.connectPair();
  const results: string[][] = [];
  for (const [i, c] of [ra, rb].entries()) {
    const o = other[i as 0 | 1];
    const log: string[] = [];
    await call(c, "MULTI");
    await call(c, "SET", "p", "1");
    log.push(await call(o, "CLIENT", "PAUSE", "2000", "WRITE"));
    c.write(encodeCommand(["EXEC"]));
    // Held: nothing within 150 ms.
    log.push(await c.readReply(150).catch(() => "held"));
    // A read-only transaction on another connection goes through meanwhile.
    const main = i === 0 ? d.redisClient : d.respdClient;
    for (const cmd of [["MULTI"], ["GET", "p"], ["EXEC"]]) log.push(await call(main, ...cmd));
    log.push(await call(o, "CLIENT", "UNPAUSE"));
    log.push(await c.readReply());
    results.push(log);
    c.close();
  }
  expect(results[1]).toEqual(results[0] as string[]);
  expect(results[0]?.[1]).toBe("held");
});
