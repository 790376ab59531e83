import { expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { ErrorReply } from "../resp/reply.ts";
import { sortKeys } from "./sort/options.ts";
import { pqsort } from "./sort/pqsort.ts";
import { sortScore } from "./sort/strtod.ts";

function errorText(r: unknown): string {
  expect(r).toBeInstanceOf(ErrorReply);
  return (r as ErrorReply).text;
}

test("sortScore reads numbers like glibc strtod plus SORT's checks", () => {
  const ok: [string, number][] = [
    ["1", 1],
    ["-2.5", -2.5],
    [" \t7", 7],
    ["", 0],
    ["+.5e1", 5],
    ["5.", 5],
    ["0x1A", 26],
    ["0X1.8p1", 3],
    ["0x.8p1", 1],
    ["inf", Infinity],
    ["-INFINITY", -Infinity],
    ["3\0junk", 3],
    ["\x003", 0],
    ["1.7976931348623158e308", 1.7976931348623157e308],
    ["0x1p-1074", 5e-324],
    ["0e-999999", 0],
    ["2.2250738585072014e-308", 2.2250738585072014e-308],
    ["0x1.ffffffffffffffp-1023", 2.2250738585072014e-308],
    ["0x1.fffffffffffff8p-1023", 2.2250738585072014e-308],
    ["0x1.fffffffffffff7ffp1023", 1.7976931348623157e308],
  ];
  for (const [s, v] of ok) expect({ s, v: sortScore(s) }).toEqual({ s, v });
  expect(Object.is(sortScore("-0"), -0)).toBe(true);
  const bad = ["abc", " ", "-", ".", "1 ", "1e", "1e+", "0x", "0x.p1", "0x1p", "infinit", "nan", "+-1", "1_0"];
  const range = ["1e400", "1.7976931348623159e308", "0x1.fffffffffffff8p1023", "1e-400", "1e-310"];
  const tiny = ["2.2250738585072012e-308", "0x1.fffffffffffffp-1023", "0x1.fffffffffffff7p-1023"];
  for (const s of [...bad, ...range, ...tiny]) expect({ s, v: sortScore(s) }).toEqual({ s, v: null });
});

test("pqsort puts the requested positions where a full sort would", () => {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let round = 0; round < 300; round++) {
    const n = Math.floor(rand() * 120);
    const a = Array.from({ length: n }, () => Math.floor(rand() * 50));
    const lo = Math.floor(rand() * (n + 1));
    const hi = Math.min(n - 1, lo + Math.floor(rand() * 20));
    const sorted = [...a].sort((x, y) => x - y);
    const b = [...a];
    pqsort(b, (x, y) => x - y, lo, hi);
    expect(b.slice(lo, hi + 1)).toEqual(sorted.slice(lo, hi + 1));
    expect([...b].sort((x, y) => x - y)).toEqual(sorted);
  }
});

test("pqsort is Redis's unstable quicksort, not a stable sort", () => {
  // Pairs [key, id]: ties on key keep no particular order.
  const a = Array.from({ length: 50 }, (_, i) => [i % 3, i] as const);
  const b = [...a];
  pqsort(b, (x, y) => x[0] - y[0], 0, 10);
  const stable = [...a].sort((x, y) => x[0] - y[0]);
  expect(b.slice(0, 11).map((p) => p[0])).toEqual(stable.slice(0, 11).map((p) => p[0]));
  expect(b.slice(0, 11)).not.toEqual(stable.slice(0, 11));
});

test("sortKeys finds the source and the last STORE like sortGetKeys", () => {
  expect(sortKeys(["SORT", "k"])).toEqual([1]);
  expect(sortKeys(["SORT", "k", "STORE", "d"])).toEqual([1, 3]);
  expect(sortKeys(["SORT", "k", "store", "d", "LIMIT", "0", "1", "STORE", "e"])).toEqual([1, 8]);
  expect(sortKeys(["SORT", "k", "GET", "store", "BY", "store", "x"])).toEqual([1]);
  expect(sortKeys(["SORT", "k", "STORE"])).toEqual([1]);
  // STORE's argument is scanned again as an option, as in Redis.
  expect(sortKeys(["SORT", "k", "STORE", "limit", "STORE", "x"])).toEqual([1, 3]);
});

test("SORT sorts, reads patterns and STOREs with Redis's side effects", () => {
  const t = createTestEngine();
  const events: string[] = [];
  t.engine.onNotify((cls, event, key) => {
    if (cls !== "m") events.push(`${event}:${key}`);
  });
  t.exec("RPUSH", "l", "3", "1", "2");
  t.exec("MSET", "w_1", "30", "w_2", "20", "w_3", "10", "n_2", "two");
  t.exec("HSET", "h_1", "f", "one");
  expect(t.exec("SORT", "l")).toEqual(["1", "2", "3"]);
  expect(t.exec("SORT", "l", "BY", "w_*", "GET", "#", "GET", "n_*", "GET", "h_*->f")).toEqual([
    "3",
    null,
    null,
    "2",
    "two",
    null,
    "1",
    null,
    "one",
  ]);
  expect(t.exec("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "5")).toEqual(["1", "3"]);
  t.propagated.length = 0;
  events.length = 0;
  expect(t.exec("SORT_RO", "l", "ALPHA")).toEqual(["1", "2", "3"]);
  expect(t.exec("SORT", "l", "DESC", "STORE", "dst")).toBe(3);
  expect(t.exec("LRANGE", "dst", "0", "-1")).toEqual(["3", "2", "1"]);
  expect(t.exec("SORT", "l", "LIMIT", "0", "0", "STORE", "dst")).toBe(0);
  expect(t.exec("SORT", "l", "LIMIT", "0", "0", "STORE", "dst")).toBe(0);
  expect(t.exec("EXISTS", "dst")).toBe(0);
  // Only the STOREs that changed something propagate, verbatim.
  expect(t.propagated).toEqual([
    [0, ["SORT", "l", "DESC", "STORE", "dst"]],
    [0, ["SORT", "l", "LIMIT", "0", "0", "STORE", "dst"]],
  ]);
  expect(events).toEqual(["new:dst", "sortstore:dst", "del:dst"]);
});

test("SORT errors and the sorted set conversion", () => {
  const t = createTestEngine();
  t.exec("SET", "s", "x");
  t.exec("RPUSH", "l", "a", "1");
  expect(errorText(t.exec("SORT", "s"))).toBe("WRONGTYPE Operation against a key holding the wrong kind of value");
  expect(errorText(t.exec("SORT", "s", "bogus"))).toBe("ERR syntax error");
  expect(errorText(t.exec("SORT_RO", "l", "STORE", "d"))).toBe("ERR syntax error");
  expect(errorText(t.exec("SORT", "l", "LIMIT", "a", "1"))).toBe("ERR value is not an integer or out of range");
  expect(errorText(t.exec("SORT", "l"))).toBe("ERR One or more scores can't be converted into double");
  expect(t.exec("SORT", "l", "STORE", "d")).toBeInstanceOf(ErrorReply);
  expect(t.exec("EXISTS", "d")).toBe(0);
  t.exec("ZADD", "z", "2", "a", "1", "b");
  expect(t.exec("OBJECT", "ENCODING", "z")).toBe("listpack");
  expect(t.exec("SORT_RO", "z", "BY", "nosort", "DESC")).toEqual(["a", "b"]);
  expect(t.exec("OBJECT", "ENCODING", "z")).toBe("skiplist");
});
