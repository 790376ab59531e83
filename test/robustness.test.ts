/**
 * Connection robustness, black box: big pipelines, many clients, binary
 * data, a 100 MB value, malformed input (compared with the real
 * redis-server), maxclients, idle timeout and shutdown by signal.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import Redis from "ioredis";
import { call, encodeCommand, RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS, requireRedisInCI, type ServerProcess, startRedis, startRespd } from "./helpers/server.ts";

const haveRedis = requireRedisInCI();

/** Everything a connection receives until the server closes it (or the timeout passes). */
async function untilClosed(c: RawClient, timeoutMs = 3000): Promise<string> {
  return (await c.readBytes(Number.MAX_SAFE_INTEGER, timeoutMs)).toString("latin1");
}

describe("one server, many requests", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startRespd();
  }, HOOK_TIMEOUT_MS);
  afterAll(() => server.stop());

  test("10,000 commands pipelined in one write get every reply, in order", async () => {
    const c = await RawClient.connect(server.port);
    const parts: Buffer[] = [];
    let expected = "";
    for (let i = 0; i < 10_000; i++) {
      switch (i % 4) {
        case 0:
          parts.push(encodeCommand(["SET", `pipe:${i}`, `value-${i}`]));
          expected += "+OK\r\n";
          break;
        case 1: {
          const v = `value-${i - 1}`;
          parts.push(encodeCommand(["GET", `pipe:${i - 1}`]));
          expected += `$${v.length}\r\n${v}\r\n`;
          break;
        }
        case 2:
          parts.push(encodeCommand(["ECHO", String(i)]));
          expected += `$${String(i).length}\r\n${i}\r\n`;
          break;
        default:
          parts.push(Buffer.from("PING\r\n"));
          expected += "+PONG\r\n";
      }
    }
    c.write(Buffer.concat(parts));
    const got = await c.readBytes(expected.length, 10_000);
    expect(got.length).toBe(expected.length);
    expect(got.toString("latin1") === expected).toBe(true);
    expect(c.pending()).toBe("");
    c.close();
  });

  test("1,000 concurrent clients each run a few commands", async () => {
    const N = 1000;
    const clients = await Promise.all(Array.from({ length: N }, () => RawClient.connect(server.port)));
    const results = await Promise.all(
      clients.map(async (c, i) => {
        c.write(
          Buffer.concat([
            encodeCommand(["SET", `conc:${i}`, String(i)]),
            encodeCommand(["GET", `conc:${i}`]),
            encodeCommand(["ECHO", `hi-${i}`]),
          ]),
        );
        return [await c.readReply(10_000), await c.readReply(10_000), await c.readReply(10_000)];
      }),
    );
    results.forEach((r, i) => {
      expect(r).toEqual(["+OK\r\n", `$${String(i).length}\r\n${i}\r\n`, `$${`hi-${i}`.length}\r\nhi-${i}\r\n`]);
    });
    const listed = await call(clients[0] as RawClient, "CLIENT", "LIST");
    expect(listed.split("\n").length - 1).toBeGreaterThanOrEqual(N);
    for (const c of clients) c.close();
  }, 15_000);

  test("binary keys and values (\\0, \\r\\n, invalid UTF-8) round-trip exactly over raw RESP", async () => {
    const c = await RawClient.connect(server.port);
    const key = Buffer.from([0x00, 0x0d, 0x0a, 0xff, 0xfe, 0x80, 0x6b]);
    const value = Buffer.from([0x0d, 0x0a, 0x00, 0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0x0d, 0x0a, 0x24, 0x2a]);
    expect(await call(c, "SET", key, value)).toBe("+OK\r\n");
    const got = await call(c, "GET", key);
    expect(Buffer.from(got, "latin1")).toEqual(Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from("\r\n")]));
    const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(await call(c, "SET", allBytes, allBytes)).toBe("+OK\r\n");
    expect(Buffer.from(await call(c, "GET", allBytes), "latin1").subarray(6, 262)).toEqual(allBytes);
    expect(await call(c, "ECHO", allBytes)).toBe(`$256\r\n${allBytes.toString("latin1")}\r\n`);
    c.close();
  });

  test("binary keys and values round-trip through ioredis Buffers", async () => {
    const r = new Redis({ port: server.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    await r.connect();
    for (let n = 0; n < 20; n++) {
      const key = Buffer.from(Array.from({ length: 1 + n * 7 }, (_, i) => (i * 37 + n) & 0xff));
      const value = Buffer.from(Array.from({ length: n * 101 }, (_, i) => (i * 91 + n * 13) & 0xff));
      expect(await r.set(key, value)).toBe("OK");
      expect(await r.getBuffer(key)).toEqual(value);
      expect(await r.strlen(key)).toBe(value.length);
    }
    r.disconnect();
  });

  test("a 100 MB value: SET, STRLEN, GET returns identical bytes", async () => {
    const size = 100 * 1024 * 1024;
    const value = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) value.writeUInt32LE((i * 2654435761) >>> 0, i);
    value[size - 1] = 0x0a;
    const sock = connect({ port: server.port, host: "127.0.0.1" });
    await new Promise<void>((res, rej) => {
      sock.once("connect", () => res());
      sock.once("error", rej);
    });
    const chunks: Buffer[] = [];
    let received = 0;
    let wake: () => void = () => {};
    sock.on("data", (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      wake();
    });
    const waitFor = async (n: number) => {
      const deadline = Date.now() + 20_000;
      while (received < n && Date.now() < deadline) await new Promise<void>((r) => (wake = r));
      const all = Buffer.concat(chunks);
      chunks.length = 0;
      chunks.push(all.subarray(n));
      received -= n;
      return all.subarray(0, n);
    };
    sock.write(encodeCommand(["SET", "huge", value]));
    expect((await waitFor(5)).toString()).toBe("+OK\r\n");
    sock.write(encodeCommand(["STRLEN", "huge"]));
    expect((await waitFor(12)).toString()).toBe(`:${size}\r\n`);
    sock.write(encodeCommand(["GET", "huge"]));
    const header = `$${size}\r\n`;
    const reply = await waitFor(header.length + size + 2);
    expect(reply.subarray(0, header.length).toString()).toBe(header);
    expect(reply.subarray(header.length, header.length + size).equals(value)).toBe(true);
    expect(reply.subarray(header.length + size).toString()).toBe("\r\n");
    sock.write(encodeCommand(["DEL", "huge"]));
    expect((await waitFor(4)).toString()).toBe(":1\r\n");
    sock.destroy();
  }, 30_000);
});

