import { describe, expect, test } from "bun:test";
import { Crc64, crc64 } from "./crc64.ts";

const ascii = (s: string) => new TextEncoder().encode(s);

describe("crc64 (Jones, reflected)", () => {
  test("Redis's test vector", () => {
    expect(crc64(ascii("123456789"))).toBe(0xe9c6d914c4b8d9can);
  });

  test("empty input is 0", () => {
    expect(crc64(new Uint8Array(0))).toBe(0n);
  });

  test("incremental updates equal one pass", () => {
    const data = ascii("This is a crc64 test for Redis, fed in odd-sized chunks.");
    const c = new Crc64();
    for (let i = 0; i < data.length; i += 7) c.update(data, i, Math.min(i + 7, data.length));
    expect(c.value).toBe(crc64(data));
  });

  test("little-endian trailer bytes", () => {
    const b = new Crc64().update(ascii("123456789")).bytesLE();
    expect(Buffer.from(b).toString("hex")).toBe("cad9b8c414d9c6e9");
  });
});
