import { describe, expect, test } from "bun:test";
import { NO_REPLY } from "../engine/command.ts";
import { POSTPONED } from "../engine/engine.ts";
import { createTestEngine } from "../engine/testing.ts";
import { ErrorReply, MapReply, SetReply, Status, type Verbatim } from "../resp/reply.ts";

const OK = new Status("OK");
const err = (r: unknown) => (r instanceof ErrorReply ? r.text : `not an error: ${String(r)}`);
const text = (r: unknown) => (r as Verbatim).text;

describe("CLIENT SETNAME / GETNAME / ID / SETINFO", () => {
  test("names", () => {
    const t = createTestEngine();
    expect(t.exec("CLIENT", "GETNAME")).toBeNull();
    expect(t.exec("CLIENT", "SETNAME", "~!@#$%^&*()")).toEqual(OK);
    expect(t.exec("client", "getname")).toBe("~!@#$%^&*()");
    for (const bad of ["a b", "a\n", "a\x7f", "a\x80", "a\0"]) {
      expect(err(t.exec("CLIENT", "SETNAME", bad))).toBe("ERR Client names cannot contain spaces, newlines or special characters.");
    }
    expect(t.exec("CLIENT", "SETNAME", "")).toEqual(OK);
    expect(t.exec("CLIENT", "GETNAME")).toBeNull();
    expect(t.exec("CLIENT", "ID")).toBe(t.client.id);
    expect(err(t.exec("CLIENT", "ID", "x"))).toBe("ERR wrong number of arguments for 'client|id' command");
    expect(err(t.exec("CLIENT", "nope"))).toBe("ERR unknown subcommand 'nope'. Try CLIENT HELP.");
  });

  test("SETINFO (7.2)", () => {
    const t = createTestEngine();
    expect(t.exec("CLIENT", "SETINFO", "LIB-NAME", "redis-py")).toEqual(OK);
    expect(t.exec("CLIENT", "SETINFO", "lib-ver", "1.2")).toEqual(OK);
    expect([t.client.libName, t.client.libVer]).toEqual(["redis-py", "1.2"]);
    expect(err(t.exec("CLIENT", "SETINFO", "foo", "x"))).toBe("ERR Unrecognized option 'foo'");
    expect(err(t.exec("CLIENT", "SETINFO", "lib-NAME", "a b"))).toBe("ERR lib-NAME cannot contain spaces, newlines or special characters.");
    expect(text(t.exec("CLIENT", "INFO"))).toEndWith(" lib-name=redis-py lib-ver=1.2\n");
  });
});

describe("CLIENT LIST / INFO", () => {
  test("line format, flags and filters", () => {
    const t = createTestEngine();
    const other = t.newClient();
    other.exec("SELECT", "2");
    other.exec("CLIENT", "SETNAME", "bob");
    other.exec("CLIENT", "NO-EVICT", "on");
    const info = text(t.exec("CLIENT", "INFO"));
    expect(info).toMatch(
      /^id=1 addr=127\.0\.0\.1:1 laddr=127\.0\.0\.1:6379 fd=\d+ name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=\d+ rbp=\d+ obl=0 oll=0 omem=0 tot-mem=\d+ events=r cmd=client\|info user=default redir=-1 resp=2 lib-name= lib-ver=\n$/,
    );
    const all = text(t.exec("CLIENT", "LIST")).split("\n");
    expect(all.length).toBe(3);
    expect(all[1]).toContain("name=bob");
    expect(all[1]).toContain(" flags=e db=2 ");
    expect(all[1]).toContain(" cmd=client|no-evict ");
    expect(all[0]).toContain(" cmd=client|list ");
    expect(text(t.exec("CLIENT", "LIST", "ID", String(other.client.id), "999", String(other.client.id))).split("\n").length).toBe(3);
    expect(err(t.exec("CLIENT", "LIST", "ID", "1", "x"))).toBe("ERR Invalid client ID");
    expect(err(t.exec("CLIENT", "LIST", "TYPE", "foo"))).toBe("ERR Unknown client type 'foo'");
    expect(err(t.exec("CLIENT", "LIST", "x"))).toBe("ERR syntax error");
    expect(text(t.exec("CLIENT", "LIST", "TYPE", "pubsub"))).toBe("");
    other.client.extraFlags = "P";
    other.client.sub = 2;
    expect(text(t.exec("CLIENT", "LIST", "TYPE", "PUBSUB"))).toContain(" flags=Pe db=2 sub=2 ");
    other.client.monitor = true;
    other.client.extraFlags = "";
    expect(text(t.exec("CLIENT", "LIST", "TYPE", "normal"))).toContain(" flags=Oe ");
    other.client.monitor = false;
  });
});

