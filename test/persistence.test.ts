/**
 * RDB persistence end to end: SAVE/BGSAVE files that the real redis-server
 * loads (and redis-check-rdb accepts), real Redis dumps that respd loads,
 * BGSAVE as a point-in-time snapshot while clients keep writing, save points,
 * LOADING during a slow load, refusal of broken files, MISCONF, shutdown saves.
 */
import { afterAll, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { writeRdb } from "../src/persistence/rdb/file.ts";
import { Database } from "../src/store/database.ts";
import { encodeCommand, RawClient } from "./helpers/raw.ts";
import { freePort, requireRedisInCI, respdCommand, type ServerProcess, selectedRuntime, startRedis, startRespd } from "./helpers/server.ts";

const HAVE_REDIS = requireRedisInCI();
const started: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
}, 15000);

async function respd(args: string[] = [], dir?: string): Promise<ServerProcess> {
  const s = await startRespd({ args, dir });
  started.push(s);
  return s;
}

function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function client(s: ServerProcess): Redis {
  return new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: false, maxRetriesPerRequest: 0 });
}

/** Every key of every db with its type, content and whether it has a TTL: a canonical dump to compare servers by. */
async function dump(r: Redis): Promise<string[]> {
  const out: string[] = [];
  for (let db = 0; db < 16; db++) {
    await r.select(db);
    const keys = ((await r.keys("*")) as string[]).sort();
    const meta = r.pipeline();
    for (const k of keys) meta.type(k).pttl(k);
    const m = ((await meta.exec()) ?? []).map(([, v]) => v);
    const read = r.pipeline();
    keys.forEach((k, i) => {
      const type = m[2 * i];
      if (type === "string") read.get(k);
      else if (type === "list") read.lrange(k, 0, -1);
      else if (type === "hash") read.hgetall(k);
      else if (type === "set") read.smembers(k);
      else read.zrange(k, "0", "-1", "WITHSCORES");
    });
    const values = ((await read.exec()) ?? []).map(([, v]) => v);
    keys.forEach((k, i) => {
      const type = m[2 * i];
      let v = values[i];
      if (type === "hash") v = Object.entries(v as Record<string, string>).sort();
      else if (type === "set") v = (v as string[]).sort();
      out.push(JSON.stringify([db, k, type, v, (m[2 * i + 1] as number) > 0]));
    });
  }
  await r.select(0);
  return out;
}

async function fill(r: Redis): Promise<void> {
  await r.set("str", "hello");
  await r.set("int", "12345");
  await r.set("long", "x".repeat(300));
  await r.set("ttl", "v", "EX", 1000);
  await r.rpush("list", "a", "b", "c", "1", "2");
  await r.rpush("biglist", ...Array.from({ length: 300 }, (_, i) => `item-${i}`));
  await r.hset("hash", "f1", "v1", "f2", "v2");
  await r.hset("bighash", ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat());
  await r.sadd("intset", "1", "2", "3");
  await r.sadd("set", "a", "b", "c");
  await r.zadd("zset", "1", "a", "2.5", "b", "-3", "c");
  await r.zadd("bigzset", ...Array.from({ length: 200 }, (_, i) => [String(i), `m${i}`]).flat());
  await r.select(5);
  await r.set("in-db-5", "five");
  await r.select(0);
}

