/**
 * Listening: CONFIG SET port / bind listen anew at once (a failure leaves the
 * old listeners and answers Redis's error), protected mode refuses
 * non-loopback peers. Against redis-server where one is installed.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { isLocalPeer } from "../src/server/protected-mode.ts";
import { call, RawClient } from "./helpers/raw.ts";
import {
  freePort,
  HOOK_TIMEOUT_MS,
  requireRedisInCI,
  type ServerProcess,
  selectedRuntime,
  startRedis,
  startRespd,
} from "./helpers/server.ts";

const haveRedis = requireRedisInCI();

async function ping(port: number, host = "127.0.0.1"): Promise<string> {
  const c = await RawClient.connect(port, host);
  try {
    return await call(c, "PING");
  } finally {
    c.close();
  }
}

async function refused(port: number): Promise<boolean> {
  return ping(port).then(
    () => false,
    () => true,
  );
}

/** The CONFIG SET checks, run against respd and redis-server alike. */
async function configSetListening(s: ServerProcess): Promise<void> {
  const c = await RawClient.connect(s.port);
  // A port something else holds: Redis's error, and the old port still serves.
  const holder = createServer();
  const busy = await freePort();
  await new Promise<void>((r) => holder.listen(busy, "127.0.0.1", () => r()));
  expect(await call(c, "CONFIG", "SET", "port", String(busy))).toMatch(
    /^-ERR CONFIG SET failed \(possibly related to argument 'port'\) - Unable to listen on this port/,
  );
  holder.close();
  expect(await ping(s.port)).toBe("+PONG\r\n");
  expect(await call(c, "CONFIG", "SET", "bind", "999.999.999.999")).toBe(
    "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n",
  );
  expect(await ping(s.port)).toBe("+PONG\r\n");
  // A free port: served at once, the old one closed; the open connection lives on.
  const next = await freePort();
  expect(await call(c, "CONFIG", "SET", "port", String(next))).toBe("+OK\r\n");
  expect(await ping(next)).toBe("+PONG\r\n");
  expect(await refused(s.port)).toBe(true);
  expect(await call(c, "CONFIG", "GET", "port")).toContain(`\r\n${next}\r\n`);
  c.close();
}

describe("listening", () => {
  const started: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of started) await s.stop();
  });

  // Node cannot bind synchronously: there CONFIG SET answers first and binds in the background.
  test.skipIf(selectedRuntime() === "node")(
    "CONFIG SET port and bind rebind now, or fail keeping the old listeners",
    async () => {
      const s = await startRespd();
      started.push(s);
      await configSetListening(s);
    },
    HOOK_TIMEOUT_MS,
  );

  test.if(haveRedis)(
    "redis-server answers the same",
    async () => {
      const s = await startRedis();
      if (s === null) return;
      started.push(s);
      await configSetListening(s);
    },
    HOOK_TIMEOUT_MS,
  );

  test("loopback and unix-socket peers are local, others are not", () => {
    for (const a of ["127.0.0.1:5000", "127.1.2.3:1", "[::1]:6379", "[::ffff:127.0.0.1]:3", "/tmp/redis.sock:0"]) {
      expect({ a, local: isLocalPeer(a) }).toEqual({ a, local: true });
    }
    for (const a of ["192.0.2.2:5000", "10.0.0.1:1", "[fe80::1]:6379", "[::ffff:10.1.1.1]:3"]) {
      expect({ a, local: isLocalPeer(a) }).toEqual({ a, local: false });
    }
  });

  const outside = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

  test.if(outside !== undefined)(
    "protected mode: a peer off the loopback interface gets DENIED until a password is set or the mode is off",
    async () => {
      const s = await startRespd({ args: ["--bind", `127.0.0.1 ${outside}`, "--protected-mode", "yes"] });
      started.push(s);
      expect(await ping(s.port, outside)).toMatch(/^-DENIED Redis is running in protected mode/);
      expect(await ping(s.port)).toBe("+PONG\r\n");
      const c = await RawClient.connect(s.port);
      expect(await call(c, "CONFIG", "SET", "protected-mode", "no")).toBe("+OK\r\n");
      c.close();
      expect(await ping(s.port, outside)).toBe("+PONG\r\n");
    },
    HOOK_TIMEOUT_MS,
  );
});
