/**
 * CLIENT subcommands: byte-for-byte against the real redis-server where the
 * reply is deterministic, field by field for CLIENT LIST / INFO, and
 * behaviour across connections (KILL, PAUSE, REPLY) on respd.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call, RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS, requireRedisInCI, type ServerProcess, startRespd } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";

const haveRedis = requireRedisInCI();

/** Sends raw bytes to both servers and compares everything that comes back within 300 ms. */
async function sameRaw(pair: [RawClient, RawClient], data: string): Promise<string> {
  pair[0].write(data);
  pair[1].write(data);
  const [a, b] = await Promise.all(pair.map((c) => c.readBytes(1 << 16, 300)));
  expect({ data, reply: b?.toString("latin1") }).toEqual({ data, reply: a?.toString("latin1") });
  return (a as Buffer).toString("latin1");
}

/** The body of a bulk or verbatim reply. */
function body(raw: string): string {
  const nl = raw.indexOf("\r\n");
  const s = raw.slice(nl + 2, raw.length - 2);
  return raw[0] === "=" ? s.slice(4) : s;
}

/** CLIENT LIST fields as name -> value. */
function fields(line: string): Map<string, string> {
  return new Map(line.split(" ").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

describe.skipIf(!haveRedis)("CLIENT vs redis-server", () => {
  let d: Differential;
  withDifferential((started) => {
    d = started;
  });

  test("a command sees its own bytes in qbuf, as Redis trims its query buffer after running the read", async () => {
    const [a, b] = await d.both("CLIENT", "INFO");
    const qbufOf = (reply: string) => /qbuf=(\d+) /.exec(reply)?.[1];
    expect(qbufOf(b)).toBe(qbufOf(a));
    expect(qbufOf(a)).toBe("26");
    // Pipelined: the whole read is held while its commands run.
    const [ra, rb] = await d.connectPair();
    const two = "*1\r\n$4\r\nPING\r\n*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n";
    ra.write(two);
    rb.write(two);
    // Whatever arrives within a second: the two replies differ in length (addresses, 7.2 fields).
    const got = [String(await ra.readBytes(4096, 1000)), String(await rb.readBytes(4096, 1000))];
    expect(got.map((r) => /qbuf=(\d+) /.exec(r)?.[1])).toEqual(["40", "40"]);
    ra.close();
    rb.close();
  });

  test("arity, unknown subcommands and HELP", async () => {
    await d.sequence([
      ["CLIENT"],
      ["CLIENT", "FOO"],
      ["client", "nope", "x"],
      ["CLIENT", "HELP"],
      ["CLIENT", "HELP", "x"],
      ["CLIENT", "ID", "x"],
      ["CLIENT", "INFO", "x"],
      ["CLIENT", "GETNAME", "x"],
      ["CLIENT", "SETNAME"],
      ["CLIENT", "SETNAME", "a", "b"],
      ["CLIENT", "KILL"],
      ["CLIENT", "REPLY"],
      ["CLIENT", "NO-EVICT"],
      ["CLIENT", "PAUSE"],
      ["CLIENT", "UNPAUSE", "x"],
      ["CLIENT", "GETREDIR"],
      ["CLIENT", "TRACKINGINFO"],
    ]);
  });

  test("SETNAME / GETNAME", async () => {
    await d.same("CLIENT", "GETNAME");
    for (const name of ["abc", "~!@#$%^&*()_+=-{}[]|:;<>,.?/", "a b", "a\nb", "a\x7f", "a\x80", "\0", "é", ""]) {
      await d.same("CLIENT", "SETNAME", name);
      await d.same("CLIENT", "GETNAME");
    }
  });

  test("KILL errors and no-match replies", async () => {
    await d.sequence([
      ["CLIENT", "KILL", "1.2.3.4:5"],
      ["CLIENT", "KILL", "foo"],
      ["CLIENT", "KILL", "ID"],
      ["CLIENT", "KILL", "ID", "x"],
      ["CLIENT", "KILL", "ID", "0"],
      ["CLIENT", "KILL", "ID", "-1"],
      ["CLIENT", "KILL", "ID", "99999"],
      ["CLIENT", "KILL", "ID", "99999", "ID", "99998"],
      ["CLIENT", "KILL", "TYPE", "foo"],
      ["CLIENT", "KILL", "TYPE", "master"],
      ["CLIENT", "KILL", "TYPE", "slave"],
      ["CLIENT", "KILL", "TYPE", "replica"],
      ["CLIENT", "KILL", "TYPE", "pubsub"],
      ["CLIENT", "KILL", "USER", "nobody"],
      ["CLIENT", "KILL", "SKIPME", "foo"],
      ["CLIENT", "KILL", "ADDR", "1.2.3.4:5"],
      ["CLIENT", "KILL", "LADDR", "1.2.3.4:5"],
      ["CLIENT", "KILL", "FOO", "bar"],
      ["CLIENT", "KILL", "ID", "1", "FOO"],
      ["CLIENT", "KILL", "MAXAGE", "10"],
      ["CLIENT", "KILL", "1.2.3.4:5", "x"],
      ["CLIENT", "KILL", "SKIPME", "yes", "ID", "100000"],
    ]);
  });

  test("LIST filters: errors and empty results", async () => {
    await d.sequence([
      ["CLIENT", "LIST", "x"],
      ["CLIENT", "LIST", "TYPE"],
      ["CLIENT", "LIST", "TYPE", "foo"],
      ["CLIENT", "LIST", "TYPE", "master"],
      ["CLIENT", "LIST", "TYPE", "replica"],
      ["CLIENT", "LIST", "TYPE", "slave"],
      ["CLIENT", "LIST", "TYPE", "pubsub"],
      ["CLIENT", "LIST", "ID"],
      ["CLIENT", "LIST", "ID", "x"],
      ["CLIENT", "LIST", "ID", "0"],
      ["CLIENT", "LIST", "ID", "1", "x"],
      ["CLIENT", "LIST", "ID", "99999"],
      ["CLIENT", "LIST", "ID", "-5"],
      ["CLIENT", "LIST", "TYPE", "normal", "ID", "1"],
    ]);
  });

  test("REPLY ON / OFF / SKIP", async () => {
    const pair = await d.connectPair();
    await sameRaw(pair, "CLIENT REPLY\r\nCLIENT REPLY foo\r\nCLIENT REPLY ON\r\n");
    await sameRaw(pair, "CLIENT REPLY SKIP\r\nPING 1\r\nPING 2\r\n");
    await sameRaw(pair, "CLIENT REPLY skip\r\nCLIENT REPLY skip\r\nPING 1\r\nPING 2\r\n");
    await sameRaw(pair, "CLIENT REPLY OFF\r\nPING 1\r\nCLIENT REPLY SKIP\r\nPING 2\r\nCLIENT REPLY ON\r\nPING 3\r\n");
    await sameRaw(pair, "CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING 4\r\n");
    for (const c of pair) c.close();
  });

  test("NO-EVICT and PAUSE argument errors", async () => {
    await d.sequence([
      ["CLIENT", "NO-EVICT", "foo"],
      ["CLIENT", "NO-EVICT", "ON"],
      ["CLIENT", "NO-EVICT", "off"],
      ["CLIENT", "PAUSE", "x"],
      ["CLIENT", "PAUSE", "1.5"],
      ["CLIENT", "PAUSE", "-1"],
      ["CLIENT", "PAUSE", "9223372036854775808"],
      ["CLIENT", "PAUSE", "10", "foo"],
      ["CLIENT", "PAUSE", "10", "all", "x"],
      ["CLIENT", "UNPAUSE"],
    ]);
  });

  test("PAUSE WRITE holds expiry: expired keys read as missing but stay until the pause ends", async () => {
    const stat = async (name: string) => {
      const [a, b] = await d.both("INFO", "stats");
      const pick = (s: string) => Number(new RegExp(`${name}:(\\d+)`).exec(s)?.[1]);
      return [pick(a), pick(b)];
    };
    const before = await stat("expired_keys");
    await d.sequence([
      ["MULTI"],
      ["SET", "pz:1", "v", "PX", "10"],
      ["SET", "pz:2", "v", "PX", "10"],
      ["CLIENT", "PAUSE", "50000", "WRITE"],
      ["EXEC"],
    ]);
    // Past the TTL and past several cron ticks: neither the cycle nor a read deletes them.
    await new Promise((r) => setTimeout(r, 300));
    await d.sequence([["GET", "pz:1"], ["EXISTS", "pz:2"], ["KEYS", "pz:*"], ["DBSIZE"]]);
    expect(await stat("expired_keys")).toEqual(before);
    await d.same("CLIENT", "UNPAUSE");
    await d.sequence([
      ["GET", "pz:1"],
      ["GET", "pz:2"],
    ]);
    expect(await stat("expired_keys")).toEqual(before.map((n) => n + 2));
  });

  test("CLIENT INFO / LIST have Redis's fields in Redis's order, RESP2 bulk and RESP3 verbatim", async () => {
    const [ra, rb] = await d.connectPair();
    for (const c of [ra, rb]) {
      await call(c, "CLIENT", "SETNAME", "me");
      await call(c, "SELECT", "4");
      await call(c, "CLIENT", "NO-EVICT", "on");
    }
    const a = await call(ra, "CLIENT", "INFO");
    const b = await call(rb, "CLIENT", "INFO");
    expect(a[0]).toBe("$");
    expect(b[0]).toBe("$");
    const fa = fields(body(a).trimEnd());
    const fb = fields(body(b).trimEnd());
    // respd adds 7.2's lib-name / lib-ver at the end.
    expect([...fb.keys()]).toEqual([...fa.keys(), "lib-name", "lib-ver"]);
    for (const k of [
      "name",
      "age",
      "idle",
      "flags",
      "db",
      "sub",
      "psub",
      "ssub",
      "multi",
      "argv-mem",
      "multi-mem",
      "oll",
      "omem",
      "events",
      "cmd",
      "user",
      "redir",
      "resp",
    ]) {
      expect({ k, v: fb.get(k) }).toEqual({ k, v: fa.get(k) });
    }
    expect(fb.get("addr")).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(fb.get("laddr")).toBe(`127.0.0.1:${d.respd.port}`);
    const list = body(await call(rb, "CLIENT", "LIST", "ID", fb.get("id") as string));
    expect(fields(list.trimEnd()).get("cmd")).toBe("client|list");
    for (const c of [ra, rb]) await call(c, "HELLO", "3");
    const a3 = await call(ra, "CLIENT", "INFO");
    const b3 = await call(rb, "CLIENT", "INFO");
    expect(b3.slice(b3.indexOf("\r\n") + 2, b3.indexOf("\r\n") + 6)).toBe(a3.slice(a3.indexOf("\r\n") + 2, a3.indexOf("\r\n") + 6));
    expect(fields(body(b3).trimEnd()).get("resp")).toBe("3");
    ra.close();
    rb.close();
  });
});

describe("CLIENT across connections (respd)", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startRespd();
  }, HOOK_TIMEOUT_MS);
  afterAll(() => server.stop());

  test("LIST shows every connection with its own state; TYPE and ID filters", async () => {
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    await call(b, "CLIENT", "SETNAME", "bee");
    await call(b, "SELECT", "7");
    const bid = (await call(b, "CLIENT", "ID")).slice(1, -2);
    const all = body(await call(a, "CLIENT", "LIST"))
      .trimEnd()
      .split("\n")
      .map(fields);
    const bee = all.find((f) => f.get("id") === bid);
    expect(bee?.get("name")).toBe("bee");
    expect(bee?.get("db")).toBe("7");
    expect(bee?.get("cmd")).toBe("client|id");
    expect(body(await call(a, "CLIENT", "LIST", "ID", bid)).split("\n").length).toBe(2);
    expect(
      body(await call(a, "CLIENT", "LIST", "TYPE", "normal"))
        .trimEnd()
        .split("\n").length,
    ).toBe(all.length);
    a.close();
    b.close();
  });

  test("KILL by ID, ADDR, old form, and SKIPME no", async () => {
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    const c = await RawClient.connect(server.port);
    const bid = (await call(b, "CLIENT", "ID")).slice(1, -2);
    expect(await call(a, "CLIENT", "KILL", "ID", bid)).toBe(":1\r\n");
    expect(await b.waitClosed(2000)).toBe(true);
    expect(await call(a, "CLIENT", "KILL", "ID", bid)).toBe(":0\r\n");
    const caddr = fields(body(await call(c, "CLIENT", "INFO")).trimEnd()).get("addr") as string;
    expect(await call(a, "CLIENT", "KILL", caddr)).toBe("+OK\r\n");
    expect(await c.waitClosed(2000)).toBe(true);
    expect(await call(a, "CLIENT", "KILL", caddr)).toBe("-ERR No such client\r\n");
    const d2 = await RawClient.connect(server.port);
    const daddr = fields(body(await call(d2, "CLIENT", "INFO")).trimEnd()).get("addr") as string;
    expect(await call(a, "CLIENT", "KILL", "ADDR", daddr, "SKIPME", "yes")).toBe(":1\r\n");
    expect(await d2.waitClosed(2000)).toBe(true);
    // Killing yourself still gets the reply out first.
    expect(await call(a, "CLIENT", "KILL", "ID", (await call(a, "CLIENT", "ID")).slice(1, -2), "SKIPME", "no")).toBe(":1\r\n");
    expect(await a.waitClosed(2000)).toBe(true);
  });

  test("PAUSE WRITE holds writes (in order) but not reads; UNPAUSE releases them", async () => {
    const admin = await RawClient.connect(server.port);
    const w = await RawClient.connect(server.port);
    expect(await call(admin, "CLIENT", "PAUSE", "100000", "WRITE")).toBe("+OK\r\n");
    expect(await call(w, "GET", "pk")).toBe("$-1\r\n");
    w.write("*3\r\n$3\r\nSET\r\n$2\r\npk\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$2\r\npk\r\n");
    expect((await w.readBytes(1, 300)).length).toBe(0);
    expect(await call(admin, "PING")).toBe("+PONG\r\n");
    // A held client counts as blocked, as in Redis (the suite's wait_for_blocked_clients_count relies on it).
    expect(await call(admin, "INFO", "clients")).toContain("blocked_clients:1\r\n");
    expect(await call(admin, "CLIENT", "UNPAUSE")).toBe("+OK\r\n");
    expect((await w.readBytes(12, 2000)).toString()).toBe("+OK\r\n$1\r\n1\r\n");
    expect(await call(admin, "INFO", "clients")).toContain("blocked_clients:0\r\n");
    admin.close();
    w.close();
  });

  test("qbuf / qbuf-free follow Redis's query buffer: 16 KiB room per read, a big argument's size, given back when idle", async () => {
    const admin = await RawClient.connect(server.port);
    const c = await RawClient.connect(server.port);
    const qbuf = async () => {
      const line = (await call(admin, "CLIENT", "LIST")).split("\n").find((l) => l.includes("name=qb")) ?? "";
      const f = fields(line.trim());
      return Number(f.get("qbuf")) + Number(f.get("qbuf-free"));
    };
    expect(await call(c, "CLIENT", "SETNAME", "qb")).toBe("+OK\r\n");
    const small = await qbuf();
    expect(small).toBeGreaterThanOrEqual(16384);
    expect(small).toBeLessThan(32768);
    expect(await call(c, "SET", "qbx", "A".repeat(400_000))).toBe("+OK\r\n");
    const big = await qbuf();
    expect(big).toBeGreaterThan(32768);
    // Small commands let the cron shrink it back toward their peak.
    let shrunk = big;
    for (let i = 0; i < 200 && shrunk >= big; i++) {
      expect(await call(c, "SET", "qbx", "A".repeat(100))).toBe("+OK\r\n");
      await new Promise((r) => setTimeout(r, 10));
      shrunk = await qbuf();
    }
    expect(shrunk).toBeLessThan(big);
    expect(shrunk).toBeGreaterThan(0);
    // One more read reserves 16 KiB again; idle for more than 2 s, all of it goes.
    expect(await call(c, "PING")).toBe("+PONG\r\n");
    let idle = await qbuf();
    expect(idle).toBeGreaterThanOrEqual(16384);
    for (let i = 0; i < 100 && idle !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      idle = await qbuf();
    }
    expect(idle).toBe(0);
    c.close();
    admin.close();
  });

  test("rbs / rbp follow Redis's reply buffer: shrunk to 1 KiB once idle past the peak reset, doubled back while writes fill it", async () => {
    const admin = await RawClient.connect(server.port);
    const c = await RawClient.connect(server.port);
    const rb = async () => {
      const line = (await call(admin, "CLIENT", "LIST")).split("\n").find((l) => l.includes("name=rb")) ?? "";
      const f = fields(line.trim());
      return [Number(f.get("rbs")), Number(f.get("rbp"))];
    };
    expect(await call(c, "CLIENT", "SETNAME", "rb")).toBe("+OK\r\n");
    expect(await rb()).toEqual([16384, 16384]);
    // The peak resets every 5 s (reply-buffer-peak-reset-time's default); then the cron shrinks the buffer.
    let size = 16384;
    for (let i = 0; i < 100 && size !== 1024; i++) {
      await new Promise((r) => setTimeout(r, 100));
      size = (await rb())[0] as number;
    }
    expect(size).toBe(1024);
    expect(await call(admin, "SET", "rbbig", "x".repeat(32768))).toBe("+OK\r\n");
    for (let i = 0; i < 100 && size < 16384; i++) {
      await call(c, "GET", "rbbig");
      await new Promise((r) => setTimeout(r, 30));
      size = (await rb())[0] as number;
    }
    expect(size).toBe(16384);
    const info = await call(admin, "INFO", "stats");
    expect(Number(/reply_buffer_shrinks:(\d+)/.exec(info)?.[1])).toBeGreaterThan(0);
    expect(Number(/reply_buffer_expands:(\d+)/.exec(info)?.[1])).toBeGreaterThan(0);
    c.close();
    admin.close();
  });

  test("PAUSE ALL holds everything until the timeout passes", async () => {
    const admin = await RawClient.connect(server.port);
    const r = await RawClient.connect(server.port);
    const t0 = Date.now();
    expect(await call(admin, "CLIENT", "PAUSE", "400")).toBe("+OK\r\n");
    expect(await call(r, "PING")).toBe("+PONG\r\n");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    admin.close();
    r.close();
  });
});
