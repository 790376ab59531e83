/**
 * Fan-out against the real redis-server: one PUBLISH reaches many subscribers
 * of both protocols, on channels and patterns, and each must get exactly
 * Redis's bytes (respd encodes each message once and shares the bytes).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Differential } from "./helpers/diff.ts";
import { encodeCommand, type RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS } from "./helpers/server.ts";

let d: Differential | null;
beforeAll(async () => {
  d = await Differential.start();
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  for (const c of opened) c.close();
  await d?.stop();
});

const opened: RawClient[] = [];
async function pair(): Promise<[RawClient, RawClient]> {
  const p = await (d as Differential).connectPair();
  opened.push(...p);
  return p;
}

/** Sends commands pipelined and returns every byte that arrives until the connection goes quiet. */
async function run(c: RawClient, ...cmds: string[][]): Promise<string> {
  if (cmds.length > 0) c.write(Buffer.concat(cmds.map((x) => encodeCommand(x))));
  let last = -1;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const n = c.pending().length;
    if (n === last && (n > 0 || cmds.length === 0)) break;
    last = n;
  }
  const s = c.pending();
  await c.readBytes(s.length, 10);
  return s;
}

/** HELLO's reply holds the connection id, which differs between the servers. */
const maskId = (s: string) => s.replace(/\$2\r\nid\r\n:\d+\r\n/g, "$2\r\nid\r\n:?\r\n");

async function same(p: [RawClient, RawClient], ...cmds: string[][]): Promise<string> {
  const [a, b] = (await Promise.all([run(p[0], ...cmds), run(p[1], ...cmds)])).map(maskId) as [string, string];
  expect({ cmds, got: b }).toEqual({ cmds, got: a });
  return a;
}

test("one publish to RESP2 and RESP3 subscribers of a channel and of several patterns", async () => {
  if (!d) return;
  const subs: [RawClient, RawClient][] = [];
  for (let i = 0; i < 6; i++) {
    const s = await pair();
    if (i % 2 === 1) await same(s, ["HELLO", "3"]);
    // One pattern each, shared by a RESP2 and a RESP3 subscriber: Redis's order across patterns is its dict's (seeded) order.
    await same(s, ["SUBSCRIBE", "feed", "other"], ...(i < 4 ? [["PSUBSCRIBE", i < 2 ? "f*" : "*d"]] : []));
    subs.push(s);
  }
  // A pattern with a single subscriber (its own, unshared message).
  const lone = await pair();
  await same(lone, ["HELLO", "3"]);
  await same(lone, ["PSUBSCRIBE", "fe?d"]);
  const pub = await pair();
  const got = await same(
    pub,
    ["PUBLISH", "feed", "one"],
    ["PUBLISH", "feed", ""],
    ["PUBLISH", "feed", "\x00\r\n\xff"],
    ["PUBLISH", "other", "two"],
    ["PUBLISH", "nobody", "x"],
  );
  // 6 on the channel, 2 + 2 on patterns, 1 lone pattern.
  expect(got).toBe(":11\r\n:11\r\n:11\r\n:6\r\n:0\r\n");
  for (const s of subs) expect((await same(s)).length).toBeGreaterThan(0);
  expect(await same(lone)).toContain("fe?d");
});

test("a subscriber that switches protocol while subscribed gets the new shape", async () => {
  if (!d) return;
  const a = await pair();
  const b = await pair();
  await same(a, ["HELLO", "3"]);
  await same(a, ["SUBSCRIBE", "c"]);
  await same(b, ["SUBSCRIBE", "c"]);
  const pub = await pair();
  await same(pub, ["PUBLISH", "c", "first"]);
  expect(await same(a)).toStartWith(">3\r\n");
  await same(a, ["HELLO", "2"]);
  await same(pub, ["PUBLISH", "c", "second"]);
  expect(await same(a)).toStartWith("*3\r\n");
  await same(b);
  // Its own publish, amid its own replies, in the shape of each moment.
  await same(a, ["HELLO", "3"], ["PUBLISH", "c", "self"], ["HELLO", "2"], ["PUBLISH", "c", "again"], ["PING"]);
  await same(b);
});

test("keyspace notifications reach every subscriber of both families", async () => {
  if (!d) return;
  const cfg = await pair();
  await same(cfg, ["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
  const subs = [await pair(), await pair(), await pair()];
  await same(subs[1] as [RawClient, RawClient], ["HELLO", "3"]);
  for (const s of subs) await same(s, ["PSUBSCRIBE", "__key*__:*"], ["SUBSCRIBE", "__keyevent@0__:set"]);
  await same(cfg, ["SET", "fan:k", "v"], ["DEL", "fan:k"], ["INCR", "fan:n"]);
  for (const s of subs) await same(s);
  await same(cfg, ["CONFIG", "SET", "notify-keyspace-events", ""]);
});
