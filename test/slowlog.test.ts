/**
 * A command that blocks is logged to the slowlog when it is unblocked, with
 * its own arguments (Redis's updateStatsOnUnblock), not when it starts
 * waiting; compared with redis-server.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Differential } from "./helpers/diff.ts";
import { call, encodeCommand } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS } from "./helpers/server.ts";

let d: Differential | null = null;
beforeAll(async () => {
  d = await Differential.start();
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  await d?.stop();
});

/** The argv of the newest slowlog entry, from a raw SLOWLOG GET 1 reply. */
function newestArgv(reply: string): string[] {
  const lines = reply.split("\r\n");
  // *1, *6 (*4 before 4.0), :id, :time, :duration, *argc, then $len/arg pairs.
  const argc = Number((lines[5] as string).slice(1));
  return Array.from({ length: argc }, (_, i) => lines[7 + 2 * i] as string);
}

describe("slowlog of blocked commands", () => {
  test("BLPOP served inside another client's EXEC is logged after it, as BLPOP", async () => {
    if (!d) return;
    await d.same("CONFIG", "SET", "slowlog-log-slower-than", "0");
    const [waitRedis, waitRespd] = await d.connectPair();
    const got: string[] = [];
    for (const [db, waiter] of [
      [d.redisClient, waitRedis],
      [d.respdClient, waitRespd],
    ] as const) {
      waiter.write(encodeCommand(["BLPOP", "slow:l", "0"]));
      // Blocked: the wait itself is not in the slowlog yet.
      for (let i = 0; i < 100 && !(await call(db, "INFO", "clients")).includes("blocked_clients:1"); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await call(db, "SLOWLOG", "RESET");
      expect(newestArgv(await call(db, "SLOWLOG", "GET", "1"))).toEqual(["SLOWLOG", "RESET"]);
      await call(db, "MULTI");
      await call(db, "LPUSH", "slow:l", "foo");
      await call(db, "SLOWLOG", "RESET");
      await call(db, "EXEC");
      expect(String(await waiter.readBytes("*2\r\n$6\r\nslow:l\r\n$3\r\nfoo\r\n".length, 5000))).toBe(
        "*2\r\n$6\r\nslow:l\r\n$3\r\nfoo\r\n",
      );
      got.push(newestArgv(await call(db, "SLOWLOG", "GET", "1")).join(" "));
      waiter.close();
    }
    expect(got).toEqual(["BLPOP slow:l 0", "BLPOP slow:l 0"]);
  });
});
