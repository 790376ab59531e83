import { describe, expect, test } from "bun:test";
import { RdbError } from "./constants.ts";
import { decodeZiplist, encodeZiplist } from "./ziplist.ts";
import { decodeZipmap } from "./zipmap.ts";

describe("ziplist", () => {
  test("lays out entries as ziplist.c does", () => {
    // zlbytes 27, zltail 19, zllen 4; "a" (prevlen 0), immediate 1 (0xf2), int16 -200, "hello".
    const zl = encodeZiplist(["a", "1", "-200", "hello"]);
    expect(Buffer.from(zl).toString("hex")).toBe("1b00000013000000040000016103f202c038ff040568656c6c6fff");
    expect(decodeZiplist(zl)).toEqual(["a", "1", "-200", "hello"]);
  });

  test("round trips every encoding", () => {
    const items = [
      "0",
      "12",
      "13",
      "-128",
      "127",
      "32767",
      "-8388608",
      "8388607",
      "2147483647",
      "-2147483649",
      "9223372036854775807",
      "",
      "x".repeat(300),
      "y".repeat(17000),
      "01",
    ];
    expect(decodeZiplist(encodeZiplist(items))).toEqual(items);
  });

  test("rejects corrupt ziplists", () => {
    const zl = encodeZiplist(["a", "bb", "ccc"]);
    expect(() => decodeZiplist(zl.subarray(0, zl.length - 2))).toThrow(RdbError);
    const badPrev = zl.slice();
    badPrev[13] = 9; // prevlen of the second entry
    expect(() => decodeZiplist(badPrev)).toThrow(RdbError);
    const badTail = zl.slice();
    badTail[4] = 11;
    expect(() => decodeZiplist(badTail)).toThrow(RdbError);
  });
});

describe("zipmap", () => {
  test("decodes field/value pairs, skipping free bytes", () => {
    // zmlen 2; "f" -> "v" (1 free byte); "name" -> "x"
    const zm = Uint8Array.from([2, 1, 0x66, 1, 1, 0x76, 0, 4, 0x6e, 0x61, 0x6d, 0x65, 1, 0, 0x78, 0xff]);
    expect(decodeZipmap(zm)).toEqual(["f", "v", "name", "x"]);
    expect(() => decodeZipmap(zm.subarray(0, 10))).toThrow(RdbError);
  });
});
