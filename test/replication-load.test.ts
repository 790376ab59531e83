/**
 * The replica side of a full sync (issue 5): repl-diskless-load disabled /
 * on-empty-db / swapdb against a respd master (diskless `$EOF:`) and a real
 * redis-server master (`$len`), with every type, a > 1 MB value and 200k keys;
 * a scripted master that pauses and cuts a transfer, to see what the replica
 * serves meanwhile and keeps afterwards; and PSYNC after a restart from the
 * replica's own RDB (+CONTINUE), across respd and redis-server both ways.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { createTestEngine } from "../src/engine/testing.ts";
import { writeRdb } from "../src/persistence/rdb/file.ts";
import { canonicalKey } from "./helpers/canonical.ts";
import { redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const CHECK_RDB = ["/usr/bin/redis-check-rdb", "/usr/local/bin/redis-check-rdb"].find((p) => existsSync(p));
const started: ServerProcess[] = [];
const clients: Redis[] = [];
const fakes: Server[] = [];
afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const f of fakes) f.close();
  await Promise.all(started.map((s) => s.stop()));
});

function client(s: ServerProcess | number, db = 0): Redis {
  const port = typeof s === "number" ? s : s.port;
  // No ready check: ioredis would hold every command back while the server reports loading:1.
  const c = new Redis({ port, host: "127.0.0.1", db, maxRetriesPerRequest: 1, enableReadyCheck: false });
  c.on("error", () => {});
  clients.push(c);
  return c;
}

async function field(c: Redis, section: string, name: string): Promise<string | undefined> {
  return infoField(await c.info(section), name);
}

async function respd(args: string[], dir?: string): Promise<ServerProcess> {
  const s = await startRespd({ args, dir });
  started.push(s);
  return s;
}

const BIG = "0123456789abcdef".repeat(80_000); // 1.28 MB

/** Every type and encoding, TTLs, a big value, keys in db 2 (besides DEBUG POPULATE's strings). */
async function fill(c: Redis, populate: number): Promise<void> {
  if (populate > 0) await c.call("DEBUG", "POPULATE", String(populate));
  const p = c.pipeline();
  p.set("big", BIG);
  p.hset("h:small", { a: "1", b: "2" });
  p.hset("h:big", Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`f${i}`, `v${i}`])));
  p.rpush("l:small", "a", "b", "3");
  p.rpush("l:big", ...Array.from({ length: 5000 }, (_, i) => `item${i}`));
  p.sadd("s:int", "1", "2", "-7");
  p.sadd("s:ht", ...Array.from({ length: 700 }, (_, i) => `m${i}`));
  p.zadd("z:small", "1", "a", "2.5", "b");
  p.zadd("z:big", ...Array.from({ length: 600 }, (_, i) => [String(i / 3), `z${i}`]).flat());
  p.set("ttl", "x", "PX", "3600000");
  p.select(2);
  p.set("db2:k", "v2");
  p.rpush("db2:l", "x");
  p.select(0);
  await p.exec();
}

/** A canonical dump of dbs 0 and 2: POPULATE's strings by MGET, the rest by type. */
async function digest(port: number): Promise<string> {
  const out: string[] = [];
  for (const dbi of [0, 2]) {
    const c = client(port, dbi);
    const keys = ((await c.keys("*")) as string[]).sort();
    const plain = keys.filter((k) => k.startsWith("key:"));
    for (let i = 0; i < plain.length; i += 20000) {
      const part = plain.slice(i, i + 20000);
      const vals = await c.mget(...part);
      out.push(JSON.stringify([part.length, part[0], vals.join(",").length, vals[vals.length - 1]]));
    }
    for (const k of keys.filter((k) => !k.startsWith("key:"))) {
      out.push(await canonicalKey(c, dbi, k));
    }
    c.disconnect();
  }
  return out.join("\n");
}

async function inSync(master: Redis, replica: Redis): Promise<void> {
  await waitFor("the replica to catch up", async () => {
    const mo = await field(master, "replication", "master_repl_offset");
    const ri = await replica.info("replication");
    return infoField(ri, "master_link_status") === "up" && infoField(ri, "slave_repl_offset") === mo;
  });
}

function checkRdb(path: string): string {
  const r = spawnSync(CHECK_RDB as string, [path], { encoding: "latin1" });
  return `${r.stdout}${r.stderr}`;
}

