/** Client-side caching (CLIENT TRACKING) against the real redis-server, and with node-redis's client-side cache. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createClient } from "redis";
import { Differential } from "./helpers/diff.ts";
import { call, encodeCommand, type RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS } from "./helpers/server.ts";

let d: Differential | null;
const opened: RawClient[] = [];
beforeAll(async () => {
  // DEBUG SET-ACTIVE-EXPIRE makes lazy expiry observable.
  d = await Differential.start(["--enable-debug-command", "yes"]);
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  for (const c of opened) c.close();
  await d?.stop();
});

async function pair(): Promise<[RawClient, RawClient]> {
  const p = await (d as Differential).connectPair();
  opened.push(...p);
  return p;
}

async function drain(c: RawClient): Promise<string> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const n = c.pending().length;
    if (n === last) break;
    last = n;
  }
  const s = c.pending();
  await c.readBytes(s.length, 10);
  return s;
}

/** Redirect target ids per side, masked in comparisons. */
let redirIds: [string, string] | undefined;

/** Same pipeline on both servers; the bytes (ids masked) must match. */
async function same(p: [RawClient, RawClient], ...cmds: string[][]): Promise<string> {
  for (const c of p) c.write(Buffer.concat(cmds.map((x) => encodeCommand(x))));
  const [a, b] = await Promise.all([drain(p[0]), drain(p[1])]);
  const mask = (s: string, id: string | undefined) => {
    const out = s.replace(/\$2\r\nid\r\n:\d+/g, "$2\r\nid\r\n:ID");
    return id === undefined ? out : out.replaceAll(`:${id}\r\n`, ":REDIR\r\n");
  };
  expect({ cmds, got: mask(b, redirIds?.[1]) }).toEqual({ cmds, got: mask(a, redirIds?.[0]) });
  return a;
}

/** CLIENT ID on each side, for REDIRECT. */
async function ids(p: [RawClient, RawClient]): Promise<[string, string]> {
  const parse = (s: string) => s.slice(1, -2);
  return [parse(await call(p[0], "CLIENT", "ID")), parse(await call(p[1], "CLIENT", "ID"))];
}

test("RESP3 default mode: reads are tracked, writes invalidate after the writer's reply, flushes send null", async () => {
  if (!d) return;
  const a = await pair();
  const w = await pair();
  await same(a, ["HELLO", "3"], ["CLIENT", "TRACKING", "ON"], ["GET", "k"], ["SET", "k", "1"], ["GET", "k"], ["MGET", "k", "k2"]);
  await same(a, ["CLIENT", "TRACKINGINFO"], ["CLIENT", "GETREDIR"], ["DEL", "k", "k2"], ["FLUSHDB"]);
  await same(a, ["GET", "k"], ["EXISTS", "k3"]);
  await same(w, ["SET", "k3", "x"], ["SET", "k3", "y"], ["SET", "k", "z"]);
  await same(a);
  await same(w, ["FLUSHALL"]);
  await same(a, ["CLIENT", "TRACKING", "OFF"], ["CLIENT", "TRACKINGINFO"], ["CLIENT", "GETREDIR"]);
});

test("NOLOOP, OPTIN and OPTOUT with CLIENT CACHING", async () => {
  if (!d) return;
  const a = await pair();
  await same(a, ["HELLO", "3"], ["CLIENT", "TRACKING", "ON", "NOLOOP"], ["GET", "n1"], ["SET", "n1", "v"], ["CLIENT", "TRACKINGINFO"]);
  await same(
    a,
    ["CLIENT", "TRACKING", "OFF"],
    ["CLIENT", "TRACKING", "ON", "OPTIN"],
    ["CLIENT", "CACHING", "NO"],
    ["CLIENT", "CACHING", "YES"],
  );
  await same(
    a,
    ["GET", "o1"],
    ["GET", "o2"],
    ["CLIENT", "TRACKINGINFO"],
    ["CLIENT", "CACHING", "YES"],
    ["CLIENT", "TRACKINGINFO"],
    ["GET", "o3"],
  );
  await same(a, ["CLIENT", "TRACKING", "ON", "OPTOUT"], ["MSET", "o1", "1", "o2", "2", "o3", "3"]);
  await same(
    a,
    ["CLIENT", "TRACKING", "OFF"],
    ["CLIENT", "TRACKING", "ON", "OPTOUT"],
    ["CLIENT", "CACHING", "NO"],
    ["GET", "p1"],
    ["GET", "p2"],
  );
  await same(a, ["MSET", "p1", "1", "p2", "2"], ["CLIENT", "TRACKING", "OFF"]);
});

