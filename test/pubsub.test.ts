/** Pub/sub against the real redis-server: reply bytes of subscribe flows in RESP2/RESP3, introspection, limits. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { Differential } from "./helpers/diff.ts";
import { call, encodeCommand, RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS, type ServerProcess, startRespd } from "./helpers/server.ts";

let d: Differential | null;
beforeAll(async () => {
  d = await Differential.start();
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  await d?.stop();
});

/** Sends commands pipelined and returns every byte that arrives until the connection goes quiet. */
async function run(c: RawClient, ...cmds: string[][]): Promise<string> {
  c.write(Buffer.concat(cmds.map((x) => encodeCommand(x))));
  let last = -1;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const n = c.pending().length;
    if (n === last && n > 0) break;
    last = n;
  }
  const s = c.pending();
  await c.readBytes(s.length, 10);
  return s;
}

/** Runs the same pipeline on a redis and a respd connection; the bytes must match. */
async function same(pair: [RawClient, RawClient], ...cmds: string[][]): Promise<string> {
  const [a, b] = await Promise.all([run(pair[0], ...cmds), run(pair[1], ...cmds)]);
  expect({ cmds, got: b }).toEqual({ cmds, got: a });
  return a;
}

const pairs: RawClient[] = [];
async function pair(): Promise<[RawClient, RawClient]> {
  const p = await (d as Differential).connectPair();
  pairs.push(...p);
  return p;
}
afterAll(() => {
  for (const c of pairs) c.close();
});

test("RESP2 subscribe flow: confirmations, subscribed-mode errors, PING shape, unsubscribe, back to normal", async () => {
  if (!d) return;
  const s = await pair();
  await same(s, ["UNSUBSCRIBE"], ["PUNSUBSCRIBE"], ["SUNSUBSCRIBE"]);
  await same(s, ["SUBSCRIBE", "a", "b", "a"], ["GET", "x"], ["PING"], ["PING", "hi"], ["PSUBSCRIBE", "h*"], ["SSUBSCRIBE", "s1"]);
  await same(s, ["HELLO", "2"], ["CLIENT", "INFO"], ["MULTI"], ["UNSUBSCRIBE", "a", "zz"], ["SUNSUBSCRIBE", "s1"]);
  await same(s, ["PUNSUBSCRIBE", "h*", "nope"], ["UNSUBSCRIBE"], ["GET", "x"], ["PING"]);
  await same(s, ["SUBSCRIBE", "q"], ["RESET"], ["GET", "x"]);
});

test("RESP3 subscribers get push frames and may run any command; a self-publish arrives before the count", async () => {
  if (!d) return;
  const s = await pair();
  await run(s[0], ["HELLO", "3"]);
  await run(s[1], ["HELLO", "3"]);
  await same(s, ["SUBSCRIBE", "a"], ["GET", "x"], ["PING"], ["PUBLISH", "a", "self"], ["SSUBSCRIBE", "a"], ["SPUBLISH", "a", "x"]);
  await same(s, ["PSUBSCRIBE", "a*"], ["PUBLISH", "a", "both"], ["UNSUBSCRIBE"], ["PUNSUBSCRIBE"], ["SUNSUBSCRIBE"], ["PING"]);
});

test("confirmations are sent even under CLIENT REPLY OFF", async () => {
  if (!d) return;
  const s = await pair();
  await same(s, ["CLIENT", "REPLY", "OFF"], ["SUBSCRIBE", "a"], ["UNSUBSCRIBE"], ["CLIENT", "REPLY", "ON"], ["PING"]);
});

test("messages between connections, RESP2 and RESP3 subscribers, patterns and shard channels", async () => {
  if (!d) return;
  const sub2 = await pair();
  const sub3 = await pair();
  const pub = await pair();
  await same(sub2, ["SUBSCRIBE", "news"], ["PSUBSCRIBE", "n*"], ["SSUBSCRIBE", "shard"]);
  await run(sub3[0], ["HELLO", "3"]);
  await run(sub3[1], ["HELLO", "3"]);
  await same(sub3, ["SUBSCRIBE", "news"]);
  await same(pub, ["PUBLISH", "news", "m1"], ["PUBLISH", "nope", "m2"], ["PUBLISH", "other", "m3"], ["SPUBLISH", "shard", "m4"]);
  await same(sub2);
  await same(sub3);
  await same(pub, ["PUBLISH", "news", "\x00\xff binary"]);
  await same(sub2);
  await same(sub3);
});

