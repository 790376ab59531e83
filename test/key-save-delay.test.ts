/**
 * rdb-key-save-delay (Redis's test-support config): a snapshot sleeps that
 * many microseconds after each key. respd's walk waits between slices
 * instead, so the save is slow while clients are still served.
 */
import { describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { Differential } from "./helpers/diff.ts";
import { fleet } from "./helpers/fleet.ts";
import { redisServerPath, requireRedisInCI, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const { started, clients } = fleet();

describe.skipIf(!HAVE_REDIS)("rdb-key-save-delay as a config", () => {
  test("hidden from CONFIG GET patterns, readable and settable by its name", async () => {
    const d = (await Differential.start()) as Differential;
    try {
      await d.sequence([
        ["CONFIG", "GET", "rdb-key-save-delay"],
        ["CONFIG", "GET", "rdb-key-*"],
        ["CONFIG", "SET", "rdb-key-save-delay", "-10"],
        ["CONFIG", "GET", "rdb-key-save-delay"],
        ["CONFIG", "SET", "rdb-key-save-delay", "99999999999"],
        ["CONFIG", "SET", "rdb-key-save-delay", "0"],
        // The other hidden test-support configs the replication tests set.
        ["CONFIG", "GET", "loading-process-events-interval-bytes"],
        ["CONFIG", "SET", "loading-process-events-interval-bytes", "100"],
        ["CONFIG", "SET", "loading-process-events-interval-bytes", "1024"],
        ["CONFIG", "GET", "watchdog-period"],
        ["CONFIG", "GET", "*watchdog*"],
      ]);
    } finally {
      await d.stop();
    }
  });
});

describe("rdb-key-save-delay slows a snapshot, not the clients", () => {
  test("BGSAVE and BGREWRITEAOF stay in progress while commands are answered; 0 lets them finish", async () => {
    const s = await startRespd();
    started.push(s);
    const c = new Redis({ port: s.port, host: "127.0.0.1" });
    clients.push(c);
    for (let i = 0; i < 20; i++) await c.set(`k${i}`, "v");
    for (const [start, field] of [
      [() => c.bgsave(), "rdb_bgsave_in_progress"],
      [() => c.bgrewriteaof(), "aof_rewrite_in_progress"],
    ] as const) {
      await c.config("SET", "rdb-key-save-delay", "3000000");
      await start();
      await Bun.sleep(1500);
      const info = String(await c.info("persistence"));
      expect(infoField(info, field)).toBe("1");
      // One key every 3 s: after 1.5 s the walk has written one of the 20.
      if (field === "rdb_bgsave_in_progress") expect(Number(infoField(info, "current_save_keys_processed"))).toBeLessThan(5);
      const t0 = performance.now();
      expect(await c.get("k1")).toBe("v");
      // Answered between keys, not after a key's 3 s delay.
      expect(performance.now() - t0).toBeLessThan(2000);
      await c.config("SET", "rdb-key-save-delay", "0");
      await waitFor(`${field} done`, async () => infoField(String(await c.info("persistence")), field) === "0");
    }
    expect(infoField(String(await c.info("persistence")), "rdb_last_bgsave_status")).toBe("ok");
    expect(infoField(String(await c.info("persistence")), "aof_last_bgrewrite_status")).toBe("ok");
  }, 30000);
});
