/**
 * MIGRATE against the real redis-server: the same scenarios run with Redis
 * and with respd as the source, each sending into its own database of one
 * target redis-server, and every reply must be byte-identical; the keys that
 * arrived (values and TTLs) must match too. respd as a target is covered by
 * the RESTORE tests (test/dump.test.ts) and a respd-to-respd transfer here.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call, RawClient } from "./helpers/raw.ts";
import { freePort, HOOK_TIMEOUT_MS, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";
import { waitFor } from "./helpers/wait.ts";

const haveRedis = requireRedisInCI();
let d: Differential;
let target: ServerProcess | null = null;
let t: RawClient;

if (haveRedis) {
  withDifferential((started) => {
    d = started;
  });
  beforeAll(async () => {
    target = await startRedis();
    t = await RawClient.connect((target as ServerProcess).port);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    t?.close();
    await target?.stop();
  });
}

/** Runs `scenario` against each source with its own target db; replies must be identical. */
async function bothSources(scenario: (src: RawClient, db: string) => Promise<string[]>): Promise<void> {
  await call(t, "FLUSHALL");
  await d.same("FLUSHALL");
  const fromRedis = await scenario(d.redisClient, "1");
  const fromRespd = await scenario(d.respdClient, "2");
  expect(fromRespd).toEqual(fromRedis);
}

/** What landed in a target db: each key's type, value and a TTL rounded to seconds. */
async function landed(db: string): Promise<string[]> {
  await call(t, "SELECT", db);
  const keys = (await call(t, "KEYS", "*")).split("\r\n").filter((l, i) => i > 0 && !l.startsWith("$") && l !== "");
  const out: string[] = [];
  for (const k of keys.sort()) {
    const type = await call(t, "TYPE", k);
    const ttl = Number((await call(t, "PTTL", k)).slice(1, -2));
    const value =
      type === "+string\r\n"
        ? await call(t, "GET", k)
        : type === "+list\r\n"
          ? await call(t, "LRANGE", k, "0", "-1")
          : await call(t, "HGETALL", k);
    out.push(`${k} ${type.trim()} ${JSON.stringify(value)} ${ttl < 0 ? ttl : Math.round(ttl / 1000)}`);
  }
  await call(t, "SELECT", "0");
  return out;
}

test.skipIf(!haveRedis)("MIGRATE moves, copies and replaces keys, with TTLs, NOKEY and the target's errors", async () => {
  const port = () => String((target as ServerProcess).port);
  await bothSources(async (src, db) => {
    const r: string[] = [];
    const m = async (...args: string[]) => r.push(await call(src, "MIGRATE", "127.0.0.1", port(), ...args));
    await call(src, "SET", "k", "Some Value");
    await call(src, "RPUSH", "list", "a", "b", "c");
    await call(src, "HSET", "h", "f1", "v1", "f2", "v2");
    await call(src, "SET", "ttl", "x", "PX", "100000");
    await m("k", db, "5000");
    r.push(await call(src, "EXISTS", "k"));
    await m("list", db, "5000", "COPY");
    r.push(await call(src, "LRANGE", "list", "0", "-1"));
    // The target has it now: an error unless REPLACE.
    await m("list", db, "5000", "COPY");
    await call(src, "RPUSH", "list", "d");
    await m("list", db, "5000", "copy", "replace");
    await m("h", db, "5000");
    await m("ttl", db, "5000");
    await m("nokey", db, "5000");
    await m("", db, "5000", "KEYS", "nokey-1", "nokey-2");
    await call(src, "MSET", "a", "1", "b", "2", "c", "3");
    await m("", db, "5000", "KEYS", "nokey-1", "a", "b", "nokey-2", "c");
    r.push(await call(src, "DBSIZE"));
    r.push((await call(src, "INFO", "stats")).includes("migrate_cached_sockets:1") ? "cached" : "not cached");
    r.push(...(await landed(db)));
    return r;
  });
});

test.skipIf(!haveRedis)("MIGRATE KEYS deletes only the keys the target acknowledged", async () => {
  await bothSources(async (src, db) => {
    await call(t, "SELECT", db);
    await call(t, "MSET", "c", "_", "d", "_");
    await call(t, "SELECT", "0");
    await call(src, "MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5");
    const r = [
      await call(src, "MIGRATE", "127.0.0.1", String((target as ServerProcess).port), "", db, "5000", "KEYS", "a", "b", "c", "d", "e"),
    ];
    r.push(await call(src, "KEYS", "*"));
    r.push(...(await landed(db)));
    return r.map((s) => s.split("\r\n").sort().join("|"));
  });
});

