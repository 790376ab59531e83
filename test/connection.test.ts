/**
 * Connection commands (PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH) against
 * the real redis-server: the raw reply bytes must be identical, except the
 * client id in HELLO's map.
 */
import { describe, expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call, type RawClient } from "./helpers/raw.ts";
import { requireRedisInCI } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";

const haveRedis = requireRedisInCI();

/** HELLO's reply with the connection id masked: ids depend on how many clients came before. */
const maskId = (s: string) => s.replace(/(\$2\r\nid\r\n):\d+\r\n/, "$1:<id>\r\n");

/** Sends raw bytes to both servers and compares everything that comes back until both close or go quiet. */
async function sameRaw(pair: [RawClient, RawClient], data: string, bytes = 4096): Promise<string> {
  pair[0].write(data);
  pair[1].write(data);
  const [a, b] = await Promise.all(pair.map((c) => c.readBytes(bytes, 300)));
  expect({ data, reply: b?.toString("latin1") }).toEqual({ data, reply: a?.toString("latin1") });
  return (a as Buffer).toString("latin1");
}

describe.skipIf(!haveRedis)("connection commands, no password", () => {
  let d: Differential;
  withDifferential((started) => {
    d = started;
  });

  test("PING / ECHO", async () => {
    await d.sequence([["PING"], ["PING", "hello"], ["ping", "a", "b"], ["ECHO", "x\r\n\0y"], ["ECHO"], ["ECHO", "a", "b"], ["PING", ""]]);
  });

  test("errors that echo an argument cut it at a NUL byte, as Redis's C formats do", async () => {
    const bin = "ab\0cd\xff";
    await d.sequence([
      ["NOSUCH", bin, "x", `\0${"y".repeat(200)}`],
      [`NO\0SUCH`, "a"],
      ["x".repeat(300), "b".repeat(100), "c".repeat(100)],
      ["OBJECT", bin],
      ["OBJECT", `${"s".repeat(200)}\0`],
      ["CONFIG", bin],
      ["CLIENT", "NO-EVICT", bin, "x"],
      ["CLIENT", "KILL", "TYPE", bin],
      ["CLIENT", "KILL", "USER", bin],
      ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", `a\0b`, "PREFIX", `a\0c`],
      ["SLOWLOG", "GET", "1", bin],
      ["PUBSUB", bin],
      ["HELLO", "3", bin],
      ["LATENCY", "GRAPH", bin],
    ]);
  });

  test("SELECT", async () => {
    for (const db of ["0", "15", "16", "-1", "x", "01", "1.5", "4294967296", "99999999999999999999", ""]) await d.same("SELECT", db);
    await d.same("SELECT", "0");
  });

  test("AUTH without requirepass", async () => {
    await d.sequence([["AUTH", "x"], ["AUTH", "default", "x"], ["AUTH", "bob", "x"], ["AUTH", "a", "b", "c"], ["AUTH"], ["PING"]]);
  });

  test("HELLO shape in RESP2 and RESP3 and its errors", async () => {
    const [ra, rb] = await d.connectPair();
    const both = async (...args: string[]) => {
      const [a, b] = [await call(ra, ...args), await call(rb, ...args)];
      expect({ args, reply: maskId(b) }).toEqual({ args, reply: maskId(a) });
    };
    for (const args of [
      ["HELLO"],
      ["HELLO", "2"],
      ["HELLO", "4"],
      ["HELLO", "1"],
      ["HELLO", "-1"],
      ["HELLO", "abc"],
      ["HELLO", "3", "FOO"],
      ["HELLO", "3", "AUTH", "a"],
      ["HELLO", "3", "SETNAME"],
      ["HELLO", "3", "SETNAME", "a b"],
      ["HELLO", "3", "AUTH", "bob", "x"],
      ["HELLO", "3", "SETNAME", "x", "setname", "y"],
      ["CLIENT", "GETNAME"],
      ["PING"],
      ["HELLO"],
      ["HELLO", "3", "AUTH", "default", "whatever", "SETNAME", ""],
      ["CLIENT", "GETNAME"],
      ["CLIENT", "TRACKINGINFO"],
      ["HELLO", "2"],
      ["PING"],
    ]) {
      await both(...args);
    }
    ra.close();
    rb.close();
  });

  test("RESET clears name, db and protocol; works inside MULTI", async () => {
    const pair = await d.connectPair();
    await sameRaw(pair, "CLIENT SETNAME n\r\nSELECT 3\r\nSET k v\r\n");
    await sameRaw(pair, "RESET\r\nCLIENT GETNAME\r\nGET k\r\nRESET x\r\nPING\r\n");
    pair[0].write("HELLO 3\r\n");
    pair[1].write("HELLO 3\r\n");
    await Promise.all(pair.map((c) => c.readReply()));
    await sameRaw(pair, "RESET\r\nCLIENT GETNAME\r\nHELLO 4\r\n");
    await sameRaw(pair, "CLIENT REPLY OFF\r\nPING\r\nRESET\r\nPING\r\n");
    for (const c of pair) c.close();
    await d.same("SELECT", "0");
  });

  test("QUIT replies OK and closes, with or without arguments", async () => {
    for (const data of ["QUIT\r\n", "QUIT a b\r\nPING\r\n", "PING\r\nquit\r\nPING\r\n"]) {
      const pair = await d.connectPair();
      await sameRaw(pair, data);
      expect(await pair[1].waitClosed(2000)).toBe(true);
      expect(pair[0].closed).toBe(true);
    }
  });
});

