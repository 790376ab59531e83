import { expect, test } from "bun:test";
import { formatId, ID_MAX, makeId } from "./id.ts";

test("formatId prints both halves exactly, below 2^53 (as numbers) and above (as bigints)", () => {
  expect(formatId(makeId(1_700_000_000_000n, 0n))).toBe("1700000000000-0");
  expect(formatId(makeId(9007199254740991n, 9007199254740991n))).toBe("9007199254740991-9007199254740991");
  expect(formatId(makeId(9007199254740992n, 1n))).toBe("9007199254740992-1");
  expect(formatId(makeId(5n, 9007199254740993n))).toBe("5-9007199254740993");
  expect(formatId(ID_MAX)).toBe("18446744073709551615-18446744073709551615");
  expect(formatId(0n)).toBe("0-0");
});
