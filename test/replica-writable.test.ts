/**
 * A writable replica (replica-read-only no) side by side with a real Redis
 * replica of the same real master: keys its own clients give a TTL are
 * expired by the replica itself, and a write sees a key past its TTL as gone.
 */
import { afterAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const started: ServerProcess[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(started.map((s) => s.stop()));
});

function client(s: ServerProcess): Redis {
  const c = new Redis({ port: s.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
  clients.push(c);
  return c;
}

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
