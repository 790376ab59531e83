import { describe, expect, test } from "bun:test";
import { createTestEngine } from "../../engine/testing.ts";
import type { Value } from "../../store/values.ts";
import { DEFAULT_LIMITS } from "./decode.ts";
import { type KeyMeta, loadRdb, RdbFileWriter, type RdbSink, writeRdb } from "./file.ts";
import { RdbStreamLoader } from "./stream-load.ts";

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const FUTURE = String(Date.now() + 3_600_000);

/** Every type and encoding in two dbs, TTLs, a > 1 MB value and a big hash. */
function dataset(big = 1_200_000, fields = 20000, keys = 3000): Uint8Array {
  const t = createTestEngine();
  const cmds: string[][] = [
    ["SET", "s:short", "hello"],
    ["SET", "s:int", "-12345"],
    ["SET", "s:long", "abcdefgh".repeat(40)],
    ["SET", "s:bin", "\x00\xff\r\n"],
    ["SET", "s:huge", range(big, (i) => String.fromCharCode(i % 251)).join("")],
    ["RPUSH", "l:small", "a", "1", "-300", "y".repeat(100)],
    ["RPUSH", "l:big", ...range(2500, (i) => `item-${i}`)],
    ["HSET", "h:lp", "f", "v", "n", "12"],
    ["HSET", "h:ht", ...range(fields, (i) => [`field${i}`, `v${i}`]).flat()],
    ["SADD", "i:set", "1", "-5", "70000"],
    ["SADD", "set:ht", ...range(40, (i) => `m${i}`)],
    ["ZADD", "z:lp", "1", "a", "2.5", "b", "-inf", "c"],
    ["ZADD", "z:sl", ...range(200, (i) => [String(i * 1.5), `m${i}`]).flat()],
    ["PEXPIREAT", "s:short", FUTURE],
    ["SELECT", "3"],
    ["SET", "db3:key", "in db three"],
    ["RPUSH", "db3:list", "x", "y"],
    ["PEXPIREAT", "db3:list", FUTURE],
  ];
  for (let i = 0; i < keys; i++) cmds.push(["SET", `k:${i}`, `value-${i}`]);
  for (const c of cmds) t.exec(...c);
  return writeRdb(t.engine.dbs);
}

/** A sink that re-encodes everything it is told, so two loads can be compared byte for byte. */
function recorder(): { sink: RdbSink; result: () => Uint8Array; events: string[] } {
  const w = new RdbFileWriter({ compress: false }).header([]);
  const events: string[] = [];
  let db = -1;
  const sink: RdbSink = {
    aux: (k, v) => events.push(`aux ${k}=${v}`),
    selectDb: (id) => events.push(`select ${id}`),
    resizeDb: (size, exp) => events.push(`resize ${size} ${exp}`),
    key(id: number, key: string, value: Value, expireAt: number, meta: KeyMeta) {
      if (id !== db) {
        w.selectDb(id, 0, 0);
        db = id;
      }
      w.key(key, value, expireAt, meta);
    },
  };
  return { sink, events, result: () => w.end().take() };
}

/** Feeds `file` in chunks of sizes from `sizes()`, running the loader between pushes; returns what it loaded. */
function streamed(file: Uint8Array, sizes: () => number, sink: RdbSink, extra?: Uint8Array): RdbStreamLoader {
  const l = new RdbStreamLoader(sink, DEFAULT_LIMITS);
  const all = extra ? new Uint8Array([...file, ...extra]) : file;
  let at = 0;
  for (;;) {
    const r = l.step(5);
    if (r === "done") return l;
    if (r === "paused") continue;
    if (at >= all.length) l.end();
    else {
      const n = Math.max(1, sizes());
      l.push(all.subarray(at, at + n));
      at += n;
    }
  }
}

function errorOf(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    return (e as Error).message;
  }
}

