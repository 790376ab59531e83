import { describe, expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { ErrorReply, NULL_ARRAY, QUEUED, Status } from "../resp/reply.ts";

const OK = new Status("OK");
const err = (r: unknown) => (r instanceof ErrorReply ? r.text : `not an error: ${String(r)}`);

describe("EXEC propagation (Redis 7.0 propagatePendingCommands)", () => {
  test("several writes leave as one MULTI ... EXEC block; reads and failures are not propagated", () => {
    const t = createTestEngine();
    t.exec("MULTI");
    t.exec("SET", "a", "1");
    t.exec("GET", "a");
    t.exec("LPUSH", "a", "x"); // WRONGTYPE: nothing to propagate
    t.exec("INCR", "a");
    expect(t.exec("EXEC")).toEqual([OK, "1", expect.any(ErrorReply), 2]);
    expect(t.propagated).toEqual([
      [0, ["MULTI"]],
      [0, ["SET", "a", "1"]],
      [0, ["INCR", "a"]],
      [0, ["EXEC"]],
    ]);
  });

  test("one write is propagated alone; a read-only EXEC propagates nothing", () => {
    const t = createTestEngine();
    for (const c of [["MULTI"], ["SET", "a", "1"], ["GET", "a"], ["EXEC"], ["MULTI"], ["GET", "a"], ["EXEC"]]) t.exec(...c);
    expect(t.propagated).toEqual([[0, ["SET", "a", "1"]]]);
  });

  test("the block is emitted in one call per db: MULTI takes the first db, EXEC the last", () => {
    const t = createTestEngine();
    const calls: [number, string[][]][] = [];
    t.engine.onPropagate((db, cmds) => calls.push([db, cmds]));
    for (const c of [["MULTI"], ["SET", "a", "1"], ["SELECT", "2"], ["SET", "b", "1"], ["DEL", "b"], ["EXEC"]]) t.exec(...c);
    expect(calls).toEqual([
      [0, [["MULTI"], ["SET", "a", "1"]]],
      [2, [["SET", "b", "1"], ["DEL", "b"], ["EXEC"]]],
    ]);
  });

  test("rewritten forms (relative expiry) and lazy-expiry DELs are inside the block", () => {
    const t = createTestEngine();
    t.exec("SET", "gone", "1", "PX", "1");
    t.propagated.length = 0;
    Bun.sleepSync(3);
    for (const c of [["MULTI"], ["GET", "gone"], ["SET", "k", "v", "PX", "100000"], ["EXEC"]]) t.exec(...c);
    expect(t.propagated.map(([, a]) => a[0])).toEqual(["MULTI", "DEL", "SET", "EXEC"]);
    expect(t.propagated[2]?.[1]).toEqual(["SET", "k", "v", "PXAT", expect.any(String)]);
  });
});

describe("state", () => {
  test("queueing, counters, CLIENT LIST flags", () => {
    const t = createTestEngine();
    expect(t.exec("MULTI")).toEqual(OK);
    expect(t.client.extraFlags).toContain("x");
    expect(t.exec("SET", "a", "1")).toEqual(QUEUED);
    expect(t.client.multiQueued).toBe(1);
    expect(err(t.exec("MULTI"))).toBe("ERR MULTI calls can not be nested");
    expect(err(t.exec("WATCH", "a"))).toBe("ERR WATCH inside MULTI is not allowed");
    expect(t.exec("EXEC")).toEqual([OK]);
    expect(t.client.multiQueued).toBe(-1);
    expect(t.client.extraFlags).not.toContain("x");
  });

  test("rejections before the gates doom the transaction; later commands are not stored", () => {
    const t = createTestEngine();
    t.exec("MULTI");
    t.exec("SET", "a", "1");
    expect(err(t.exec("SHUTDOWN"))).toBe("ERR Command not allowed inside a transaction");
    expect(t.exec("SET", "b", "1")).toEqual(QUEUED);
    expect(t.client.multiQueued).toBe(1);
    expect(err(t.exec("EXEC"))).toBe("EXECABORT Transaction discarded because of previous errors.");
    expect(t.exec("EXISTS", "a")).toBe(0);
    expect(t.engine.stats.command("shutdown").rejectedCalls).toBe(1);
  });

  test("a refused EXEC says EXECABORT and discards, even outside MULTI (Redis's execCommandAbort)", () => {
    const t = createTestEngine((c) => c.set("requirepass", "pw"));
    expect(err(t.exec("EXEC"))).toBe("EXECABORT Transaction discarded because of: NOAUTH Authentication required.");
    t.exec("AUTH", "pw");
    t.exec("MULTI");
    expect(err(t.exec("EXEC", "x"))).toBe("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
    expect(t.client.multiQueued).toBe(-1);
    expect(t.engine.stats.command("exec").rejectedCalls).toBe(2);
  });

  test("WATCH: a write by another client, RESET and disconnect clean up", () => {
    const t = createTestEngine();
    const b = t.newClient();
    t.exec("WATCH", "k");
    b.exec("SET", "k", "1");
    expect(t.client.extraFlags).toContain("d");
    t.exec("MULTI");
    t.exec("GET", "k");
    expect(t.exec("EXEC")).toBe(NULL_ARRAY);
    t.exec("WATCH", "k");
    t.exec("MULTI");
    t.exec("RESET");
    expect(t.client.multiQueued).toBe(-1);
    expect(t.client.watched).toEqual([]);
    b.exec("WATCH", "z");
    t.engine.removeClient(b.client);
    expect(b.client.watched).toEqual([]);
  });

  test("blocking commands inside EXEC answer at once", () => {
    const t = createTestEngine();
    for (const c of [["MULTI"], ["BLPOP", "l", "0"], ["BLMOVE", "l", "m", "LEFT", "LEFT", "0"], ["BZPOPMIN", "z", "0"]]) t.exec(...c);
    expect(t.exec("EXEC")).toEqual([NULL_ARRAY, null, NULL_ARRAY]);
    expect(t.engine.blocking.size).toBe(0);
  });
});
