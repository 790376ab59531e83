/**
 * A burst's garbage goes back to the OS once the server is idle
 * (src/server/idle-gc.ts), and `jemalloc-bg-thread no` stops that, as it
 * stops Redis's purge thread. INFO memory counts the collections
 * (respd_idle_collections).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import Redis from "ioredis";
import { loadKeys } from "../bench/loader.ts";
import { HOOK_TIMEOUT_MS, type ServerProcess, startRespd } from "./helpers/server.ts";

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
