import { expect, test } from "bun:test";
import { decodeListpack, encodeListpack } from "../../persistence/rdb/listpack.ts";
import { decrId, formatId, ID_MAX, incrId, makeId, parseId } from "./id.ts";
import { Lp } from "./lp.ts";

const ITEMS = [
  "0",
  "127",
  "128",
  "-1",
  "-4096",
  "4095",
  "32767",
  "-32768",
  "8388607",
  "-8388608",
  "2147483647",
  "-2147483648",
  "9223372036854775807",
  "-9223372036854775808",
  "9007199254740993",
  "",
  "x",
  "01",
  "a".repeat(63),
  "b".repeat(64),
  "c".repeat(4095),
  "d".repeat(4096),
];

test("appending gives the bytes lpAppend gives (the RDB listpack encoder's)", () => {
  const lp = new Lp();
  for (const s of ITEMS) lp.append(s);
  expect(Buffer.from(lp.bytes())).toEqual(Buffer.from(encodeListpack(ITEMS)));
  expect(decodeListpack(lp.bytes())).toEqual(ITEMS);
});

test("walking forwards and backwards, reading each element", () => {
  const lp = new Lp();
  for (const s of ITEMS) lp.append(s);
  const fwd: string[] = [];
  for (let p = lp.first(); p !== -1; p = lp.next(p)) fwd.push(lp.str(p));
  expect(fwd).toEqual(ITEMS);
  const back: string[] = [];
  for (let p = lp.last(); p !== -1; p = lp.prev(p)) back.push(lp.str(p));
  expect(back).toEqual([...ITEMS].reverse());
  expect(lp.big(lp.next(lp.next(lp.first())))).toBe(128n);
});

test("replacing an integer with a wider or narrower one moves what follows", () => {
  const lp = new Lp();
  for (const s of ["1", "x", "2", "y"]) lp.append(s);
  const second = lp.next(lp.next(lp.first()));
  lp.replaceInt(second, 123456789012n);
  expect(decodeListpack(lp.bytes())).toEqual(["1", "x", "123456789012", "y"]);
  lp.replaceInt(lp.first(), 70000);
  lp.replaceInt(lp.next(lp.next(lp.first())), 5);
  expect(decodeListpack(lp.bytes())).toEqual(["70000", "x", "5", "y"]);
  expect(Buffer.from(lp.bytes())).toEqual(Buffer.from(encodeListpack(["70000", "x", "5", "y"])));
});

test("IDs: parsing forms, formatting, the ends of the range", () => {
  expect(parseId("5", 7n, false)?.id).toBe(makeId(5n, 7n));
  expect(parseId("5-*", 0n, true, true)).toEqual({ id: makeId(5n, 0n), seqGiven: false });
  expect(parseId("5-*", 0n, true)).toBeNull();
  expect(parseId("-", 0n, true)).toBeNull();
  expect(parseId("+", 0n, false)?.id).toBe(ID_MAX);
  expect(parseId("18446744073709551616", 0n, false)).toBeNull();
  expect(parseId("007-1", 0n, false)?.id).toBe(makeId(7n, 1n));
  expect(parseId("-1", 0n, false)).toBeNull();
  expect(formatId(ID_MAX)).toBe("18446744073709551615-18446744073709551615");
  expect(incrId(ID_MAX)).toBeNull();
  expect(decrId(0n)).toBeNull();
  expect(incrId(makeId(1n, 18446744073709551615n))).toBe(makeId(2n, 0n));
});
