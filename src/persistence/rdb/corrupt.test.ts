/**
 * Corrupt DUMP payloads: each must be refused with the error Redis's
 * rdbLoadObject reports for it (the text RESTORE logs at verbose level and a
 * failed load prints, which Redis's corrupt-dump tests look for), never a
 * crash or a value built from garbage.
 */
import { describe, expect, test } from "bun:test";
import { QUICKLIST_PACKED, RDB_VERSION, RdbError, RdbType } from "./constants.ts";
import { Crc64 } from "./crc64.ts";
import { DEFAULT_LIMITS, EmptyKeyError } from "./decode.ts";
import { decodeDumpPayload, verifyDumpPayload } from "./dump.ts";
import { encodeIntset } from "./intset.ts";
import { RdbWriter } from "./io.ts";
import { encodeListpack } from "./listpack.ts";
import { RdbStreamLoader } from "./stream-load.ts";
import { encodeZiplist } from "./ziplist.ts";

/** A DUMP payload: type byte, then what `body` writes, then the version and the CRC64. */
function payload(type: number, body: (w: RdbWriter) => void): Uint8Array {
  const w = new RdbWriter(false);
  w.byte(type);
  body(w);
  w.byte(RDB_VERSION & 0xff);
  w.byte(RDB_VERSION >> 8);
  w.raw(new Crc64().update(w.view()).bytesLE());
  return w.take();
}

function blob(type: number, b: Uint8Array): Uint8Array {
  return payload(type, (w) => w.blob(b));
}

/** `b` with byte `at` set to `v` (a negative `at` counts from the end). */
function poke(b: Uint8Array, at: number, v: number): Uint8Array {
  const out = b.slice();
  out[at < 0 ? out.length + at : at] = v;
  return out;
}

function errorOf(p: Uint8Array): string {
  expect(verifyDumpPayload(p)).toBe(true);
  try {
    decodeDumpPayload(p, DEFAULT_LIMITS);
  } catch (e) {
    expect(e).toBeInstanceOf(RdbError);
    return (e as Error).message;
  }
  return "(accepted)";
}

const lp = encodeListpack(["a", "1", "b", "2"]);
const zl = encodeZiplist(["a", "1", "b", "2"]);

describe("corrupt payloads are refused with Redis's message", () => {
  const cases: [string, Uint8Array, string][] = [
    ["hash listpack, bad total size", blob(RdbType.HASH_LISTPACK, poke(lp, 0, 0x7f)), "Hash listpack integrity check failed."],
    ["hash listpack, no terminator", blob(RdbType.HASH_LISTPACK, poke(lp, -1, 0x00)), "Hash listpack integrity check failed."],
    ["hash listpack, odd count", blob(RdbType.HASH_LISTPACK, encodeListpack(["a", "1", "b"])), "Hash listpack integrity check failed."],
    [
      "hash listpack, duplicate field",
      blob(RdbType.HASH_LISTPACK, encodeListpack(["a", "1", "a", "2"])),
      "Hash listpack integrity check failed.",
    ],
    ["hash ziplist, bad zlbytes", blob(RdbType.HASH_ZIPLIST, poke(zl, 0, 0x7f)), "Hash ziplist integrity check failed."],
    [
      "hash ziplist, duplicate field",
      blob(RdbType.HASH_ZIPLIST, encodeZiplist(["a", "1", "a", "2"])),
      "Hash ziplist integrity check failed.",
    ],
    ["zset listpack, bad score", blob(RdbType.ZSET_LISTPACK, encodeListpack(["a", "x"])), "Zset listpack integrity check failed."],
    ["zset ziplist, odd count", blob(RdbType.ZSET_ZIPLIST, encodeZiplist(["a", "1", "b"])), "Zset ziplist integrity check failed."],
    ["list ziplist, bad zlbytes", blob(RdbType.LIST_ZIPLIST, poke(zl, 0, 0x7f)), "List ziplist integrity check failed."],
    ["intset, wrong length", blob(RdbType.SET_INTSET, encodeIntset([1n, 2n, 3n]).subarray(0, 12)), "Intset integrity check failed."],
    ["intset, unsorted", blob(RdbType.SET_INTSET, poke(encodeIntset([1n, 2n]), 8, 5)), "Intset integrity check failed."],
    [
      "quicklist 2, bad container",
      payload(RdbType.LIST_QUICKLIST_2, (w) => {
        w.length(1);
        w.length(7);
        w.blob(lp);
      }),
      "Quicklist integrity check failed.",
    ],
    [
      "quicklist 2, corrupt listpack node",
      payload(RdbType.LIST_QUICKLIST_2, (w) => {
        w.length(1);
        w.length(QUICKLIST_PACKED);
        w.blob(poke(lp, 0, 0x7f));
      }),
      "Listpack integrity check failed.",
    ],
    [
      "quicklist, corrupt ziplist node",
      payload(RdbType.LIST_QUICKLIST, (w) => {
        w.length(1);
        w.blob(poke(zl, 0, 0x7f));
      }),
      "Ziplist integrity check failed.",
    ],
    [
      "zset, duplicate member",
      payload(RdbType.ZSET_2, (w) => {
        w.length(2);
        w.string("m");
        w.binaryDouble(1);
        w.string("m");
        w.binaryDouble(2);
      }),
      "Duplicate zset fields detected",
    ],
    [
      "set, duplicate member",
      payload(RdbType.SET, (w) => {
        w.length(2);
        w.string("m");
        w.string("m");
      }),
      "Duplicate set members detected",
    ],
    // Redis's corrupt-dump test "hash empty zipmap": a zipmap with no pairs.
    ["empty zipmap", blob(RdbType.HASH_ZIPMAP, Uint8Array.of(0x00, 0xff)), "Zipmap integrity check failed."],
    ["string, cut short", payload(RdbType.STRING, (w) => w.length(50)), "Unexpected EOF reading RDB file"],
  ];
  for (const [name, p, message] of cases) test(name, () => expect(errorOf(p)).toBe(message));

  test("an empty container is an empty key, not an integrity failure", () => {
    expect(() => decodeDumpPayload(blob(RdbType.HASH_LISTPACK, encodeListpack([])), DEFAULT_LIMITS)).toThrow(EmptyKeyError);
  });

  test("a wrong checksum fails verification unless validation is skipped", () => {
    const p = poke(blob(RdbType.HASH_LISTPACK, lp), -1, 0);
    expect(verifyDumpPayload(p)).toBe(false);
    expect(verifyDumpPayload(p, true)).toBe(true);
  });
});

test("a zero-length quicklist node fails a streaming load at once: corrupt, not a short read waiting for bytes", () => {
  const w = new RdbWriter(false);
  for (const c of "REDIS0010") w.byte(c.charCodeAt(0));
  w.byte(RdbType.LIST_QUICKLIST_2);
  w.string("k");
  w.length(1);
  w.length(QUICKLIST_PACKED);
  w.length(0);
  // Plenty of bytes after it: a loader taking this for truncation would wait for more instead of failing.
  w.raw(new Uint8Array(64));
  const l = new RdbStreamLoader({ key() {} }, DEFAULT_LIMITS);
  l.push(w.take());
  expect(() => l.step(100)).toThrow("Unexpected EOF reading RDB file");
});