describe.skipIf(!haveRedis)("connection commands with requirepass", () => {
  let d: Differential;
  withDifferential(
    (started) => {
      d = started;
    },
    ["--requirepass", "s3cret"],
  );

  test("NOAUTH, AUTH forms and errors", async () => {
    await d.sequence([
      ["PING"],
      ["ECHO", "x"],
      ["SELECT", "1"],
      ["CLIENT", "ID"],
      ["NOPE"],
      ["HELLO"],
      ["HELLO", "3"],
      ["HELLO", "4"],
      ["HELLO", "x"],
      ["AUTH", "wrong"],
      ["AUTH", "default", "wrong"],
      ["AUTH", "bob", "s3cret"],
      ["AUTH", "a", "b", "c"],
      ["PING"],
      ["AUTH", "s3cret"],
      ["PING"],
      ["AUTH", "wrong"],
      ["PING"],
      ["AUTH", "default", "s3cret"],
    ]);
  });

  test("HELLO AUTH, and SETNAME before a failed AUTH sticks (7.0)", async () => {
    const pair = await d.connectPair();
    await sameRaw(pair, "HELLO 3 SETNAME x\r\nAUTH s3cret\r\nCLIENT GETNAME\r\n");
    for (const c of pair) c.close();
    const [ra, rb] = await d.connectPair();
    const both = async (...args: string[]) => {
      const [a, b] = [await call(ra, ...args), await call(rb, ...args)];
      expect({ args, reply: maskId(b) }).toEqual({ args, reply: maskId(a) });
    };
    await both("HELLO", "3", "SETNAME", "n", "AUTH", "default", "bad");
    await both("HELLO", "3", "AUTH", "default", "s3cret");
    await both("CLIENT", "GETNAME");
    await both("PING");
    ra.close();
    rb.close();
  });

  test("RESET logs the connection out", async () => {
    const pair = await d.connectPair();
    await sameRaw(pair, "AUTH s3cret\r\nPING\r\nRESET\r\nPING\r\nRESET\r\n");
    for (const c of pair) c.close();
  });

  test("unauthenticated clients get Redis's size limits", async () => {
    for (const data of ["*11\r\n", "*10\r\n$16385\r\n", "*1\r\n$16384\r\n"]) {
      const pair = await d.connectPair();
      await sameRaw(pair, data);
      for (const c of pair) c.close();
    }
  });
});