describe("CLIENT KILL", () => {
  test("filters, counts and errors", () => {
    const t = createTestEngine();
    const a = t.newClient();
    const b = t.newClient();
    expect(err(t.exec("CLIENT", "KILL", "1.2.3.4:5"))).toBe("ERR No such client");
    expect(err(t.exec("CLIENT", "KILL", "ID", "0"))).toBe("ERR client-id should be greater than 0");
    expect(err(t.exec("CLIENT", "KILL", "TYPE", "x"))).toBe("ERR Unknown client type 'x'");
    expect(err(t.exec("CLIENT", "KILL", "USER", "nobody"))).toBe("ERR No such user 'nobody'");
    expect(err(t.exec("CLIENT", "KILL", "SKIPME", "maybe"))).toBe("ERR syntax error");
    expect(err(t.exec("CLIENT", "KILL", "ID", "1", "FOO"))).toBe("ERR syntax error");
    expect(t.exec("CLIENT", "KILL", "ID", "999")).toBe(0);
    expect(t.exec("CLIENT", "KILL", "ID", String(a.client.id))).toBe(1);
    expect(a.client.closing).toBe(true);
    expect(t.engine.clients.has(a.client.id)).toBe(false);
    // All three share one address in the test engine: SKIPME yes (the default) spares the caller.
    expect(t.exec("CLIENT", "KILL", "ADDR", "127.0.0.1:1")).toBe(1);
    expect(b.client.closing).toBe(true);
    expect(t.client.closing).toBe(false);
    expect(t.exec("CLIENT", "KILL", "USER", "default", "SKIPME", "no")).toBe(1);
    expect(t.client.closing).toBe(true);
  });

  test("the old form may kill the caller and replies OK", () => {
    const t = createTestEngine();
    expect(t.exec("CLIENT", "KILL", "127.0.0.1:1")).toEqual(OK);
    expect(t.client.closing).toBe(true);
  });
});

describe("CLIENT REPLY / NO-EVICT / NO-TOUCH", () => {
  test("REPLY modes", () => {
    const t = createTestEngine();
    expect(t.exec("CLIENT", "REPLY", "SKIP")).toBe(NO_REPLY);
    expect(t.client.skipping).toBe(true);
    expect(t.exec("CLIENT", "REPLY", "ON")).toEqual(OK);
    expect(t.client.skipping).toBe(false);
    expect(t.exec("CLIENT", "REPLY", "OFF")).toBe(NO_REPLY);
    expect(t.exec("CLIENT", "REPLY", "SKIP")).toBe(NO_REPLY);
    expect(t.client.skipNext || t.client.skipping).toBe(false);
    expect(err(t.exec("CLIENT", "REPLY", "maybe"))).toBe("ERR syntax error");
  });

  test("NO-EVICT and NO-TOUCH", () => {
    const t = createTestEngine();
    expect(t.exec("CLIENT", "NO-EVICT", "ON")).toEqual(OK);
    expect(t.client.noEvict).toBe(true);
    expect(t.exec("CLIENT", "NO-TOUCH", "on")).toEqual(OK);
    expect(t.client.noTouch).toBe(true);
    expect(text(t.exec("CLIENT", "INFO"))).toContain(" flags=eT ");
    expect(err(t.exec("CLIENT", "NO-TOUCH", "x"))).toBe("ERR syntax error");
    expect(t.exec("CLIENT", "NO-TOUCH", "off")).toEqual(OK);
    expect(t.client.noTouch).toBe(false);
  });

  test("TRACKINGINFO / GETREDIR / HELP", () => {
    const t = createTestEngine();
    expect(t.exec("CLIENT", "GETREDIR")).toBe(-1);
    expect(t.exec("CLIENT", "TRACKINGINFO")).toEqual(new MapReply(["flags", new SetReply(["off"]), "redirect", -1, "prefixes", []]));
    expect((t.exec("CLIENT", "HELP") as Status[]).length).toBe(48);
  });
});

describe("CLIENT PAUSE / UNPAUSE", () => {
  test("argument errors", () => {
    const t = createTestEngine();
    expect(err(t.exec("CLIENT", "PAUSE", "x"))).toBe("ERR timeout is not an integer or out of range");
    expect(err(t.exec("CLIENT", "PAUSE", "-1"))).toBe("ERR timeout is negative");
    expect(err(t.exec("CLIENT", "PAUSE", "10", "foo"))).toBe("ERR CLIENT PAUSE mode must be WRITE or ALL");
    expect(err(t.exec("CLIENT", "pause", "10", "all", "x"))).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.",
    );
    expect(t.engine.pausedUntil).toBe(0);
  });

  test("the later end and the stricter mode win; which commands are held", () => {
    const t = createTestEngine();
    const other = t.newClient();
    const now = Date.now();
    expect(t.exec("CLIENT", "PAUSE", "100000", "WRITE")).toEqual(OK);
    expect(t.exec("CLIENT", "PAUSE", "10", "WRITE")).toEqual(OK);
    expect(t.engine.pausedUntil).toBeGreaterThanOrEqual(now + 100000);
    expect(t.engine.pauseWritesOnly).toBe(true);
    expect(other.exec("SET", "k", "v")).toBe(POSTPONED);
    expect(other.exec("GET", "k")).toBeNull();
    expect(t.exec("CLIENT", "UNPAUSE")).toEqual(OK);
    expect(other.exec("SET", "k", "v")).toEqual(OK);
    expect(t.exec("CLIENT", "PAUSE", "100000", "WRITE")).toEqual(OK);
    expect(t.exec("CLIENT", "PAUSE", "5")).toEqual(OK);
    expect(t.engine.pauseWritesOnly).toBe(false);
    expect(other.exec("GET", "k")).toBe(POSTPONED);
    // Under ALL even UNPAUSE waits, as in Redis.
    expect(t.exec("CLIENT", "UNPAUSE")).toBe(POSTPONED);
    t.engine.unpause();
  });

  test("PAUSE 0 pauses nothing", () => {
    const t = createTestEngine();
    expect(t.exec("CLIENT", "PAUSE", "0")).toEqual(OK);
    expect(t.exec("SET", "k", "v")).toEqual(OK);
  });
});
