import { describe, expect, test } from "bun:test";
import { Client } from "../engine/client.ts";
import { createTestEngine } from "../engine/testing.ts";
import { ErrorReply, type MapReply, Status, SwitchProtocol } from "../resp/reply.ts";

const err = (r: unknown) => (r instanceof ErrorReply ? r.text : `not an error: ${String(r)}`);

describe("PING / ECHO / SELECT", () => {
  test("PING with and without a message, and in RESP2 pub/sub shape", () => {
    const t = createTestEngine();
    expect(t.exec("PING")).toEqual(new Status("PONG"));
    expect(t.exec("PING", "hi")).toBe("hi");
    expect(err(t.exec("PING", "a", "b"))).toBe("ERR wrong number of arguments for 'ping' command");
    t.client.extraFlags = "P";
    expect(t.exec("PING")).toEqual(["pong", ""]);
    t.client.protocol = 3;
    expect(t.exec("PING", "x")).toBe("x");
  });

  test("SELECT validates like getIntFromObjectOrReply", () => {
    const t = createTestEngine();
    expect(t.exec("SELECT", "3")).toEqual(new Status("OK"));
    expect(t.client.db).toBe(3);
    expect(err(t.exec("SELECT", "x"))).toBe("ERR value is not an integer or out of range");
    expect(err(t.exec("SELECT", "16"))).toBe("ERR DB index is out of range");
    expect(err(t.exec("SELECT", "4294967296"))).toBe("ERR value is out of range, value must between -2147483648 and 2147483647");
  });
});

describe("AUTH", () => {
  test("without requirepass", () => {
    const t = createTestEngine();
    expect(err(t.exec("AUTH", "x"))).toStartWith("ERR AUTH <password> called without any password configured");
    expect(t.exec("AUTH", "default", "anything")).toEqual(new Status("OK"));
    expect(err(t.exec("AUTH", "bob", "x"))).toBe("WRONGPASS invalid username-password pair or user is disabled.");
    expect(err(t.exec("AUTH", "a", "b", "c"))).toBe("ERR syntax error");
  });

  test("with requirepass; failures keep the state; args are redacted for MONITOR/SLOWLOG", () => {
    const t = createTestEngine((c) => c.set("requirepass", "secret"));
    expect(err(t.exec("PING"))).toBe("NOAUTH Authentication required.");
    expect(err(t.exec("AUTH", "nope"))).toStartWith("WRONGPASS");
    expect(t.client.authenticated).toBe(false);
    const argv = ["AUTH", "secret"];
    expect(t.engine.execute(t.client, argv)).toEqual(new Status("OK"));
    expect(argv).toEqual(["AUTH", "(redacted)"]);
    expect(err(t.exec("AUTH", "default", "wrong"))).toStartWith("WRONGPASS");
    expect(t.client.authenticated).toBe(true);
  });
});

describe("HELLO", () => {
  test("switches protocol and replies the server map", () => {
    const t = createTestEngine();
    const r = t.exec("HELLO", "3");
    expect(r).toBeInstanceOf(SwitchProtocol);
    const s = r as SwitchProtocol;
    expect(s.protocol).toBe(3);
    expect(t.client.protocol).toBe(3);
    expect((s.reply as MapReply).entries).toEqual([
      "server",
      "redis",
      "version",
      "7.0.15",
      "proto",
      3,
      "id",
      t.client.id,
      "mode",
      "standalone",
      "role",
      "master",
      "modules",
      [],
    ]);
    expect(((t.exec("HELLO") as SwitchProtocol).reply as MapReply).entries[5]).toBe(3);
  });

  test("errors", () => {
    const t = createTestEngine();
    expect(err(t.exec("HELLO", "4"))).toBe("NOPROTO unsupported protocol version");
    expect(err(t.exec("HELLO", "x"))).toBe("ERR Protocol version is not an integer or out of range");
    expect(err(t.exec("HELLO", "2", "FOO"))).toBe("ERR Syntax error in HELLO option 'FOO'");
    expect(err(t.exec("HELLO", "2", "AUTH", "x"))).toBe("ERR Syntax error in HELLO option 'AUTH'");
    expect(err(t.exec("HELLO", "2", "SETNAME", "a b"))).toBe("ERR Client names cannot contain spaces, newlines or special characters.");
    expect(t.client.protocol).toBe(2);
  });

  test("AUTH and SETNAME apply in order; NOAUTH when still unauthenticated", () => {
    const t = createTestEngine((c) => c.set("requirepass", "pw"));
    expect(err(t.exec("HELLO", "3", "SETNAME", "n"))).toStartWith("NOAUTH HELLO must be called");
    expect(t.client.name).toBe("n");
    expect(t.client.protocol).toBe(2);
    expect(err(t.exec("HELLO", "3", "AUTH", "default", "bad"))).toStartWith("WRONGPASS");
    expect(t.exec("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "m")).toBeInstanceOf(SwitchProtocol);
    expect(t.client.name).toBe("m");
    expect(t.client.authenticated).toBe(true);
  });
});

describe("RESET and QUIT", () => {
  test("RESET restores a fresh connection's state and runs the reset hooks", () => {
    const t = createTestEngine((c) => c.set("requirepass", "pw"));
    t.exec("AUTH", "pw");
    t.exec("HELLO", "3", "SETNAME", "n");
    t.exec("SELECT", "5");
    t.exec("CLIENT", "NO-EVICT", "on");
    t.exec("CLIENT", "NO-TOUCH", "on");
    t.client.monitor = true;
    t.client.replyMode = "off";
    let hooked = 0;
    const hook = (c: Client) => {
      if (c === t.client) hooked++;
    };
    Client.resetHooks.push(hook);
    try {
      const r = t.exec("RESET");
      expect(r).toEqual(new SwitchProtocol(2, new Status("RESET")));
    } finally {
      Client.resetHooks.splice(Client.resetHooks.indexOf(hook), 1);
    }
    const c = t.client;
    expect([c.db, c.protocol, c.name, c.replyMode, c.monitor, c.noTouch, c.authenticated]).toEqual([0, 2, "", "on", false, false, false]);
    expect(c.noEvict).toBe(true); // 7.0 keeps NO-EVICT across RESET
    expect(hooked).toBe(1);
  });

  test("RESET is refused for replication links", () => {
    const t = createTestEngine();
    t.client.extraFlags = "S";
    expect(err(t.exec("RESET"))).toBe("ERR can only reset normal client connections");
  });

  test("QUIT replies OK and marks the client closing; extra args are ignored", () => {
    const t = createTestEngine();
    expect(t.exec("QUIT", "x", "y")).toEqual(new Status("OK"));
    expect(t.client.closing).toBe(true);
  });
});