describe("RdbStreamLoader", () => {
  const file = dataset();
  const whole = recorder();
  loadRdb(file, whole.sink);
  const want = whole.result();

  test("loads exactly what loadRdb loads, for 1-byte, fixed and random split sizes", () => {
    const small = dataset(30_000);
    const ref = recorder();
    loadRdb(small, ref.sink);
    const one = recorder();
    const l = streamed(small, () => 1, one.sink);
    expect(l.checksumVerified).toBe(true);
    expect(one.result()).toEqual(ref.result());
    expect(one.events).toEqual(ref.events);

    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (const sizes of [() => 7, () => 4096, () => 65536, () => Math.floor(rnd() * 100_000), () => Math.floor(rnd() * 300)]) {
      const got = recorder();
      const loader = streamed(file, sizes, got.sink);
      expect(loader.keys).toBe(3000 + 15);
      expect(got.result()).toEqual(want);
      expect(got.events).toEqual(whole.events);
    }
  });

  test("bytes after the RDB are handed back, and a big value is not re-parsed per chunk", () => {
    const got = recorder();
    const l = streamed(file, () => 1024, got.sink, new Uint8Array([1, 2, 3]));
    expect(got.result()).toEqual(want);
    expect([...l.rest()]).toEqual([1, 2, 3]);
    // 1.2 MB in 1 KB chunks: without the back-off the value would be tried ~1200 times.
    expect(l.retries).toBeLessThan(200);
  });

  test("bytes the back-off holds back are tried on retryNow, so a source that goes quiet never stalls a complete RDB", () => {
    const l = new RdbStreamLoader(recorder().sink);
    // All but the last byte: the unit that runs short sets the back-off to twice what is held.
    l.push(file.subarray(0, file.length - 1));
    while (l.step(1000) === "paused") {}
    expect(l.waiting).toBe(false);
    l.push(file.subarray(file.length - 1));
    // Complete now, but the back-off wants far more bytes than will ever come.
    expect(l.step(1000)).toBe("starved");
    expect(l.waiting).toBe(true);
    l.retryNow();
    let r = l.step(1000);
    while (r === "paused") r = l.step(1000);
    expect(r).toBe("done");
    expect(l.waiting).toBe(false);
  });

  test("a retry that still runs short is not repeated until more bytes come", () => {
    const l = new RdbStreamLoader(recorder().sink);
    // A short header too: tried once when the source goes quiet, then not again.
    l.push(file.subarray(0, 4));
    expect(l.step(1000)).toBe("starved");
    expect(l.waiting).toBe(true);
    l.retryNow();
    expect(l.step(1000)).toBe("starved");
    expect(l.waiting).toBe(false);
    l.push(file.subarray(4, file.length - 2));
    while (l.step(1000) === "paused") {}
    l.push(file.subarray(file.length - 2, file.length - 1));
    expect(l.step(1000)).toBe("starved");
    expect(l.waiting).toBe(true);
    l.retryNow();
    expect(l.step(1000)).toBe("starved");
    // Every held byte was tried: waiting for the link to go quiet again would only spin.
    expect(l.waiting).toBe(false);
    l.push(file.subarray(file.length - 1));
    expect(l.waiting).toBe(true);
    l.retryNow();
    expect(l.step(1000)).toBe("done");
  });

  test("memory stays near one key plus a chunk", () => {
    const t = createTestEngine();
    for (let i = 0; i < 50_000; i++) t.exec("SET", `key:${i}`, `value:${i}:${"x".repeat(i % 50)}`);
    const f = writeRdb(t.engine.dbs);
    let peak = 0;
    const l = new RdbStreamLoader({ key() {} });
    let at = 0;
    while (l.step(5) !== "done") {
      if (at >= f.length) l.end();
      else l.push(f.subarray(at, (at += 16384)));
      peak = Math.max(peak, l.capacity);
    }
    expect(f.length).toBeGreaterThan(1_000_000);
    expect(peak).toBeLessThanOrEqual(128 * 1024);
  });

  test("a truncated stream fails exactly as loadRdb fails on the same bytes", () => {
    const small = dataset(3000, 600, 100);
    const cuts = new Set([0, 3, 8, 9, 10, small.length - 9, small.length - 8, small.length - 1]);
    for (let cut = 0; cut < small.length; cut += 53) cuts.add(cut);
    for (const cut of cuts) {
      const part = small.subarray(0, cut);
      const a = errorOf(() => loadRdb(part, { key() {} }));
      const b = errorOf(() => streamed(part, () => 50, { key() {} }));
      expect({ cut, error: b }).toEqual({ cut, error: a });
      expect(a).not.toBe("ok");
    }
  });

  test("corrupt bytes fail with loadRdb's error (or load the same keys when it does)", () => {
    const small = dataset(3000, 600, 100);
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 200; i++) {
      const f = small.slice();
      if (i % 2 === 0) f.fill(0, f.length - 8); // no checksum: the damage reaches the decoders
      for (let k = 0; k < 3; k++) f[Math.floor(rnd() * f.length)] = Math.floor(rnd() * 256);
      const ra = recorder();
      const rb = recorder();
      const a = errorOf(() => loadRdb(f, ra.sink));
      const b = errorOf(() => streamed(f, () => 1 + Math.floor(rnd() * 500), rb.sink));
      expect(b).toBe(a);
      expect(rb.events).toEqual(ra.events);
    }
  });
});
