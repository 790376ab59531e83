/**
 * FAILOVER (Redis 7.0's coordinated failover): argument errors as Redis
 * answers them, then a respd master handing its role to a real Redis replica
 * and back (both sides of the PSYNC ... FAILOVER handshake), the write pause
 * while waiting for the target, FAILOVER ABORT and a timeout that gives up.
 */
import { describe, expect, test } from "bun:test";
import type Redis from "ioredis";
import { Differential } from "./helpers/diff.ts";
import { fleet } from "./helpers/fleet.ts";
import { redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const { started, client } = fleet();

async function info(c: Redis, field: string): Promise<string | undefined> {
  return infoField(String(await c.info()), field);
}

async function linkUp(c: Redis): Promise<boolean> {
  return (await info(c, "master_link_status")) === "up";
}

describe.skipIf(!HAVE_REDIS)("FAILOVER", () => {
  test("argument errors and COMMAND INFO as Redis 7.0 answers them", async () => {
    const d = (await Differential.start()) as Differential;
    try {
      await d.sequence([
        ["FAILOVER", "ABORT"],
        ["FAILOVER"],
        ["FAILOVER", "TIMEOUT", "0"],
        ["FAILOVER", "TIMEOUT", "-5"],
        ["FAILOVER", "TIMEOUT", "x"],
        ["FAILOVER", "TO", "127.0.0.1", "x"],
        ["FAILOVER", "TO", "127.0.0.1"],
        ["FAILOVER", "FORCE", "TIMEOUT", "100"],
        ["FAILOVER", "FORCE", "FORCE"],
        ["FAILOVER", "bogus"],
        ["FAILOVER", "ABORT", "TIMEOUT", "5"],
        ["COMMAND", "INFO", "failover"],
      ]);
    } finally {
      await d.stop();
    }
  });

  test("a respd master fails over to a real replica and back; writes wait meanwhile; ABORT and a timeout undo it", async () => {
    const master = await startRespd({ args: ["--repl-diskless-sync-delay", "0"] });
    started.push(master);
    const replica = (await startRedis(["--replicaof", "127.0.0.1", String(master.port)])) as ServerProcess;
    started.push(replica);
    const m = client(master);
    const r = client(replica);
    await waitFor("link up", () => linkUp(r));
    for (let i = 0; i < 100; i++) await m.set(`k${i}`, String(i));

    // Refusals once a replica is attached, as Redis words them.
    await expect(m.call("FAILOVER", "TO", "127.0.0.1", "1")).rejects.toThrow("ERR FAILOVER target HOST and PORT is not a replica.");
    await expect(m.call("FAILOVER", "TO", "127.0.0.1", String(replica.port), "FORCE")).rejects.toThrow(
      "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
    );
    await expect(r.call("FAILOVER")).rejects.toThrow("ERR FAILOVER is not valid when server is a replica.");

    expect(await m.call("FAILOVER", "TO", "127.0.0.1", String(replica.port))).toBe("OK");
    await waitFor("failover done", async () => (await info(m, "master_failover_state")) === "no-failover");
    await waitFor("old master linked", () => linkUp(m));
    expect(await info(m, "role")).toBe("slave");
    expect(await info(r, "role")).toBe("master");
    // The new master continued our history: the old master resynced partially.
    expect(await info(r, "sync_partial_ok")).toBe("1");
    expect(await info(r, "sync_full")).toBe("0");
    expect(replica.output()).toContain("Failover request received for replid");
    expect(master.output()).toContain("is synced, failing over.");
    await r.set("after", "1");
    await waitFor("stream from the new master", async () => (await m.get("after")) === "1");
    expect(await m.get("k99")).toBe("99");

    // And back: the real master asks respd (its replica now) to promote itself with PSYNC ... FAILOVER.
    expect(await r.call("FAILOVER", "TO", "127.0.0.1", String(master.port))).toBe("OK");
    await waitFor("failover back", async () => (await info(r, "master_failover_state")) === "no-failover");
    await waitFor("real replica linked", () => linkUp(r));
    expect(await info(m, "role")).toBe("master");
    expect(await info(m, "sync_partial_ok")).toBe("1");
    expect(await info(m, "sync_full")).toBe("1");
    expect(master.output()).toContain("MASTER MODE enabled (failover request from");

    // A failover that cannot finish: the replica is stopped, writes wait, the timeout gives up.
    replica.proc.kill("SIGSTOP");
    try {
      await m.set("gap", "1");
      expect(await m.call("FAILOVER", "TO", "127.0.0.1", String(replica.port), "TIMEOUT", "60000")).toBe("OK");
      expect(await info(m, "master_failover_state")).toBe("waiting-for-sync");
      await expect(m.call("FAILOVER")).rejects.toThrow("ERR FAILOVER already in progress.");
      await expect(m.call("REPLICAOF", "NO", "ONE")).rejects.toThrow("ERR REPLICAOF not allowed while failing over.");
      // Reads go on; a write waits for the failover's end.
      const w = client(master);
      let written = false;
      const pending = w.set("paused", "1").then(() => {
        written = true;
      });
      expect(await m.get("gap")).toBe("1");
      await Bun.sleep(300);
      expect(written).toBe(false);
      expect(await m.call("FAILOVER", "ABORT")).toBe("OK");
      await pending;
      expect(await m.get("paused")).toBe("1");
      expect(await info(m, "master_failover_state")).toBe("no-failover");
      expect(master.output()).toContain("aborted: Failover manually aborted");

      expect(await m.call("FAILOVER", "TO", "127.0.0.1", String(replica.port), "TIMEOUT", "200")).toBe("OK");
      await waitFor("timed out", async () => (await info(m, "master_failover_state")) === "no-failover");
      expect(master.output()).toContain("aborted: Replica never caught up before timeout");
      expect(await info(m, "role")).toBe("master");
    } finally {
      replica.proc.kill("SIGCONT");
    }
    await waitFor("caught up", async () => (await r.get("paused")) === "1");
  }, 60000);
});
