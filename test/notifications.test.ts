/** Keyspace notifications against the real redis-server: the same commands must publish the same events. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Differential } from "./helpers/diff.ts";
import { encodeCommand, type RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS } from "./helpers/server.ts";

let d: Differential | null;
let sub: [RawClient, RawClient];
let cmd: [RawClient, RawClient];
beforeAll(async () => {
  // DEBUG SET-ACTIVE-EXPIRE keeps the active cycle out of the lazy-expiry check.
  d = await Differential.start(["--enable-debug-command", "yes"]);
  if (!d) return;
  sub = await d.connectPair();
  cmd = await d.connectPair();
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  for (const c of [...(sub ?? []), ...(cmd ?? [])]) c.close();
  await d?.stop();
});

/** Everything that arrives on `c` until it goes quiet. */
async function drain(c: RawClient, minWaitMs = 30): Promise<string> {
  await new Promise((r) => setTimeout(r, minWaitMs));
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const n = c.pending().length;
    if (n === last) break;
    last = n;
    await new Promise((r) => setTimeout(r, 20));
  }
  const s = c.pending();
  await c.readBytes(s.length, 10);
  return s;
}

async function both(pair: [RawClient, RawClient], cmds: string[][], waitMs = 30): Promise<[string, string]> {
  for (const c of pair) c.write(Buffer.concat(cmds.map((x) => encodeCommand(x))));
  return Promise.all([drain(pair[0], waitMs), drain(pair[1], waitMs)]);
}

/** Runs commands on both servers and compares what the subscribers received (and the replies). */
async function events(cmds: string[][], waitMs = 30): Promise<string> {
  const [ra, rb] = await both(cmd, cmds, waitMs);
  expect({ cmds, replies: rb }).toEqual({ cmds, replies: ra });
  const [a, b] = await Promise.all([drain(sub[0]), drain(sub[1])]);
  expect({ cmds, events: b }).toEqual({ cmds, events: a });
  return a;
}

test("notify-keyspace-events parses and prints like Redis", async () => {
  if (!d) return;
  for (const v of ["KEA", "Kx", "Elg$", "AKEmn", "gg$", "E", "KEg$lshzxetd", "Z", "", "KA"]) {
    await d.same("CONFIG", "SET", "notify-keyspace-events", v);
    await d.same("CONFIG", "GET", "notify-keyspace-events");
  }
});

test("events per command family, on both channels", async () => {
  if (!d) return;
  await both(sub, [["PSUBSCRIBE", "__key*__:*"]]);
  await both(cmd, [["CONFIG", "SET", "notify-keyspace-events", "KEA"]]);
  const got = await events([
    ["SET", "s", "1"],
    ["APPEND", "s", "2"],
    ["INCR", "s"],
    ["INCRBYFLOAT", "s", "1.5"],
    ["SETRANGE", "s", "0", "9"],
    ["MSET", "m1", "a", "m2", "b"],
    ["GETDEL", "m1"],
    ["SETEX", "m2", "100", "x"],
    ["GETEX", "m2", "PERSIST"],
  ]);
  expect(got).toContain("__keyevent@0__:incrbyfloat");
  await events([
    ["EXPIRE", "s", "100"],
    ["PERSIST", "s"],
    ["RENAME", "s", "s2"],
    ["COPY", "s2", "s3"],
    ["DEL", "s2", "s3", "nokey"],
    ["SELECT", "3"],
    ["SET", "indb3", "v"],
    ["DEL", "indb3"],
    ["SELECT", "0"],
  ]);
  await events([
    ["LPUSH", "l", "a", "b"],
    ["RPUSH", "l", "c"],
    ["LINSERT", "l", "BEFORE", "a", "z"],
    ["LSET", "l", "0", "y"],
    ["LTRIM", "l", "0", "1"],
    ["LPOP", "l"],
    ["LMOVE", "l", "l2", "LEFT", "RIGHT"],
    ["RPOP", "l2"],
  ]);
  await events([
    ["HSET", "h", "f", "1", "g", "2"],
    ["HINCRBY", "h", "f", "3"],
    ["HDEL", "h", "f", "g"],
    ["SADD", "st", "a", "b"],
    ["SREM", "st", "a"],
    ["SMOVE", "st", "st2", "b"],
    ["SADD", "x1", "1", "2"],
    ["SINTERSTORE", "x2", "x1"],
    ["ZADD", "z", "1", "a", "2", "b"],
    ["ZINCRBY", "z", "5", "a"],
    ["ZREM", "z", "b"],
    ["ZPOPMIN", "z"],
    ["FLUSHALL"],
  ]);
});

test("only enabled classes and channel families are published; key-miss and new-key events when asked", async () => {
  if (!d) return;
  await both(cmd, [["CONFIG", "SET", "notify-keyspace-events", "El"]]);
  await events([
    ["SET", "k", "v"],
    ["RPUSH", "lst", "a"],
    ["DEL", "lst"],
  ]);
  await both(cmd, [["CONFIG", "SET", "notify-keyspace-events", "Kmn$"]]);
  await events([
    ["GET", "missing"],
    ["SET", "fresh", "v"],
    ["SET", "fresh", "w"],
    ["DEL", "fresh"],
  ]);
  await both(cmd, [["CONFIG", "SET", "notify-keyspace-events", ""]]);
  expect(
    await events([
      ["SET", "k", "v"],
      ["DEL", "k"],
    ]),
  ).toBe("");
});

test("expired events from lazy and active expiry", async () => {
  if (!d) return;
  await both(cmd, [["CONFIG", "SET", "notify-keyspace-events", "KEx"]]);
  // Without the active cycle the key can only expire on access: otherwise either server's cron may
  // expire it inside the events window, and the two servers' windows differ.
  await both(cmd, [["DEBUG", "SET-ACTIVE-EXPIRE", "0"]]);
  await events([["SET", "lazy", "v", "PX", "1"]]);
  await new Promise((r) => setTimeout(r, 20));
  // Reading it expires it on access.
  await events([["GET", "lazy"]]);
  await both(cmd, [["DEBUG", "SET-ACTIVE-EXPIRE", "1"]]);
  await events([["SET", "active", "v", "PX", "150"]]);
  // Nobody reads it: the active expire cycle (hz 10) finds it.
  const got = await events([], 600);
  expect(got).toContain("__keyevent@0__:expired");
  await both(cmd, [["CONFIG", "SET", "notify-keyspace-events", ""]]);
});
