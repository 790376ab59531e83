/** INFO, TIME, LASTSAVE, DEBUG, SLOWLOG, LATENCY, MONITOR, SHUTDOWN: black-box, against redis-server where deterministic. */
import { describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { cli } from "./helpers/cli.ts";
import type { Differential } from "./helpers/diff.ts";
import { call, RawClient } from "./helpers/raw.ts";
import { requireRedisInCI, startRespd } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";

const haveRedis = requireRedisInCI();

/** Bulk or verbatim reply text -> { section: field names }. */
function infoFields(raw: string): Map<string, string[]> {
  const body = raw.slice(raw.indexOf("\r\n") + 2);
  const out = new Map<string, string[]>();
  let cur = "";
  for (const line of body.split("\r\n")) {
    if (line.startsWith("# ")) {
      cur = line.slice(2).toLowerCase();
      out.set(cur, []);
    } else if (line.includes(":") && cur) out.get(cur)?.push(line.slice(0, line.indexOf(":")));
  }
  return out;
}

const headers = (raw: string) => raw.split("\r\n").filter((l) => l.startsWith("# "));

describe.if(haveRedis)("INFO vs redis-server", () => {
  let d: Differential;
  withDifferential((started) => {
    d = started;
  });

  test("every field redis-server reports in the main sections is there", async () => {
    await d.same("SET", "k", "v");
    const [a, b] = await d.both("INFO", "everything");
    const redis = infoFields(a);
    const respd = infoFields(b);
    for (const section of ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "keyspace"]) {
      const missing = (redis.get(section) ?? []).filter((f) => !(respd.get(section) ?? []).includes(f));
      expect({ section, missing }).toEqual({ section, missing: [] });
    }
    expect(respd.get("server")).toContain("respd_version");
    expect(respd.get("server")).toContain("runtime");
  });

  test("section selection and order", async () => {
    for (const args of [[], ["default"], ["server", "clients"], ["keyspace", "SERVER"], ["cpu", "default"]]) {
      const [a, b] = await d.both("INFO", ...args);
      expect(headers(b)).toEqual(headers(a));
    }
    // `all` adds Commandstats and Latencystats.
    const [a, b] = await d.both("INFO", "all");
    expect(headers(b)).toEqual(headers(a));
  });

  test("deterministic sections are byte-identical", async () => {
    await d.same("INFO", "foo");
    await d.same("INFO", "modules");
    await d.same("INFO", "cluster");
    await d.same("INFO", "errorstats", "modules", "foo");
    await d.same("SELECT", "2");
    await d.same("SET", "a", "1");
    await d.same("SET", "b", "1");
    await d.same("SELECT", "0");
    await d.same("INFO", "keyspace");
    await d.same("CONFIG", "RESETSTAT");
    await d.same("NOSUCHCOMMAND");
    await d.same("GET");
    await d.same("INCR", "k");
    await d.same("INFO", "errorstats");
    // In RESP3 INFO is a `txt` verbatim string.
    await d.both("HELLO", "3");
    await d.same("INFO", "cluster");
    await d.both("HELLO", "2");
  });

  test("commandstats after CONFIG RESETSTAT", async () => {
    await d.same("CONFIG", "RESETSTAT");
    await d.same("SET", "x", "1");
    await d.same("GET");
    const [a, b] = await d.both("INFO", "commandstats");
    const strip = (s: string) =>
      s
        .split("\r\n")
        .filter((l) => l.startsWith("cmdstat_"))
        .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+/, "usec"))
        .sort();
    expect(strip(b)).toEqual(strip(a));
  });

  test("TIME, LASTSAVE and the DEBUG refusal", async () => {
    const [, t] = await d.both("TIME");
    const secs = Number(t.split("\r\n")[2]);
    expect(Math.abs(secs - Date.now() / 1000)).toBeLessThan(5);
    expect(await call(d.respdClient, "LASTSAVE")).toMatch(/^:\d{10}\r\n$/);
    await d.same("DEBUG", "HELP");
    await d.same("DEBUG", "SLEEP", "0");
    await d.same("DEBUG");
    await d.same("LATENCY", "DOCTOR");
    await d.same("LATENCY", "LATEST");
    await d.same("LATENCY", "HISTORY", "command");
    await d.same("LATENCY", "RESET");
    await d.same("LATENCY", "GRAPH", "command");
    await d.same("LATENCY", "HELP");
    await d.same("SLOWLOG", "HELP");
    await d.same("SLOWLOG", "GET", "x");
    await d.same("SLOWLOG", "GET", "-2");
    await d.same("SLOWLOG", "GET", "1", "2");
    await d.same("SLOWLOG", "LEN", "x");
    await d.same("SHUTDOWN", "ABORT");
    await d.same("SHUTDOWN", "FOO");
    await d.same("SHUTDOWN", "NOSAVE", "SAVE");
    await d.same("SHUTDOWN", "ABORT", "NOW");
  });

  test("MONITOR lines look like Redis's", async () => {
    const lines: string[] = [];
    for (const port of [d.redis.port, d.respd.port]) {
      const m = await RawClient.connect(port);
      expect(await call(m, "MONITOR")).toBe("+OK\r\n");
      const c = await RawClient.connect(port);
      await call(c, "SELECT", "3");
      await call(c, "SET", "a b", 'x"\n\x01\xff');
      await call(c, "CONFIG", "GET", "hz");
      await call(c, "PING");
      const got = [await m.readReply(), await m.readReply(), await m.readReply()];
      for (const l of got) expect(l).toMatch(/^\+\d{10}\.\d{6} \[3 127\.0\.0\.1:\d+\] /);
      lines.push(got.map((l) => l.replace(/^\+\d+\.\d+ \[3 127\.0\.0\.1:\d+\] /, "")).join(""));
      m.close();
      c.close();
    }
    expect(lines[1]).toBe(lines[0] as string);
    expect(lines[1]).toBe('"SELECT" "3"\r\n"SET" "a b" "x\\"\\n\\x01\\xff"\r\n"PING"\r\n');
  });
});

