/**
 * Full sync from a respd master without blocking it: 200k keys streamed from
 * the incremental snapshot to a real redis-server replica and a respd replica
 * sharing one snapshot, while another client keeps writing and GETs keep being
 * answered; then client-output-buffer-limit for a replica that stopped
 * reading (a SIGSTOPped respd replica), hard and soft limits.
 */
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import type Redis from "ioredis";
import { fleet } from "./helpers/fleet.ts";
import { redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const { started, client } = fleet();

/** A digest of db 0 read over the wire in pipelines; the writes below make `h` a hash, `l` a list, the rest strings. */
async function digest(c: Redis): Promise<string> {
  const keys = ((await c.keys("*")) as string[]).sort();
  const h = createHash("sha1");
  for (let i = 0; i < keys.length; i += 50000) {
    const part = keys.slice(i, i + 50000);
    const p = c.pipeline();
    for (const k of part) {
      if (k === "h") p.hgetall(k);
      else if (k === "l") p.lrange(k, 0, -1);
      else p.get(k);
    }
    const values = (await p.exec()) as [Error | null, unknown][];
    part.forEach((k, j) => {
      const [err, v] = values[j] ?? [null, null];
      h.update(JSON.stringify([k, err?.message, k === "h" ? Object.entries(v as object).sort() : v]));
    });
  }
  return `${keys.length}:${h.digest("hex")}`;
}

describe.skipIf(!HAVE_REDIS)("full sync from a respd master", () => {
  test("200k keys to a real and a respd replica sharing one snapshot, under writes, GETs answered meanwhile", async () => {
    // The snapshot starts once both replicas wait (max-replicas 2), however long a loaded machine takes to start
    // them; the 30 s delay is only the fallback.
    const master = await startRespd({
      args: ["--repl-diskless-sync-delay", "30", "--repl-diskless-sync-max-replicas", "2", "--enable-debug-command", "yes"],
    });
    started.push(master);
    const m = client(master);
    await m.call("DEBUG", "POPULATE", "200000");
    await m.hset("h", { a: "1" });
    await m.rpush("l", "x");

    // Another client keeps writing, before, during and after the transfer.
    const w = client(master);
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) {
        const p = w.pipeline();
        for (let i = 0; i < 50; i++) {
          const n = Math.floor(Math.random() * 200000);
          p.set(`key:${n}`, `w${writes}`)
            .append(`key:${(n * 7) % 200000}`, "+")
            .del(`key:${(n * 13) % 200000}`);
          p.set(`new:${writes}`, "n")
            .hset("h", `f${writes % 100}`, writes)
            .rpush("l", String(writes));
          writes++;
        }
        await p.exec();
      }
    })();

    const real = (await startRedis(["--replicaof", "127.0.0.1", String(master.port)])) as ServerProcess;
    started.push(real);
    const replica = await startRespd({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    started.push(replica);

    // GETs on the master keep being answered while the snapshot is produced.
    const g = client(master);
    let duringSync = 0;
    let slowest = 0;
    const startedAt = Date.now();
    while (!master.output().includes("Synchronization with replica") || !/succeeded[\s\S]*succeeded/.test(master.output())) {
      const t0 = performance.now();
      expect(await g.get("key:1")).not.toBeUndefined();
      const ms = performance.now() - t0;
      const out = master.output();
      if (out.includes("Starting BGSAVE for SYNC") && !out.includes("Synchronization with replica")) {
        duringSync++;
        slowest = Math.max(slowest, ms);
      }
      if (Date.now() - startedAt > 20000) throw new Error("sync did not finish");
    }
    // Both replicas joined before the sync started: one snapshot served both.
    expect(master.output()).toContain("Starting BGSAVE for SYNC with target: replicas sockets (2 replicas)");
    expect(master.output()).toMatch(/Synchronization with replica 127\.0\.0\.1:\d+ succeeded \(diskless snapshot of \d+ bytes\)/);
    expect(duringSync).toBeGreaterThan(5);
    // Served between slices, not after the whole walk (a bound loose enough for a busy machine).
    expect(slowest).toBeLessThan(1000);

    await Bun.sleep(300);
    writing = false;
    await writer;
    expect(writes).toBeGreaterThan(1000);
    const r = client(replica);
    const rr = client(real);
    await waitFor("offsets agree", async () => {
      const mo = infoField(await m.info("replication"), "master_repl_offset");
      return (
        mo === infoField(await r.info("replication"), "slave_repl_offset") &&
        mo === infoField(await rr.info("replication"), "slave_repl_offset")
      );
    });
    const [want, fromReal, fromRespd] = await Promise.all([digest(m), digest(rr), digest(r)]);
    expect(fromReal).toBe(want);
    expect(fromRespd).toBe(want);
    expect(infoField(await m.info("stats"), "sync_full")).toBe("2");
  }, 40000);
});

describe("client-output-buffer-limit replica", () => {
  test("a replica that stopped reading is dropped over the hard limit, and after the soft limit's seconds", async () => {
    const master = await startRespd({ args: ["--repl-diskless-sync-delay", "0"] });
    started.push(master);
    const m = client(master);
    const replica = await startRespd({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    started.push(replica);
    const r = client(replica);
    await waitFor("link up", async () => infoField(await r.info("replication"), "master_link_status") === "up");
    await m.config("SET", "client-output-buffer-limit", "replica 4mb 0 0");
    const value = "v".repeat(100_000);
    const flood = async (mb: number) => {
      for (let i = 0; i < mb * 10; i++) await m.set(`big:${i % 50}`, value);
    };

    replica.proc.kill("SIGSTOP");
    // WAIT counts acknowledgements of the caller's own last write (Redis's c->woff), not the master's offset.
    await m.set("unacked", "1");
    expect(await m.wait(1, 300)).toBe(0);
    expect(await client(master).wait(1, 300)).toBe(1);
    // Loopback socket buffers take a few MB before anything queues in the master.
    await flood(40);
    await waitFor("dropped (hard)", async () => infoField(await m.info("replication"), "connected_slaves") === "0", 5000);
    expect(master.output()).toMatch(
      /Client id=\d+ addr=127\.0\.0\.1:\d+ .*flags=S .* scheduled to be closed ASAP for overcoming of output buffer limits\./,
    );

    // Back, it resyncs; then the soft limit: over 1mb for longer than 1 s.
    replica.proc.kill("SIGCONT");
    await waitFor("relinked", async () => infoField(await m.info("replication"), "connected_slaves") === "1");
    await waitFor("caught up", async () => (await r.get("big:0")) === value);
    await m.config("SET", "client-output-buffer-limit", "replica 0 1mb 1");
    const before = master.output().split("overcoming of output buffer limits").length;
    replica.proc.kill("SIGSTOP");
    await flood(20);
    expect(infoField(await m.info("replication"), "connected_slaves")).toBe("1");
    await waitFor("dropped (soft)", async () => infoField(await m.info("replication"), "connected_slaves") === "0", 6000);
    expect(master.output().split("overcoming of output buffer limits").length).toBe(before + 1);
    replica.proc.kill("SIGCONT");
    await m.set("last", "1");
    await waitFor("relinked again", async () => (await r.get("last")) === "1");
  }, 40000);
});
