/** The smallest end-to-end check: a server starts, answers real clients, and stops on SIGTERM. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import Redis from "ioredis";
import { cli } from "../helpers/cli.ts";
import { call, RawClient } from "../helpers/raw.ts";
import { HOOK_TIMEOUT_MS, type ServerProcess, startRespd } from "../helpers/server.ts";

let server: ServerProcess;
beforeAll(async () => {
  server = await startRespd();
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  await server.stop();
});

test("redis-cli PING, SET, GET", () => {
  expect(cli(server.port, ["PING"])).toBe("PONG");
  expect(cli(server.port, ["SET", "greeting", "hello"])).toBe("OK");
  expect(cli(server.port, ["GET", "greeting"])).toBe("hello");
});

test("ioredis round trip with binary values", async () => {
  const r = new Redis({ port: server.port, host: "127.0.0.1", lazyConnect: true });
  await r.connect();
  const value = Buffer.from([0, 13, 10, 0xff, 0x80, 0x81]);
  await r.set(Buffer.from([0x80, 0]), value);
  expect(await r.getBuffer(Buffer.from([0x80, 0]))).toEqual(value);
  expect(await r.getBuffer(Buffer.from([0x81, 0]))).toBeNull();
  r.disconnect();
});

test("a pipelined burst gets every reply in order", async () => {
  const c = await RawClient.connect(server.port);
  c.write("PING\r\n".repeat(100));
  const got = await c.readBytes(7 * 100);
  expect(got.toString()).toBe("+PONG\r\n".repeat(100));
  expect(await call(c, "ECHO", "x")).toBe("$1\r\nx\r\n");
  c.close();
});
