/**
 * appendfsync always under kill -9: several clients write while the process
 * is killed at a random moment; after a restart every write whose reply was
 * received must be there. Repeated, each round continuing on the same files.
 */
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { startRespd } from "./helpers/server.ts";

const ROUNDS = 5;
const CLIENTS = 4;

test("kill -9 under appendfsync always loses no acknowledged write", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-crash-"));
  const seed = Number(process.env.AOF_CRASH_SEED ?? Date.now() % 100000);
  let rnd = seed;
  const random = () => {
    rnd = (rnd * 16807) % 2147483647;
    return rnd / 2147483647;
  };
  /** Per client: the highest INCR reply received, and the keys whose SET was acknowledged. */
  const acked: number[] = new Array(CLIENTS).fill(0);
  const setKeys: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const s = await startRespd({ dir, args: ["--appendonly", "yes", "--appendfsync", "always"] });
    // Everything acknowledged before is still there.
    const check = new Redis({ port: s.port, host: "127.0.0.1" });
    for (let i = 0; i < CLIENTS; i++) {
      const v = Number((await check.get(`counter:${i}`)) ?? 0);
      expect(v, `seed ${seed} round ${round} counter ${i}`).toBeGreaterThanOrEqual(acked[i] as number);
      acked[i] = v;
    }
    if (setKeys.length > 0) {
      const got = await check.exists(...setKeys);
      expect(got, `seed ${seed} round ${round}`).toBe(setKeys.length);
    }
    check.disconnect();
    let stop = false;
    const writers = Array.from({ length: CLIENTS }, async (_, i) => {
      const c = new Redis({ port: s.port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on("error", () => {});
      let n = 0;
      while (!stop) {
        try {
          // A pipeline of several commands: one batch, one group commit.
          const key = `k:${round}:${i}:${n++}`;
          const res = await c.pipeline().incr(`counter:${i}`).set(key, "v").exec();
          const incr = res?.[0];
          if (incr && incr[0] === null) acked[i] = Math.max(acked[i] as number, Number(incr[1]));
          if (res?.[1] && res[1][0] === null) setKeys.push(key);
          // A failed reply means the server is gone (errors resolve the pipeline rather than reject it).
          if (!res || res.some(([err]) => err !== null)) break;
        } catch {
          break;
        }
      }
      c.disconnect();
    });
    await Bun.sleep(100 + random() * 400);
    s.proc.kill("SIGKILL");
    await s.exited;
    stop = true;
    await Promise.all(writers);
  }
  expect(acked.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
  const s = await startRespd({ dir, args: ["--appendonly", "yes"] });
  const check = new Redis({ port: s.port, host: "127.0.0.1" });
  for (let i = 0; i < CLIENTS; i++) expect(Number(await check.get(`counter:${i}`))).toBeGreaterThanOrEqual(acked[i] as number);
  expect(await check.exists(...setKeys)).toBe(setKeys.length);
  check.disconnect();
  await s.stop();
}, 60000);