describe.skipIf(!HAVE_REDIS)("repl-diskless-load modes", () => {
  for (const kind of ["respd", "redis"] as const) {
    test(`disabled, on-empty-db and swapdb each load a ${kind} master's snapshot identically`, async () => {
      const master =
        kind === "respd"
          ? await respd(["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes"])
          : ((await startRedis(["--repl-diskless-sync", "no", "--enable-debug-command", "yes"])) as ServerProcess);
      if (kind === "redis") started.push(master);
      const m = client(master);
      await fill(m, 200_000);
      const want = await digest(master.port);
      const modes = ["disabled", "on-empty-db", "swapdb"];
      const replicas = await Promise.all(
        modes.map((mode) => respd(["--repl-diskless-load", mode, "--replicaof", "127.0.0.1", String(master.port)])),
      );
      // PING keeps being answered while the replicas receive and load.
      const ping = client(replicas[0] as ServerProcess);
      let loadingReplies = 0;
      let pings = 0;
      const pinging = (async () => {
        while (pings < 100_000) {
          // PONG, or -LOADING while the dataset loads: either way an answer between load slices.
          const reply = await ping.ping().catch((e: Error) => e.message);
          if (reply !== "PONG" && !reply.startsWith("LOADING")) throw new Error(`PING: ${reply}`);
          if (reply.startsWith("LOADING")) loadingReplies++;
          pings++;
          if ((await field(ping, "replication", "master_link_status")) === "up") return;
        }
      })();
      for (const r of replicas) await inSync(m, client(r));
      await pinging;
      // Answered during the load, not after it: a load in slices serves PING between them (-LOADING), an
      // unsliced load would answer only once it is over. A slower machine makes the load longer and this larger.
      expect(loadingReplies).toBeGreaterThanOrEqual(3);
      for (const r of replicas) expect(await digest(r.port)).toBe(want);
      const [disk, empty, swap] = replicas as [ServerProcess, ServerProcess, ServerProcess];
      const framing = kind === "respd" ? "streamed RDB from master with EOF" : /\d+ bytes from master/.source;
      expect(disk.output()).toMatch(new RegExp(`MASTER <-> REPLICA sync: receiving ${framing} to disk`));
      expect(empty.output()).toMatch(new RegExp(`MASTER <-> REPLICA sync: receiving ${framing} to parser`));
      expect(swap.output()).toMatch(new RegExp(`MASTER <-> REPLICA sync: receiving ${framing} to parser`));
      expect(disk.output()).toMatch(/Flushing old data[\s\S]*Loading DB in memory[\s\S]*Done loading RDB[\s\S]*Finished with success/);
      expect(swap.output()).toMatch(/Loading DB in memory[\s\S]*Swapping active DB with loaded DB[\s\S]*Discarding old DB/);
      expect(swap.output()).not.toContain("Flushing old data");
      // The disk mode's file is now the replica's dump.rdb; the parser modes leave none.
      const diskDir = (disk.proc.spawnargs as string[])[(disk.proc.spawnargs as string[]).indexOf("--dir") + 1] as string;
      expect(readdirSync(diskDir)).toEqual(["dump.rdb"]);
      if (CHECK_RDB) expect(checkRdb(join(diskDir, "dump.rdb"))).toContain("RDB looks OK");
      // Live writes still flow.
      await m.set("after", "1");
      for (const r of replicas) await waitFor("live write", async () => (await client(r).get("after")) === "1");
    }, 40_000);
  }
});

/** A scripted master: answers the handshake, and lets the test send the snapshot piece by piece. */
async function fakeMaster(onPsync: (sock: Socket, n: number) => void): Promise<{ port: number; psyncs: () => number }> {
  let psyncs = 0;
  const server = createServer((sock) => {
    let buf = "";
    sock.on("error", () => {});
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      for (;;) {
        const m = /^\*(\d+)\r\n/.exec(buf);
        if (!m) return;
        let at = m[0].length;
        const args: string[] = [];
        for (let i = 0; i < Number(m[1]); i++) {
          const h = /^\$(\d+)\r\n/.exec(buf.slice(at));
          if (!h) return;
          const len = Number(h[1]);
          if (buf.length < at + h[0].length + len + 2) return;
          args.push(buf.slice(at + h[0].length, at + h[0].length + len));
          at += h[0].length + len + 2;
        }
        buf = buf.slice(at);
        const name = (args[0] ?? "").toUpperCase();
        if (name === "PING") sock.write("+PONG\r\n");
        else if (name === "REPLCONF" && !/^(ack|getack)$/i.test(args[1] ?? "")) sock.write("+OK\r\n");
        else if (name === "PSYNC") onPsync(sock, ++psyncs);
      }
    });
  });
  fakes.push(server);
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
  const port = (server.address() as { port: number }).port;
  return { port, psyncs: () => psyncs };
}

