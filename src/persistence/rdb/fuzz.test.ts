/**
 * Redis's corrupt-dump-fuzzer, in-process: DUMP payloads of every type and
 * encoding with one or two bytes changed (the checksum skipped, as with
 * DEBUG SET-SKIP-CHECKSUM-VALIDATION) must decode or be refused with an
 * RdbError, never throw anything else or run away. Seeded, so a failure repeats.
 */
import { expect, test } from "bun:test";
import { createTestEngine } from "../../engine/testing.ts";
import { fromLatin1 } from "../../resp/bytes.ts";
import { RdbError } from "./constants.ts";
import { DEFAULT_LIMITS } from "./decode.ts";
import { decodeDumpPayload } from "./dump.ts";

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function payloads(): Uint8Array[] {
  const t = createTestEngine();
  const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  const cmds: string[][] = [
    ["SET", "str", "hello world, a string long enough for lzf lzf lzf lzf"],
    ["SET", "int", "12345"],
    ["RPUSH", "list", ...range(10, (i) => (i % 2 ? `_${i}` : String(i)))],
    ["RPUSH", "listbig", ...range(300, (i) => `item${i % 7}`)],
    ["SADD", "intset", ...range(10, String)],
    ["SADD", "set", ...range(10, (i) => `m${i}`)],
    ["HSET", "hash", ...range(10, (i) => [String(i), i % 2 ? `_${i}` : String(i)]).flat()],
    ["HSET", "hashbig", ...range(600, (i) => [`f${i}`, `v${i}`]).flat()],
    ["ZADD", "zset", ...range(10, (i) => [String(i), `m${i}`]).flat()],
    ["ZADD", "zsetbig", ...range(200, (i) => [String(i / 3), `m${i}`]).flat()],
  ];
  for (const c of cmds) t.exec(...c);
  return cmds.map((c) => fromLatin1(t.exec("DUMP", c[1] as string) as string));
}

test("corrupt payloads decode or fail with an RdbError, never anything else", () => {
  const rand = prng(7445);
  const base = payloads();
  let refused = 0;
  const deadline = performance.now() + 20000;
  for (let n = 0; n < 4000 && performance.now() < deadline; n++) {
    const p = (base[n % base.length] as Uint8Array).slice();
    const body = p.length - 10;
    for (let k = rand() > 0.9 ? 2 : 1; k > 0; k--) p[Math.floor(rand() * body)] = Math.floor(rand() * 256);
    try {
      decodeDumpPayload(p, DEFAULT_LIMITS);
    } catch (e) {
      if (!(e instanceof RdbError)) throw new Error(`payload ${Buffer.from(p).toString("hex")}: ${(e as Error).stack}`);
      refused++;
    }
  }
  expect(refused).toBeGreaterThan(0);
});
