/**
 * A burst's garbage goes back to the OS once the server is idle
 * (src/server/idle-gc.ts), and `jemalloc-bg-thread no` stops that, as it
 * stops Redis's purge thread. INFO memory counts the collections
 * (respd_idle_collections).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { loadKeys } from "../bench/loader.ts";
import { createTestEngine } from "../src/engine/testing.ts";
import { writeRdb } from "../src/persistence/rdb/file.ts";
import { HOOK_TIMEOUT_MS, type ServerProcess, startRespd } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

let server: ServerProcess;
let client: Redis;

beforeAll(async () => {
  server = await startRespd();
  client = new Redis({ port: server.port, host: server.host, lazyConnect: true });
  await client.connect();
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  client.disconnect();
  await server.stop();
});

async function memoryField(name: string): Promise<number> {
  const info = await client.info("memory");
  return Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1]);
}

/** Polls (each poll is a command, so ticks in between stay idle) until `done` or the deadline. */
async function idleUntil(done: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    if (await done()) return true;
  }
  return false;
}

test(
  "a bulk load is followed by one collection when idle, none while jemalloc-bg-thread is no",
  async () => {
    const before = await memoryField("respd_idle_collections");
    expect(before).toBe(0);
    await client.config("SET", "jemalloc-bg-thread", "no");
    // ~300k keys grow RSS well past the 16 MB threshold on every runtime.
    await loadKeys(server.port, 300_000);
    expect(await client.dbsize()).toBe(300_000);
    await idleUntil(async () => false, 1000);
    expect(await memoryField("respd_idle_collections")).toBe(0);

    await client.config("SET", "jemalloc-bg-thread", "yes");
    expect(await idleUntil(async () => (await memoryField("respd_idle_collections")) >= 1, 3000)).toBe(true);
    // Idle afterwards: the floor moved up, so no collection per tick.
    await idleUntil(async () => false, 1000);
    expect(await memoryField("respd_idle_collections")).toBe(1);
  },
  HOOK_TIMEOUT_MS,
);

test(
  "loading an RDB at start is work, not idleness: the collection comes after the load, not during it",
  async () => {
    const t = createTestEngine();
    for (let i = 0; i < 300_000; i++) t.exec("SET", `key:${i}`, `value:${i}`);
    const dir = mkdtempSync(join(tmpdir(), "respd-idle-load-"));
    writeFileSync(join(dir, "dump.rdb"), writeRdb(t.engine.dbs));
    // A cron tick every 10 ms, and the collector's log line at verbose level.
    const s = await startRespd({ dir, args: ["--dbfilename", "dump.rdb", "--hz", "100", "--loglevel", "verbose"] });
    try {
      const logged = "Idle after a burst of work";
      await waitFor("the load and then a collection", () => s.output().includes("DB loaded from disk") && s.output().includes(logged));
      const out = s.output();
      expect(out.indexOf(logged)).toBeGreaterThan(out.indexOf("DB loaded from disk"));
    } finally {
      await s.stop();
    }
  },
  HOOK_TIMEOUT_MS,
);