/**
 * A scripted master whose first transfer stops halfway and is cut after 1.2 s; the
 * replica's next PSYNC waits until `resume()`, then gets the whole snapshot.
 */
async function cutThenWhole(send: (sock: Socket, whole: boolean) => void) {
  let resumed = false;
  let waiting: Socket | null = null;
  const fake = await fakeMaster((sock, n) => {
    if (n === 1) {
      send(sock, false);
      setTimeout(() => sock.destroy(), 1200);
    } else if (resumed) send(sock, true);
    else waiting = sock;
  });
  const resume = () => {
    resumed = true;
    if (waiting !== null) send(waiting, true);
  };
  return { fake, resume };
}

/** An RDB of `n` keys `new:<i>` with a few MB in total. */
function snapshot(n: number): Uint8Array {
  const t = createTestEngine();
  for (let i = 0; i < n; i++) t.exec("SET", `new:${i}`, `value-${i}-${"v".repeat(40)}`);
  t.exec("SET", "newbig", BIG);
  return writeRdb(t.engine.dbs);
}

describe("what a replica serves while a snapshot arrives, and keeps when it is cut", () => {
  const rdb = snapshot(60_000);
  const half = Math.floor(rdb.length / 2);
  const ID = "a".repeat(40);

  test("disabled: old data and sync progress while receiving; a cut transfer keeps the old data; then it resyncs", async () => {
    const { fake, resume } = await cutThenWhole((sock, whole) => {
      sock.write(`+FULLRESYNC ${ID} 100\r\n$${rdb.length}\r\n`);
      sock.write(whole ? rdb : rdb.subarray(0, half));
    });
    const replica = await respd(["--repl-diskless-load", "disabled"]);
    const r = client(replica);
    await r.set("old", "1");
    await r.replicaof("127.0.0.1", String(fake.port));
    await waitFor("half the transfer", async () => Number(await field(r, "replication", "master_sync_read_bytes")) >= half);
    const info = await r.info("replication");
    expect(infoField(info, "master_sync_in_progress")).toBe("1");
    expect(infoField(info, "master_sync_total_bytes")).toBe(String(rdb.length));
    expect(Number(infoField(info, "master_sync_left_bytes"))).toBe(rdb.length - Number(infoField(info, "master_sync_read_bytes")));
    expect(infoField(info, "master_sync_last_io_seconds_ago")).toBe("0");
    expect(await r.get("old")).toBe("1");
    expect(await r.ping()).toBe("PONG");
    const dir = (replica.proc.spawnargs as string[])[(replica.proc.spawnargs as string[]).indexOf("--dir") + 1] as string;
    expect(readdirSync(dir).filter((f) => /^temp-\d+\.\d+\.rdb$/.test(f))).toHaveLength(1);

    await waitFor("the cut", () => replica.output().includes("I/O error trying to sync with MASTER: connection lost"));
    expect(await r.get("old")).toBe("1");
    expect(await r.dbsize()).toBe(1);
    expect(readdirSync(dir)).toEqual([]);

    resume();
    await waitFor("the resync", async () => (await r.get("new:59999")) !== null);
    expect(await r.get("old")).toBeNull();
    expect(await r.dbsize()).toBe(60_001);
    expect(await r.strlen("newbig")).toBe(BIG.length);
    expect(readdirSync(dir)).toEqual(["dump.rdb"]);
    expect(await field(r, "replication", "master_replid")).toBe(ID);
    expect(await field(r, "replication", "master_repl_offset")).toBe("100");
  }, 20_000);

  test("on-empty-db loads from the socket with -LOADING meanwhile; a cut leaves it empty", async () => {
    const { fake, resume } = await cutThenWhole((sock, whole) => {
      sock.write(`+FULLRESYNC ${ID} 0\r\n$EOF:${"m".repeat(40)}\r\n`);
      sock.write(whole ? Buffer.concat([rdb, Buffer.from("m".repeat(40))]) : rdb.subarray(0, half));
    });
    const replica = await respd(["--repl-diskless-load", "on-empty-db", "--replicaof", "127.0.0.1", String(fake.port)]);
    const r = client(replica);
    await waitFor("loading", async () => (await field(r, "persistence", "loading")) === "1");
    // As Redis: PING is not flagged `loading`, INFO is.
    await expect(r.ping()).rejects.toThrow("LOADING Redis is loading the dataset in memory");
    await expect(r.get("new:1")).rejects.toThrow("LOADING Redis is loading the dataset in memory");
    const info = await r.info("persistence");
    expect(Number(infoField(info, "loading_loaded_bytes"))).toBeGreaterThan(0);
    expect(infoField(await r.info("replication"), "master_sync_in_progress")).toBe("1");
    expect(replica.output()).toContain("receiving streamed RDB from master with EOF to parser");

    await waitFor("the cut", () => replica.output().includes("Failed trying to load the MASTER synchronization DB from socket"));
    expect(await field(r, "persistence", "loading")).toBe("0");
    expect(await r.dbsize()).toBe(0);
    resume();
    await waitFor("the resync", async () => (await r.dbsize()) === 60_001);
    expect(await r.strlen("newbig")).toBe(BIG.length);
    // Nothing was written to disk.
    const dir = (replica.proc.spawnargs as string[])[(replica.proc.spawnargs as string[]).indexOf("--dir") + 1] as string;
    expect(readdirSync(dir)).toEqual([]);
  }, 20_000);

  test("swapdb continuing our history serves the old data while loading, keeps it when cut, then swaps", async () => {
    let id = "";
    const { fake, resume } = await cutThenWhole((sock, whole) => {
      sock.write(`+FULLRESYNC ${id} 0\r\n$${rdb.length}\r\n`);
      sock.write(whole ? rdb : rdb.subarray(0, half));
    });
    const replica = await respd(["--repl-diskless-load", "swapdb"]);
    const r = client(replica);
    await r.set("old", "1");
    id = (await field(r, "replication", "master_replid")) as string;
    await r.replicaof("127.0.0.1", String(fake.port));
    await waitFor("async loading", async () => (await field(r, "persistence", "async_loading")) === "1");
    expect(await field(r, "persistence", "loading")).toBe("0");
    expect(await r.get("old")).toBe("1");
    await waitFor("the cut", () => replica.output().includes("Discarding temporary DB in background"));
    expect(await r.get("old")).toBe("1");
    expect(await r.dbsize()).toBe(1);
    resume();
    await waitFor("the swap", async () => (await r.dbsize()) === 60_001);
    expect(await r.get("old")).toBeNull();
    expect(replica.output()).toContain("Swapping active DB with loaded DB");
  }, 20_000);

  test("a broken EOF mark fails the load", async () => {
    const fake = await fakeMaster((sock, n) => {
      sock.write(`+FULLRESYNC ${ID} 0\r\n$EOF:${"m".repeat(40)}\r\n`);
      sock.write(Buffer.concat([rdb, Buffer.from(n === 1 ? "x".repeat(40) : "m".repeat(40))]));
    });
    const replica = await respd(["--repl-diskless-load", "swapdb", "--replicaof", "127.0.0.1", String(fake.port)]);
    await waitFor("the broken mark", () => replica.output().includes("Replication stream EOF marker is broken"));
    const r = client(replica);
    await waitFor("the retry", async () => (await r.dbsize()) === 60_001);
    expect(fake.psyncs()).toBe(2);
  }, 20_000);
});

