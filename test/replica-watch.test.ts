/** WATCH on a replica is invalidated by a write that arrives through the master's stream (issue 6 + 5). */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { call, RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS, type ServerProcess, startRespd } from "./helpers/server.ts";

let master: ServerProcess;
let replica: ServerProcess;

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  master = await startRespd({ args: ["--repl-diskless-sync-delay", "0"] });
  replica = await startRespd({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
  const r = await RawClient.connect(replica.port);
  await waitFor(async () => (await call(r, "INFO", "replication")).includes("master_link_status:up"), "the replica link");
  r.close();
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  await Promise.all([replica.stop(), master.stop()]);
});

test("a replicated write to a watched key makes EXEC on the replica return a null array", async () => {
  const m = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  expect(await call(m, "SET", "k", "1")).toBe("+OK\r\n");
  await waitFor(async () => (await call(r, "GET", "k")) === "$1\r\n1\r\n", "k on the replica");

  expect(await call(r, "WATCH", "k")).toBe("+OK\r\n");
  expect(await call(m, "SET", "k", "2")).toBe("+OK\r\n");
  await waitFor(async () => (await call(r, "GET", "k")) === "$1\r\n2\r\n", "the new k on the replica");
  expect(await call(r, "MULTI")).toBe("+OK\r\n");
  expect(await call(r, "GET", "k")).toBe("+QUEUED\r\n");
  expect(await call(r, "EXEC")).toBe("*-1\r\n");

  // Without a write in between, the same transaction runs.
  expect(await call(r, "WATCH", "k")).toBe("+OK\r\n");
  expect(await call(r, "MULTI")).toBe("+OK\r\n");
  expect(await call(r, "GET", "k")).toBe("+QUEUED\r\n");
  expect(await call(r, "EXEC")).toBe("*1\r\n$1\r\n2\r\n");
  m.close();
  r.close();
});

for (const mode of ["disabled", "swapdb"]) {
  test(`a full sync (repl-diskless-load ${mode}) modifies watched keys and tells tracking clients to drop everything`, async () => {
    const other = await startRespd({ args: ["--repl-diskless-sync-delay", "0"] });
    const m = await RawClient.connect(master.port);
    const o = await RawClient.connect(other.port);
    const r = await RawClient.connect(replica.port);
    const tracked = await RawClient.connect(replica.port);
    try {
      expect(await call(m, "SET", "w", "1")).toBe("+OK\r\n");
      await waitFor(async () => (await call(r, "GET", "w")) === "$1\r\n1\r\n", "w on the replica");
      expect(await call(o, "SET", "w", "1")).toBe("+OK\r\n");
      expect(await call(r, "CONFIG", "SET", "repl-diskless-load", mode)).toBe("+OK\r\n");
      expect(await call(tracked, "HELLO", "3")).toContain("proto");
      expect(await call(tracked, "CLIENT", "TRACKING", "on")).toBe("+OK\r\n");
      expect(await call(tracked, "GET", "w")).toBe("$1\r\n1\r\n");
      expect(await call(r, "WATCH", "w")).toBe("+OK\r\n");

      // Another master: a full sync replaces the dataset (with the same value: WATCH still counts it modified).
      expect(await call(r, "REPLICAOF", "127.0.0.1", String(other.port))).toBe("+OK\r\n");
      await waitFor(async () => {
        const info = await call(r, "INFO", "replication");
        return info.includes(`master_port:${other.port}`) && info.includes("master_link_status:up");
      }, "the full sync from the other master");
      expect(await call(r, "MULTI")).toBe("+OK\r\n");
      expect(await call(r, "GET", "w")).toBe("+QUEUED\r\n");
      expect(await call(r, "EXEC")).toBe("*-1\r\n");
      // RESP3 tracking: the flush arrives as an invalidate push with a null key list.
      expect(await tracked.readReply()).toBe(">2\r\n$10\r\ninvalidate\r\n_\r\n");
    } finally {
      await call(r, "REPLICAOF", "127.0.0.1", String(master.port));
      await waitFor(async () => {
        const info = await call(r, "INFO", "replication");
        return info.includes(`master_port:${master.port}`) && info.includes("master_link_status:up");
      }, "the link back to the first master");
      for (const c of [m, o, r, tracked]) c.close();
      await other.stop();
    }
  }, 30_000);
}