test.skipIf(!haveRedis)("MIGRATE argument errors, AUTH, and an unreachable target", async () => {
  const closed = String(await freePort());
  await d.same("SET", "k", "v");
  for (const args of [
    ["k", "0", "1000", "AUTH"],
    ["k", "0", "1000", "AUTH2", "user"],
    ["k", "0", "1000", "NOPE"],
    ["NotEmpty", "0", "1000", "KEYS", "a"],
    ["k", "x", "1000"],
    ["k", "0", "x"],
  ]) {
    await d.same("MIGRATE", "127.0.0.1", "6379", ...args);
  }
  await d.same("MIGRATE", "127.0.0.1", closed, "k", "0", "1000");
  await d.same("MIGRATE", "127.0.0.1", closed, "missing", "0", "1000");
  await d.same("COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "5", "COPY", "AUTH2", "u", "p", "KEYS", "a", "b");
  await d.same("COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "5", "AUTH", "keys");
  const port = String((target as ServerProcess).port);
  await call(t, "CONFIG", "SET", "requirepass", "foobar");
  try {
    await bothSources(async (src, db) => {
      await call(src, "SET", "k", "v");
      const r = [await call(src, "MIGRATE", "127.0.0.1", port, "k", db, "5000", "AUTH", "wrong")];
      r.push(await call(src, "MIGRATE", "127.0.0.1", port, "k", db, "5000", "AUTH2", "default", "foobar", "COPY"));
      r.push(await call(src, "EXISTS", "k"));
      return r;
    });
  } finally {
    await call(t, "AUTH", "foobar");
    await call(t, "CONFIG", "SET", "requirepass", "");
  }
});

test("MIGRATE from respd to respd, and a target that stops answering times out", async () => {
  const a = await startRespd();
  const b = await startRespd({ args: ["--enable-debug-command", "yes"] });
  const ca = await RawClient.connect(a.port);
  const cb = await RawClient.connect(b.port);
  try {
    await call(ca, "RPUSH", "l", ...Array.from({ length: 2000 }, (_, i) => `item ${i}`));
    expect(await call(ca, "MIGRATE", "127.0.0.1", String(b.port), "l", "3", "5000")).toBe("+OK\r\n");
    await call(cb, "SELECT", "3");
    expect(await call(cb, "LLEN", "l")).toBe(":2000\r\n");
    expect(await call(ca, "EXISTS", "l")).toBe(":0\r\n");
    // While the target is paused, the source's wait ends with IOERR after the timeout; other clients are served meanwhile.
    await call(ca, "SET", "k", "v");
    // The pause is in force once its OK is back, so the RESTORE cannot slip in before it (DEBUG SLEEP sent on
    // another connection could be read after the RESTORE on a slow machine).
    expect(await call(cb, "CLIENT", "PAUSE", "1500", "ALL")).toBe("+OK\r\n");
    const other = await RawClient.connect(a.port);
    const pending = call(ca, "MIGRATE", "127.0.0.1", String(b.port), "k", "3", "300");
    expect(await call(other, "PING")).toBe("+PONG\r\n");
    expect(await pending).toBe("-IOERR error or timeout reading to target instance\r\n");
    expect(await call(ca, "EXISTS", "k")).toBe(":1\r\n");
    other.close();
  } finally {
    ca.close();
    cb.close();
    await Promise.all([a.stop(), b.stop()]);
  }
});

test("MIGRATE reaches replicas as DEL of the keys the target took; COPY propagates nothing", async () => {
  const source = await startRespd();
  const target = await startRespd();
  const replica = await startRespd();
  const cs = await RawClient.connect(source.port);
  const cr = await RawClient.connect(replica.port);
  try {
    await call(cs, "MSET", "a", "1", "b", "2", "c", "3");
    await call(cr, "REPLICAOF", "127.0.0.1", String(source.port));
    await waitFor("replica has the keys", async () => (await call(cr, "DBSIZE")) === ":3\r\n");
    expect(await call(cs, "MIGRATE", "127.0.0.1", String(target.port), "c", "0", "5000", "COPY")).toBe("+OK\r\n");
    expect(await call(cs, "MIGRATE", "127.0.0.1", String(target.port), "", "0", "5000", "KEYS", "a", "nokey", "b")).toBe("+OK\r\n");
    await call(cs, "SET", "marker", "x");
    await waitFor("replica saw the marker", async () => (await call(cr, "EXISTS", "marker")) === ":1\r\n");
    expect(await call(cr, "KEYS", "*")).toMatch(/^\*2\r\n/);
    expect(await call(cr, "EXISTS", "a", "b")).toBe(":0\r\n");
    expect(await call(cr, "EXISTS", "c")).toBe(":1\r\n");
  } finally {
    cs.close();
    cr.close();
    await Promise.all([source.stop(), target.stop(), replica.stop()]);
  }
});
