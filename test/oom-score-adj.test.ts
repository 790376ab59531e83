/**
 * oom-score-adj: CONFIG SET moves /proc/<pid>/oom_score_adj as Redis does
 * (relative to the value before respd took control, or absolute; the replica
 * class after REPLICAOF; restored by `no`). Linux only.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import Redis from "ioredis";
import { HOOK_TIMEOUT_MS, type ServerProcess, startRespd } from "./helpers/server.ts";

const procFile = (pid: number) => `/proc/${pid}/oom_score_adj`;
const linux = existsSync(procFile(process.pid));

describe.if(linux)("oom-score-adj", () => {
  let s: ServerProcess;
  let r: Redis;
  afterAll(async () => {
    r?.disconnect();
    await s?.stop();
  });
  const score = () => Number(readFileSync(procFile(s.proc.pid as number), "utf8"));

  test(
    "relative, absolute, the replica class, and back to the original value",
    async () => {
      s = await startRespd();
      r = new Redis({ port: s.port, host: s.host });
      // A base the test chose, so relative values are known (raising it needs no privilege).
      const base = Math.min(990, score() + 7);
      writeFileSync(procFile(s.proc.pid as number), `${base}\n`);
      expect(await r.config("SET", "oom-score-adj-values", "3 5 9", "oom-score-adj", "yes")).toBe("OK");
      expect(score()).toBe(Math.min(1000, base + 3));
      expect(await r.config("SET", "oom-score-adj-values", "4 5 9")).toBe("OK");
      expect(score()).toBe(Math.min(1000, base + 4));
      expect(await r.replicaof("127.0.0.1", "1")).toBe("OK");
      expect(score()).toBe(Math.min(1000, base + 5));
      expect(await r.replicaof("NO", "ONE")).toBe("OK");
      expect(score()).toBe(Math.min(1000, base + 4));
      expect(await r.config("SET", "oom-score-adj-values", "995 995 995", "oom-score-adj", "absolute")).toBe("OK");
      expect(score()).toBe(995);
      expect(await r.config("SET", "oom-score-adj", "no")).toBe("OK");
      expect(score()).toBe(base);
      await expect(r.config("SET", "oom-score-adj-values", "2001 0 0")).rejects.toThrow(
        "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
      );
    },
    HOOK_TIMEOUT_MS,
  );
});
