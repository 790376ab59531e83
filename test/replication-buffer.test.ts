/**
 * Redis 7.0's shared replication buffer on a respd master: a turn's stream
 * bigger than repl-backlog-size reaches the replica whole; while a replica
 * waits behind a slow snapshot the backlog keeps everything after that
 * snapshot's point (repl_backlog_histlen outgrows the config), a replica
 * may continue from there, and the history shrinks once that replica is
 * gone. And a replica that points at another address and comes back
 * continues in the db its master's stream had selected.
 */
import { describe, expect, test } from "bun:test";
import type Redis from "ioredis";
import { fleet } from "./helpers/fleet.ts";
import { redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const { started, client } = fleet();

async function field(c: Redis, name: string): Promise<string> {
  return infoField(String(await c.info()), name) ?? "";
}

async function linkUp(c: Redis): Promise<boolean> {
  return (await field(c, "master_link_status")) === "up";
}

/** `n` SETs of `size` bytes in one pipeline (one read, one turn on the master). */
async function burst(c: Redis, prefix: string, n: number, size: number): Promise<void> {
  const p = c.pipeline();
  for (let i = 0; i < n; i++) p.set(`${prefix}${i}`, "A".repeat(size));
  await p.exec();
}

describe("the shared replication buffer", () => {
  test("a burst bigger than repl-backlog-size reaches the replica whole", async () => {
    const master = await startRespd({ args: ["--repl-backlog-size", "16384", "--repl-diskless-sync-delay", "0"] });
    started.push(master);
    const replica = await startRespd({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    started.push(replica);
    const m = client(master);
    const r = client(replica);
    await waitFor("link up", () => linkUp(r));
    await burst(m, "k", 300, 10_000);
    await waitFor("offsets agree", async () => (await field(m, "master_repl_offset")) === (await field(r, "slave_repl_offset")));
    expect(await r.dbsize()).toBe(300);
    expect(await r.strlen("k0")).toBe(10_000);
    expect(Number(await field(m, "repl_backlog_histlen"))).toBe(16384);
  }, 30000);

  test("a replica behind a slow snapshot keeps the history; another continues from it; it shrinks when that replica goes", async () => {
    const master = await startRespd({ args: ["--repl-backlog-size", "16384", "--repl-diskless-sync-delay", "0"] });
    started.push(master);
    const fast = await startRespd({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    started.push(fast);
    const m = client(master);
    const f = client(fast);
    await waitFor("fast link up", () => linkUp(f));
    await burst(m, "a", 100, 1000);
    // A second replica whose snapshot takes 100 s: the stream after its point stays in the buffer.
    await m.config("SET", "rdb-key-save-delay", "1000000");
    const slow = await startRespd({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    started.push(slow);
    await waitFor("slow replica syncing", async () => (await field(m, "rdb_bgsave_in_progress")) === "1");
    await burst(m, "b", 200, 1000);
    await waitFor("fast caught up", async () => (await field(m, "master_repl_offset")) === (await field(f, "slave_repl_offset")));
    expect(Number(await field(m, "repl_backlog_histlen"))).toBeGreaterThan(200_000);
    expect(Number(await field(m, "mem_total_replication_buffers"))).toBeGreaterThan(200_000);

    // The fast replica leaves, misses more than repl-backlog-size, and continues from the buffer.
    await f.call("REPLICAOF", "127.0.0.1", String(slow.port));
    await burst(m, "c", 100, 1000);
    await f.call("REPLICAOF", "127.0.0.1", String(master.port));
    await waitFor("fast continued", async () => (await field(m, "master_repl_offset")) === (await field(f, "slave_repl_offset")));
    expect(await field(m, "sync_partial_ok")).toBe("1");
    expect(await f.dbsize()).toBe(400);

    // The slow replica goes: only repl-backlog-size of history stays.
    await slow.stop();
    await waitFor("history trimmed", async () => Number(await field(m, "repl_backlog_histlen")) <= 16384);
    expect(Number(await field(m, "mem_total_replication_buffers"))).toBeLessThan(100_000);
  }, 60000);
});

describe.skipIf(!HAVE_REDIS)("a replica pointed elsewhere and back", () => {
  test("continues its master's stream in the db that stream had selected", async () => {
    const master = (await startRedis()) as ServerProcess;
    started.push(master);
    const replica = await startRespd({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    started.push(replica);
    const m9 = client(master, 9);
    const r = client(replica);
    await waitFor("link up", () => linkUp(r));
    await m9.set("before", "1");
    await waitFor("before", async () => (await field(r, "db9")) !== "");
    // Pointed at itself: a replica not connected to a master refuses to sync anyone (NOMASTERLINK).
    await r.call("REPLICAOF", "127.0.0.1", String(replica.port));
    await m9.set("missed", "2");
    await r.call("REPLICAOF", "127.0.0.1", String(master.port));
    await waitFor("continued", () => linkUp(r));
    await waitFor("missed write", async () => (await client(replica, 9).get("missed")) === "2");
    expect(infoField(String(await client(master).info("stats")), "sync_partial_ok")).toBe("1");
    expect(await r.dbsize()).toBe(0);
  }, 30000);
});