/** Polls DBSIZE on both sides of `w` (in its own db) until it reads `n`. */
async function dbsizeIs(w: [RawClient, RawClient], n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const [a, b] = [await call(w[0], "DBSIZE"), await call(w[1], "DBSIZE")];
    if (a === `:${n}\r\n` && b === a) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`DBSIZE never reached ${n}`);
}

test("a key the active expire cycle deletes is invalidated, in default and BCAST mode", async () => {
  if (!d) return;
  const a = await pair();
  const b = await pair();
  const w = await pair();
  // A db of its own, so DBSIZE tells when the cron has deleted the key (DBSIZE itself expires nothing).
  await same(w, ["SELECT", "7"], ["SET", "ax:1", "v", "PX", "300"]);
  await same(a, ["HELLO", "3"], ["SELECT", "7"], ["CLIENT", "TRACKING", "ON"], ["GET", "ax:1"]);
  await same(b, ["HELLO", "3"], ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ax:"]);
  await dbsizeIs(w, 0);
  await same(a);
  await same(b);
  await same(a, ["CLIENT", "TRACKING", "OFF"]);
  await same(b, ["CLIENT", "TRACKING", "OFF"]);
});

test("keys read inside EXEC are tracked; a lazily expired key's invalidation follows the reply that met it", async () => {
  if (!d) return;
  const a = await pair();
  await same(
    a,
    ["HELLO", "3"],
    ["CLIENT", "TRACKING", "ON"],
    ["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
    ["MULTI"],
    ["MSET", "lx:1", "1", "lx:2", "2"],
    ["PEXPIRE", "lx:2", "100"],
    ["GET", "lx:2"],
    ["EXEC"],
  );
  await new Promise((r) => setTimeout(r, 150));
  await same(a, ["MGET", "lx:1", "lx:2"]);
  await same(a, ["MULTI"], ["INCR", "lx:1"], ["GET", "lx:1"], ["EXEC"]);
  await same(a, ["DEBUG", "SET-ACTIVE-EXPIRE", "1"], ["CLIENT", "TRACKING", "OFF"]);
});

test("a served BLMOVE gets its reply before the invalidation of the key it wrote", async () => {
  if (!d) return;
  const r = await pair();
  const w = await pair();
  await same(r, ["HELLO", "3"], ["CLIENT", "TRACKING", "ON"], ["LRANGE", "bm:2", "0", "-1"]);
  for (const c of r) c.write(encodeCommand(["BLMOVE", "bm:1", "bm:2", "LEFT", "LEFT", "0"]));
  await new Promise((res) => setTimeout(res, 100));
  await same(w, ["RPUSH", "bm:1", "foo"]);
  await same(r);
  await same(r, ["CLIENT", "TRACKING", "OFF"]);
});

test("tracking-table-max-keys: keys past the limit are dropped with an invalidation", async () => {
  if (!d) return;
  const t = await pair();
  // FLUSHALL empties the tracking table: keys other tests' clients still track would otherwise be among the
  // dropped ones, which Redis picks at random, so the count below would vary.
  await same(t, ["FLUSHALL"], ["HELLO", "3"], ["CLIENT", "TRACKING", "ON"], ["MGET", "tm:1", "tm:2", "tm:3"]);
  for (const c of t) c.write(encodeCommand(["CONFIG", "SET", "tracking-table-max-keys", "1"]));
  // Which keys go is random in Redis, and when (the cron or the next command): count them.
  const count = async (c: RawClient) => {
    let seen = "";
    for (let i = 0; i < 250 && (seen.match(/invalidate/g) ?? []).length < 2; i++) {
      await new Promise((res) => setTimeout(res, 20));
      seen += await drain(c);
    }
    return (seen.match(/invalidate/g) ?? []).length;
  };
  expect(await Promise.all([count(t[0]), count(t[1])])).toEqual([2, 2]);
  await same(t, ["CONFIG", "SET", "tracking-table-max-keys", "1000000"], ["CLIENT", "TRACKING", "OFF"]);
});

test("RESP2 redirect to a subscriber gets messages on __redis__:invalidate; a vanished target breaks the redirect", async () => {
  if (!d) return;
  const target = await pair();
  const tracker = await pair();
  const [ra, rb] = await ids(target);
  redirIds = [ra, rb];
  await same(target, ["SUBSCRIBE", "__redis__:invalidate"]);
  tracker[0].write(encodeCommand(["CLIENT", "TRACKING", "ON", "REDIRECT", ra]));
  tracker[1].write(encodeCommand(["CLIENT", "TRACKING", "ON", "REDIRECT", rb]));
  await same(tracker, ["GET", "r1"], ["CLIENT", "GETREDIR"]);
  await same(tracker, ["SET", "r1", "v"], ["FLUSHALL"]);
  await same(target);
  await same(tracker, ["HELLO", "3"], ["GET", "r2"]);
  target[0].close();
  target[1].close();
  await new Promise((r) => setTimeout(r, 50));
  await same(tracker, ["SET", "r2", "v"], ["CLIENT", "TRACKINGINFO"]);
});

test("BCAST prefixes: batched invalidations, NOLOOP, prefix errors", async () => {
  if (!d) return;
  const b = await pair();
  const w = await pair();
  await same(b, ["HELLO", "3"], ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a", "PREFIX", "b", "NOLOOP"]);
  await same(w, ["MSET", "a2", "x", "a1", "x", "c", "1", "b9", "z"]);
  await same(b);
  await same(b, ["SET", "a3", "self"], ["SET", "b3", "mine"]);
  await same(
    b,
    ["CLIENT", "TRACKINGINFO"],
    ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "abc"],
    ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "zz"],
  );
  await same(b, ["CLIENT", "TRACKINGINFO"], ["CLIENT", "TRACKING", "OFF"]);
  await same(b, ["CLIENT", "TRACKING", "ON", "BCAST"], ["CLIENT", "TRACKINGINFO"]);
  await same(w, ["SET", "anything", "1"]);
  await same(b, ["CLIENT", "TRACKING", "OFF"]);
});

test("CLIENT TRACKING / CACHING errors", async () => {
  if (!d) return;
  const a = await pair();
  await same(
    a,
    ["CLIENT", "TRACKING", "ON", "REDIRECT", "999999"],
    ["CLIENT", "TRACKING", "ON", "REDIRECT", "abc"],
    ["CLIENT", "TRACKING", "ON", "PREFIX", "a"],
    ["CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"],
    ["CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"],
    ["CLIENT", "TRACKING", "MAYBE"],
    ["CLIENT", "TRACKING", "ON", "FOO"],
    ["CLIENT", "TRACKING", "ON", "PREFIX"],
    ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "a"],
    ["CLIENT", "TRACKING"],
    ["CLIENT", "CACHING", "YES"],
    ["CLIENT", "CACHING"],
  );
  await same(
    a,
    ["CLIENT", "TRACKING", "ON", "OPTIN"],
    ["CLIENT", "TRACKING", "ON", "OPTOUT"],
    ["CLIENT", "TRACKING", "ON", "BCAST"],
    ["CLIENT", "CACHING", "MAYBE"],
  );
  await same(a, ["CLIENT", "CACHING", "NO"], ["CLIENT", "TRACKING", "OFF"]);
  for (const sub of ["tracking", "caching", "getredir", "trackinginfo"]) {
    await d.same("COMMAND", "INFO", `client|${sub}`);
    await d.same("COMMAND", "DOCS", `client|${sub}`);
  }
});

test("node-redis clientSideCache is invalidated when another client writes the key", async () => {
  if (!d) return;
  const url = `redis://127.0.0.1:${d.respd.port}`;
  const cached = createClient({ url, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0, evictPolicy: "LRU" } });
  const writer = createClient({ url });
  await cached.connect();
  await writer.connect();
  try {
    await writer.set("csc:key", "v1");
    expect(await cached.get("csc:key")).toBe("v1");
    expect(await cached.get("csc:key")).toBe("v1");
    const cache = cached.clientSideCache as unknown as { size(): number; stats(): { hitCount: number } };
    expect(cache.stats().hitCount).toBe(1);
    expect(cache.size()).toBe(1);
    await writer.set("csc:key", "v2");
    for (let i = 0; i < 50 && cache.size() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cache.size()).toBe(0);
    expect(await cached.get("csc:key")).toBe("v2");
  } finally {
    await cached.quit();
    await writer.quit();
  }
});
