/**
 * Stream writes as replicas and the AOF see them: a real redis-server
 * replica of respd, and respd restarted on its own AOF, must end with the
 * same streams, groups and PELs (delivery times and counts included) as
 * the master after auto IDs, approximate trims, XREADGROUP (plain and
 * NOACK), XCLAIM, XAUTOCLAIM and friends, which propagate as Redis's
 * XADD <id>, XTRIM = <n>, XCLAIM ... FORCE JUSTID LASTID and XGROUP SETID.
 * (A history read, XREADGROUP ... 0, bumps delivery counts on the master
 * only: Redis propagates nothing for it, so it is left out.)
 */
import { afterAll, describe, expect, test } from "bun:test";
import { call, RawClient } from "./helpers/raw.ts";
import { redisServerPath, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";
import { infoField, waitFor } from "./helpers/wait.ts";

const HAVE_REDIS = requireRedisInCI() || redisServerPath() !== null;
const started: ServerProcess[] = [];
const conns: RawClient[] = [];
afterAll(async () => {
  for (const c of conns) c.close();
  await Promise.all(started.map((s) => s.stop()));
});

async function connect(s: ServerProcess): Promise<RawClient> {
  const c = await RawClient.connect(s.port);
  conns.push(c);
  return c;
}

/** XINFO STREAM FULL with consumers' seen-time blanked (a replica stamps its own clock on consumers it creates). */
async function full(c: RawClient, key: string): Promise<string> {
  return (await call(c, "XINFO", "STREAM", key, "FULL")).replace(/seen-time\r\n:\d+/g, "seen-time\r\n:T");
}

const WORKLOAD: string[][] = [
  ["XADD", "s", "*", "a", "1"],
  ["XADD", "s", "*", "a", "2"],
  ["XADD", "s", "MAXLEN", "~", "1", "*", "a", "3"],
  ["XGROUP", "CREATE", "s", "g", "0"],
  ["XGROUP", "CREATE", "s", "g2", "$"],
  ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"],
  ["XREADGROUP", "GROUP", "g", "bob", "NOACK", "STREAMS", "s", ">"],
  ["XADD", "s", "*", "b", "4"],
  ["XREADGROUP", "GROUP", "g2", "carol", "NOACK", "STREAMS", "s", ">"],
  ["XCLAIM", "s", "g", "dave", "0", "0-1", "FORCE", "JUSTID"],
  ["XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "1"],
  ["XADD", "big", "MAXLEN", "~", "10", "1-*", "f", "v"],
];

describe.skipIf(!HAVE_REDIS)("stream propagation", () => {
  test("a redis-server replica and respd's own AOF end with the master's streams", async () => {
    const master = await startRespd({ args: ["--repl-diskless-sync-delay", "0", "--appendonly", "yes", "--enable-debug-command", "yes"] });
    started.push(master);
    const replica = (await startRedis(["--replicaof", "127.0.0.1", String(master.port), "--enable-debug-command", "yes"])) as ServerProcess;
    started.push(replica);
    const m = await connect(master);
    const r = await connect(replica);
    await waitFor("link up", async () => infoField(await call(r, "INFO", "replication"), "master_link_status") === "up");
    // Node sizes are each server's own config: the same on both, so the nodes match too.
    for (const c of [m, r]) await call(c, "CONFIG", "SET", "stream-node-max-entries", "4");
    for (const c of WORKLOAD) await call(m, ...c);
    for (let i = 2; i < 60; i++) await call(m, "XADD", "big", "MAXLEN", "~", "10", `${i}-*`, "f", "v");
    await call(m, "XTRIM", "big", "MINID", "~", "45");
    await call(m, "XDEL", "s", "0-1");
    await call(m, "XACK", "s", "g", "0-2");
    const lastId = (await call(m, "XINFO", "STREAM", "s")).match(/last-generated-id\r\n\$\d+\r\n([^\r]+)/)?.[1] as string;
    await call(m, "XCLAIM", "s", "g", "frank", "0", lastId, "JUSTID");
    await call(m, "XGROUP", "SETID", "s", "g2", "0-0");
    const digest = await call(m, "DEBUG", "DIGEST");
    await waitFor("replica caught up", async () => (await call(r, "DEBUG", "DIGEST")) === digest);
    for (const key of ["s", "big"]) expect(await full(r, key)).toBe(await full(m, key));

    // The AOF replays to the same state.
    const before = [await full(m, "s"), await full(m, "big")];
    await call(m, "DEBUG", "LOADAOF");
    expect([await full(m, "s"), await full(m, "big")]).toEqual(before);
    expect(await call(m, "DEBUG", "DIGEST")).toBe(digest);
  }, 30000);
});
