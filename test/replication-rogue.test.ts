/**
 * A replica's link carries no replies: a command other than REPLCONF sent by
 * a replica on its link gets it dropped, with Redis's log lines, and a PSYNC
 * with a broken offset is refused and logged. Checked against a real Redis.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { encodeCommand, RawClient } from "./helpers/raw.ts";
import { redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const started: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

describe.skipIf(!HAVE_REDIS)("a replica that sends commands on its link", () => {
  test("is dropped with Redis's log lines; PSYNC with a broken offset is refused", async () => {
    const redis = (await startRedis()) as ServerProcess;
    const respd = await startRespd();
    started.push(redis, respd);
    const outcome = async (s: ServerProcess) => {
      const c = await RawClient.connect(s.port);
      c.write(encodeCommand(["PSYNC", "?", "-1"]));
      const full = await c.readReply(10000);
      c.write(encodeCommand(["GET", "foo"]));
      const closed = await c.waitClosed(10000);
      await waitFor("logged", () => s.output().includes("Replica generated a reply to command 'get', disconnecting it: "));
      expect(s.output()).toContain(
        "== CRITICAL == This master is sending an error to its replica: 'Replica can't interact with the keyspace' after processing the command 'get'",
      );
      const p = await RawClient.connect(s.port);
      p.write(encodeCommand(["PSYNC", "replicationid", "offset_str"]));
      const refused = await p.readReply();
      p.write(encodeCommand(["PING"]));
      const pong = await p.readReply();
      p.close();
      expect(s.output()).toMatch(/Replica .* asks for synchronization but with a wrong offset/);
      return [full.replace(/[0-9a-f]{40} \d+/, "<id> <offset>"), closed, refused, pong];
    };
    const expected = await outcome(redis);
    expect(await outcome(respd)).toEqual(expected);
  }, 30000);
});
