import { expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { ErrorReply, MapReply } from "../resp/reply.ts";
import { type DataValue, StringBuffer } from "../store/values.ts";
import { addLongDouble, formatLongDouble, INFINITE, type LongDouble, parseLongDouble } from "./string/longdouble.ts";

/** An engine that also records keyspace events (with their class) and touched keys. */
function setup() {
  const t = createTestEngine();
  const events: string[] = [];
  const touched: string[] = [];
  t.engine.onNotify((cls, event, key) => events.push(`${cls}:${event}:${key}`));
  t.engine.onKeyTouched((_db, key) => touched.push(key));
  const reset = () => {
    events.length = 0;
    touched.length = 0;
    t.propagated.length = 0;
  };
  /** Runs a command and returns what it propagated (argv lists). */
  const prop = (...argv: string[]) => {
    reset();
    t.exec(...argv);
    return t.propagated.map((p) => p[1]);
  };
  return { ...t, events, touched, reset, prop };
}

function errorText(r: unknown): string {
  expect(r).toBeInstanceOf(ErrorReply);
  return (r as ErrorReply).text;
}

/** Bytes replies (edited buffers) as byte strings, for easy comparison. */
function text(r: unknown): unknown {
  return r instanceof Uint8Array ? Buffer.from(r).toString("latin1") : r;
}

test("SET with a relative or absolute expiry propagates SET ... PXAT <abs-ms>", () => {
  const t = setup();
  const before = Date.now();
  const [p] = t.prop("SET", "k", "v", "EX", "10");
  expect(p?.slice(0, 4)).toEqual(["SET", "k", "v", "PXAT"]);
  const at = Number(p?.[4]);
  expect(at).toBeGreaterThanOrEqual(before + 10_000);
  expect(at).toBeLessThanOrEqual(Date.now() + 10_000);
  expect(t.engine.dbs[0]?.getExpire("k")).toBe(at);
  expect(t.prop("SET", "k", "v", "PXAT", "99999999999999", "GET")).toEqual([["SET", "k", "v", "PXAT", "99999999999999"]]);
  expect(t.prop("SET", "k", "v", "NX", "EXAT", "9999999999")).toEqual([]);
  expect(t.prop("SET", "k", "w", "XX", "EXAT", "9999999999")).toEqual([["SET", "k", "w", "PXAT", "9999999999000"]]);
});

test("SET GET propagates without GET; KEEPTTL and other options are kept verbatim", () => {
  const t = setup();
  expect(t.prop("set", "k", "v", "get", "NX", "GET")).toEqual([["set", "k", "v", "NX"]]);
  expect(t.prop("SET", "k", "w", "KEEPTTL", "GET")).toEqual([["SET", "k", "w", "KEEPTTL"]]);
  expect(t.prop("SET", "k", "x", "KEEPTTL")).toEqual([["SET", "k", "x", "KEEPTTL"]]);
  expect(t.prop("SET", "k", "y", "NX", "GET")).toEqual([]);
  expect(text(t.exec("SET", "k", "y", "NX", "GET"))).toBe("x");
});

test("SETEX and PSETEX propagate as SET PXAT; errors name the command", () => {
  const t = setup();
  const [a] = t.prop("SETEX", "k", "100", "v");
  expect(a?.slice(0, 4)).toEqual(["SET", "k", "v", "PXAT"]);
  const [b] = t.prop("PSETEX", "k", "100000", "w");
  expect(b?.slice(0, 4)).toEqual(["SET", "k", "w", "PXAT"]);
  expect(errorText(t.exec("SETEX", "k", "0", "v"))).toBe("ERR invalid expire time in 'setex' command");
  expect(errorText(t.exec("PSETEX", "k", "-1", "v"))).toBe("ERR invalid expire time in 'psetex' command");
  expect(errorText(t.exec("SET", "k", "v", "EX", "9223372036854775"))).toBe("ERR invalid expire time in 'set' command");
  expect(t.exec("SET", "k", "v", "EXAT", "9223372036854775")).toEqual(expect.anything());
  expect(t.propagated.at(-1)?.[1]).toEqual(["SET", "k", "v", "PXAT", "9223372036854775000"]);
});

test("GETSET propagates as SET, GETDEL as DEL (UNLINK with lazyfree-lazy-user-del)", () => {
  const t = setup();
  expect(t.prop("GETSET", "k", "1")).toEqual([["SET", "k", "1"]]);
  expect(t.prop("getdel", "k")).toEqual([["DEL", "k"]]);
  expect(t.prop("GETDEL", "k")).toEqual([]);
  t.engine.config.set("lazyfree-lazy-user-del", "yes");
  t.exec("SET", "k", "v");
  expect(t.prop("GETDEL", "k")).toEqual([["UNLINK", "k"]]);
});

test("GETEX propagates as PEXPIREAT, PERSIST or DEL, and only when it changed something", () => {
  const t = setup();
  t.exec("SET", "k", "v");
  expect(t.prop("GETEX", "k")).toEqual([]);
  expect(t.prop("GETEX", "k", "PERSIST")).toEqual([]);
  const [p] = t.prop("GETEX", "k", "EX", "100");
  expect(p?.slice(0, 2)).toEqual(["PEXPIREAT", "k"]);
  expect(t.prop("GETEX", "k", "PXAT", "99999999999999")).toEqual([["PEXPIREAT", "k", "99999999999999"]]);
  expect(t.prop("GETEX", "k", "PERSIST")).toEqual([["PERSIST", "k"]]);
  expect(t.engine.dbs[0]?.getExpire("k")).toBe(-1);
  expect(t.prop("GETEX", "k", "EXAT", "1")).toEqual([["DEL", "k"]]);
  expect(t.exec("EXISTS", "k")).toBe(0);
  expect(t.prop("GETEX", "k", "EX", "100")).toEqual([]);
});

test("INCRBYFLOAT propagates as SET <result> KEEPTTL; INCR family as itself", () => {
  const t = setup();
  expect(t.prop("INCRBYFLOAT", "f", "10.5")).toEqual([["SET", "f", "10.5", "KEEPTTL"]]);
  expect(t.prop("incrbyfloat", "f", "0.1")).toEqual([["SET", "f", "10.6", "KEEPTTL"]]);
  expect(t.prop("INCRBYFLOAT", "f", "inf")).toEqual([]);
  expect(t.prop("INCRBY", "n", "5")).toEqual([["INCRBY", "n", "5"]]);
  expect(t.prop("INCR", "f")).toEqual([]);
});

test("APPEND always dirties; SETRANGE only when it writes", () => {
  const t = setup();
  expect(t.prop("APPEND", "k", "")).toEqual([["APPEND", "k", ""]]);
  expect(t.prop("APPEND", "k", "")).toEqual([["APPEND", "k", ""]]);
  expect(t.prop("SETRANGE", "k", "3", "")).toEqual([]);
  expect(t.prop("SETRANGE", "z", "3", "")).toEqual([]);
  expect(t.prop("SETRANGE", "k", "1", "x")).toEqual([["SETRANGE", "k", "1", "x"]]);
});

test("keyspace events match Redis's, including 'new' for created keys", () => {
  const t = setup();
  const events = (...argv: string[]) => {
    t.reset();
    t.exec(...argv);
    return [...t.events];
  };
  expect(events("SET", "a", "1")).toEqual(["n:new:a", "$:set:a"]);
  expect(events("SET", "a", "2", "EX", "100")).toEqual(["$:set:a", "g:expire:a"]);
  expect(events("SET", "a", "2", "NX")).toEqual([]);
  expect(events("APPEND", "b", "x")).toEqual(["n:new:b", "$:append:b"]);
  expect(events("APPEND", "b", "y")).toEqual(["$:append:b"]);
  expect(events("INCRBYFLOAT", "c", "1")).toEqual(["n:new:c", "$:incrbyfloat:c"]);
  expect(events("INCR", "c")).toEqual(["$:incrby:c"]);
  expect(events("DECRBY", "d", "3")).toEqual(["n:new:d", "$:incrby:d"]);
  expect(events("GETEX", "a", "PERSIST")).toEqual(["g:persist:a"]);
  expect(events("GETEX", "a", "PX", "100000")).toEqual(["g:expire:a"]);
  expect(events("GETDEL", "a")).toEqual(["g:del:a"]);
  expect(events("SETRANGE", "e", "2", "x")).toEqual(["n:new:e", "$:setrange:e"]);
  expect(events("SETRANGE", "e", "2", "")).toEqual([]);
  expect(events("MSET", "f", "1", "e", "2")).toEqual(["n:new:f", "$:set:f", "$:set:e"]);
  expect(events("MSETNX", "f", "1", "g", "2")).toEqual([]);
  expect(events("GETSET", "f", "3")).toEqual(["$:set:f"]);
  expect(events("GETEX", "f", "EXAT", "1")).toEqual(["g:del:f"]);
  expect(events("SET", "h", "1", "EXAT", "1")).toEqual(["n:new:h", "$:set:h", "g:expire:h"]);
  expect(events("GET", "h")).toEqual(["x:expired:h", "m:keymiss:h"]);
});

test("writes signal the modified key (WATCH); no-ops do not", () => {
  const t = setup();
  const touched = (...argv: string[]) => {
    t.reset();
    t.exec(...argv);
    return [...t.touched];
  };
  expect(touched("SET", "a", "1")).toEqual(["a"]);
  expect(touched("SET", "a", "1", "NX")).toEqual([]);
  expect(touched("APPEND", "a", "x")).toEqual(["a"]);
  expect(touched("SETRANGE", "a", "0", "")).toEqual([]);
  expect(touched("INCRBYFLOAT", "n", "1")).toEqual(["n"]);
  expect(touched("GETEX", "a")).toEqual([]);
  expect(touched("GETEX", "a", "EX", "5")).toEqual(["a"]);
  expect(touched("MSET", "a", "1", "b", "2")).toEqual(["a", "b"]);
  expect(touched("GET", "a")).toEqual([]);
});

const fakeList: DataValue = { type: "list", encoding: () => "listpack" };

test("WRONGTYPE for every string command on another type; MGET reads it as nil", () => {
  const t = setup();
  t.engine.dbs[0]?.set("l", fakeList, Date.now());
  t.exec("SET", "s", "x");
  const wrong = "WRONGTYPE Operation against a key holding the wrong kind of value";
  for (const argv of [
    ["GET", "l"],
    ["SET", "l", "v", "GET"],
    ["GETSET", "l", "v"],
    ["GETDEL", "l"],
    ["GETEX", "l", "EX", "10"],
    ["APPEND", "l", "x"],
    ["STRLEN", "l"],
    ["INCR", "l"],
    ["DECR", "l"],
    ["INCRBY", "l", "2"],
    ["DECRBY", "l", "2"],
    ["INCRBYFLOAT", "l", "1.5"],
    ["GETRANGE", "l", "0", "-1"],
    ["SUBSTR", "l", "0", "-1"],
    ["SETRANGE", "l", "0", "x"],
  ]) {
    expect({ argv, reply: errorText(t.exec(...argv)) }).toEqual({ argv, reply: wrong });
  }
  expect(errorText(t.exec("LCS", "s", "l"))).toBe("ERR The specified keys must contain string values");
  expect(t.exec("MGET", "s", "l", "nope")).toEqual(["x", null, null]);
  // Argument errors come first where Redis checks them first.
  expect(errorText(t.exec("GETRANGE", "l", "x", "1"))).toBe("ERR value is not an integer or out of range");
  expect(errorText(t.exec("SETRANGE", "l", "-1", "x"))).toBe("ERR offset is out of range");
  expect(errorText(t.exec("INCRBY", "l", "x"))).toBe("ERR value is not an integer or out of range");
  expect(errorText(t.exec("SET", "l", "v", "EX", "0", "GET"))).toBe("ERR invalid expire time in 'set' command");
  expect(errorText(t.exec("GETEX", "l", "FOO"))).toBe("ERR syntax error");
  // SET without GET and MSET overwrite any type.
  expect(t.exec("SET", "l", "v")).toEqual(expect.anything());
  expect(t.exec("GET", "l")).toBe("v");
});

test("APPEND and SETRANGE edit a StringBuffer in place; a new APPEND key stays a plain string", () => {
  const t = setup();
  const db = t.engine.dbs[0];
  t.exec("APPEND", "a", "12");
  expect(db?.table.get("a")).toBe("12");
  t.exec("APPEND", "a", "3");
  const buf = db?.table.get("a");
  expect(buf).toBeInstanceOf(StringBuffer);
  t.exec("APPEND", "a", "4");
  expect(db?.table.get("a")).toBe(buf);
  expect(t.exec("SETRANGE", "a", "6", "x")).toBe(7);
  expect(text(t.exec("GET", "a"))).toBe("1234\0\0x");
  expect(t.exec("STRLEN", "a")).toBe(7);
  expect(t.exec("GETRANGE", "a", "-3", "-1")).toBe("\0\0x");
  // An INCR result replaces the buffer by a whole string.
  t.exec("SET", "n", "5");
  t.exec("APPEND", "n", "0");
  expect(t.exec("INCR", "n")).toBe(51);
  // A counter result is stored as a number: Redis's int encoding.
  expect(db?.table.get("n")).toBe(51);
});

test("a GET reply is a copy: later edits in the same pipeline do not change it", () => {
  const t = setup();
  t.exec("SETRANGE", "k", "0", "abc");
  const r = t.exec("GET", "k");
  t.exec("SETRANGE", "k", "0", "xyz");
  expect(text(r)).toBe("abc");
});

test("INCR family: int64 edges, bigint replies and errors", () => {
  const t = setup();
  t.exec("SET", "n", "9223372036854775806");
  expect(t.exec("INCR", "n")).toBe(9223372036854775807n);
  expect(errorText(t.exec("INCR", "n"))).toBe("ERR increment or decrement would overflow");
  expect(t.exec("DECRBY", "n", "9223372036854775807")).toBe(0);
  expect(errorText(t.exec("DECRBY", "n", "-9223372036854775808"))).toBe("ERR decrement would overflow");
  expect(t.exec("INCRBY", "n", "-9223372036854775808")).toBe(-9223372036854775808n);
  expect(errorText(t.exec("DECR", "n"))).toBe("ERR increment or decrement would overflow");
  expect(t.exec("INCRBY", "m", "9007199254740991")).toBe(9007199254740991);
  expect(t.exec("INCR", "m")).toBe(9007199254740992n);
  t.exec("SET", "bad", "1.5");
  expect(errorText(t.exec("INCR", "bad"))).toBe("ERR value is not an integer or out of range");
  expect(errorText(t.exec("INCRBYFLOAT", "bad", "x"))).toBe("ERR value is not a valid float");
});

test("LCS returns a map for IDX, ranges last-first, filtered by MINMATCHLEN", () => {
  const t = setup();
  t.exec("MSET", "a", "ohmytext", "b", "mynewtext");
  expect(t.exec("LCS", "a", "b")).toBe("mytext");
  expect(t.exec("LCS", "a", "b", "LEN")).toBe(6);
  const r = t.exec("LCS", "a", "b", "IDX", "MINMATCHLEN", "3", "WITHMATCHLEN");
  expect(r).toBeInstanceOf(MapReply);
  expect((r as MapReply).entries).toEqual(["matches", [[[4, 7], [5, 8], 4]], "len", 6]);
  expect(errorText(t.exec("LCS", "a", "b", "IDX", "LEN"))).toBe("ERR If you want both the length and indexes, please just use IDX.");
  t.engine.config.set("proto-max-bulk-len", String(1024 * 1024));
  t.exec("SET", "big", "x".repeat(600));
  expect(errorText(t.exec("LCS", "big", "big"))).toBe("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
});

test("SETRANGE and APPEND refuse results beyond proto-max-bulk-len", () => {
  const t = setup();
  t.engine.config.set("proto-max-bulk-len", String(1024 * 1024));
  const tooBig = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
  expect(errorText(t.exec("SETRANGE", "k", "1048576", "x"))).toBe(tooBig);
  expect(t.exec("SETRANGE", "k", "1048575", "x")).toBe(1048576);
  expect(errorText(t.exec("APPEND", "k", "y"))).toBe(tooBig);
  expect(t.exec("APPEND", "k", "")).toBe(1048576);
});

function ld(s: string): LongDouble {
  const v = parseLongDouble(s);
  if (v === null || v === INFINITE) throw new Error(`not finite: ${s}`);
  return v;
}

function sum(a: string, b: string): string {
  const r = addLongDouble(ld(a), ld(b));
  return r === null ? "overflow" : formatLongDouble(r);
}

test("long double: Redis's INCRBYFLOAT outputs on x86-64", () => {
  expect(sum("10.5", "0.1")).toBe("10.6");
  expect(sum("0.1", "0.2")).toBe("0.3");
  expect(sum("0", "123456789012345678901234567890")).toBe("123456789012345678899921813504");
  expect(sum("0", "1.0000000000000000001")).toBe("1");
  expect(sum("0", "-0.0000000000000000001")).toBe("0");
  expect(sum("0", "1e-400")).toBe("0");
  expect(sum("0", "0x1.8p1")).toBe("3");
  expect(sum("1e400", "0")).toMatch(
    /^10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880$/,
  );
  expect(sum("1e4932", "1e4932")).toBe("overflow");
});

test("long double: parsing follows strtold as Redis checks it", () => {
  for (const bad of ["", " 1", "1 ", "abc", "1e", ".", "0x", "0x1p", "nan", "1e5000", "1e-5000", "1\0", "1".repeat(5120)]) {
    expect({ bad, v: parseLongDouble(bad) }).toEqual({ bad, v: null });
  }
  for (const inf of ["inf", "-INF", "Infinity", "+inf"]) expect(parseLongDouble(inf)).toBe(INFINITE);
  for (const ok of ["+.5", "5.", "1E+02", "0x10", "-0x.1P-2", "0e99999999999", "3e-4951"]) {
    expect({ ok, v: parseLongDouble(ok) === null }).toEqual({ ok, v: false });
  }
});
