import { describe, expect, test } from "bun:test";
import { RdbError } from "./constants.ts";
import { decodeListpack, encodeListpack } from "./listpack.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("listpack", () => {
  test("encodes integers and strings like lpAppend", () => {
    // HSET h f v n 12 in redis-server 7.0.15 dumps this listpack.
    expect(hex(encodeListpack(["f", "v", "n", "12"]))).toBe("120000000400816602817602816e020c01ff");
  });

  test("round trips every encoding width", () => {
    const items = [
      "0",
      "127",
      "128",
      "-1",
      "-4096",
      "4095",
      "-4097",
      "32767",
      "-32769",
      "8388607",
      "-8388609",
      "2147483647",
      "-2147483649",
      "9223372036854775807",
      "-9223372036854775808",
      "9223372036854775808",
      "007",
      "-0",
      "",
      "x".repeat(63),
      "y".repeat(64),
      "z".repeat(4095),
      "w".repeat(4096),
      "\u00ff\u0000bytes",
    ];
    expect(decodeListpack(encodeListpack(items))).toEqual(items);
  });

  test("rejects corrupt listpacks", () => {
    const good = encodeListpack(["a", "bb", "300"]);
    expect(() => decodeListpack(good.subarray(0, good.length - 1))).toThrow(RdbError);
    const badCount = good.slice();
    badCount[4] = 7;
    expect(() => decodeListpack(badCount)).toThrow(RdbError);
    const badBacklen = good.slice();
    badBacklen[8] = 9;
    expect(() => decodeListpack(badBacklen)).toThrow(RdbError);
    const badEnc = good.slice();
    badEnc[6] = 0xf7;
    expect(() => decodeListpack(badEnc)).toThrow(RdbError);
  });
});