test("PUBSUB introspection", async () => {
  if (!d) return;
  const a = await pair();
  const b = await pair();
  const q = await pair();
  await same(a, ["SUBSCRIBE", "c1", "c2"], ["PSUBSCRIBE", "p*", "q*"], ["SSUBSCRIBE", "s1"]);
  await same(b, ["SUBSCRIBE", "c1"], ["PSUBSCRIBE", "p*"], ["SSUBSCRIBE", "s1", "s2"]);
  await same(
    q,
    ["PUBSUB", "NUMSUB", "c1", "c2", "c3"],
    ["PUBSUB", "NUMSUB"],
    ["PUBSUB", "NUMPAT"],
    ["PUBSUB", "SHARDNUMSUB", "s1", "s2", "s3"],
  );
  await same(
    q,
    ["PUBSUB", "CHANNELS", "c1"],
    ["PUBSUB", "CHANNELS", "nomatch*"],
    ["PUBSUB", "SHARDCHANNELS", "s2"],
    ["PUBSUB", "CHANNELS", "a", "b"],
  );
  await same(q, ["PUBSUB", "FOO"], ["PUBSUB", "HELP"], ["PUBSUB", "NUMPAT", "x"], ["PUBSUB"], ["PUBLISH", "c1"]);
  const d2 = d as Differential;
  const [x, y] = await Promise.all([call(d2.redisClient, "PUBSUB", "CHANNELS"), call(d2.respdClient, "PUBSUB", "CHANNELS")]);
  const sorted = (s: string) => s.split("\r\n").slice(1).sort().join(",");
  expect(sorted(y)).toBe(sorted(x));
  const info = async (c: RawClient) => (await call(c, "INFO", "stats")).split("\r\n").filter((l) => l.startsWith("pubsub"));
  expect(await info(d2.respdClient)).toEqual(await info(d2.redisClient));
  await same(a, ["UNSUBSCRIBE", "c1", "c2"], ["PUNSUBSCRIBE", "p*", "q*"], ["SUNSUBSCRIBE", "s1"]);
  await same(q, ["PUBSUB", "NUMSUB", "c1", "c2"], ["PUBSUB", "NUMPAT"], ["PUBLISH", "c1", "x"]);
  await same(b);
});

test("COMMAND INFO of the pub/sub commands matches", async () => {
  if (!d) return;
  for (const name of ["subscribe", "unsubscribe", "psubscribe", "punsubscribe", "publish", "ssubscribe", "sunsubscribe", "spublish"]) {
    await d.same("COMMAND", "INFO", name);
    await d.same("COMMAND", "DOCS", name);
  }
  for (const sub of ["channels", "numsub", "numpat", "shardchannels", "shardnumsub", "help"]) {
    await d.same("COMMAND", "INFO", `pubsub|${sub}`);
    await d.same("COMMAND", "DOCS", `pubsub|${sub}`);
  }
});

let respd: ServerProcess;
beforeAll(async () => {
  respd = await startRespd();
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  await respd.stop();
});

/** A subscriber that stops reading right after subscribing, so the server's queue for it grows. */
function silentSubscriber(port: number, channel: string, name: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1" }, () => {
      s.write(encodeCommand(["CLIENT", "SETNAME", name]));
      s.write(encodeCommand(["SUBSCRIBE", channel]));
    });
    let got = "";
    const onData = (b: Buffer) => {
      got += b.toString("latin1");
      if (got.includes("subscribe")) {
        s.off("data", onData);
        s.pause();
        resolve(s);
      }
    };
    s.on("data", onData);
    s.on("error", () => {});
    s.once("error", reject);
  });
}

function clientLine(list: string, name: string): string | undefined {
  return list.split("\n").find((l) => l.includes(`name=${name} `));
}

test("a subscriber that never reads is disconnected at the hard output buffer limit", async () => {
  const admin = await RawClient.connect(respd.port);
  expect(await call(admin, "CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 128kb 60")).toBe("+OK\r\n");
  const slow = await silentSubscriber(respd.port, "flood", "slowsub");
  const big = "x".repeat(64 * 1024);
  let gone = false;
  for (let i = 0; i < 2000 && !gone; i++) {
    const n = await call(admin, "PUBLISH", "flood", big);
    if (n === ":0\r\n") gone = true;
  }
  expect(gone).toBe(true);
  expect(clientLine(await call(admin, "CLIENT", "LIST"), "slowsub")).toBeUndefined();
  await new Promise((r) => setTimeout(r, 100));
  expect(respd.output()).toContain("scheduled to be closed ASAP for overcoming of output buffer limits.");
  expect(respd.output()).toContain("name=slowsub");
  // Normal clients are not affected, and the server still serves.
  expect(await call(admin, "PING")).toBe("+PONG\r\n");
  admin.close();
  slow.destroy();
}, 30_000);

test("the soft limit disconnects only after being exceeded for longer than its seconds", async () => {
  const admin = await RawClient.connect(respd.port);
  expect(await call(admin, "CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 64kb 1")).toBe("+OK\r\n");
  const slow = await silentSubscriber(respd.port, "soft", "softsub");
  const big = "y".repeat(64 * 1024);
  const started = Date.now();
  let goneAfter = -1;
  while (Date.now() - started < 8000) {
    const n = await call(admin, "PUBLISH", "soft", big);
    if (n === ":0\r\n") {
      goneAfter = Date.now() - started;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(goneAfter).toBeGreaterThan(1000);
  expect(await call(admin, "CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60")).toBe("+OK\r\n");
  admin.close();
  slow.destroy();
}, 30_000);
