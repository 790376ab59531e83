/**
 * A writable replica (replica-read-only no) side by side with a real Redis
 * replica of the same real master: keys its own clients give a TTL are
 * expired by the replica itself, and a write sees a key past its TTL as gone.
 */
import { describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { fleet } from "./helpers/fleet.ts";
import { redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const { started, clients, client } = fleet();

describe.skipIf(!HAVE_REDIS)("a writable replica", () => {
  test("expires the keys its own clients set with a TTL; a write treats a key past its TTL as gone", async () => {
    const master = (await startRedis(["--enable-debug-command", "yes"])) as ServerProcess;
    started.push(master);
    const args = ["--replicaof", "127.0.0.1", String(master.port), "--replica-read-only", "no"];
    const respd = await startRespd({ args });
    const redis = (await startRedis(args)) as ServerProcess;
    started.push(respd, redis);
    const m = client(master);
    const replicas = [client(respd), client(redis)];
    for (const r of replicas) {
      await waitFor("link up", async () => infoField(String(await r.info("replication")), "master_link_status") === "up");
    }
    const outcome = async (r: Redis) => {
      await r.set("local1", "1", "PX", 200);
      await r.set("local2", "2", "PX", 200);
      await r.set("plain", "3");
      await waitFor("local keys expired", async () => (await r.dbsize()) === 1, 10000);
      return [await r.dbsize(), await r.exists("local1")];
    };
    expect(await outcome(replicas[0] as Redis)).toEqual(await outcome(replicas[1] as Redis));
    await m.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
    await m.set("k1", "5", "PX", 10);
    await m.set("k2", "5", "PX", 10);
    await m.set("sync", "1");
    const after = async (r: Redis) => {
      await waitFor("stream", async () => (await r.get("sync")) === "1");
      await Bun.sleep(50);
      return [await r.dbsize(), await r.exists("k1", "k2"), await r.incr("k1"), await r.ttl("k1"), await r.get("k2"), await r.dbsize()];
    };
    const [a, b] = [await after(replicas[0] as Redis), await after(replicas[1] as Redis)];
    expect(a).toEqual(b);
    expect(a).toEqual([4, 0, 1, -1, null, 4]);
  }, 30000);
});

describe.skipIf(!HAVE_REDIS)("turning replica", () => {
  test("unblocks BLPOP and WAIT clients with Redis's UNBLOCKED error and closes them, as a real Redis does", async () => {
    const master = (await startRedis()) as ServerProcess;
    started.push(master);
    const outcome = async (s: ServerProcess) => {
      const blpop = new Redis({ port: s.port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null });
      const wait = new Redis({ port: s.port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null });
      clients.push(blpop, wait);
      const popped = blpop.blpop("foo", 0).then(
        (v) => `reply ${v}`,
        (e: Error) => e.message,
      );
      const waited = wait.wait(1, 0).then(
        (v) => `reply ${v}`,
        (e: Error) => e.message,
      );
      const c = client(s);
      await waitFor("blocked", async () => /blocked_clients:2/.test(String(await c.info("clients"))));
      await c.replicaof("127.0.0.1", String(master.port));
      const out = [await popped, await waited];
      await waitFor("closed", () => blpop.status === "end" && wait.status === "end");
      return out;
    };
    const respd = await startRespd();
    const redis = (await startRedis()) as ServerProcess;
    started.push(respd, redis);
    const expected = await outcome(redis);
    expect(expected[0]).toContain("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)");
    expect(await outcome(respd)).toEqual(expected);
  }, 30000);
});

describe.skipIf(!HAVE_REDIS)("a master's command failing on its replica", () => {
  test("is logged as Redis's replica logs it (== CRITICAL ==, with the error and the command)", async () => {
    const master = (await startRedis()) as ServerProcess;
    started.push(master);
    const args = ["--replicaof", "127.0.0.1", String(master.port), "--replica-read-only", "no"];
    const respd = await startRespd({ args });
    const redis = (await startRedis(args)) as ServerProcess;
    started.push(respd, redis);
    const m = client(master);
    const replicas = [client(respd), client(redis)];
    for (const r of replicas) {
      await waitFor("link up", async () => infoField(String(await r.info("replication")), "master_link_status") === "up");
      await r.set("number2", "foo");
    }
    await m.incrby("number2", 1);
    const line = (s: ServerProcess) =>
      /== CRITICAL == This replica is sending an error to its master: '(.*)' after processing the command '(.*)'/
        .exec(s.output())
        ?.slice(1);
    await waitFor("logged", () => line(redis) !== undefined && line(respd) !== undefined);
    expect(line(respd)).toEqual(line(redis));
    expect(line(respd)?.[1]).toBe("incrby");
  }, 30000);
});