function waitFor(cond: () => boolean, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((res, rej) => {
    const tick = () => {
      if (cond()) return res();
      if (Date.now() > deadline) return rej(new Error("timed out"));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** Starts the real redis-server on a copy of `file` and returns it. */
async function redisOn(file: string): Promise<ServerProcess> {
  const dir = tmp("redis-load-");
  copyFileSync(file, join(dir, "dump.rdb"));
  const s = (await startRedis(["--dir", dir])) as ServerProcess;
  started.push(s);
  return s;
}

function checkRdb(file: string): string {
  const r = spawnSync("redis-check-rdb", [file], { encoding: "utf8" });
  expect(r.status).toBe(0);
  return r.stdout;
}

test.skipIf(!HAVE_REDIS)("SAVE writes a file real Redis loads with the same contents; redis-check-rdb agrees", async () => {
  const s = await respd();
  const r = client(s);
  await fill(r);
  const before = await dump(r);
  expect(await r.save()).toBe("OK");
  expect(Number(await r.lastsave())).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 2);
  const file = join((await r.config("GET", "dir"))[1] as string, "dump.rdb");
  expect(checkRdb(file)).toContain("RDB looks OK");
  const real = await redisOn(file);
  const rr = client(real);
  expect(await dump(rr)).toEqual(before);
  expect(s.output()).toContain("DB saved on disk");
  rr.disconnect();
  r.disconnect();
});

test.skipIf(!HAVE_REDIS)("a dump written by real Redis loads into respd at start", async () => {
  const real = (await startRedis()) as ServerProcess;
  started.push(real);
  const rr = client(real);
  await fill(rr);
  const before = await dump(rr);
  await rr.save();
  const src = join((await rr.config("GET", "dir"))[1] as string, "dump.rdb");
  const dir = tmp("respd-load-");
  copyFileSync(src, join(dir, "dump.rdb"));
  const s = await respd([], dir);
  const r = client(s);
  await waitFor(() => s.output().includes("DB loaded from disk"));
  expect(await dump(r)).toEqual(before);
  expect(s.output()).toMatch(/Done loading RDB, keys loaded: 13, keys expired: 0\./);
  rr.disconnect();
  r.disconnect();
});

test.skipIf(!HAVE_REDIS)(
  "BGSAVE is a point-in-time snapshot while clients keep writing",
  async () => {
    const s = await respd();
    const r = client(s);
    const N = 60000;
    // Known state: db 0 keys k0..kN-1 = v<i>, a list, db 2 and db 3 with a few keys.
    for (let i = 0; i < N; i += 5000) {
      const p = r.pipeline();
      for (let j = i; j < i + 5000; j++) p.set(`k${j}`, `v${j}`);
      await p.exec();
    }
    await r.rpush("list", "a", "b");
    await r.select(2);
    await r.set("two", "2");
    await r.select(3);
    await r.set("three", "3");
    await r.select(0);
    const expected = await dump(r);

    // BGSAVE and writes in one batch: every write runs while the snapshot is in progress.
    const raw = await RawClient.connect(s.port);
    const cmds: string[][] = [["BGSAVE"], ["INFO", "persistence"]];
    for (let i = 0; i < N; i += 7) cmds.push(["SET", `k${i}`, "changed"]);
    for (let i = 1; i < N; i += 101) cmds.push(["DEL", `k${i}`]);
    cmds.push(["SET", "new-key", "x"], ["RPUSH", "list", "c"], ["RENAME", "k3", "renamed"], ["EXPIRE", "k5", "1"]);
    cmds.push(["MULTI"], ["SELECT", "2"], ["SET", "two", "changed"], ["SET", "two-new", "x"], ["EXEC"]);
    cmds.push(["SWAPDB", "2", "3"], ["SELECT", "3"], ["FLUSHDB"], ["SELECT", "0"], ["MOVE", "k8", "4"]);
    raw.write(Buffer.concat(cmds.map((c) => encodeCommand(c))));
    const replies: string[] = [];
    for (let i = 0; i < cmds.length; i++) replies.push(await raw.readReply());
    expect(replies[0]).toBe("+Background saving started\r\n");
    expect(replies[1]).toContain("rdb_bgsave_in_progress:1");
    // Keep writing while the walk goes on.
    for (let round = 0; round < 5; round++) {
      const p = r.pipeline();
      for (let i = round; i < N; i += 13) p.set(`k${i}`, `later${round}`);
      await p.exec();
    }
    await waitFor(() => s.output().includes("Background saving terminated with success"));
    expect(await r.get("k0")).toBe("later0");
    const dir = (await r.config("GET", "dir"))[1] as string;
    checkRdb(join(dir, "dump.rdb"));
    const real = await redisOn(join(dir, "dump.rdb"));
    const rr = client(real);
    expect(await dump(rr)).toEqual(expected);
    raw.close();
    rr.disconnect();
    r.disconnect();
  },
  30000,
);

test("BGSAVE replies and errors as Redis", async () => {
  const s = await respd();
  const raw = await RawClient.connect(s.port);
  const send = async (...a: string[]) => {
    raw.write(encodeCommand(a));
    return raw.readReply();
  };
  expect(await send("BGSAVE", "foo")).toBe("-ERR syntax error\r\n");
  expect(await send("SAVE", "x")).toBe("-ERR wrong number of arguments for 'save' command\r\n");
  raw.write(Buffer.concat([encodeCommand(["BGSAVE"]), encodeCommand(["BGSAVE"]), encodeCommand(["SAVE"])]));
  expect(await raw.readReply()).toBe("+Background saving started\r\n");
  expect(await raw.readReply()).toBe("-ERR Background save already in progress\r\n");
  expect(await raw.readReply()).toBe("-ERR Background save already in progress\r\n");
  await waitFor(() => s.output().includes("Background saving terminated with success"));
  expect(await send("MULTI")).toBe("+OK\r\n");
  expect(await send("SAVE")).toBe("-ERR Command not allowed inside a transaction\r\n");
  expect(await send("DISCARD")).toBe("+OK\r\n");
  expect(await send("MULTI")).toBe("+OK\r\n");
  expect(await send("BGSAVE")).toBe("+QUEUED\r\n");
  expect(await send("EXEC")).toBe("*1\r\n+Background saving scheduled\r\n");
  await waitFor(() => s.output().split("Background saving terminated with success").length === 3);
  expect(await send("BGSAVE", "SCHEDULE")).toBe("+Background saving started\r\n");
  raw.close();
});

test("save points trigger a BGSAVE; FLUSHALL saves when they are set", async () => {
  const s = await respd(["--save", "1", "2"]);
  const r = client(s);
  const dir = (await r.config("GET", "dir"))[1] as string;
  await r.set("a", "1");
  await new Promise((res) => setTimeout(res, 1300));
  expect(existsSync(join(dir, "dump.rdb"))).toBe(false);
  await r.set("b", "2");
  await waitFor(() => s.output().includes("Background saving terminated with success"), 5000);
  expect(s.output()).toContain("2 changes in 1 seconds. Saving...");
  expect(await r.info("persistence")).toContain("rdb_changes_since_last_save:0");
  await r.set("c", "3");
  const mtime = statSync(join(dir, "dump.rdb")).mtimeMs;
  expect(await r.flushall()).toBe("OK");
  expect(statSync(join(dir, "dump.rdb")).mtimeMs).toBeGreaterThanOrEqual(mtime);
  expect(readFileSync(join(dir, "dump.rdb")).length).toBeLessThan(200);
  expect(await r.info("persistence")).toContain("rdb_changes_since_last_save:0");
  r.disconnect();
});

test("a failed BGSAVE turns on MISCONF for writes and PING until a save succeeds", async () => {
  const dir = tmp("respd-misconf-");
  // A directory where dump.rdb should go makes the final rename fail.
  mkdirSync(join(dir, "dump.rdb"));
  const s = await respd(["--save", "3600", "1"], dir);
  const raw = await RawClient.connect(s.port);
  const send = async (...a: string[]) => {
    raw.write(encodeCommand(a));
    return raw.readReply();
  };
  expect(await send("SET", "a", "1")).toBe("+OK\r\n");
  expect(await send("BGSAVE")).toBe("+Background saving started\r\n");
  await waitFor(() => s.output().includes("Background saving error"));
  expect(await send("SET", "a", "2")).toMatch(/^-MISCONF Redis is configured to save RDB snapshots, but it's currently unable/);
  expect(await send("PING")).toMatch(/^-MISCONF /);
  expect(await send("GET", "a")).toBe("$1\r\n1\r\n");
  expect(await send("INFO", "persistence")).toContain("rdb_last_bgsave_status:err");
  expect(await send("SAVE")).toBe("-ERR\r\n");
  // SHUTDOWN's save fails too: the server keeps running.
  expect(await send("SHUTDOWN")).toBe("-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  expect(s.output()).toContain("Error trying to save the DB, can't exit.");
  expect(await send("CONFIG", "SET", "stop-writes-on-bgsave-error", "no")).toBe("+OK\r\n");
  expect(await send("SET", "a", "2")).toBe("+OK\r\n");
  expect(await send("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes")).toBe("+OK\r\n");
  expect(await send("SET", "a", "2")).toMatch(/^-MISCONF /);
  rmdirSync(join(dir, "dump.rdb"));
  expect(await send("SAVE")).toBe("+OK\r\n");
  expect(await send("SET", "a", "3")).toBe("+OK\r\n");
  expect(existsSync(join(dir, "dump.rdb"))).toBe(true);
  raw.write(encodeCommand(["SHUTDOWN", "NOSAVE"]));
  expect(await s.exited).toBe(0);
  raw.close();
});

test("SHUTDOWN SAVE / NOSAVE and SIGTERM with save points write or skip the file", async () => {
  for (const [args, how, saved] of [
    [[], "SAVE", true],
    [["--save", "3600", "1"], "NOSAVE", false],
    [["--save", "3600", "1"], "SIGTERM", true],
    [[], "SIGTERM", false],
  ] as [string[], string, boolean][]) {
    const dir = tmp("respd-shutdown-");
    const s = await respd(args, dir);
    const r = client(s);
    await r.set("k", how);
    if (how === "SIGTERM") s.proc.kill("SIGTERM");
    else await r.shutdown(how as "SAVE").catch(() => {});
    expect(await s.exited).toBe(0);
    expect(existsSync(join(dir, "dump.rdb"))).toBe(saved);
    if (saved) expect(s.output()).toContain("Saving the final RDB snapshot before exiting.");
    r.disconnect();
  }
}, 20000);

/** Runs respd on `dir` until it exits on its own; returns the exit code and output. */
async function runToExit(dir: string): Promise<[number | null, string]> {
  const port = await freePort();
  const [cmd, args] = respdCommand(selectedRuntime(), ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir]);
  const proc = spawn(cmd, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout?.on("data", (d) => (out += d));
  proc.stderr?.on("data", (d) => (out += d));
  const timer = setTimeout(() => proc.kill("SIGKILL"), 15000);
  const code = await new Promise<number | null>((res) => proc.once("exit", (c) => res(c)));
  clearTimeout(timer);
  return [code, out];
}

test("a truncated or corrupt dump is refused at start with exit 1 and left alone", async () => {
  const dbs = [new Database(0, { expired() {} })];
  for (let i = 0; i < 100; i++) (dbs[0] as Database).set(`key${i}`, `value${i}`, Date.now());
  const good = writeRdb(dbs);
  for (const [name, bytes, message] of [
    ["truncated", good.subarray(0, good.length - 30), "Short read or OOM loading DB"],
    ["corrupt", Uint8Array.from(good).fill(0x41, 200, 204), "Terminating server after rdb file reading failure."],
    // Redis's tests look for "CRC error" in the last lines (redis-check-rdb's verdict).
    ["badcrc", Uint8Array.from(good).fill(1, good.length - 8), "RDB CRC error"],
  ] as [string, Uint8Array, string][]) {
    const dir = tmp(`respd-${name}-`);
    writeFileSync(join(dir, "dump.rdb"), bytes);
    const [code, out] = await runToExit(dir);
    expect(code).toBe(1);
    expect(out).toContain(message);
    expect(out).toContain("--- RDB ERROR DETECTED ---");
    if (name === "badcrc") expect(out.trim().split("\n").slice(-10).join("\n")).toContain("CRC error");
    expect(Buffer.compare(readFileSync(join(dir, "dump.rdb")), Buffer.from(bytes))).toBe(0);
  }
}, 30000);

test("clients get -LOADING while a big dump loads, then the data", async () => {
  const db = new Database(0, { expired() {} });
  const N = 400000;
  const now = Date.now();
  for (let i = 0; i < N; i++) db.set(`key:${i}`, `value:${i}`, now);
  const dir = tmp("respd-loading-");
  writeFileSync(join(dir, "dump.rdb"), writeRdb([db]));
  const s = await respd([], dir);
  const raw = await RawClient.connect(s.port);
  const replies = new Set<string>();
  let info = "";
  for (;;) {
    raw.write(encodeCommand(["PING"]));
    const reply = await raw.readReply(10000);
    replies.add(reply);
    if (reply === "+PONG\r\n") break;
    if (info === "") {
      raw.write(encodeCommand(["INFO", "persistence"]));
      info = await raw.readReply();
    }
  }
  expect(replies.has("-LOADING Redis is loading the dataset in memory\r\n")).toBe(true);
  expect(info).toContain("loading:1");
  raw.write(encodeCommand(["DBSIZE"]));
  expect(await raw.readReply()).toBe(`:${N}\r\n`);
  expect(s.output()).toMatch(/DB loaded from disk: \d+\.\d{3} seconds/);
  raw.close();
}, 30000);

test("key-load-delay slows a load per key and loading-process-events-interval-bytes sets how often clients are served", async () => {
  const db = new Database(0, { expired() {} });
  const N = 1500;
  for (let i = 0; i < N; i++) db.set(`key:${i}`, "x".repeat(100), Date.now());
  const dir = tmp("respd-keydelay-");
  writeFileSync(join(dir, "dump.rdb"), writeRdb([db]));
  // 1 ms per key: 1.5 s of loading however fast the machine, served every ~1 KB (about every 8 keys).
  const s = await respd(["--key-load-delay", "1000", "--loading-process-events-interval-bytes", "1024"], dir);
  const raw = await RawClient.connect(s.port);
  const keysSeen: number[] = [];
  for (;;) {
    raw.write(encodeCommand(["INFO", "persistence"]));
    const info = await raw.readReply(10000);
    if (/^loading:0\r?$/m.test(info)) break;
    const loaded = /loading_loaded_bytes:(\d+)/.exec(info);
    keysSeen.push(Number(loaded?.[1]));
    raw.write(encodeCommand(["GET", "key:0"]));
    expect(await raw.readReply()).toBe("-LOADING Redis is loading the dataset in memory\r\n");
    await new Promise((r) => setTimeout(r, 100));
  }
  // Several distinct progress points were seen while loading.
  expect(new Set(keysSeen).size).toBeGreaterThan(3);
  raw.write(encodeCommand(["DBSIZE"]));
  expect(await raw.readReply()).toBe(`:${N}\r\n`);
  // Test-support configs are hidden from patterns (HIDDEN_CONFIG) but readable by name.
  raw.write(encodeCommand(["CONFIG", "GET", "*load*"]));
  expect(await raw.readReply()).not.toContain("key-load-delay");
  raw.write(encodeCommand(["CONFIG", "GET", "key-load-delay"]));
  expect(await raw.readReply()).toContain("1000");
  raw.close();
}, 30000);