function dirOf(s: ServerProcess): string {
  const args = s.proc.spawnargs as string[];
  return args[args.indexOf("--dir") + 1] as string;
}

describe("PSYNC after a restart from an RDB with the replication AUX fields", () => {
  test("killed right after a disk sync, and after a SAVE, a respd replica continues with +CONTINUE", async () => {
    const master = await respd(["--repl-diskless-sync", "no"]);
    const m = client(master);
    await fill(m, 0);
    const dir = mkdtempSync(join(tmpdir(), "respd-replica-"));
    const args = ["--repl-diskless-load", "disabled", "--replicaof", "127.0.0.1", String(master.port)];
    let replica = await respd(args, dir);
    await waitFor("the sync", () => replica.output().includes("MASTER <-> REPLICA sync: Finished with success"));
    replica.proc.kill("SIGKILL");
    await replica.exited;
    await m.set("while-down", "1");
    await m.select(2);
    await m.set("db2:while-down", "2");

    replica = await respd(args, dir);
    let r = client(replica);
    await inSync(m, r);
    expect(replica.output()).toContain("Before turning into a replica, using my own master parameters to synthesize a cached master");
    expect(replica.output()).toContain("Successful partial resynchronization with master.");
    expect(await field(m, "stats", "sync_partial_ok")).toBe("1");
    expect(await field(m, "stats", "sync_full")).toBe("1");
    expect(await r.get("while-down")).toBe("1");

    // A SAVE records the offset and the stream's db (2 here) too.
    await m.set("db2:before-save", "3");
    await inSync(m, r);
    expect(await r.save()).toBe("OK");
    if (CHECK_RDB) expect(checkRdb(join(dir, "dump.rdb"))).toContain("RDB looks OK");
    replica.proc.kill("SIGKILL");
    await replica.exited;
    await m.set("db2:after-save", "4");
    replica = await respd(args, dir);
    r = client(replica);
    await inSync(m, r);
    expect(await field(m, "stats", "sync_partial_ok")).toBe("2");
    expect(await digest(replica.port)).toBe(await digest(master.port));
  }, 30_000);

  test("a master restarted from its own RDB keeps that history as replid2, so its replica continues", async () => {
    const dir = mkdtempSync(join(tmpdir(), "respd-master-"));
    const master = await respd(["--repl-diskless-sync-delay", "0"], dir);
    const m = client(master);
    const replica = await respd(["--replicaof", "127.0.0.1", String(master.port)]);
    const r = client(replica);
    await m.set("a", "1");
    await inSync(m, r);
    const oldId = await field(m, "replication", "master_replid");
    const offset = Number(await field(m, "replication", "master_repl_offset"));
    expect(await m.save()).toBe("OK");
    master.proc.kill("SIGKILL");
    await master.exited;
    // Restarted (on another port: the replica is pointed at it).
    const again = await respd([], dir);
    const m2 = client(again);
    expect(await field(m2, "replication", "master_replid2")).toBe(oldId);
    expect(await field(m2, "replication", "second_repl_offset")).toBe(String(offset + 1));
    await r.replicaof("127.0.0.1", String(again.port));
    await m2.set("b", "2");
    await inSync(m2, r);
    expect(await field(m2, "stats", "sync_partial_ok")).toBe("1");
    expect(await r.get("b")).toBe("2");
  }, 20_000);

  test("keys past their TTL in a restarted master's RDB: dropped at load, their DELs start its new stream; CONFIG RESETSTAT zeroes sync_*", async () => {
    const dir = mkdtempSync(join(tmpdir(), "respd-master-"));
    const master = await respd(["--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes"], dir);
    const m = client(master);
    const replica = await respd(["--replicaof", "127.0.0.1", String(master.port)]);
    const r = client(replica);
    await m.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
    for (let j = 0; j < 32; j++) {
      await m.select(j % 4);
      await m.set(`k${j}`, "v", "PX", 10);
    }
    await m.select(0);
    await m.set("kept", "1");
    await inSync(m, r);
    await Bun.sleep(50);
    expect(await r.dbsize()).toBe(9); // 8 per db in db 0, plus "kept": a replica keeps them until its master's DEL
    expect(await m.save()).toBe("OK");
    const offset = Number(await field(m, "replication", "master_repl_offset"));
    master.proc.kill("SIGKILL");
    await master.exited;
    const again = await respd([], dir);
    const m2 = client(again);
    expect(await field(m2, "persistence", "rdb_last_load_keys_expired")).toBe("32");
    const histlen = Number(await field(m2, "replication", "repl_backlog_histlen"));
    // Four SELECTs and 32 DELs.
    expect(histlen).toBeGreaterThan(32 * 20);
    expect(await field(m2, "replication", "master_repl_offset")).toBe(String(offset + histlen));
    await r.replicaof("127.0.0.1", String(again.port));
    await inSync(m2, r);
    expect(await field(m2, "stats", "sync_partial_ok")).toBe("1");
    expect(await r.dbsize()).toBe(1);
    for (let db = 1; db < 4; db++) expect(await client(replica, db).dbsize()).toBe(0);
    await m2.config("RESETSTAT");
    expect(await field(m2, "stats", "sync_partial_ok")).toBe("0");
  }, 20_000);

  test.skipIf(!HAVE_REDIS)(
    "a real replica continues from a respd replica's RDB, and a respd replica from a real one's",
    async () => {
      const master = await respd(["--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes"]);
      const m = client(master);
      await fill(m, 1000);
      const a = await respd(["--replicaof", "127.0.0.1", String(master.port)]);
      await inSync(m, client(a));
      await m.set("k1", "1");
      await inSync(m, client(a));
      expect(await client(a).save()).toBe("OK");
      a.proc.kill("SIGKILL");
      await a.exited;
      await m.set("k2", "2");

      // redis-server started on the respd replica's file.
      const redisDir = mkdtempSync(join(tmpdir(), "redis-on-respd-"));
      copyFileSync(join(dirOf(a), "dump.rdb"), join(redisDir, "dump.rdb"));
      if (CHECK_RDB) expect(checkRdb(join(redisDir, "dump.rdb"))).toContain("RDB looks OK");
      const real = (await startRedis(["--dir", redisDir, "--replicaof", "127.0.0.1", String(master.port)])) as ServerProcess;
      started.push(real);
      const rr = client(real);
      await inSync(m, rr);
      expect(real.output()).toContain("Successful partial resynchronization with master.");
      expect(await field(m, "stats", "sync_partial_ok")).toBe("1");
      expect(await rr.get("k2")).toBe("2");

      // And the other way: a respd replica started on the real replica's file.
      expect(await rr.save()).toBe("OK");
      real.proc.kill("SIGKILL");
      await real.exited;
      await m.set("k3", "3");
      const bDir = mkdtempSync(join(tmpdir(), "respd-on-redis-"));
      copyFileSync(join(redisDir, "dump.rdb"), join(bDir, "dump.rdb"));
      const b = await respd(["--replicaof", "127.0.0.1", String(master.port)], bDir);
      const rb = client(b);
      await inSync(m, rb);
      expect(b.output()).toContain("Successful partial resynchronization with master.");
      expect(await field(m, "stats", "sync_partial_ok")).toBe("2");
      expect(await field(m, "stats", "sync_full")).toBe("1");
      expect(await digest(b.port)).toBe(await digest(master.port));
    },
    30_000,
  );
});

