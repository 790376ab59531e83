/**
 * Redis 7.0's shutdown with lagging replicas (shutdown-timeout), SHUTDOWN
 * ABORT, signals, and INFO's replication-buffer memory: a master whose
 * replica stopped reading (SIGSTOP) waits for it, shows the wait, logs the
 * outcome. Redis's own texts throughout (checked against redis-server where
 * installed for the replies).
 */
import { afterAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const haveRedis = requireRedisInCI();
const started: ServerProcess[] = [];
const clients: Redis[] = [];

afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const s of started) {
    s.proc.kill("SIGCONT");
    await s.stop();
  }
});

function client(s: ServerProcess): Redis {
  const c = new Redis({ port: s.port, host: s.host, lazyConnect: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on("error", () => {});
  clients.push(c);
  return c;
}

/** A respd master and a respd replica of it, in sync, the replica then stopped (SIGSTOP) with the master's writes unread. */
async function masterWithStoppedReplica(masterArgs: string[]): Promise<{ master: ServerProcess; replica: ServerProcess; m: Redis }> {
  const master = await startRespd({ args: ["--hz", "100", "--repl-diskless-sync-delay", "0", ...masterArgs] });
  started.push(master);
  const replica = await startRespd({ args: ["--replicaof", `127.0.0.1 ${master.port}`] });
  started.push(replica);
  const m = client(master);
  const r = client(replica);
  await waitFor("link up", async () => infoField(await r.info("replication"), "master_link_status") === "up");
  await m.set("k", "1");
  await waitFor("replica in sync", async () => (await r.get("k")) === "1");
  replica.proc.kill("SIGSTOP");
  await m.incr("k");
  return { master, replica, m };
}

/** Waits for the process to exit; its exit code. */
async function exitCode(s: ServerProcess): Promise<number | null> {
  return s.exited;
}

describe("shutdown with replicas", () => {
  test(
    "the master waits for a lagging replica, shows it in INFO, and exits once the replica caught up",
    async () => {
      const { master, replica, m } = await masterWithStoppedReplica(["--shutdown-timeout", "300"]);
      const caller = await RawClient.connect(master.port);
      caller.write("SHUTDOWN\r\n");
      await waitFor("shutdown_in_milliseconds", async () => Number(infoField(await m.info("server"), "shutdown_in_milliseconds") ?? 0) > 0);
      expect(infoField(await m.info("clients"), "blocked_clients")).toBe("1");
      replica.proc.kill("SIGCONT");
      expect(await exitCode(master)).toBe(0);
      caller.close();
      expect(master.output()).toContain("Waiting for replicas before shutting down.");
      expect(master.output()).toContain("1 of 1 replicas are in sync when shutting down.");
      expect(master.output()).not.toContain("Lagging replica");
      const r = client(replica);
      expect(await r.get("k")).toBe("2");
    },
    HOOK_TIMEOUT_MS * 2,
  );

  test(
    "after shutdown-timeout it exits anyway, naming the lagging replica",
    async () => {
      const { master } = await masterWithStoppedReplica(["--shutdown-timeout", "1"]);
      master.proc.kill("SIGTERM");
      expect(await exitCode(master)).toBe(0);
      expect(master.output()).toContain("Received SIGTERM scheduling shutdown...");
      expect(master.output()).toMatch(/Lagging replica 127\.0\.0\.1:\d+ reported offset \d+ behind master, lag=\d+, state=online\./);
      expect(master.output()).toContain("0 of 1 replicas are in sync when shutting down.");
      expect(master.output()).toContain("ready to exit, bye bye...");
    },
    HOOK_TIMEOUT_MS * 2,
  );

  test(
    "SHUTDOWN ABORT cancels the wait: every blocked SHUTDOWN gets Redis's error, the server goes on",
    async () => {
      const { master, replica, m } = await masterWithStoppedReplica(["--shutdown-timeout", "300"]);
      const callers = [await RawClient.connect(master.port), await RawClient.connect(master.port)];
      for (const c of callers) c.write("SHUTDOWN\r\n");
      await waitFor("both blocked", async () => infoField(await m.info("clients"), "blocked_clients") === "2");
      // Writes wait while the master waits for its replicas (reads do not).
      const writer = await RawClient.connect(master.port);
      writer.write("SET held 1\r\n");
      await expect(writer.readReply(300)).rejects.toThrow();
      expect(await m.get("held")).toBeNull();
      expect(await m.call("SHUTDOWN", "ABORT")).toBe("OK");
      expect(await writer.readReply()).toBe("+OK\r\n");
      writer.close();
      for (const c of callers) {
        expect(await c.readReply()).toBe("-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
        c.close();
      }
      expect(master.output()).toContain("Shutdown manually aborted.");
      expect(infoField(await m.info("server"), "shutdown_in_milliseconds")).toBeUndefined();
      expect(await m.ping()).toBe("PONG");
      replica.proc.kill("SIGCONT");
    },
    HOOK_TIMEOUT_MS * 2,
  );

  test(
    "a second SIGINT while the shutdown waits exits at once, with status 1",
    async () => {
      const { master, m } = await masterWithStoppedReplica(["--shutdown-timeout", "300"]);
      master.proc.kill("SIGINT");
      await waitFor("waiting", async () => Number(infoField(await m.info("server"), "shutdown_in_milliseconds") ?? 0) > 0);
      master.proc.kill("SIGINT");
      expect(await exitCode(master)).toBe(1);
      expect(master.output()).toContain("You insist... exiting now.");
    },
    HOOK_TIMEOUT_MS * 2,
  );

  test(
    "mem_total_replication_buffers grows with what a stopped replica has not read",
    async () => {
      const { master, m } = await masterWithStoppedReplica(["--repl-backlog-size", "1"]);
      const value = "x".repeat(1024);
      let i = 0;
      await waitFor(
        "replication buffers past 2 MB",
        async () => {
          const pipe = m.pipeline();
          for (let j = 0; j < 1024; j++) pipe.set(`junk:${i++}`, value);
          await pipe.exec();
          return Number(infoField(await m.info("memory"), "mem_total_replication_buffers")) > 2 * 1024 * 1024;
        },
        60_000,
        10,
      );
      const info = await m.info("memory");
      const total = Number(infoField(info, "mem_total_replication_buffers"));
      // Past repl-backlog-size, the rest is the replica's (Redis's split).
      expect(Number(infoField(info, "mem_replication_backlog"))).toBe(1);
      expect(Number(infoField(info, "mem_clients_slaves"))).toBe(total - 1);
      expect(master.proc.exitCode).toBeNull();
    },
    HOOK_TIMEOUT_MS * 3,
  );
});

describe("SHUTDOWN replies", () => {
  const cases: string[][] = [
    ["SHUTDOWN", "ABORT"],
    ["SHUTDOWN", "ABORT", "NOW"],
    ["SHUTDOWN", "SAVE", "NOSAVE"],
    ["SHUTDOWN", "BOGUS"],
  ];

  async function replies(s: ServerProcess): Promise<string[]> {
    const c = await RawClient.connect(s.port);
    const out: string[] = [];
    for (const argv of cases) {
      c.write(`${argv.join(" ")}\r\n`);
      out.push(await c.readReply());
    }
    c.close();
    return out;
  }

  test(
    "ABORT with nothing to abort, and bad flag combinations",
    async () => {
      const s = await startRespd();
      started.push(s);
      expect(await replies(s)).toEqual([
        "-ERR No shutdown in progress.\r\n",
        "-ERR syntax error\r\n",
        "-ERR syntax error\r\n",
        "-ERR syntax error\r\n",
      ]);
    },
    HOOK_TIMEOUT_MS,
  );

  test.if(haveRedis)(
    "the same as redis-server",
    async () => {
      const a = await startRedis();
      if (a === null) return;
      started.push(a);
      const b = await startRespd();
      started.push(b);
      expect(await replies(b)).toEqual(await replies(a));
    },
    HOOK_TIMEOUT_MS,
  );
});
