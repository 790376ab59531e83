import { expect, test } from "bun:test";
import { createTestEngine } from "../../engine/testing.ts";
import { ErrorReply, MapReply } from "../../resp/reply.ts";

function setup() {
  const t = createTestEngine();
  const events: string[] = [];
  t.engine.onNotify((cls, event, key) => events.push(`${cls}:${event}:${key}`));
  return { ...t, events };
}

test("HINCRBYFLOAT propagates as HSET with the result; HINCRBY as itself", () => {
  const t = setup();
  expect(t.exec("HINCRBYFLOAT", "h", "f", "1.5")).toBe("1.5");
  expect(t.exec("HINCRBYFLOAT", "h", "f", "0.1")).toBe("1.6");
  expect(t.exec("HINCRBY", "h", "n", "2")).toBe(2);
  expect(t.propagated.map(([, argv]) => argv)).toEqual([
    ["HSET", "h", "f", "1.5"],
    ["HSET", "h", "f", "1.6"],
    ["HINCRBY", "h", "n", "2"],
  ]);
});

test("commands that change nothing are not propagated", () => {
  const t = setup();
  t.exec("HSET", "h", "a", "1");
  t.propagated.length = 0;
  t.exec("HSETNX", "h", "a", "2");
  t.exec("HDEL", "h", "zz");
  t.exec("HDEL", "nokey", "a");
  t.exec("HGET", "h", "a");
  expect(t.exec("HINCRBY", "h", "a", "x")).toBeInstanceOf(ErrorReply);
  expect(t.propagated).toEqual([]);
  // HSET always counts as a change, even when it rewrites the same value (as in Redis).
  t.exec("HSET", "h", "a", "1");
  expect(t.propagated.map(([, argv]) => argv)).toEqual([["HSET", "h", "a", "1"]]);
});

test("keyspace events: new, hset, hincrby, hincrbyfloat, hdel and del when emptied", () => {
  const t = setup();
  t.exec("HSET", "h", "a", "1", "b", "2");
  t.exec("HMSET", "h", "a", "1");
  t.exec("HSETNX", "h", "a", "1");
  t.exec("HSETNX", "h", "c", "1");
  t.exec("HINCRBY", "h", "a", "1");
  t.exec("HINCRBYFLOAT", "h", "a", "1");
  t.exec("HDEL", "h", "zz");
  t.exec("HDEL", "h", "a", "b");
  t.exec("HDEL", "h", "c");
  expect(t.events.filter((e) => !e.startsWith("m:"))).toEqual([
    "n:new:h",
    "h:hset:h",
    "h:hset:h",
    "h:hset:h",
    "h:hincrby:h",
    "h:hincrbyfloat:h",
    "h:hdel:h",
    "h:hdel:h",
    "g:del:h",
  ]);
  expect(t.exec("EXISTS", "h")).toBe(0);
});

test("HGETALL is a map reply; COPY deep-copies a hash", () => {
  const t = setup();
  t.exec("HSET", "h", "a", "1");
  const reply = t.exec("HGETALL", "h");
  expect(reply).toBeInstanceOf(MapReply);
  expect((reply as MapReply).entries).toEqual(["a", "1"]);
  t.exec("COPY", "h", "h2");
  t.exec("HSET", "h2", "a", "2");
  expect(t.exec("HGET", "h", "a")).toBe("1");
});

test("HRANDFIELD refuses a repeat count too large to build, without touching memory", () => {
  const t = setup();
  t.exec("HSET", "h", "a", "1");
  expect(t.exec("HRANDFIELD", "h", "-9223372036854775807")).toBeInstanceOf(ErrorReply);
  expect((t.exec("HRANDFIELD", "h", "-1000") as string[]).length).toBe(1000);
});

test("the listpack thresholds are read from the config at each write", () => {
  const t = setup();
  t.exec("CONFIG", "SET", "hash-max-listpack-entries", "2");
  t.exec("HSET", "h", "a", "1", "b", "2");
  expect(t.exec("OBJECT", "ENCODING", "h")).toBe("listpack");
  t.exec("HSET", "h", "c", "3");
  expect(t.exec("OBJECT", "ENCODING", "h")).toBe("hashtable");
  t.exec("CONFIG", "SET", "hash-max-listpack-value", "3");
  t.exec("HSET", "g", "abc", "123");
  expect(t.exec("OBJECT", "ENCODING", "g")).toBe("listpack");
  t.exec("HSET", "g", "abc", "1234");
  expect(t.exec("OBJECT", "ENCODING", "g")).toBe("hashtable");
});
