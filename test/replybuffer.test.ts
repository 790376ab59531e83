/**
 * DEBUG REPLYBUFFER drives the reply buffer's resizing as in Redis: with a
 * short peak-reset time an idle client's buffer shrinks to its floor, and
 * with resets off a big reply grows it and it stays grown. Checked the same
 * way on redis-server and respd (CLIENT LIST rbs).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { call, RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS, redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";

const servers: [string, ServerProcess][] = [];
beforeAll(async () => {
  servers.push(["respd", await startRespd({ args: ["--enable-debug-command", "yes"] })]);
  if (requireRedisInCI() || redisServerPath() !== null) {
    servers.push(["redis", (await startRedis(["--enable-debug-command", "yes"])) as ServerProcess]);
  }
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  await Promise.all(servers.map(([, s]) => s.stop()));
});

async function rbs(admin: RawClient, name: string): Promise<number> {
  const list = await call(admin, "CLIENT", "LIST");
  const line = list.split("\n").find((l) => l.includes(`name=${name} `)) ?? "";
  return Number(/ rbs=(\d+)/.exec(line)?.[1] ?? Number.NaN);
}

async function until(what: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe("DEBUG REPLYBUFFER", () => {
  test("peak-reset-time: an idle client's buffer shrinks; never: a big reply grows it and it stays", async () => {
    for (const [name, s] of servers) {
      const admin = await RawClient.connect(s.port);
      const tc = await RawClient.connect(s.port);
      try {
        expect(await call(admin, "DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100")).toBe("+OK\r\n");
        await call(tc, "CLIENT", "SETNAME", "test_client");
        const idle = await until(async () => {
          const n = await rbs(admin, "test_client");
          return n >= 1024 && n < 2046;
        });
        expect({ name, idle }).toEqual({ name, idle: true });
        await call(admin, "SET", "bigval", "x".repeat(32768));
        expect(await call(admin, "DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "never")).toBe("+OK\r\n");
        const busy = await until(async () => {
          await call(tc, "GET", "bigval");
          const n = await rbs(admin, "test_client");
          return n >= 16384 && n < 32768;
        });
        expect({ name, busy }).toEqual({ name, busy: true });
        expect(await call(admin, "DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset")).toBe("+OK\r\n");
        expect(await call(admin, "DEBUG", "REPLYBUFFER", "RESIZING", "0")).toBe("+OK\r\n");
        expect(await call(admin, "DEBUG", "REPLYBUFFER", "RESIZING", "1")).toBe("+OK\r\n");
      } finally {
        tc.close();
        admin.close();
      }
    }
  });
});
