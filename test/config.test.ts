/** CONFIG GET/SET/REWRITE and startup config loading, against the real redis-server where deterministic. */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Differential } from "./helpers/diff.ts";
import { call, RawClient } from "./helpers/raw.ts";
import { freePort, redisServerPath, requireRedisInCI, respdCommand, selectedRuntime, startRedis, startRespd } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";

const haveRedis = requireRedisInCI();

/** Parses a flat RESP2 array of bulk strings into [name, value] pairs. */
function pairs(raw: string): Map<string, string> {
  const lines = raw.split("\r\n");
  const items: string[] = [];
  for (let i = 1; i < lines.length - 1; i += 2) items.push(lines[i + 1] as string);
  const m = new Map<string, string>();
  for (let i = 0; i < items.length; i += 2) m.set(items[i] as string, items[i + 1] as string);
  return m;
}

describe.if(haveRedis)("CONFIG vs redis-server", () => {
  let d: Differential;
  withDifferential((started) => {
    d = started;
  });

  test("CONFIG GET * lists the same parameters with the same defaults", async () => {
    const [a, b] = await d.both("CONFIG", "GET", "*");
    const redis = pairs(a);
    const respd = pairs(b);
    expect([...respd.keys()].sort()).toEqual([...redis.keys()].sort());
    // Values that legitimately differ: where each server listens and runs.
    for (const k of ["port", "dir"]) {
      redis.delete(k);
      respd.delete(k);
    }
    expect(Object.fromEntries([...respd].sort())).toEqual(Object.fromEntries([...redis].sort()));
  });

  test("CONFIG GET of single names, aliases and case", async () => {
    for (const name of [
      "save",
      "appendonly",
      "maxmemory",
      "databases",
      "timeout",
      "hash-max-listpack-entries",
      "hash-max-ziplist-entries",
      "zset-max-listpack-value",
      "list-max-listpack-size",
      "set-max-intset-entries",
      "notify-keyspace-events",
      "client-output-buffer-limit",
      "repl-backlog-size",
      "slave-read-only",
      "SLAVE-READ-ONLY",
      "Maxmemory-Policy",
      "lua-time-limit",
      "nope",
    ]) {
      await d.same("CONFIG", "GET", name);
    }
    await d.same("CONFIG", "GET", "maxmemory", "maxmemory");
    await d.sameUnordered("CONFIG", "GET", "replica-read*");
    const [a, b] = await d.both("CONFIG", "GET", "max*", "slave-*");
    expect(pairs(b)).toEqual(pairs(a));
  });

  test("CONFIG SET errors are Redis's, byte for byte", async () => {
    const cases: string[][] = [
      ["CONFIG", "SET", "port"],
      ["CONFIG", "SET", "foo", "bar"],
      ["CONFIG", "SET", "maxmemory", "abc"],
      ["CONFIG", "SET", "maxmemory", "-1"],
      ["CONFIG", "SET", "maxmemory", "1.5mb"],
      ["CONFIG", "SET", "hz", "5", "hz", "6"],
      ["CONFIG", "SET", "hz", "5", "HZ", "6"],
      ["CONFIG", "SET", "databases", "5"],
      ["CONFIG", "SET", "databases", "1", "nope", "1"],
      ["CONFIG", "SET", "protected-mode", "yes", "nope", "1"],
      ["CONFIG", "SET", "x", "1", "port"],
      ["CONFIG", "SET", "maxclients", "0"],
      ["CONFIG", "SET", "loglevel", "bad"],
      ["CONFIG", "SET", "appendonly", "maybe"],
      ["CONFIG", "SET", "port", "+5"],
      ["CONFIG", "SET", "port", "99999"],
      ["CONFIG", "SET", "port", "abc"],
      ["CONFIG", "SET", "save", "1 2 3"],
      ["CONFIG", "SET", "slowlog-log-slower-than", "-5"],
      ["CONFIG", "SET", "notify-keyspace-events", "Q"],
      ["CONFIG", "SET", "client-output-buffer-limit", "master 1 2 3"],
      ["CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"],
      ["CONFIG", "SET", "unixsocketperm", "800"],
      ["CONFIG", "SET", "dir", "/tmp"],
      ["CONFIG", "SET", "dbfilename", "x.rdb"],
      ["CONFIG", "FOO"],
      ["CONFIG"],
      ["CONFIG", "GET"],
      ["CONFIG", "HELP"],
      ["CONFIG", "REWRITE"],
    ];
    for (const c of cases) await d.same(...c);
  });

  test("CONFIG SET normalises values like Redis", async () => {
    const sets: [string, string][] = [
      ["maxmemory", "1K"],
      ["maxmemory", "2mb"],
      ["notify-keyspace-events", "KEA"],
      ["notify-keyspace-events", "Exg$"],
      ["client-output-buffer-limit", "normal 1mb 2mb 3 replica 1 2 3"],
      ["save", "100 10 50 5"],
      ["loglevel", "WARNING"],
      ["appendonly", "YES"],
      ["hz", "0"],
      ["hz", "1000"],
      ["maxmemory-clients", "10%"],
      ["slave-read-only", "no"],
      // Multi-arg enums are bit flags: any order and repeats in, the table's order out.
      ["shutdown-on-sigint", "force now nosave"],
      ["shutdown-on-sigint", "now now"],
      ["shutdown-on-sigint", "default save"],
      ["shutdown-on-sigint", "default"],
    ];
    for (const [k, v] of sets) {
      await d.same("CONFIG", "SET", k, v);
      await d.same("CONFIG", "GET", k);
    }
    await d.same("CONFIG", "SET", "slave-read-only", "yes", "replica-read-only", "no");
    await d.same("CONFIG", "GET", "replica-read-only");
    for (const [k, v] of [
      ["appendonly", "no"],
      ["hz", "10"],
      ["loglevel", "notice"],
    ] as const) {
      await d.same("CONFIG", "SET", k, v);
    }
  });

  test("CONFIG SET is all or nothing", async () => {
    await d.same("CONFIG", "SET", "timeout", "5", "maxmemory", "x");
    await d.same("CONFIG", "GET", "timeout");
    await d.same("CONFIG", "SET", "timeout", "5", "maxmemory", "7");
    await d.same("CONFIG", "GET", "timeout");
    await d.same("CONFIG", "SET", "timeout", "0", "maxmemory", "0");
  });
});

