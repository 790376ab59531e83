/**
 * A killed client's connection ends with an ordinary close (FIN: the peer
 * reads end-of-stream), as Redis's close(2), not a reset: redis-cli reports
 * "Server closed the connection" then (its --replica mode is killed this way).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { HOOK_TIMEOUT_MS, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";

const haveRedis = requireRedisInCI();

/** Connects, names itself, gets killed by a second connection; how its connection ended. */
async function endAfterKill(port: number): Promise<string> {
  const victim = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
  const ended = new Promise<string>((res) => {
    victim.on("end", () => res("end"));
    victim.on("error", (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
  });
  await new Promise<void>((res) => victim.once("connect", () => res()));
  victim.write("CLIENT SETNAME victim\r\n");
  await new Promise<void>((res) => victim.once("data", () => res()));
  const killer = connect({ host: "127.0.0.1", port });
  killer.write("CLIENT KILL TYPE normal SKIPME yes\r\n");
  const how = await ended;
  victim.destroy();
  killer.destroy();
  return how;
}

describe("CLIENT KILL closes the connection cleanly", () => {
  const started: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of started) await s.stop();
  });

  test(
    "respd: the killed client reads end-of-stream",
    async () => {
      const s = await startRespd();
      started.push(s);
      expect(await endAfterKill(s.port)).toBe("end");
    },
    HOOK_TIMEOUT_MS,
  );

  test.if(haveRedis)(
    "redis-server: the same",
    async () => {
      const s = await startRedis();
      if (s === null) return;
      started.push(s);
      expect(await endAfterKill(s.port)).toBe("end");
    },
    HOOK_TIMEOUT_MS,
  );
});
