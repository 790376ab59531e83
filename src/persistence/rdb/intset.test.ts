import { describe, expect, test } from "bun:test";
import { RdbError } from "./constants.ts";
import { decodeIntset, encodeIntset } from "./intset.ts";

describe("intset", () => {
  test("encodes like Redis (SADD i 1 5 -3 100000 dumps this blob)", () => {
    expect(Buffer.from(encodeIntset([-3n, 1n, 5n, 100000n])).toString("hex")).toBe("0400000004000000fdffffff0100000005000000a0860100");
  });

  test("round trips each width", () => {
    for (const values of [
      [1n, 2n],
      [-40000n, 7n],
      [-(2n ** 63n), 0n, 2n ** 63n - 1n],
    ]) {
      expect(decodeIntset(encodeIntset(values))).toEqual(values);
    }
  });

  test("rejects unsorted, duplicate, short or empty intsets", () => {
    const blob = encodeIntset([1n, 2n, 3n]);
    const dup = blob.slice();
    dup[10] = 1;
    expect(() => decodeIntset(dup)).toThrow(RdbError);
    expect(() => decodeIntset(blob.subarray(0, blob.length - 1))).toThrow(RdbError);
    expect(() => decodeIntset(encodeIntset([]))).toThrow(RdbError);
    const badWidth = blob.slice();
    badWidth[0] = 3;
    expect(() => decodeIntset(badWidth)).toThrow(RdbError);
  });
});