describe("a replica with appendonly yes", () => {
  for (const mode of ["disabled", "swapdb"]) {
    test(`rebuilds its AOF from what a full sync loaded (repl-diskless-load ${mode}), so a restart has the master's data`, async () => {
      const master = await respd(["--repl-diskless-sync-delay", "0"]);
      const m = client(master);
      await fill(m, 0);
      const dir = mkdtempSync(join(tmpdir(), "respd-aof-replica-"));
      let replica = await respd(["--appendonly", "yes", "--repl-diskless-load", mode], dir);
      let r = client(replica);
      // Its own data before it becomes a replica: the sync replaces it, and the AOF must forget it too.
      await r.set("local-only", "x");
      await r.replicaof("127.0.0.1", String(master.port));
      await inSync(m, r);
      await m.set("after-sync", "1");
      await inSync(m, r);
      await waitFor("the AOF rewrite after the sync", async () => {
        const info = await r.info("persistence");
        return info.includes("aof_rewrite_in_progress:0") && /aof_rewrites:[1-9]/.test(info);
      });
      expect(await r.shutdown("SAVE").catch(() => "closed")).toBe("closed");
      await replica.exited;

      // Started alone on its appendonlydir: exactly the master's dataset, nothing of its own past.
      replica = await respd(["--appendonly", "yes"], dir);
      r = client(replica);
      expect(await r.exists("local-only")).toBe(0);
      expect(await r.get("after-sync")).toBe("1");
      expect(await digest(replica.port)).toBe(await digest(master.port));
    }, 30_000);
  }
});

describe("rdb-del-sync-files", () => {
  for (const [flag, save, kept] of [
    ["yes", "", false],
    ["no", "", true],
    ["yes", "3600 1", true],
  ] as const) {
    test(`rdb-del-sync-files ${flag} with save "${save}": the disk-loaded RDB is ${kept ? "kept" : "removed"}`, async () => {
      const master = await respd(["--repl-diskless-sync-delay", "0"]);
      const m = client(master);
      await m.set("k", "v");
      const dir = mkdtempSync(join(tmpdir(), "respd-del-sync-"));
      const replica = await respd(
        ["--repl-diskless-load", "disabled", "--rdb-del-sync-files", flag, "--save", save, "--replicaof", "127.0.0.1", String(master.port)],
        dir,
      );
      const r = client(replica);
      await inSync(m, r);
      expect(await r.get("k")).toBe("v");
      expect(existsSync(join(dir, "dump.rdb"))).toBe(kept);
      expect(replica.output().includes("Removing the RDB file obtained from the master")).toBe(!kept);
    }, 20_000);
  }
});