describe.if(haveRedis)("DEBUG, SLOWLOG and LATENCY with debugging enabled", () => {
  let d: Differential;
  withDifferential(
    (started) => {
      d = started;
    },
    ["--enable-debug-command", "yes", "--slowlog-log-slower-than", "0"],
  );

  test("DEBUG subcommands and errors", async () => {
    await d.same("DEBUG", "foo");
    await d.same("DEBUG", "SLEEP");
    await d.same("DEBUG", "SET-ACTIVE-EXPIRE", "1");
    await d.same("DEBUG", "OBJECT", "nokey");
    await d.same("SET", "k", "hello");
    await d.same("SET", "n", "12345");
    const [a, b] = await d.both("DEBUG", "OBJECT", "k");
    const norm = (s: string) => s.replace(/at:0x[0-9a-f]+/, "at:X").replace(/lru:\d+ lru_seconds_idle:\d+/, "lru:L");
    expect(norm(b)).toBe(norm(a));
    const [a2, b2] = await d.both("DEBUG", "OBJECT", "n");
    expect(norm(b2)).toBe(norm(a2));
    await d.same("DEBUG", "POPULATE", "3", "p", "10");
    await d.same("MGET", "p:0", "p:2", "p:3");
  });

  test("DEBUG SLEEP blocks every client", async () => {
    const other = await RawClient.connect(d.respd.port);
    const t0 = Date.now();
    d.respdClient.write("*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$3\r\n0.3\r\n");
    await new Promise((r) => setTimeout(r, 50));
    expect(await call(other, "PING")).toBe("+PONG\r\n");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(await d.respdClient.readReply()).toBe("+OK\r\n");
    other.close();
  });

  test("SET-ACTIVE-EXPIRE 0 leaves expired keys to lazy expiry", async () => {
    const c = d.respdClient;
    await call(c, "FLUSHALL");
    await call(c, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    await call(c, "SET", "e", "1", "PX", "20");
    await new Promise((r) => setTimeout(r, 400));
    expect(await call(c, "INFO", "keyspace")).toContain("db0:keys=1,expires=1");
    await call(c, "DEBUG", "SET-ACTIVE-EXPIRE", "1");
    await new Promise((r) => setTimeout(r, 400));
    expect(await call(c, "INFO", "keyspace")).not.toContain("db0:");
  });

  test("SLOWLOG with slowlog-log-slower-than 0", async () => {
    await d.same("SLOWLOG", "RESET");
    await d.same("SET", "s", "1");
    await d.same("SLOWLOG", "LEN");
    const raw = await call(d.respdClient, "SLOWLOG", "GET", "1");
    expect(raw).toMatch(
      /^\*1\r\n\*6\r\n:\d+\r\n:\d{10}\r\n:\d+\r\n\*1\r\n\$7\r\nSLOWLOG\r\n|^\*1\r\n\*6\r\n:\d+\r\n:\d{10}\r\n:\d+\r\n\*2\r\n\$7\r\nSLOWLOG\r\n\$3\r\nLEN\r\n\$15\r\n127\.0\.0\.1:\d+\r\n\$0\r\n\r\n$/,
    );
    const r = new Redis({ port: d.respd.port, host: "127.0.0.1", lazyConnect: true });
    await r.connect();
    await r.call("CLIENT", "SETNAME", "slowpoke");
    await r.set("big", "v".repeat(200));
    const entries = (await r.call("SLOWLOG", "GET", "2")) as unknown[][];
    const set = entries.find((e) => (e[3] as string[])[0] === "set") as unknown[];
    expect(set[3]).toEqual(["set", "big", `${"v".repeat(128)}... (72 more bytes)`]);
    expect(set[5]).toBe("slowpoke");
    // CONFIG RESETSTAT leaves the slow log alone.
    await r.call("CONFIG", "RESETSTAT");
    expect(Number(await r.call("SLOWLOG", "LEN"))).toBeGreaterThan(0);
    r.disconnect();
  });

  test("LATENCY records command spikes over the threshold", async () => {
    const c = d.respdClient;
    expect(await call(c, "CONFIG", "SET", "latency-monitor-threshold", "10")).toBe("+OK\r\n");
    await call(c, "DEBUG", "SLEEP", "0.03");
    await call(c, "PING");
    const latest = await call(c, "LATENCY", "LATEST");
    expect(latest).toMatch(/^\*1\r\n\*4\r\n\$7\r\ncommand\r\n:\d{10}\r\n:(\d+)\r\n:\d+\r\n$/);
    expect(Number(/:(\d+)\r\n:\d+\r\n$/.exec(latest)?.[1])).toBeGreaterThanOrEqual(30);
    expect(await call(c, "LATENCY", "HISTORY", "command")).toMatch(/^\*1\r\n\*2\r\n:\d{10}\r\n:\d+\r\n$/);
    expect(await call(c, "LATENCY", "DOCTOR")).toContain("1. command: 1 latency spikes");
    expect(await call(c, "LATENCY", "RESET", "command", "nope")).toBe(":1\r\n");
    expect(await call(c, "LATENCY", "LATEST")).toBe("*0\r\n");
  });
});

describe("clients", () => {
  test("redis-cli INFO and the ioredis ready check", async () => {
    const s = await startRespd();
    try {
      const text = cli(s.port, ["INFO", "server"]);
      expect(text).toContain("redis_version:7.0.15");
      expect(text.split(/\r?\n/)[0]).toBe("# Server");
      // ioredis's default ready check parses INFO's loading: field.
      const r = new Redis({ port: s.port, host: "127.0.0.1" });
      await new Promise<void>((res, rej) => {
        r.once("ready", () => res());
        r.once("error", rej);
      });
      expect(await r.ping()).toBe("PONG");
      r.disconnect();
    } finally {
      await s.stop();
    }
  });
});

describe("SHUTDOWN", () => {
  test("by command: no reply, exit 0, log line", async () => {
    const s = await startRespd();
    const c = await RawClient.connect(s.port);
    c.write("*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n");
    expect(await c.waitClosed(5000)).toBe(true);
    expect(c.pending()).toBe("");
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain("User requested shutdown...");
  });

  test("by SIGTERM: exit 0, log line", async () => {
    const s = await startRespd();
    s.proc.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain("Received SIGTERM scheduling shutdown...");
    expect(s.output()).toContain("ready to exit, bye bye...");
  });
});
