/**
 * In-process checks of what the set commands tell the rest of the server:
 * propagation (SPOP as SREM/DEL), keyspace events, dirty counts and key
 * finding. Replies themselves are covered differentially in test/set.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { createTestEngine } from "../../engine/testing.ts";
import type { SetReply } from "../../resp/reply.ts";

function setup() {
  const t = createTestEngine();
  const events: string[] = [];
  t.engine.onNotify((cls, event, key) => events.push(`${cls}:${event}:${key}`));
  const clear = () => {
    events.length = 0;
    t.propagated.length = 0;
  };
  return { t, events, clear };
}

const members = (r: unknown) => (r as SetReply).items as string[];

describe("set command side effects", () => {
  test("SADD/SREM: events only when something changed, del with the last member", () => {
    const { t, events, clear } = setup();
    t.exec("SADD", "s", "1", "2");
    t.exec("SADD", "s", "1");
    expect(events).toEqual(["s:sadd:s"]);
    clear();
    const before = t.engine.dirty;
    expect(t.exec("SREM", "s", "1", "2", "9")).toBe(2);
    expect(t.engine.dirty - before).toBe(2);
    expect(events).toEqual(["s:srem:s", "g:del:s"]);
    expect(t.exec("EXISTS", "s")).toBe(0);
  });

  test("SPOP without count propagates SREM, with a count SREM per member or DEL for all", () => {
    const { t, events, clear } = setup();
    t.exec("SADD", "s", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
    clear();
    const one = t.exec("SPOP", "s") as string;
    expect(t.propagated).toEqual([[0, ["SREM", "s", one]]]);
    expect(events).toEqual(["s:spop:s"]);
    clear();
    // 9 left: 2 popped one by one (remaining*5 > count).
    const two = members(t.exec("SPOP", "s", "2"));
    expect(t.propagated).toEqual(two.map((m) => [0, ["SREM", "s", m]]));
    clear();
    // 7 left, pop 6: the survivor moves to a new set.
    const six = members(t.exec("SPOP", "s", "6"));
    expect(six.length).toBe(6);
    expect(t.propagated).toEqual(six.map((m) => [0, ["SREM", "s", m]]));
    expect(t.exec("SCARD", "s")).toBe(1);
    clear();
    const dirty = t.engine.dirty;
    const rest = members(t.exec("SPOP", "s", "5"));
    expect(rest.length).toBe(1);
    expect(t.propagated).toEqual([[0, ["DEL", "s"]]]);
    expect(events).toEqual(["s:spop:s", "g:del:s"]);
    expect(t.engine.dirty - dirty).toBe(1);
    clear();
    expect(members(t.exec("SPOP", "s", "0"))).toEqual([]);
    t.exec("SADD", "s", "1");
    clear();
    t.exec("SPOP", "s", "0");
    expect(t.propagated).toEqual([]);
    t.exec("SPOP", "s");
    expect(events).toEqual(["s:spop:s", "g:del:s"]);
  });

  test("SMOVE events and dirty", () => {
    const { t, events, clear } = setup();
    t.exec("SADD", "a", "1");
    t.exec("SADD", "b", "1");
    clear();
    const dirty = t.engine.dirty;
    expect(t.exec("SMOVE", "a", "b", "1")).toBe(1);
    // Removed from a (which goes), already in b: one change.
    expect(events).toEqual(["s:srem:a", "g:del:a"]);
    expect(t.engine.dirty - dirty).toBe(1);
    clear();
    expect(t.exec("SMOVE", "b", "c", "1")).toBe(1);
    expect(events).toEqual(["s:srem:b", "g:del:b", "s:sadd:c"]);
  });

  test("STORE variants: their event, or del for an empty result", () => {
    const { t, events, clear } = setup();
    t.exec("SADD", "a", "1", "2");
    t.exec("SADD", "b", "2", "3");
    clear();
    t.exec("SINTERSTORE", "d", "a", "b");
    t.exec("SUNIONSTORE", "d", "a", "b");
    t.exec("SDIFFSTORE", "d", "a", "b");
    t.exec("SDIFFSTORE", "d", "a", "a");
    t.exec("SINTERSTORE", "d", "a", "nokey");
    expect(events).toEqual(["s:sinterstore:d", "s:sunionstore:d", "s:sdiffstore:d", "g:del:d", "m:keymiss:nokey"]);
  });

  test("SINTERCARD's key finder", () => {
    const { t } = setup();
    expect(t.exec("COMMAND", "GETKEYS", "SINTERCARD", "2", "x", "y", "LIMIT", "1")).toEqual(["x", "y"]);
    expect(t.exec("COMMAND", "GETKEYS", "SINTERCARD", "1", "x", "y")).toEqual(["x"]);
  });

  test("a huge negative SRANDMEMBER count is refused instead of exhausting memory", () => {
    const { t } = setup();
    t.exec("SADD", "s", "1");
    expect(String((t.exec("SRANDMEMBER", "s", "-100000000000") as { text: string }).text)).toMatch(/^ERR /);
    expect((t.exec("SRANDMEMBER", "s", "-3") as string[]).length).toBe(3);
  });

  test("COPY deep-copies a set and keeps its encoding", () => {
    const { t } = setup();
    t.exec("SADD", "a", "1", "2");
    t.exec("COPY", "a", "b");
    t.exec("SADD", "b", "x");
    expect(t.exec("OBJECT", "ENCODING", "a")).toBe("intset");
    expect(t.exec("OBJECT", "ENCODING", "b")).toBe("hashtable");
    expect(t.exec("SCARD", "a")).toBe(2);
  });
});
