/** WATCH on a replica is invalidated by a write that arrives through the master's stream (issue 6 + 5). */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { call, RawClient } from "./helpers/raw.ts";
import { type ServerProcess, startRespd } from "./helpers/server.ts";

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
}, 30_000);
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
