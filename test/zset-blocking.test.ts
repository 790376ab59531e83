/**
 * BZPOPMIN, BZPOPMAX and BZMPOP blocking behaviour against the real
 * redis-server: several clients block on both servers the same way, the
 * same writes happen, and every client's reply must be byte-identical
 * (FIFO order, multi-key waits, timeouts, RESP3, wrong types).
 */
import { beforeEach, expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { encodeCommand, type RawClient } from "./helpers/raw.ts";
import { withDifferential } from "./helpers/suite.ts";

let d: Differential;
withDifferential((started) => {
  d = started;
});

beforeEach(async () => {
  await d.same("FLUSHALL");
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client pair (redis, respd) with a command sent to both and not yet answered. */
type Pair = [RawClient, RawClient];

async function blockOn(...args: string[]): Promise<Pair> {
  const pair = await d.connectPair();
  for (const c of pair) c.write(encodeCommand(args));
  // Let both servers park the client before the next client arrives (FIFO order).
  await sleep(50);
  for (const c of pair) expect(c.pending()).toBe("");
  return pair;
}

/** Both clients' next replies, which must be identical; returns the reply. */
async function sameReply(pair: Pair, timeoutMs = 3000): Promise<string> {
  const a = await pair[0].readReply(timeoutMs);
  const b = await pair[1].readReply(timeoutMs);
  expect(b).toEqual(a);
  return a;
}

function close(...pairs: Pair[]): void {
  for (const p of pairs) for (const c of p) c.close();
}

test("clients blocked on one key are served first come, first served, one ZADD member each", async () => {
  const p1 = await blockOn("BZPOPMIN", "z", "0");
  const p2 = await blockOn("BZPOPMAX", "z", "0");
  const p3 = await blockOn("BZPOPMIN", "z", "0");
  await d.same("ZADD", "z", "1", "a", "2", "b");
  expect(await sameReply(p1)).toBe("*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
  expect(await sameReply(p2)).toBe("*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n");
  await d.same("EXISTS", "z");
  await d.same("ZADD", "z", "3", "c");
  await sameReply(p3);
  await d.same("EXISTS", "z");
  close(p1, p2, p3);
});

test("multi-key waits are served from the key that receives data", async () => {
  const p1 = await blockOn("BZPOPMIN", "k1", "k2", "k3", "0");
  const p2 = await blockOn("BZMPOP", "0", "2", "k3", "k2", "MAX", "COUNT", "2");
  await d.same("ZADD", "k2", "1", "a", "2", "b", "3", "c");
  await sameReply(p1);
  await sameReply(p2);
  await d.same("ZRANGE", "k2", "0", "-1", "WITHSCORES");
  await d.same("EXISTS", "k2");
  close(p1, p2);
});

test("BZMPOP pops up to COUNT and may empty the key; ZUNIONSTORE and ZRANGESTORE also serve", async () => {
  const p1 = await blockOn("BZMPOP", "0", "1", "z", "MIN", "COUNT", "10");
  await d.same("ZADD", "src", "1", "a", "2", "b", "3", "c");
  await d.same("ZUNIONSTORE", "z", "1", "src");
  await sameReply(p1);
  await d.same("EXISTS", "z");
  const p2 = await blockOn("BZPOPMAX", "z", "0");
  await d.same("ZRANGESTORE", "z", "src", "0", "1");
  await sameReply(p2);
  await d.same("ZRANGE", "z", "0", "-1", "WITHSCORES");
  close(p1, p2);
});

test("timeouts reply a null array, in RESP2 and RESP3", async () => {
  const p1 = await blockOn("BZPOPMIN", "nokey", "0.2");
  const p2 = await blockOn("BZMPOP", "0.2", "1", "nokey", "MIN");
  expect(await sameReply(p1)).toBe("*-1\r\n");
  expect(await sameReply(p2)).toBe("*-1\r\n");
  const p3 = await d.connectPair();
  for (const c of p3) c.write(encodeCommand(["HELLO", "3"]));
  await p3[0].readReply();
  await p3[1].readReply();
  for (const c of p3) c.write(encodeCommand(["BZPOPMAX", "nokey", "0.1"]));
  expect(await sameReply(p3)).toBe("_\r\n");
  for (const c of p3) c.write(encodeCommand(["BZMPOP", "0", "1", "z", "MAX", "COUNT", "2"]));
  await sleep(50);
  await d.same("ZADD", "z", "1.5", "a", "2", "b", "3", "c");
  // RESP3: the score is a double, the pairs are nested arrays.
  expect(await sameReply(p3)).toBe("*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  close(p1, p2, p3);
});

test("a key of another type does not serve a waiting client; a later zset does", async () => {
  const p1 = await blockOn("BZPOPMIN", "k", "0");
  await d.same("SET", "k", "string");
  await sleep(50);
  for (const c of p1) expect(c.pending()).toBe("");
  await d.same("DEL", "k");
  await d.same("ZADD", "k", "5", "m");
  await sameReply(p1);
  close(p1);
});

test("elements added and removed in one transaction-free burst are served in order", async () => {
  const waiters: Pair[] = [];
  for (let i = 0; i < 4; i++) waiters.push(await blockOn(i % 2 ? "BZPOPMAX" : "BZPOPMIN", "q", "0"));
  const members: string[] = [];
  for (let i = 0; i < 6; i++) members.push(String(i), `m${i}`);
  await d.same("ZADD", "q", ...members);
  for (const w of waiters) await sameReply(w);
  await d.same("ZRANGE", "q", "0", "-1", "WITHSCORES");
  close(...waiters);
});
