/**
 * The multi-part AOF end to end: respd's appendonlydir against the real
 * redis-server and redis-check-aof, both directions, rewrites, truncation,
 * enabling at runtime, INFO fields and the fsync modes.
 */
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { writeRdb } from "../src/persistence/rdb/file.ts";
import { Database } from "../src/store/database.ts";
import { ListValue } from "../src/store/list.ts";
import { encodeCommand, RawClient } from "./helpers/raw.ts";
import { redisServerPath, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

const haveRedis = redisServerPath() !== null;
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const s of running) await s.stop();
});

async function respd(dir: string, args: string[] = []): Promise<ServerProcess> {
  const s = await startRespd({ dir, args: ["--appendonly", "yes", ...args] });
  running.push(s);
  return s;
}

async function redis(dir: string, args: string[] = []): Promise<ServerProcess> {
  const s = (await startRedis(["--appendonly", "yes", "--dir", dir, ...args])) as ServerProcess;
  running.push(s);
  return s;
}

function client(s: ServerProcess): Redis {
  return new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: false, maxRetriesPerRequest: 0 });
}

/** Canonical contents of dbs 0-2: key, type, value (members sorted), whether it has a TTL. */
async function contents(s: ServerProcess): Promise<string[]> {
  const c = client(s);
  const out: string[] = [];
  for (const db of [0, 1, 2]) {
    await c.select(db);
    for (const key of (await c.keys("*")).sort()) {
      const type = await c.type(key);
      let v: unknown;
      if (type === "string") v = await c.get(key);
      else if (type === "list") v = await c.lrange(key, 0, -1);
      else if (type === "set") v = (await c.smembers(key)).sort();
      else if (type === "hash") v = Object.entries(await c.hgetall(key)).sort();
      else if (type === "zset") v = await c.call("ZRANGE", key, "0", "-1", "WITHSCORES");
      out.push(`${db} ${key} ${type} ${JSON.stringify(v)} ttl=${(await c.pttl(key)) > 0}`);
    }
  }
  c.disconnect();
  return out;
}

/** A mix of writes over several dbs, types, expiries and a transaction. */
async function workload(s: ServerProcess): Promise<void> {
  const c = client(s);
  await c.set("str", "v\r\nwith\x00bytes");
  await c.setex("vol", 1000, "x");
  await c.rpush("list", "a", "b", "c");
  await c.sadd("set", "1", "2", "x");
  await c.hset("hash", "f", "v", "g", "w");
  await c.zadd("zset", 1, "a", 2.5, "b");
  await c.incrby("n", 41);
  await c.multi().incr("n").lpush("list", "z").exec();
  await c.select(2);
  await c.set("in2", "two");
  await c.expire("in2", 5000);
  await c.select(1);
  await c.set("gone", "1");
  await c.del("gone");
  await c.set("in1", "one");
  c.disconnect();
}

function manifest(dir: string): string {
  return readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "latin1");
}

function checkAof(dir: string): { status: number | null; out: string } {
  const r = spawnSync("redis-check-aof", [join(dir, "appendonlydir", "appendonly.aof.manifest")], { encoding: "latin1" });
  return { status: r.status, out: r.stdout + r.stderr };
}

test.if(haveRedis)("respd's appendonlydir: Redis's layout, redis-check-aof accepts it, redis-server loads the same data", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-bb-"));
  const s = await respd(dir);
  await workload(s);
  expect(readdirSync(join(dir, "appendonlydir")).sort()).toEqual([
    "appendonly.aof.1.base.rdb",
    "appendonly.aof.1.incr.aof",
    "appendonly.aof.manifest",
  ]);
  expect(manifest(dir)).toBe("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
  const want = await contents(s);
  expect(want.length).toBe(9);
  await s.stop();
  expect(s.output()).toContain("Calling fsync() on the AOF file.");
  const check = checkAof(dir);
  expect(check.out).toContain("All AOF files and manifest are valid");
  // The real server reads respd's files...
  const copy = mkdtempSync(join(tmpdir(), "aof-bb-"));
  cpSync(join(dir, "appendonlydir"), join(copy, "appendonlydir"), { recursive: true });
  const r = await redis(copy);
  expect(await contents(r)).toEqual(want);
  await r.stop();
  // ...and respd reads them back.
  const again = await respd(dir);
  expect(await contents(again)).toEqual(want);
  expect(again.output()).toContain("Opening AOF incr file appendonly.aof.1.incr.aof on server start");
  await again.stop();
});