/**
 * Each protocol error of the decoder, with a command before it in the same
 * write. `check` names a key the command before the error sets.
 */
const MALFORMED: { name: string; data: string }[] = [
  { name: "invalid multibulk length", data: "*x\r\n" },
  { name: "multibulk length with leading zero", data: "*01\r\n" },
  { name: "multibulk length over INT_MAX", data: "*3000000000\r\n" },
  { name: "invalid bulk length", data: "*1\r\n$x\r\n" },
  { name: "negative bulk length", data: "*1\r\n$-1\r\n" },
  { name: "bulk length over proto-max-bulk-len", data: "*1\r\n$536870913\r\n" },
  { name: "expected '$'", data: "*1\r\n+PING\r\n" },
  { name: "unbalanced double quote", data: 'SET "a\r\n' },
  { name: "closing quote not followed by a space", data: "SET 'a'b\r\n" },
  { name: "too big inline request", data: "A".repeat(70_000) },
  { name: "too big mbulk count string", data: `*${"1".repeat(70_000)}` },
  { name: "too big bulk count string", data: `*1\r\n$${"1".repeat(70_000)}` },
];

describe.skipIf(!haveRedis)("malformed input, compared with redis-server", () => {
  let redis: ServerProcess;
  let respd: ServerProcess;
  beforeAll(async () => {
    [redis, respd] = await Promise.all([startRedis() as Promise<ServerProcess>, startRespd()]);
  }, HOOK_TIMEOUT_MS);
  afterAll(() => Promise.all([redis?.stop(), respd?.stop()]));

  for (const [i, { name, data }] of MALFORMED.entries()) {
    test(`${name}: same error, only that connection closes, earlier commands ran`, async () => {
      const replies: string[] = [];
      for (const server of [redis, respd]) {
        const bystander = await RawClient.connect(server.port);
        expect(await call(bystander, "PING")).toBe("+PONG\r\n");
        const c = await RawClient.connect(server.port);
        c.write(`SET before:${i} ran\r\nPING\r\n${data}`);
        replies.push(await untilClosed(c));
        expect(c.closed).toBe(true);
        expect(await call(bystander, "GET", `before:${i}`)).toBe("$3\r\nran\r\n");
        expect(await call(bystander, "PING")).toBe("+PONG\r\n");
        bystander.close();
        const fresh = await RawClient.connect(server.port);
        expect(await call(fresh, "PING")).toBe("+PONG\r\n");
        fresh.close();
      }
      expect(replies[1]).toBe(replies[0] as string);
      expect(replies[0]).toStartWith("+OK\r\n+PONG\r\n-ERR Protocol error: ");
    });
  }

  test("inputs that are not errors: *0, *-1, empty lines, a partial command left pending", async () => {
    const replies: string[] = [];
    for (const server of [redis, respd]) {
      const c = await RawClient.connect(server.port);
      c.write("*0\r\n*-5\r\n\r\n\r\n  \r\nPING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI");
      // Redis's answer is whatever it sent within 400 ms; respd gets as long as it needs to send as many bytes
      // (a loaded CI runner), and anything extra shows up ahead of the PONG below.
      const want = replies[0];
      const got = want === undefined ? await c.readBytes(1 << 16, 400) : await c.readBytes(want.length, 5000);
      replies.push(got.toString("latin1"));
      expect(c.closed).toBe(false);
      c.write("NG\r\n");
      expect(await c.readReply()).toBe("+PONG\r\n");
      c.close();
    }
    expect(replies[0]).toBe("+PONG\r\n+PONG\r\n");
    expect(replies[1]).toBe(replies[0] as string);
  });

  test("unauthenticated length limits with requirepass", async () => {
    const servers = await Promise.all([
      startRedis(["--requirepass", "pw"]) as Promise<ServerProcess>,
      startRespd({ args: ["--requirepass", "pw"] }),
    ]);
    try {
      for (const data of ["*11\r\n", "*1\r\n$16385\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$20000\r\n"]) {
        const replies: string[] = [];
        for (const server of servers) {
          const c = await RawClient.connect(server.port);
          c.write(`PING\r\n${data}`);
          replies.push(await untilClosed(c));
          expect(c.closed).toBe(true);
          // Once authenticated the same lengths are fine.
          const ok = await RawClient.connect(server.port);
          expect(await call(ok, "AUTH", "pw")).toBe("+OK\r\n");
          expect(await call(ok, "SET", "k", "x".repeat(20_000))).toBe("+OK\r\n");
          ok.close();
        }
        expect(replies[1]).toBe(replies[0] as string);
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });

  test("maxclients: the extra connection gets the error and is closed, the others are fine", async () => {
    const servers = await Promise.all([
      startRedis(["--maxclients", "5"]) as Promise<ServerProcess>,
      startRespd({ args: ["--maxclients", "5"] }),
    ]);
    try {
      const replies: string[] = [];
      for (const server of servers) {
        // Let the servers notice the start-up probe's connection has gone.
        await Bun.sleep(200);
        const ok = await Promise.all(Array.from({ length: 5 }, () => RawClient.connect(server.port)));
        for (const c of ok) expect(await call(c, "PING")).toBe("+PONG\r\n");
        const extra = await RawClient.connect(server.port);
        replies.push(await untilClosed(extra));
        expect(extra.closed).toBe(true);
        for (const c of ok) expect(await call(c, "ECHO", "still")).toBe("$5\r\nstill\r\n");
        (ok[0] as RawClient).close();
        await Bun.sleep(100);
        const again = await RawClient.connect(server.port);
        expect(await call(again, "PING")).toBe("+PONG\r\n");
        for (const c of [...ok, again]) c.close();
      }
      expect(replies).toEqual(["-ERR max number of clients reached\r\n", "-ERR max number of clients reached\r\n"]);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
});

describe("idle timeout", () => {
  test("--timeout 1 closes an idle client after ~1-2 s and keeps an active one", async () => {
    const server = await startRespd({ args: ["--timeout", "1"] });
    try {
      const idle = await RawClient.connect(server.port);
      const active = await RawClient.connect(server.port);
      expect(await call(idle, "PING")).toBe("+PONG\r\n");
      const t0 = Date.now();
      while (Date.now() - t0 < 2600) {
        expect(await call(active, "PING")).toBe("+PONG\r\n");
        await Bun.sleep(200);
      }
      expect(await idle.waitClosed(1000)).toBe(true);
      expect(active.closed).toBe(false);
      expect(await call(active, "PING")).toBe("+PONG\r\n");
      active.close();
    } finally {
      await server.stop();
    }
  });
});

describe("shutdown by signal", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal}: exit code 0, "ready to exit" logged, replies to a pipeline in flight arrive`, async () => {
      const server = await startRespd();
      const c = await RawClient.connect(server.port);
      const n = 5000;
      c.write("PING\r\n".repeat(n));
      expect((await c.readBytes(7)).toString()).toBe("+PONG\r\n");
      server.proc.kill(signal);
      const rest = await c.readBytes(7 * (n - 1), 10_000);
      expect(rest.toString()).toBe("+PONG\r\n".repeat(n - 1));
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain(`Received ${signal} scheduling shutdown...`);
      expect(server.output()).toContain("ready to exit");
      c.close();
    });
  }

  // Shutdown waits (up to 5 s) for every connection's output to drain, so a big reply in flight arrives whole.
  test("SIGTERM while an 8 MB reply is being written: all of it arrives", async () => {
    const server = await startRespd();
    const c = await RawClient.connect(server.port);
    const size = 8 * 1024 * 1024;
    expect(await call(c, "SET", "big", "x".repeat(size))).toBe("+OK\r\n");
    const header = `$${size}\r\n`;
    c.write(encodeCommand(["GET", "big"]));
    expect((await c.readBytes(header.length)).toString()).toBe(header);
    server.proc.kill("SIGTERM");
    const rest = await c.readBytes(size + 2, 10_000);
    c.close();
    await server.exited;
    expect(rest.length).toBe(size + 2);
  });
});
