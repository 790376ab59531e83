import { expect, test } from "bun:test";
import { rng } from "../../../test/helpers/diff.ts";
import { murmur64 } from "./murmur.ts";

/** MurmurHash64A written plainly in bigint, to check the 32-bit-halves version against. */
function reference(s: string): bigint {
  const M64 = (1n << 64n) - 1n;
  const m = 0xc6a4a7935bd1e995n;
  const len = s.length;
  let h = (0xadc83b19n ^ ((BigInt(len) * m) & M64)) & M64;
  const whole = len - (len & 7);
  for (let i = 0; i < whole; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j) & 0xff);
    k = (k * m) & M64;
    k ^= k >> 47n;
    k = (k * m) & M64;
    h ^= k;
    h = (h * m) & M64;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(whole + j) & 0xff) << BigInt(8 * j);
    h = (h * m) & M64;
  }
  h ^= h >> 47n;
  h = (h * m) & M64;
  h ^= h >> 47n;
  return h;
}

test("MurmurHash64A in 32-bit halves equals the 64-bit definition", () => {
  const rand = rng(12345);
  const inputs = ["", "a", "abc", "hello world", "12345678", "123456789", "\xff\xfe\x00\x80\x7f"];
  for (let i = 0; i < 2000; i++) {
    let s = "";
    const n = Math.floor(rand() * 40);
    for (let j = 0; j < n; j++) s += String.fromCharCode(Math.floor(rand() * 256));
    inputs.push(s);
  }
  for (const s of inputs) {
    const [hi, lo] = murmur64(s);
    expect({ s, h: (BigInt(hi) << 32n) | BigInt(lo) }).toEqual({ s, h: reference(s) });
  }
});