describe("CONFIG SET side effects", () => {
  test("maxclients, timeout and hz take effect", async () => {
    const s = await startRespd();
    try {
      const c = await RawClient.connect(s.port);
      expect(await call(c, "CONFIG", "SET", "maxclients", "1")).toBe("+OK\r\n");
      const extra = await RawClient.connect(s.port);
      expect(await extra.readReply()).toBe("-ERR max number of clients reached\r\n");
      expect(await call(c, "CONFIG", "SET", "maxclients", "100", "hz", "20")).toBe("+OK\r\n");
      expect(await call(c, "INFO", "server")).toContain("\r\nhz:20\r\n");
      expect(await call(c, "CONFIG", "SET", "timeout", "1")).toBe("+OK\r\n");
      const idle = await RawClient.connect(s.port);
      expect(await idle.waitClosed(4000)).toBe(true);
      c.close();
    } finally {
      await s.stop();
    }
  });
});

function writeConf(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe.if(haveRedis)("CONFIG REWRITE", () => {
  test("keeps comments and unknown lines, rewrites in place, appends the rest like Redis", async () => {
    const dir = mkdtempSync(join(tmpdir(), "respd-rewrite-"));
    const body = (port: number, inc: string) =>
      `# my comment\nport ${port}\ninclude ${inc}\nslave-read-only yes\nlua-time-limit 100\nmaxmemory 1000\nmaxmemory 2000\n\n\n# end\n`;
    const inc = writeConf(dir, "inc.conf", "hz 20\n");
    const results: string[] = [];
    for (const kind of ["redis", "respd"] as const) {
      const port = await freePort();
      const file = writeConf(dir, `${kind}.conf`, body(port, inc));
      const args = [file, "--save", "", "--bind", "127.0.0.1"];
      let proc: { stop(): Promise<number | null> } & { port: number };
      if (kind === "redis") {
        const bin = redisServerPath() as string;
        const { spawn } = await import("node:child_process");
        const child = spawn(bin, args, { stdio: "ignore" });
        await new Promise((r) => setTimeout(r, 300));
        proc = {
          port,
          stop: async () => {
            child.kill("SIGTERM");
            return 0;
          },
        };
      } else {
        const [cmd, cargs] = respdCommand(selectedRuntime(), args);
        const { spawn } = await import("node:child_process");
        const child = spawn(cmd, cargs, { stdio: "ignore", cwd: dir });
        const deadline = Date.now() + 10000;
        for (;;) {
          try {
            (await RawClient.connect(port)).close();
            break;
          } catch {
            if (Date.now() > deadline) throw new Error("respd did not start");
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        proc = {
          port,
          stop: async () => {
            child.kill("SIGTERM");
            return 0;
          },
        };
      }
      const c = await RawClient.connect(port);
      expect(await call(c, "CONFIG", "SET", "maxmemory", "10mb", "timeout", "7")).toBe("+OK\r\n");
      expect(await call(c, "CONFIG", "REWRITE")).toBe("+OK\r\n");
      c.close();
      await proc.stop();
      results.push(readFileSync(file, "latin1").replace(String(port), "PORT"));
    }
    const [redis, respd] = results as [string, string];
    const split = (t: string) => {
      const at = t.indexOf("# Generated by CONFIG REWRITE\n");
      const head = t.slice(0, at);
      const tail = t
        .slice(at)
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("dir ") && !l.startsWith("user "));
      return { head, tail: tail.sort() };
    };
    expect(split(respd).head).toBe(split(redis).head);
    expect(split(respd).tail).toEqual(split(redis).tail);
    expect(respd).toContain("maxmemory 10mb\n");
    // The rewritten file loads back with the new values.
    const port = await freePort();
    const file = join(dir, "respd.conf");
    writeFileSync(file, readFileSync(file, "latin1").replace(/^port \d+$/m, `port ${port}`));
    const [cmd, cargs] = respdCommand(selectedRuntime(), [file, "--save", ""]);
    const { spawn } = await import("node:child_process");
    const child = spawn(cmd, cargs, { stdio: "ignore", cwd: dir });
    try {
      const deadline = Date.now() + 10000;
      let c: RawClient | null = null;
      while (!c) {
        try {
          c = await RawClient.connect(port);
        } catch {
          if (Date.now() > deadline) throw new Error("respd did not restart");
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      expect(await call(c, "CONFIG", "GET", "timeout")).toBe("*2\r\n$7\r\ntimeout\r\n$1\r\n7\r\n");
      expect(await call(c, "CONFIG", "GET", "hz")).toBe("*2\r\n$2\r\nhz\r\n$2\r\n20\r\n");
      expect(await call(c, "CONFIG", "GET", "busy-reply-threshold")).toContain("100");
      c.close();
    } finally {
      child.kill("SIGTERM");
    }
  }, 30000);
});

/** Runs a server binary that should refuse to start; returns [exit code, stdout, stderr]. */
function runFailing(cmd: string, args: string[], cwd: string): [number | null, string, string] {
  const r = spawnSync(cmd, args, { cwd, encoding: "latin1", timeout: 15000 });
  return [r.status, r.stdout ?? "", r.stderr ?? ""];
}

describe.if(haveRedis)("bad configuration exits 1 with Redis's banner", () => {
  const dir = mkdtempSync(join(tmpdir(), "respd-badconf-"));
  const cases: [string, string | null, string[]][] = [
    ["unknown directive", "port 7700\nfoo bar\n", []],
    ["bad memory value", "port 7700\nmaxmemory abc\n", []],
    ["unbalanced quotes", 'port "7700\n', []],
    ["extra argument", "port 7700 7701\n", []],
    ["bad save", 'port 7700\nsave "3600 1" 5\n', []],
    ["enum outside 7.0's values", null, ["--port", "7700", "--loglevel", "nothing"]],
    ["unknown option on the command line", null, ["--port", "7700", "--nosuch", "1"]],
    ["file then bad option", "port 7700\n", ["--foo", "1"]],
    ["bare word after an option", null, ["--port", "7701", "bare"]],
    // An option name with no value yet takes the next --word as its value (Redis 7.0's main()).
    ["option without a value", null, ["--port"]],
    ["last option without a value", null, ["--port", "7702", "--loglevel"]],
    ["--words as an option's values", null, ["--port", "--loglevel", "verbose"]],
    ["a --word as an integer", null, ["--port", "--bla", "--loglevel", "verbose"]],
    ["a --word as an enum", null, ["--logfile", "--my--log--file", "--loglevel", "--bla"]],
    ["multi-arg enum with no value", null, ["--shutdown-on-sigint", "now force", "--shutdown-on-sigterm"]],
    ["a --word as a replicaof host", null, ["--replicaof", "--127.0.0.1", "--abc"]],
  ];
  for (const [name, text, extra] of cases) {
    test(name, () => {
      const args = text === null ? extra : [writeConf(dir, `${name.replace(/ /g, "_")}.conf`, text), ...extra];
      const [rc, , err] = runFailing(redisServerPath() as string, args, dir);
      const [cmd, cargs] = respdCommand(selectedRuntime(), args);
      const [rc2, , err2] = runFailing(cmd, cargs, dir);
      expect(rc).toBe(1);
      expect(rc2).toBe(1);
      expect(err2).toBe(err);
    });
  }
  test("missing config file is a fatal log line", () => {
    const args = [join(dir, "missing.conf")];
    const [, out] = runFailing(redisServerPath() as string, args, dir);
    const [cmd, cargs] = respdCommand(selectedRuntime(), args);
    const [rc2, out2] = runFailing(cmd, cargs, dir);
    expect(rc2).toBe(1);
    const msg = (s: string) => s.slice(s.indexOf(" # ") + 3);
    expect(msg(out2)).toBe(msg(out));
  });
  test("missing include is a fatal log line", () => {
    const args = [writeConf(dir, "inc-missing.conf", `include ${join(dir, "nope.conf")}\n`)];
    const [, out] = runFailing(redisServerPath() as string, args, dir);
    const [cmd, cargs] = respdCommand(selectedRuntime(), args);
    const [rc2, out2] = runFailing(cmd, cargs, dir);
    expect(rc2).toBe(1);
    const msg = (s: string) => s.slice(s.indexOf(" # ") + 3);
    expect(msg(out2)).toBe(msg(out));
  });
});

test("config file plus argv options, quotes, units and include", async () => {
  const dir = mkdtempSync(join(tmpdir(), "respd-conf-"));
  const inc = writeConf(dir, "extra.conf", "maxmemory 2mb\n# comment\n");
  const file = writeConf(
    dir,
    "main.conf",
    `# respd test\nhz 15\nrequirepass "p@ss word"\ninclude ${inc}\nsave 100 1\nsave 200 2\nlist-max-ziplist-entries 5\n`,
  );
  // startRespd puts its own flags first, and a config file must come first: spawn by hand.
  const port = await freePort();
  const [cmd, args] = respdCommand(selectedRuntime(), [file, "--port", String(port), "--timeout", "9", "--maxclients", "77"]);
  const { spawn } = await import("node:child_process");
  const child = spawn(cmd, args, { stdio: "ignore", cwd: dir });
  try {
    let c: RawClient | null = null;
    const deadline = Date.now() + 10000;
    while (!c) {
      try {
        c = await RawClient.connect(port);
      } catch {
        if (Date.now() > deadline) throw new Error("respd did not start");
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(await call(c, "AUTH", "p@ss word")).toBe("+OK\r\n");
    const get = async (k: string) => pairs(await call(c as RawClient, "CONFIG", "GET", k)).get(k);
    expect(await get("hz")).toBe("15");
    expect(await get("maxmemory")).toBe(String(2 * 1024 * 1024));
    expect(await get("save")).toBe("100 1 200 2");
    expect(await get("timeout")).toBe("9");
    expect(await get("maxclients")).toBe("77");
    expect(await call(c, "INFO", "server")).toContain(`config_file:${file}\r\n`);
    c.close();
  } finally {
    child.kill("SIGTERM");
  }
});

test.if(haveRedis)('`--save ""` style argv passing matches redis-server', async () => {
  const r = await startRedis(["--maxmemory", "3mb", "--notify-keyspace-events", "Kx"]);
  const s = await startRespd({ args: ["--maxmemory", "3mb", "--notify-keyspace-events", "Kx"] });
  try {
    const a = await RawClient.connect((r as NonNullable<typeof r>).port);
    const b = await RawClient.connect(s.port);
    for (const k of ["save", "maxmemory", "notify-keyspace-events", "bind"]) {
      expect(await call(b, "CONFIG", "GET", k)).toBe(await call(a, "CONFIG", "GET", k));
    }
    a.close();
    b.close();
  } finally {
    await r?.stop();
    await s.stop();
  }
});

test('a bare --save before another option, or last, means save "" (Redis 7.0.1\'s rule)', async () => {
  for (const args of [
    ["--save", "--loglevel", "verbose"],
    ["--loglevel", "verbose", "--save"],
  ]) {
    const s = await startRespd({ args });
    try {
      const c = await RawClient.connect(s.port);
      expect(await call(c, "CONFIG", "GET", "save")).toBe("*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
      expect(await call(c, "CONFIG", "GET", "loglevel")).toBe("*2\r\n$8\r\nloglevel\r\n$7\r\nverbose\r\n");
      c.close();
    } finally {
      await s.stop();
    }
  }
}, 30_000);
