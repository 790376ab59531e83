/**
 * Replication against the real Redis 7.0: respd as the master of a real
 * replica, respd as the replica of a real master (diskless `$EOF:` and disk
 * `$len` snapshots), partial resync after a killed link, WAIT, READONLY,
 * replica-side expiry and promotion. Data is compared as a canonical dump
 * read over the wire from both servers.
 */
import { describe, expect, test } from "bun:test";
import type Redis from "ioredis";
import { canonicalKey } from "./helpers/canonical.ts";
import { Differential } from "./helpers/diff.ts";
import { fleet } from "./helpers/fleet.ts";
import { call, encodeCommand } from "./helpers/raw.ts";
import { freePort, redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const { started, client } = fleet();

/** Every key of dbs 0..3 with its type, value and whether it has a TTL, in a fixed order. */
async function dump(s: ServerProcess, password?: string): Promise<string> {
  const out: string[] = [];
  for (let db = 0; db < 4; db++) {
    const c = client(s, db, { password });
    const keys = ((await c.keys("*")) as string[]).sort();
    for (const k of keys) {
      out.push(await canonicalKey(c, db, k));
    }
    c.disconnect();
  }
  return out.join("\n");
}

/** Writes of every type respd supports, across several dbs, big enough to span socket reads. */
async function seed(c: Redis, tag: string): Promise<void> {
  const big = "x".repeat(200_000);
  await c.set(`${tag}:s`, "v");
  await c.set(`${tag}:big`, big);
  await c.set(`${tag}:bin`, Buffer.from([0, 0x80, 0xff, 13, 10]));
  await c.incrby(`${tag}:n`, 42);
  await c.set(`${tag}:ttl`, "t", "EX", 1000);
  await c.rpush(`${tag}:l`, "a", "b", "c");
  await c.rpush(`${tag}:lbig`, ...Array.from({ length: 300 }, (_, i) => `item${i}`));
  await c.hset(`${tag}:h`, { f1: "1", f2: "2" });
  await c.hset(`${tag}:hbig`, Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`])));
  await c.sadd(`${tag}:si`, 1, 2, 3);
  await c.sadd(`${tag}:ss`, "a", "b");
  await c.zadd(`${tag}:z`, 1, "a", 2.5, "b");
  await c.zadd(`${tag}:zbig`, ...Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat());
  await c.select(2);
  await c.set(`${tag}:db2`, "two");
  await c.select(0);
}

describe.skipIf(!HAVE_REDIS)("respd as master, real redis-server as replica", () => {
  test("full sync of every type, live writes, SELECT, partial resync after a killed link, WAIT", async () => {
    const master = await startRespd({ args: ["--repl-diskless-sync-delay", "0"] });
    started.push(master);
    const m = client(master);
    await seed(m, "pre");
    const replica = (await startRedis(["--replicaof", "127.0.0.1", String(master.port)])) as ServerProcess;
    started.push(replica);
    const r = client(replica);
    await waitFor("link up", async () => infoField(await r.info("replication"), "master_link_status") === "up");
    // Redis 7.0's default: a diskless `$EOF:<mark>` transfer to a replica that announced `capa eof`.
    expect(master.output()).toContain("(diskless snapshot of");
    expect(replica.output()).toContain("receiving streamed RDB from master with EOF");
    await seed(m, "live");
    await waitFor("live writes", async () => (await r.get("live:n")) === "42" && (await dump(replica)) === (await dump(master)));

    const info = await m.info("replication");
    expect(infoField(info, "connected_slaves")).toBe("1");
    expect(infoField(info, "slave0")).toMatch(/^ip=127\.0\.0\.1,port=\d+,state=online,offset=\d+,lag=\d+$/);
    expect(infoField(info, "repl_backlog_active")).toBe("1");
    expect(await m.wait(1, 2000)).toBe(1);
    const role = (await m.role()) as unknown[];
    expect(role[0]).toBe("master");
    expect((role[2] as string[][])[0]?.[0]).toBe("127.0.0.1");

    // Writes queued behind the kill reach the replica only through the backlog (+CONTINUE).
    await m.pipeline().call("CLIENT", "KILL", "TYPE", "replica").set("gap", "1").rpush("pre:l", "d").select(3).set("db3", "x").exec();
    await waitFor("resync", async () => (await r.get("gap")) === "1");
    await waitFor("same data", async () => (await dump(replica)) === (await dump(master)));
    const stats = await m.info("stats");
    expect(infoField(stats, "sync_full")).toBe("1");
    expect(infoField(stats, "sync_partial_ok")).toBe("1");
    expect(master.output()).toContain("Partial resynchronization request from 127.0.0.1");
    await waitFor("offsets agree", async () => {
      const mo = infoField(await m.info("replication"), "master_repl_offset");
      return mo === infoField(await r.info("replication"), "slave_repl_offset");
    });
  }, 30000);
});

describe.skipIf(!HAVE_REDIS)("respd as replica of a real redis-server", () => {
  test("diskless sync, live writes, READONLY, partial resync, WAIT, promotion", async () => {
    const master = (await startRedis(["--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes"])) as ServerProcess;
    started.push(master);
    const m = client(master);
    await seed(m, "pre");
    const replica = await startRespd({ args: ["--replicaof", `127.0.0.1 ${master.port}`] });
    started.push(replica);
    const r = client(replica);
    await waitFor("link up", async () => infoField(await r.info("replication"), "master_link_status") === "up");
    expect(replica.output()).toContain("receiving streamed RDB from master with EOF");
    await seed(m, "live");
    await waitFor("same data", async () => (await dump(replica)) === (await dump(master)));

    await expect(r.set("x", "1")).rejects.toThrow("READONLY You can't write against a read only replica.");
    const info = await r.info("replication");
    expect(infoField(info, "role")).toBe("slave");
    expect(infoField(info, "master_port")).toBe(String(master.port));
    expect(infoField(info, "master_sync_in_progress")).toBe("0");
    expect(infoField(info, "slave_read_only")).toBe("1");
    expect(((await r.role()) as unknown[]).slice(0, 4)).toEqual(["slave", "127.0.0.1", master.port, "connected"]);
    // The master's WAIT is answered by our REPLCONF ACK with the exact offset.
    expect(await m.wait(1, 2000)).toBe(1);
    await expect(r.wait(0, 0)).rejects.toThrow("ERR WAIT cannot be used with replica instances");

    await m.pipeline().call("CLIENT", "KILL", "TYPE", "replica").set("gap", "1").hset("pre:h", "f3", "3").exec();
    await waitFor("resync", async () => (await r.get("gap")) === "1");
    expect(infoField(await m.info("stats"), "sync_partial_ok")).toBe("1");
    await waitFor("same data after resync", async () => (await dump(replica)) === (await dump(master)));
    await waitFor("offsets agree", async () => {
      const mo = infoField(await m.info("replication"), "master_repl_offset");
      return mo === infoField(await r.info("replication"), "slave_repl_offset");
    });

    // A key past its TTL reads as missing on the replica but stays until the master's DEL.
    await m.debug("SET-ACTIVE-EXPIRE", "0");
    await m.set("soon", "v", "PX", 100);
    await waitFor("soon replicated", async () => (await r.exists("soon")) === 1);
    await Bun.sleep(200);
    expect(await r.get("soon")).toBeNull();
    expect(await r.exists("soon")).toBe(0);
    const dbsize = await r.dbsize();
    expect(dbsize).toBe(await m.dbsize());
    await m.get("soon"); // the master's lazy expiry sends DEL
    await waitFor("DEL applied", async () => (await r.dbsize()) === dbsize - 1);

    // Promotion keeps the data and starts a new history; the old id becomes replid2.
    await waitFor("offsets agree before promotion", async () => {
      const mo = infoField(await m.info("replication"), "master_repl_offset");
      return mo === infoField(await r.info("replication"), "slave_repl_offset");
    });
    const masterId = infoField(await m.info("replication"), "master_replid");
    expect(await r.replicaof("NO", "ONE")).toBe("OK");
    const promoted = await r.info("replication");
    expect(infoField(promoted, "role")).toBe("master");
    expect(infoField(promoted, "master_replid2")).toBe(masterId);
    expect(infoField(promoted, "master_replid")).not.toBe(masterId);
    expect(await r.set("x", "1")).toBe("OK");
    expect(await r.get("pre:s")).toBe("v");

    // Failover the other way: the old master continues its history from our backlog (+CONTINUE).
    await m.debug("SET-ACTIVE-EXPIRE", "1");
    expect(await m.replicaof("127.0.0.1", String(replica.port))).toBe("OK");
    await waitFor("old master follows", async () => (await m.get("x")) === "1");
    expect(infoField(await r.info("stats"), "sync_partial_ok")).toBe("1");
    expect(infoField(await r.info("stats"), "sync_full")).toBe("0");
    await waitFor("same data after failover", async () => (await dump(replica)) === (await dump(master)));
  }, 30000);

  test("disk-based sync ($len framing) and REPLICAOF at runtime", async () => {
    const master = (await startRedis(["--repl-diskless-sync", "no", "--requirepass", "pw"])) as ServerProcess;
    started.push(master);
    const m = client(master, 0, { password: "pw" });
    await seed(m, "disk");
    const replica = await startRespd();
    started.push(replica);
    const r = client(replica);
    await r.set("local", "gone after sync");
    await r.config("SET", "masterauth", "pw");
    expect(await r.replicaof("127.0.0.1", String(master.port))).toBe("OK");
    expect(String(await r.replicaof("127.0.0.1", String(master.port)))).toBe("OK Already connected to specified master");
    await waitFor("link up", async () => infoField(await r.info("replication"), "master_link_status") === "up");
    expect(replica.output()).toMatch(/receiving \d+ bytes from master to disk/);
    await waitFor("same data", async () => (await dump(replica)) === (await dump(master, "pw")));
    expect(await r.get("local")).toBeNull();
  }, 30000);
});

describe("respd to respd", () => {
  test("a respd replica of a respd master follows writes and resyncs partially", async () => {
    const master = await startRespd({ args: ["--repl-ping-replica-period", "1", "--repl-diskless-sync", "no"] });
    started.push(master);
    const m = client(master);
    await seed(m, "rr");
    const replica = await startRespd({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    started.push(replica);
    const r = client(replica);
    await waitFor("link up", async () => infoField(await r.info("replication"), "master_link_status") === "up");
    expect(replica.output()).toMatch(/receiving \d+ bytes from master to disk/);
    await m.pipeline().call("CLIENT", "KILL", "TYPE", "replica").set("gap", "1").exec();
    await waitFor("resync", async () => (await r.get("gap")) === "1");
    await waitFor("same data", async () => (await dump(replica)) === (await dump(master)));
    expect(infoField(await m.info("stats"), "sync_partial_ok")).toBe("1");
    expect(await m.wait(1, 2000)).toBe(1);
    expect(
      String(await m.call("CLIENT", "LIST", "TYPE", "replica"))
        .trim()
        .split("\n"),
    ).toHaveLength(1);
    expect(String(await r.call("CLIENT", "LIST", "TYPE", "master"))).toMatch(/flags=M /);
    // Killing the master client drops the link; the replica reconnects and continues.
    await r.call("CLIENT", "KILL", "TYPE", "master");
    await m.set("after-master-kill", "1");
    await waitFor("relinked", async () => (await r.get("after-master-kill")) === "1");
    expect(infoField(await m.info("stats"), "sync_partial_ok")).toBe("2");

    // A transaction arrives whole; the keepalive PING every second moves both offsets alike.
    await m.multi().set("t1", "a").incr("t2").exec();
    await waitFor("transaction", async () => (await r.get("t2")) === "1");
    const offset = Number(infoField(await m.info("replication"), "master_repl_offset"));
    await waitFor("a PING streamed", async () => Number(infoField(await m.info("replication"), "master_repl_offset")) >= offset + 14);
    await waitFor("offsets agree", async () => {
      const mo = infoField(await m.info("replication"), "master_repl_offset");
      return mo === infoField(await r.info("replication"), "slave_repl_offset");
    });
  }, 30000);
});

describe.skipIf(!HAVE_REDIS)("replication commands answer as Redis 7.0 does", () => {
  test("REPLCONF, REPLICAOF, WAIT, ROLE and INFO on a plain master", async () => {
    const d = (await Differential.start()) as Differential;
    try {
      await d.sequence([
        ["REPLCONF"],
        ["REPLCONF", "foo"],
        ["REPLCONF", "foo", "bar"],
        ["REPLCONF", "listening-port", "x"],
        ["REPLCONF", "listening-port", "1234", "capa", "eof", "capa", "psync2"],
        ["REPLCONF", "ip-address", "1.2.3.4"],
        ["REPLICAOF", "a", "b"],
        ["REPLICAOF", "127.0.0.1", "99999"],
        ["REPLICAOF", "a", "1", "2"],
        ["REPLICAOF", "no", "one"],
        ["WAIT", "0", "0"],
        ["WAIT", "x", "0"],
        ["WAIT", "0", "x"],
        ["WAIT", "0", "-1"],
        ["WAIT", "1", "50"],
        ["ROLE"],
        ["COMMAND", "INFO", "replicaof", "slaveof", "replconf", "psync", "sync", "wait", "role"],
      ]);
      // REPLCONF ACK / GETACK from a normal client get no reply at all: the PING after them answers first.
      for (const c of [d.redisClient, d.respdClient]) {
        c.write(encodeCommand(["REPLCONF", "ACK", "5"]));
        c.write(encodeCommand(["REPLCONF", "GETACK", "*"]));
        expect(await call(c, "PING")).toBe("+PONG\r\n");
      }
      const fields = (info: string) => info.split("\r\n").map((l) => l.split(":")[0]);
      const [ri, pi] = await d.both("INFO", "replication");
      expect(fields(pi)).toEqual(fields(ri));
    } finally {
      await d.stop();
    }
  });
});

describe.skipIf(!HAVE_REDIS)("chained replication", () => {
  test("real master -> respd replica -> real sub-replica, the stream passed on verbatim", async () => {
    const master = (await startRedis(["--repl-diskless-sync-delay", "0"])) as ServerProcess;
    started.push(master);
    const m = client(master);
    await seed(m, "c1");
    const middle = await startRespd({ args: ["--replicaof", "127.0.0.1", String(master.port), "--repl-diskless-sync-delay", "0"] });
    started.push(middle);
    const mid = client(middle);
    await waitFor("middle up", async () => infoField(await mid.info("replication"), "master_link_status") === "up");
    // The master's stream is in db 3 when the sub-replica attaches: its snapshot must say so (repl-stream-db).
    await m.pipeline().select(3).set("in3", "a").exec();
    await waitFor("middle has db 3 write", async () => (await client(middle, 3).get("in3")) === "a");
    const sub = (await startRedis(["--replicaof", "127.0.0.1", String(middle.port)])) as ServerProcess;
    started.push(sub);
    const sr = client(sub);
    await waitFor("sub up", async () => infoField(await sr.info("replication"), "master_link_status") === "up");
    await m.pipeline().select(3).set("in3b", "b").select(0).set("after", "1").exec();
    await seed(m, "c2");
    await waitFor("sub has everything", async () => (await dump(sub)) === (await dump(master)));
    await waitFor("offsets agree", async () => {
      const mo = infoField(await m.info("replication"), "master_repl_offset");
      return mo === infoField(await sr.info("replication"), "slave_repl_offset");
    });
    expect(infoField(await sr.info("replication"), "master_replid")).toBe(infoField(await m.info("replication"), "master_replid"));
  }, 30000);
});

describe.skipIf(!HAVE_REDIS)("write guards: READONLY, MASTERDOWN, NOREPLICAS", () => {
  test("answers match Redis on a replica whose master is down, and after promotion", async () => {
    const dead = String(await freePort());
    const d = (await Differential.start(["--replicaof", "127.0.0.1", dead, "--replica-serve-stale-data", "no"])) as Differential;
    try {
      await d.sequence([["GET", "k"], ["SET", "k", "v"], ["PING"], ["ECHO", "x"], ["MULTI"], ["GET", "k"], ["EXEC"], ["WAIT", "0", "0"]]);
      await d.sequence([
        ["CONFIG", "SET", "replica-serve-stale-data", "yes"],
        ["GET", "k"],
        ["SET", "k", "v"],
      ]);
      await d.sequence([
        ["CONFIG", "SET", "replica-read-only", "no"],
        ["SET", "k", "v"],
        ["GET", "k"],
      ]);
      // A replica ignores min-replicas-to-write; after promotion it applies.
      await d.sequence([
        ["CONFIG", "SET", "min-replicas-to-write", "1"],
        ["SET", "k", "v"],
        ["REPLICAOF", "NO", "ONE"],
      ]);
      await d.sequence([["SET", "k", "v"], ["MULTI"], ["SET", "k", "v"], ["EXEC"], ["GET", "k"], ["INCR", "k"]]);
      await d.sequence([
        ["CONFIG", "SET", "min-replicas-max-lag", "0"],
        ["SET", "k", "v"],
        ["CONFIG", "SET", "min-replicas-to-write", "0"],
      ]);
    } finally {
      await d.stop();
    }
  });
});