test.if(haveRedis)("respd loads an appendonlydir written by redis-server (RDB base after BGREWRITEAOF + incr)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-bb-"));
  const r = await redis(dir);
  await workload(r);
  const c = client(r);
  expect(await c.bgrewriteaof()).toBe("Background append only file rewriting started");
  for (let i = 0; i < 100 && (await c.info("persistence")).includes("aof_rewrite_in_progress:1"); i++) await Bun.sleep(20);
  await Bun.sleep(100);
  await c.rpush("list", "after-rewrite");
  c.disconnect();
  const want = await contents(r);
  await r.stop();
  expect(manifest(dir)).toBe("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
  const s = await respd(dir);
  expect(await contents(s)).toEqual(want);
  expect(s.output()).toContain("DB loaded from base file appendonly.aof.2.base.rdb");
  await s.stop();
});

test.if(haveRedis)("BGREWRITEAOF: replies, new base + incr, old files removed, same data after restart", async () => {
  for (const preamble of ["yes", "no"]) {
    const dir = mkdtempSync(join(tmpdir(), "aof-bb-"));
    const s = await respd(dir, ["--aof-use-rdb-preamble", preamble]);
    await workload(s);
    const c = client(s);
    expect(await c.bgrewriteaof()).toBe("Background append only file rewriting started");
    await waitFor("the rewrite to finish", async () => (await c.info("persistence")).includes("aof_rewrite_in_progress:0"));
    await c.set("after", "rewrite");
    const info = await c.info("persistence");
    expect(info).toContain("aof_rewrites:1");
    expect(info).toContain("aof_last_bgrewrite_status:ok");
    expect(info).toContain("aof_enabled:1");
    c.disconnect();
    const ext = preamble === "yes" ? "rdb" : "aof";
    expect(readdirSync(join(dir, "appendonlydir")).sort()).toEqual([
      `appendonly.aof.2.base.${ext}`,
      "appendonly.aof.2.incr.aof",
      "appendonly.aof.manifest",
    ]);
    expect(manifest(dir)).toBe(`file appendonly.aof.2.base.${ext} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
    const want = await contents(s);
    await s.stop();
    expect(checkAof(dir).out).toContain("All AOF files and manifest are valid");
    const again = await respd(dir);
    expect(await contents(again)).toEqual(want);
    await again.stop();
    const r = await redis(dir);
    expect(await contents(r)).toEqual(want);
    await r.stop();
  }
});

test("automatic rewrite on growth (auto-aof-rewrite-percentage / -min-size)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-bb-"));
  const s = await respd(dir, ["--auto-aof-rewrite-min-size", "10kb", "--auto-aof-rewrite-percentage", "100"]);
  const c = client(s);
  for (let i = 0; i < 300; i++) await c.set("same-key", "x".repeat(100));
  // aof_rewrites counts rewrites started (as Redis's does); on a slow machine the SETs can outlast the first
  // rewrite and grow the AOF enough for a second one. Wait until none is running, then check the count.
  const rewrites = (info: string) => Number(/aof_rewrites:(\d+)/.exec(info)?.[1] ?? 0);
  const settled = (info: string) => rewrites(info) >= 1 && info.includes("aof_rewrite_in_progress:0");
  await waitFor("the automatic rewrite to finish", async () => settled(await c.info("persistence")));
  const info = await c.info("persistence");
  expect(settled(info)).toBe(true);
  expect(s.output()).toContain("Starting automatic rewriting of AOF on");
  c.disconnect();
  // Each rewrite makes the next base: the first one's is seq 2.
  const base = readdirSync(join(dir, "appendonlydir")).find((f) => f.includes(".base."));
  expect(base).toBe(`appendonly.aof.${rewrites(info) + 1}.base.rdb`);
  await s.stop();
});

test("CONFIG SET appendonly yes at runtime creates the base by a rewrite; no stops writing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-bb-"));
  const s = await startRespd({ dir });
  running.push(s);
  const c = client(s);
  await c.set("before", "1");
  expect(existsSync(join(dir, "appendonlydir"))).toBe(false);
  expect(await c.info("persistence")).toContain("aof_enabled:0");
  expect(await c.config("SET", "appendonly", "yes")).toBe("OK");
  await waitFor("the first rewrite's manifest", () =>
    existsSync(join(dir, "appendonlydir", "appendonly.aof.manifest")) ? manifest(dir).includes("type i") : false,
  );
  expect(manifest(dir)).toBe("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
  await c.set("after", "2");
  await c.config("SET", "appendonly", "no");
  await c.set("off", "3");
  c.disconnect();
  await s.stop();
  const again = await respd(dir);
  expect(await contents(again)).toEqual(['0 after string "2" ttl=false', '0 before string "1" ttl=false']);
  await again.stop();
});

test("truncated incr file: aof-load-truncated yes loads and truncates with Redis's warning, no refuses to start", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-bb-"));
  const s = await respd(dir);
  const c = client(s);
  await c.set("a", "1");
  await c.set("b", "2");
  c.disconnect();
  await s.stop();
  const incr = join(dir, "appendonlydir", "appendonly.aof.1.incr.aof");
  const size = statSync(incr).size;
  truncateSync(incr, size - 3);
  // Like Redis, respd listens before it loads, so the refusal may come before or after the port opens.
  const strict = await startRespd({ dir, args: ["--appendonly", "yes", "--aof-load-truncated", "no"] }).catch((e: Error) => e);
  let strictOutput: string;
  if (strict instanceof Error) strictOutput = String(strict);
  else {
    expect(await strict.exited).toBe(1);
    strictOutput = strict.output();
  }
  expect(strictOutput).toContain("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof");
  const lenient = await respd(dir);
  // The listener is up before loading ends (clients get LOADING meanwhile): wait for the loader's log.
  await waitFor("the truncated AOF to load", () => lenient.output().includes("loaded anyway"));
  expect(lenient.output()).toContain("!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!");
  expect(lenient.output()).toContain("AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled");
  const c2 = client(lenient);
  expect(await c2.mget("a", "b")).toEqual(["1", null]);
  c2.disconnect();
  await lenient.stop();
  expect(checkAof(dir).out).toContain("All AOF files and manifest are valid");
});

test("appendfsync everysec and no: writes reach the file and survive a restart", async () => {
  for (const mode of ["everysec", "no", "always"]) {
    const dir = mkdtempSync(join(tmpdir(), "aof-bb-"));
    const s = await respd(dir, ["--appendfsync", mode]);
    const c = client(s);
    for (let i = 0; i < 50; i++) await c.set(`k${i}`, String(i));
    await Bun.sleep(50);
    // Written at the end of each event-loop turn, before any shutdown.
    expect(statSync(join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")).size).toBeGreaterThan(50 * 20);
    c.disconnect();
    await s.stop();
    const again = await respd(dir);
    const c2 = client(again);
    expect(await c2.dbsize()).toBe(50);
    c2.disconnect();
    await again.stop();
  }
});

test("an old-style AOF with an RDB preamble loads the RDB and the commands after it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "respd-aof-preamble-"));
  // What Redis < 7.0 wrote with aof-use-rdb-preamble yes: an RDB, then the commands that followed the rewrite.
  const db = new Database(0, { expired() {} });
  db.set("k1", "v1", Date.now());
  db.set("k2", "v2", Date.now());
  const tail = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$2\r\nk3\r\n$2\r\nv3\r\n";
  writeFileSync(join(dir, "appendonly.aof"), Buffer.concat([writeRdb([db]), Buffer.from(tail, "latin1")]));
  const s = await respd(dir);
  const c = client(s);
  await waitFor("the load to end", async () => /^loading:0\r?$/m.test(await c.info("persistence")));
  expect(await c.mget("k1", "k2", "k3")).toEqual(["v1", "v2", "v3"]);
  c.disconnect();
});

test("appendfsync everysec: an acknowledged write is already in the incr file (written before the reply, as Redis does)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "respd-aof-ack-"));
  const s = await respd(dir, ["--appendfsync", "everysec"]);
  const c = client(s);
  for (let i = 0; i < 20; i++) {
    await c.set(`k${i}`, `v${i}`);
    const incr = readFileSync(join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"), "latin1");
    expect(incr).toContain(`$${`k${i}`.length}\r\nk${i}\r\n$${`v${i}`.length}\r\nv${i}\r\n`);
  }
  c.disconnect();
});

test("an upgrade from an old-style AOF interrupted before its rename is completed at the next start", async () => {
  const dir = mkdtempSync(join(tmpdir(), "respd-aof-upgrade-"));
  writeFileSync(join(dir, "appendonly.aof"), "*3\r\n$3\r\nset\r\n$2\r\nk1\r\n$2\r\nv1\r\n");
  // The manifest was written, the file not yet moved into the AOF dir (aofUpgradePrepare's order).
  mkdirSync(join(dir, "appendonlydir"));
  writeFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "file appendonly.aof seq 1 type b\n");
  const s = await respd(dir);
  const c = client(s);
  await waitFor("the load to end", async () => /^loading:0\r?$/m.test(await c.info("persistence")));
  expect(await c.get("k1")).toBe("v1");
  expect(existsSync(join(dir, "appendonly.aof"))).toBe(false);
  expect(existsSync(join(dir, "appendonlydir", "appendonly.aof"))).toBe(true);
  expect(readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "latin1")).toBe(
    "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
  );
  c.disconnect();
});

test("replaying an AOF expires nothing: a PEXPIREAT in the past sets the TTL and later commands still find the key", async () => {
  const dir = mkdtempSync(join(tmpdir(), "respd-aof-expire-"));
  const cmd = (...a: string[]) => `*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join("")}`;
  // Redis's "AOF+EXPIRE" case: the list gets a TTL long past, then another element; after the load it is gone whole.
  writeFileSync(join(dir, "appendonly.aof"), cmd("rpush", "list", "foo") + cmd("pexpireat", "list", "1000") + cmd("rpush", "list", "bar"));
  const s = await respd(dir);
  const c = client(s);
  await waitFor("the load to end", async () => /^loading:0\r?$/m.test(await c.info("persistence")));
  expect(await c.llen("list")).toBe(0);
  expect(await c.exists("list")).toBe(0);
  c.disconnect();
});

test("an AOF loads a slice at a time: clients get -LOADING meanwhile (key-load-delay per command), then all the data", async () => {
  const dir = mkdtempSync(join(tmpdir(), "respd-aof-loading-"));
  const cmd = (...a: string[]) => `*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join("")}`;
  const N = 5000;
  let text = "";
  for (let i = 0; i < N; i++) text += cmd("SET", `k${i}`, `v${i}`);
  writeFileSync(join(dir, "appendonly.aof"), text);
  // 500 µs per command: about 2.5 s of loading however fast the machine.
  const s = await respd(dir, ["--key-load-delay", "500"]);
  // A raw client: ioredis would hold every command until INFO says the load is over.
  const raw = await RawClient.connect(s.port);
  const progress = new Set<string>();
  let loadingReplies = 0;
  for (;;) {
    raw.write(encodeCommand(["INFO", "persistence"]));
    const info = await raw.readReply(10000);
    if (/^loading:0\r?$/m.test(info)) break;
    progress.add(/loading_loaded_bytes:(\d+)/.exec(info)?.[1] ?? "");
    raw.write(encodeCommand(["GET", "k0"]));
    if ((await raw.readReply()).startsWith("-LOADING")) loadingReplies++;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(loadingReplies).toBeGreaterThan(3);
  expect(progress.size).toBeGreaterThan(3);
  raw.write(encodeCommand(["DBSIZE"]));
  expect(await raw.readReply()).toBe(`:${N}\r\n`);
  raw.close();
});

test("keys past their TTL in an AOF's RDB preamble are kept through the load (the tail still finds them), then expire", async () => {
  const dir = mkdtempSync(join(tmpdir(), "respd-aof-preamble-ttl-"));
  const db = new Database(0, { expired() {} });
  db.set("list", new ListValue(), Date.now());
  (db.lookup("list", Date.now()) as ListValue).pushTail("foo");
  db.setExpire("list", 1000);
  const tail = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n$3\r\nbar\r\n";
  writeFileSync(join(dir, "appendonly.aof"), Buffer.concat([writeRdb([db]), Buffer.from(tail, "latin1")]));
  const s = await respd(dir);
  const c = client(s);
  await waitFor("the load to end", async () => /^loading:0\r?$/m.test(await c.info("persistence")));
  // Had the preamble dropped the key, the tail's RPUSH would have made a fresh list without a TTL.
  expect(await c.exists("list")).toBe(0);
  c.disconnect();
});
