/**
 * In-process checks of what the list commands propagate (the AOF/replica
 * form Redis 7.0 writes, checked against its appendonly file) and of the
 * blocking machinery's edges that the black-box tests cannot see.
 */
import { expect, test } from "bun:test";
import { Blocked } from "../../engine/blocking.ts";
import { createTestEngine } from "../../engine/testing.ts";
import { NULL_ARRAY } from "../../resp/reply.ts";
import { timeoutArg } from "./blocking.ts";

test("a served BLPOP/BRPOP propagates as LPOP/RPOP key after the push that woke it", async () => {
  const t = createTestEngine();
  const waiter = t.newClient();
  const blocked = waiter.exec("BLPOP", "nokey", "k", "0");
  expect(blocked).toBeInstanceOf(Blocked);
  expect(t.propagated).toEqual([]);
  expect(t.exec("RPUSH", "k", "a", "b")).toBe(2);
  expect(await (blocked as Blocked).promise).toEqual(["k", "a"]);
  const right = waiter.exec("BRPOP", "j", "0") as Blocked;
  t.exec("LPUSH", "j", "x");
  expect(await right.promise).toEqual(["j", "x"]);
  expect(t.propagated).toEqual([
    [0, ["RPUSH", "k", "a", "b"]],
    [0, ["LPOP", "k"]],
    [0, ["LPUSH", "j", "x"]],
    [0, ["RPOP", "j"]],
  ]);
  expect(t.exec("LRANGE", "k", "0", "-1")).toEqual(["b"]);
  expect(t.exec("EXISTS", "j")).toBe(0);
});

test("served BLMOVE / BRPOPLPUSH / BLMPOP propagate as LMOVE (lower-case sides) / RPOPLPUSH / LPOP key n", async () => {
  const t = createTestEngine();
  const a = t.newClient();
  const b = t.newClient();
  const c = t.newClient();
  const move = a.exec("BLMOVE", "s", "d", "LEFT", "RIGHT", "0") as Blocked;
  const rpl = b.exec("BRPOPLPUSH", "s", "e", "0") as Blocked;
  const mpop = c.exec("BLMPOP", "0", "1", "s", "RIGHT", "COUNT", "5") as Blocked;
  t.exec("RPUSH", "s", "1", "2", "3", "4");
  expect(await move.promise).toBe("1");
  expect(await rpl.promise).toBe("4");
  expect(await mpop.promise).toEqual(["s", ["3", "2"]]);
  expect(t.propagated.map(([, argv]) => argv)).toEqual([
    ["RPUSH", "s", "1", "2", "3", "4"],
    ["LMOVE", "s", "d", "left", "right"],
    ["RPOPLPUSH", "s", "e"],
    ["RPOP", "s", "2"],
  ]);
});

test("served immediately, the blocking commands propagate as their non-blocking twins", () => {
  const t = createTestEngine();
  t.exec("RPUSH", "s", "1", "2", "3", "4", "5");
  t.propagated.length = 0;
  expect(t.exec("BLPOP", "nokey", "s", "0")).toEqual(["s", "1"]);
  expect(t.exec("BLMOVE", "s", "d", "Left", "RIGHT", "0")).toBe("2");
  expect(t.exec("BRPOPLPUSH", "s", "d", "0")).toBe("5");
  expect(t.exec("BLMPOP", "0", "1", "s", "LEFT", "COUNT", "9")).toEqual(["s", ["3", "4"]]);
  expect(t.exec("LMPOP", "1", "d", "RIGHT", "COUNT", "1")).toEqual(["d", ["2"]]);
  // Writes that change nothing are not propagated (LTRIM of the whole list, pops of a missing key).
  t.exec("LTRIM", "d", "0", "-1");
  t.exec("LPOP", "nokey");
  t.exec("LPUSH", "q", "z");
  t.exec("LPOP", "q", "3");
  expect(t.propagated.map(([, argv]) => argv)).toEqual([
    ["LPOP", "s"],
    ["LMOVE", "s", "d", "Left", "RIGHT"],
    ["RPOPLPUSH", "s", "d"],
    ["LPOP", "s", "2"],
    ["RPOP", "d", "1"],
    ["LPUSH", "q", "z"],
    ["LPOP", "q", "3"],
  ]);
});

test("a waiter whose keys hold another type keeps waiting; CLIENT UNBLOCK frees it", async () => {
  const t = createTestEngine();
  const w = t.newClient();
  const blocked = w.exec("BLPOP", "k", "0") as Blocked;
  t.exec("SET", "k", "str");
  expect(t.engine.blocking.isBlocked(w.client)).toBe(true);
  expect(t.exec("CLIENT", "UNBLOCK", String(w.client.id))).toBe(1);
  expect(await blocked.promise).toBe(NULL_ARRAY);
  expect(t.engine.blocking.size).toBe(0);
});

test("timeouts parse like Redis: long double seconds, rounded up to ms", () => {
  expect(timeoutArg("0")).toBe(0);
  expect(timeoutArg("0.1")).toBe(100);
  expect(timeoutArg("1.5")).toBe(1500);
  expect(timeoutArg("0.0001")).toBe(1);
  expect(timeoutArg("1e-400")).toBe(1);
  expect(timeoutArg("-0.0001")).toBe(0);
  expect(timeoutArg("-0")).toBe(0);
  expect(timeoutArg("0x10")).toBe(16000);
  expect(timeoutArg("9223372036854775")).toBe(9223372036854775000);
  expect(() => timeoutArg("-1")).toThrow("ERR timeout is negative");
  expect(() => timeoutArg("inf")).toThrow("ERR timeout is negative");
  expect(() => timeoutArg("1e400")).toThrow("ERR timeout is negative");
  expect(() => timeoutArg("9223372036854775807")).toThrow("ERR timeout is negative");
  expect(() => timeoutArg("nan")).toThrow("ERR timeout is not a float or out of range");
  expect(() => timeoutArg(" 1")).toThrow("ERR timeout is not a float or out of range");
  expect(() => timeoutArg("")).toThrow("ERR timeout is not a float or out of range");
});
