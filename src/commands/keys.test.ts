import { expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { ErrorReply, Status } from "../resp/reply.ts";
import { StringBuffer } from "../store/values.ts";
import { parseCursor } from "./keys.ts";

/** An engine that also records keyspace events and touched keys. */
function setup() {
  const t = createTestEngine();
  const events: string[] = [];
  const touched: string[] = [];
  t.engine.onNotify((cls, event, key, db) => events.push(`${cls}:${event}:${key}@${db}`));
  t.engine.onKeyTouched((db, key) => touched.push(`${key}@${db}`));
  const reset = () => {
    events.length = 0;
    touched.length = 0;
    t.propagated.length = 0;
  };
  return { ...t, events, touched, reset };
}

function errorText(r: unknown): string {
  expect(r).toBeInstanceOf(ErrorReply);
  return (r as ErrorReply).text;
}

test("DEL and UNLINK count, notify, touch and propagate only real deletions", () => {
  const t = setup();
  t.exec("SET", "a", "1");
  t.exec("SET", "b", "2");
  t.reset();
  expect(t.exec("DEL", "a", "b", "a", "nope")).toBe(2);
  expect(t.events).toEqual(["g:del:a@0", "g:del:b@0"]);
  expect(t.touched).toEqual(["a@0", "b@0"]);
  expect(t.propagated).toEqual([[0, ["DEL", "a", "b", "a", "nope"]]]);
  t.reset();
  expect(t.exec("UNLINK", "a")).toBe(0);
  expect(t.propagated).toEqual([]);
});

test("EXISTS counts repeats; TYPE names the type", () => {
  const t = setup();
  t.exec("SET", "a", "1");
  expect(t.exec("EXISTS", "a", "a", "b")).toBe(2);
  expect(t.exec("TYPE", "a")).toEqual(new Status("string"));
  expect(t.exec("TYPE", "b")).toEqual(new Status("none"));
});

test("EXPIRE propagates as PEXPIREAT with the absolute time and keeps options", () => {
  const t = setup();
  t.exec("SET", "k", "v");
  t.reset();
  const before = Date.now();
  expect(t.exec("EXPIRE", "k", "100", "NX")).toBe(1);
  const [[db, argv]] = t.propagated as [[number, string[]]];
  expect(db).toBe(0);
  expect(argv[0]).toBe("PEXPIREAT");
  expect(argv[1]).toBe("k");
  const at = Number(argv[2]);
  expect(at).toBeGreaterThanOrEqual(before + 100000);
  expect(at).toBeLessThanOrEqual(Date.now() + 100000);
  expect(argv[3]).toBe("NX");
  expect(t.events).toEqual(["g:expire:k@0"]);
  expect(t.exec("PEXPIRETIME", "k")).toBe(at);
  t.reset();
  // PEXPIREAT is propagated verbatim.
  expect(t.exec("pexpireat", "k", String(at + 5))).toBe(1);
  expect(t.propagated).toEqual([[0, ["pexpireat", "k", String(at + 5)]]]);
});

test("an expire time in the past deletes the key and propagates DEL", () => {
  const t = setup();
  t.exec("SET", "k", "v");
  t.reset();
  expect(t.exec("EXPIRE", "k", "-1")).toBe(1);
  expect(t.exec("EXISTS", "k")).toBe(0);
  expect(t.propagated).toEqual([[0, ["DEL", "k"]]]);
  expect(t.events).toContain("g:del:k@0");
  expect(t.touched).toEqual(["k@0"]);
  t.engine.config.set("lazyfree-lazy-expire", "yes");
  t.exec("SET", "k", "v");
  t.reset();
  expect(t.exec("PEXPIREAT", "k", "1")).toBe(1);
  expect(t.propagated).toEqual([[0, ["UNLINK", "k"]]]);
});

test("EXPIRE option errors and NX/XX/GT/LT conditions", () => {
  const t = setup();
  t.exec("SET", "k", "v");
  expect(errorText(t.exec("EXPIRE", "k", "10", "NX", "GT"))).toBe("ERR NX and XX, GT or LT options at the same time are not compatible");
  expect(errorText(t.exec("EXPIRE", "k", "10", "GT", "LT"))).toBe("ERR GT and LT options at the same time are not compatible");
  expect(errorText(t.exec("EXPIRE", "k", "10", "bad"))).toBe("ERR Unsupported option bad");
  expect(errorText(t.exec("EXPIRE", "k", "9223372036854775"))).toBe("ERR invalid expire time in 'expire' command");
  expect(errorText(t.exec("PEXPIRE", "k", "9223372036854775807"))).toBe("ERR invalid expire time in 'pexpire' command");
  expect(t.exec("EXPIRE", "k", "100", "XX")).toBe(0);
  expect(t.exec("EXPIRE", "k", "100", "GT")).toBe(0);
  expect(t.exec("EXPIRE", "k", "100", "LT")).toBe(1);
  expect(t.exec("EXPIRE", "k", "50", "GT")).toBe(0);
  expect(t.exec("EXPIRE", "k", "200", "GT")).toBe(1);
  expect(t.exec("EXPIRE", "k", "300", "NX")).toBe(0);
  expect(t.exec("TTL", "k")).toBe(200);
  expect(t.exec("PERSIST", "k")).toBe(1);
  expect(t.exec("PERSIST", "k")).toBe(0);
  expect(t.exec("TTL", "k")).toBe(-1);
  expect(t.exec("TTL", "missing")).toBe(-2);
});

test("RENAME moves value and TTL; RENAMENX refuses an existing target", () => {
  const t = setup();
  expect(errorText(t.exec("RENAME", "a", "b"))).toBe("ERR no such key");
  t.exec("SET", "a", "1");
  t.exec("PEXPIRE", "a", "100000");
  t.reset();
  expect(t.exec("RENAME", "a", "b")).toEqual(new Status("OK"));
  expect(t.events).toEqual(["g:rename_from:a@0", "g:rename_to:b@0"]);
  expect(t.touched).toEqual(["a@0", "b@0"]);
  expect(t.exec("PTTL", "b")).toBeGreaterThan(99000);
  expect(t.exec("EXISTS", "a")).toBe(0);
  t.exec("SET", "c", "3");
  expect(t.exec("RENAMENX", "b", "c")).toBe(0);
  expect(t.exec("RENAMENX", "b", "b")).toBe(0);
  expect(t.exec("RENAME", "b", "b")).toEqual(new Status("OK"));
  expect(t.exec("RENAMENX", "b", "d")).toBe(1);
});

test("MOVE and COPY between databases, with events in the right db", () => {
  const t = setup();
  t.exec("SET", "k", "v");
  t.reset();
  expect(errorText(t.exec("MOVE", "k", "0"))).toBe("ERR source and destination objects are the same");
  expect(errorText(t.exec("MOVE", "k", "16"))).toBe("ERR DB index is out of range");
  expect(errorText(t.exec("MOVE", "k", "x"))).toBe("ERR value is not an integer or out of range");
  expect(t.exec("MOVE", "k", "1")).toBe(1);
  expect(t.events).toEqual(["g:move_from:k@0", "g:move_to:k@1"]);
  expect(t.exec("EXISTS", "k")).toBe(0);
  t.exec("SELECT", "1");
  t.reset();
  expect(t.exec("COPY", "k", "k", "DB", "0")).toBe(1);
  expect(t.events).toEqual(["g:copy_to:k@0"]);
  expect(t.exec("COPY", "k", "k", "DB", "0")).toBe(0);
  expect(t.exec("COPY", "k", "k", "DB", "0", "REPLACE")).toBe(1);
  expect(errorText(t.exec("COPY", "k", "k"))).toBe("ERR source and destination objects are the same");
  expect(errorText(t.exec("COPY", "k", "x", "DB"))).toBe("ERR syntax error");
  expect(errorText(t.exec("COPY", "k", "x", "DB", "99"))).toBe("ERR DB index is out of range");
});

test("COPY deep-copies a mutable string", () => {
  const t = setup();
  const db = t.engine.dbs[0];
  if (!db) throw new Error("no db");
  const buf = new StringBuffer("abc");
  db.set("src", buf, Date.now());
  expect(t.exec("COPY", "src", "dst")).toBe(1);
  buf.append("def");
  const text = (r: unknown) => (r instanceof Uint8Array ? Buffer.from(r).toString("latin1") : r);
  expect(text(t.exec("GET", "src"))).toBe("abcdef");
  expect(text(t.exec("GET", "dst"))).toBe("abc");
  expect(t.exec("OBJECT", "ENCODING", "dst")).toBe("raw");
});

test("OBJECT REFCOUNT, ENCODING, IDLETIME, FREQ", () => {
  const t = setup();
  t.exec("SET", "small", "42");
  t.exec("SET", "big", "10000");
  t.exec("SET", "str", "hello");
  expect(t.exec("OBJECT", "REFCOUNT", "small")).toBe(2147483647);
  expect(t.exec("OBJECT", "REFCOUNT", "big")).toBe(1);
  expect(t.exec("OBJECT", "REFCOUNT", "str")).toBe(1);
  expect(t.exec("OBJECT", "ENCODING", "small")).toBe("int");
  expect(t.exec("OBJECT", "ENCODING", "str")).toBe("embstr");
  expect(t.exec("OBJECT", "ENCODING", "nope")).toBe(null);
  expect(t.exec("OBJECT", "IDLETIME", "str")).toBe(0);
  expect(errorText(t.exec("OBJECT", "FREQ", "str"))).toStartWith("ERR An LFU maxmemory policy is not selected");
  t.engine.config.set("maxmemory-policy", "allkeys-lfu");
  // A key written under LRU holds an LRU clock, read as a counter now (as in Redis): some value in 0..255.
  const carried = t.exec("OBJECT", "FREQ", "str") as number;
  expect(carried).toBeGreaterThanOrEqual(0);
  expect(carried).toBeLessThanOrEqual(255);
  t.exec("SET", "fresh", "hello");
  expect(t.exec("OBJECT", "FREQ", "fresh")).toBe(5);
  expect(errorText(t.exec("OBJECT", "IDLETIME", "str"))).toStartWith("ERR An LFU maxmemory policy is selected");
  // LRU/LFU policies with a memory limit stop integer sharing.
  t.engine.config.set("maxmemory", "100mb");
  expect(t.exec("OBJECT", "REFCOUNT", "small")).toBe(1);
});

test("FLUSHDB/FLUSHALL signal the flush once (not per key) and always propagate", () => {
  const t = setup();
  const flushes: number[][] = [];
  t.engine.onFlush((dbs) => flushes.push([...dbs]));
  t.exec("SET", "a", "1");
  t.exec("SELECT", "2");
  t.exec("SET", "b", "1");
  t.reset();
  expect(errorText(t.exec("FLUSHDB", "LATER"))).toBe("ERR syntax error");
  expect(flushes).toEqual([]);
  expect(t.exec("FLUSHDB", "ASYNC")).toEqual(new Status("OK"));
  expect(flushes).toEqual([[2]]);
  expect(t.touched).toEqual([]);
  expect(t.exec("FLUSHDB")).toEqual(new Status("OK"));
  expect(t.propagated).toEqual([
    [2, ["FLUSHDB", "ASYNC"]],
    [2, ["FLUSHDB"]],
  ]);
  t.reset();
  flushes.length = 0;
  expect(t.exec("FLUSHALL", "SYNC")).toEqual(new Status("OK"));
  expect(flushes).toEqual([Array.from({ length: 16 }, (_, i) => i)]);
  expect(t.exec("DBSIZE")).toBe(0);
  expect(t.propagated).toEqual([[2, ["FLUSHALL", "SYNC"]]]);
});

test("SWAPDB swaps contents and touches keys under both ids", () => {
  const t = setup();
  t.exec("SET", "a", "1");
  t.reset();
  expect(errorText(t.exec("SWAPDB", "x", "1"))).toBe("ERR invalid first DB index");
  expect(errorText(t.exec("SWAPDB", "0", "4294967296"))).toBe("ERR invalid second DB index");
  expect(errorText(t.exec("SWAPDB", "0", "16"))).toBe("ERR DB index is out of range");
  expect(t.exec("SWAPDB", "0", "3")).toEqual(new Status("OK"));
  expect(t.touched.sort()).toEqual(["a@0", "a@3"]);
  expect(t.exec("DBSIZE")).toBe(0);
  t.exec("SELECT", "3");
  expect(t.exec("GET", "a")).toBe("1");
});

test("SCAN cursor parsing follows strtoul", () => {
  expect(parseCursor("")).toBe(0);
  expect(parseCursor("+7")).toBe(7);
  expect(parseCursor("-1")).toBe(0xffffffff);
  expect(parseCursor("18446744073709551615")).toBe(0xffffffff);
  expect(parseCursor("5\x00junk")).toBe(5);
  for (const bad of [" 1", "1 ", "18446744073709551616", "+", "-", "0x1", "abc"]) {
    expect(() => parseCursor(bad)).toThrow("ERR invalid cursor");
  }
});

test("SCAN returns every key present for the whole scan while keys come and go", () => {
  const t = setup();
  const stable = new Set<string>();
  for (let i = 0; i < 20000; i++) {
    t.exec("SET", `stable:${i}`, "v");
    stable.add(`stable:${i}`);
  }
  const seen = new Set<string>();
  let cursor = "0";
  let round = 0;
  do {
    const r = t.exec("SCAN", cursor, "COUNT", "100") as [string, string[]];
    cursor = r[0];
    for (const k of r[1]) seen.add(k);
    // Grow and shrink the table under the scan: adds force rehashes up, deletes down.
    for (let j = 0; j < 50; j++) t.exec("SET", `temp:${round}:${j}`, "v");
    if (round % 3 === 0) for (let j = 0; j < 50; j++) t.exec("DEL", `temp:${round - 3}:${j}`);
    round++;
  } while (cursor !== "0");
  for (const k of stable) if (!seen.has(k)) throw new Error(`SCAN missed ${k}`);
  expect(round).toBeGreaterThan(20);
});

test("SCAN MATCH, TYPE and expired keys", () => {
  const t = setup();
  for (let i = 0; i < 100; i++) t.exec("SET", `user:${i}`, "v");
  for (let i = 0; i < 100; i++) t.exec("SET", `other:${i}`, "v");
  const all = (...opts: string[]) => {
    const out: string[] = [];
    let cursor = "0";
    do {
      const r = t.exec("SCAN", cursor, ...opts) as [string, string[]];
      cursor = r[0];
      out.push(...r[1]);
    } while (cursor !== "0");
    return out.sort();
  };
  expect(all("MATCH", "user:*").length).toBe(100);
  expect(all("MATCH", "user:1?", "COUNT", "3").length).toBe(10);
  expect(all("TYPE", "STRING").length).toBe(200);
  expect(all("TYPE", "list").length).toBe(0);
  const db = t.engine.dbs[0];
  if (!db) throw new Error("no db");
  db.setExpire("user:1", Date.now() - 1);
  expect(all("MATCH", "user:1")).toEqual([]);
  expect(t.exec("DBSIZE")).toBe(199);
  expect(errorText(t.exec("SCAN", "0", "COUNT", "0"))).toBe("ERR syntax error");
  expect(errorText(t.exec("SCAN", "0", "COUNT", "x"))).toBe("ERR value is not an integer or out of range");
  expect(errorText(t.exec("SCAN", "0", "MATCH"))).toBe("ERR syntax error");
  expect(errorText(t.exec("SCAN", "x"))).toBe("ERR invalid cursor");
});

test("KEYS skips expired keys without deleting them; RANDOMKEY", () => {
  const t = setup();
  expect(t.exec("RANDOMKEY")).toBe(null);
  t.exec("SET", "a", "1");
  t.exec("SET", "b", "1");
  const db = t.engine.dbs[0];
  if (!db) throw new Error("no db");
  db.setExpire("b", Date.now() - 1);
  expect(t.exec("KEYS", "*")).toEqual(["a"]);
  expect(t.exec("DBSIZE")).toBe(2);
  expect(t.exec("RANDOMKEY")).toBe("a");
});

test("the active expire cycle reclaims keys nobody reads", async () => {
  const t = setup();
  for (let i = 0; i < 1000; i++) {
    t.exec("SET", `k${i}`, "v");
    t.exec("PEXPIRE", `k${i}`, "20");
  }
  await Bun.sleep(40);
  for (let i = 0; i < 200 && t.exec("DBSIZE") !== 0; i++) t.engine.cron();
  expect(t.exec("DBSIZE")).toBe(0);
});

test("an expired key stays counted until accessed, then is deleted lazily and propagated as DEL", () => {
  const t = setup();
  t.exec("SET", "k", "v");
  const db = t.engine.dbs[0];
  if (!db) throw new Error("no db");
  db.setExpire("k", Date.now() - 1);
  t.reset();
  expect(t.exec("DBSIZE")).toBe(1);
  expect(t.exec("TTL", "k")).toBe(-2);
  expect(t.exec("DBSIZE")).toBe(0);
  expect(t.events).toContain("x:expired:k@0");
  expect(t.propagated).toEqual([[0, ["DEL", "k"]]]);
});
