import { describe, expect, test } from "bun:test";
import { RdbError } from "./constants.ts";
import { lzfCompress, lzfDecompress } from "./lzf.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const hex = (h: string) => Uint8Array.from(Buffer.from(h, "hex"));

describe("lzf", () => {
  // DUMP of SET lz ("abcdefgh" x 8 + "xyz" x 10) from redis-server 7.0.15: 0x00 (string), 0xC3 (LZF), clen 0x17, len 0x405e (14-bit: 94), data.
  const redisDump = hex("00c317405e08616263646566676861e02e070278797ae0100201797a0a00fe895156dd127255");
  const original = "abcdefgh".repeat(8) + "xyz".repeat(10);
  const redisCompressed = redisDump.subarray(5, 5 + 0x17);

  test("decompresses Redis-made output", () => {
    expect(Buffer.from(lzfDecompress(redisCompressed, 0x5e)).toString("latin1")).toBe(original);
  });

  test("compresses byte-identically to Redis", () => {
    const input = bytes(original);
    expect(Buffer.from(lzfCompress(input, input.length - 4) as Uint8Array).toString("hex")).toBe(
      Buffer.from(redisCompressed).toString("hex"),
    );
  });

  test("round trips varied data", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let n = 0; n < 200; n++) {
      const len = 1 + Math.floor(rnd() * 3000);
      const alphabet = 1 + Math.floor(rnd() * 255);
      const input = new Uint8Array(len);
      for (let i = 0; i < len; i++)
        input[i] = rnd() < 0.5 && i > 10 ? (input[i - 1 - Math.floor(rnd() * 10)] as number) : Math.floor(rnd() * alphabet);
      const c = lzfCompress(input, len + (len >> 4) + 16);
      expect(c).not.toBeNull();
      expect(Buffer.from(lzfDecompress(c as Uint8Array, len)).equals(Buffer.from(input))).toBe(true);
    }
  });

  test("returns null when the output would not fit", () => {
    const random = Uint8Array.from({ length: 100 }, (_, i) => (i * 167 + 13) & 0xff);
    expect(lzfCompress(random, random.length - 4)).toBeNull();
  });

  test("rejects corrupt input", () => {
    expect(() => lzfDecompress(redisCompressed, 0x5e + 1)).toThrow(RdbError);
    expect(() => lzfDecompress(redisCompressed.subarray(0, 10), 0x5e)).toThrow(RdbError);
    expect(() => lzfDecompress(hex("e0ff05"), 20)).toThrow(RdbError); // back reference before the start
  });
});
