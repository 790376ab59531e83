/**
 * The handshake's keepalive: a master preparing a replica's sync sends it a
 * newline a second (so a long repl-diskless-sync-delay does not trip the
 * replica's repl-timeout), and a replica whose master goes silent during the
 * handshake gives up with Redis's "Timeout connecting to the MASTER...".
 */
import { describe, expect, test } from "bun:test";
import { fleet } from "./helpers/fleet.ts";
import { redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const { started, client } = fleet();

describe.skipIf(!HAVE_REDIS)("replication handshake keepalive", () => {
  test("a respd master keeps a real replica waiting for a delayed sync alive with newlines", async () => {
    const master = await startRespd({ args: ["--repl-diskless-sync-delay", "4"] });
    started.push(master);
    const replica = (await startRedis(["--replicaof", "127.0.0.1", String(master.port), "--repl-timeout", "1"])) as ServerProcess;
    started.push(replica);
    const r = client(replica);
    await waitFor("link up", async () => infoField(String(await r.info("replication")), "master_link_status") === "up", 20000);
    expect(replica.output()).not.toContain("Timeout connecting to the MASTER");
  }, 30000);

  test("a respd replica drops a master that went silent mid-handshake", async () => {
    const master = (await startRedis(["--enable-debug-command", "yes", "--repl-diskless-sync-delay", "1000"])) as ServerProcess;
    started.push(master);
    const replica = await startRespd({ args: ["--repl-timeout", "2"] });
    started.push(replica);
    const r = client(replica);
    await r.call("REPLICAOF", "127.0.0.1", String(master.port));
    await waitFor("handshake", async () => String(await r.call("ROLE")).includes("handshake"));
    // The master stops sending its newlines.
    const m = client(master);
    void m.call("DEBUG", "SLEEP", "5").catch(() => {});
    await waitFor("timeout logged", () => replica.output().includes("Timeout connecting to the MASTER..."), 15000);
  }, 30000);
});
