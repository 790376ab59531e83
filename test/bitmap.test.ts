/**
 * The bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
 * BITFIELD_RO) against the real redis-server: replies, errors and the
 * resulting values and encodings byte for byte, then a seeded random run.
 * Both servers run with proto-max-bulk-len 1mb so the offset limit is cheap.
 */
import { beforeEach, test } from "bun:test";
import { type Differential, rng } from "./helpers/diff.ts";
import { replayable, seedFrom, withDifferential } from "./helpers/suite.ts";

let d: Differential;
withDifferential(
  (started) => {
    d = started;
  },
  ["--proto-max-bulk-len", "1mb"],
);

beforeEach(async () => {
  await d.same("FLUSHALL");
});

const run = (...commands: string[][]) => d.sequence(commands);

test("SETBIT and GETBIT: values, padding, encodings and errors", async () => {
  await run(
    ["SETBIT", "k", "1", "1"],
    ["GET", "k"],
    ["OBJECT", "ENCODING", "k"],
    ["SETBIT", "k", "1", "1"],
    ["SETBIT", "k", "17", "1"],
    ["GET", "k"],
    ["SETBIT", "k", "17", "0"],
    ["GETBIT", "k", "17"],
    ["GETBIT", "k", "1"],
    ["GETBIT", "k", "100000"],
    ["GETBIT", "missing", "3"],
    ["SET", "n", "12"],
    ["OBJECT", "ENCODING", "n"],
    ["GETBIT", "n", "2"],
    ["GETBIT", "n", "3"],
    ["SETBIT", "n", "6", "1"],
    ["GET", "n"],
    ["OBJECT", "ENCODING", "n"],
    ["SETBIT", "k", "8388608", "1"],
    ["SETBIT", "k", "8388607", "1"],
    ["STRLEN", "k"],
    ["SETBIT", "k", "-1", "1"],
    ["SETBIT", "k", "1", "2"],
    ["SETBIT", "k", "1", "-1"],
    ["SETBIT", "k", "1", "x"],
    ["SETBIT", "k", "x", "1"],
    ["GETBIT", "k", "-1"],
    ["LPUSH", "l", "a"],
    ["SETBIT", "l", "0", "1"],
    ["GETBIT", "l", "0"],
  );
});

test("BITCOUNT with BYTE and BIT ranges", async () => {
  await run(["SET", "s", "foobar\xff\x00\x81"], ["SET", "i", "-1234567"]);
  const ranges = [
    [],
    ["0", "0"],
    ["1", "1"],
    ["-2", "-1"],
    ["-1", "-2"],
    ["5", "100"],
    ["-100", "2"],
    ["3", "1"],
    ["1", "1", "BYTE"],
    ["5", "30", "BIT"],
    ["-9", "-2", "bit"],
    ["7", "7", "BIT"],
    ["0", "-1", "BIT"],
    ["2", "2", "BITS"],
    ["1"],
    ["1", "2", "BIT", "x"],
    ["a", "1"],
  ];
  for (const r of ranges) await run(["BITCOUNT", "s", ...r], ["BITCOUNT", "i", ...r], ["BITCOUNT", "nokey", ...r]);
});

test("BITPOS for set and clear bits, with and without an end", async () => {
  await run(
    ["SET", "ones", "\xff\xff\xff"],
    ["SET", "zeros", "\x00\x00\x00"],
    ["SET", "mix", "\x00\xff\xf0\x0f\x00"],
    ["SET", "empty", ""],
  );
  const forms = [
    [],
    ["1"],
    ["-1"],
    ["0", "-1"],
    ["1", "2"],
    ["2", "1"],
    ["0", "0"],
    ["3", "30", "BIT"],
    ["9", "15", "BIT"],
    ["7", "9", "bit"],
    ["-5", "-1", "BIT"],
    ["12", "12", "BIT"],
    ["0", "-1", "BYTE"],
    ["0", "1", "BITS"],
  ];
  for (const key of ["ones", "zeros", "mix", "empty", "nokey"]) {
    for (const bit of ["0", "1"]) for (const f of forms) await run(["BITPOS", key, bit, ...f]);
  }
  await run(["BITPOS", "mix", "2"], ["BITPOS", "mix", "x"], ["BITPOS", "mix", "1", "0", "1", "BIT", "extra"]);
});

test("BITOP AND, OR, XOR, NOT, missing keys and an empty result", async () => {
  await run(
    ["SET", "a", "\xff\x0f\x55"],
    ["SET", "b", "\xf0\xf0"],
    ["SET", "n", "123"],
    ["BITOP", "AND", "dest", "a", "b"],
    ["GET", "dest"],
    ["OBJECT", "ENCODING", "dest"],
    ["BITOP", "or", "dest", "a", "b", "nokey"],
    ["GET", "dest"],
    ["BITOP", "XOR", "dest", "a", "b", "n"],
    ["GET", "dest"],
    ["BITOP", "NOT", "dest", "a"],
    ["GET", "dest"],
    ["BITOP", "NOT", "dest", "a", "b"],
    ["BITOP", "NAND", "dest", "a"],
    ["BITOP", "AND", "dest", "nokey", "nokey2"],
    ["EXISTS", "dest"],
    ["BITOP", "AND", "a", "a", "b"],
    ["GET", "a"],
    ["LPUSH", "l", "x"],
    ["BITOP", "OR", "dest", "b", "l"],
  );
});

test("BITFIELD GET, SET, INCRBY and the OVERFLOW modes", async () => {
  await run(
    ["BITFIELD", "bf", "SET", "i8", "0", "100", "GET", "i8", "0", "INCRBY", "i8", "0", "100"],
    ["BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100", "INCRBY", "i8", "0", "-1000"],
    ["BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u4", "#1", "20", "INCRBY", "u4", "#1", "5", "GET", "u4", "#1"],
    ["BITFIELD", "bf", "SET", "u63", "1", "9223372036854775807", "GET", "u63", "1", "GET", "i64", "0"],
    ["BITFIELD", "bf", "SET", "i64", "100", "-9223372036854775808", "INCRBY", "i64", "100", "-1"],
    ["BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "100", "-1", "OVERFLOW", "WRAP", "INCRBY", "u3", "5", "9"],
    ["BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u16", "0", "-123", "SET", "i4", "0", "-100", "SET", "i4", "4", "100"],
    ["BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u16", "0", "-123", "OVERFLOW", "FAIL", "SET", "u16", "0", "-1", "SET", "i4", "0", "8"],
    ["GET", "bf"],
    ["BITFIELD", "bf", "GET", "u8", "1000"],
    ["BITFIELD", "bf"],
    ["BITFIELD", "nokey", "GET", "i5", "3"],
    ["EXISTS", "nokey"],
    ["BITFIELD_RO", "bf", "GET", "u8", "0", "GET", "i3", "#2"],
    ["BITFIELD_RO", "bf", "SET", "u8", "0", "1"],
    ["BITFIELD", "bf", "GET", "u64", "0"],
    ["BITFIELD", "bf", "GET", "i65", "0"],
    ["BITFIELD", "bf", "GET", "x8", "0"],
    ["BITFIELD", "bf", "GET", "u8", "-1"],
    ["BITFIELD", "bf", "OVERFLOW", "NOPE", "GET", "u8", "0"],
    ["BITFIELD", "bf", "SET", "u8", "0"],
    ["BITFIELD", "bf", "INCRBY", "u8", "0", "x"],
    ["BITFIELD", "bf", "GET", "u8", "8388608"],
    ["SET", "num", "5"],
    ["BITFIELD", "num", "GET", "u8", "0", "SET", "u8", "8", "65"],
    ["GET", "num"],
    ["OBJECT", "ENCODING", "num"],
  );
});

test("random bitmap operations agree with Redis", async () => {
  const seed = seedFrom("BITMAP_SEED");
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const int = (lo: number, hi: number) => String(lo + Math.floor(rand() * (hi - lo + 1)));
  const keys = ["a", "b", "c"];
  const types = ["u1", "u5", "u8", "u16", "u63", "i1", "i7", "i8", "i32", "i64"];
  const log: string[][] = [];
  await replayable("BITMAP_SEED", seed, log, 10, async () => {
    for (let i = 0; i < 400; i++) {
      const key = pick(keys);
      const cmd = pick([
        () => ["SETBIT", key, int(0, 300), int(0, 1)],
        () => ["GETBIT", key, int(0, 300)],
        () => ["BITCOUNT", key, int(-40, 40), int(-40, 40), pick(["BYTE", "BIT"])],
        () => ["BITPOS", key, int(0, 1), int(-40, 40), int(-40, 40), pick(["BYTE", "BIT"])],
        () => ["BITPOS", key, int(0, 1), int(-5, 5)],
        () => ["BITOP", pick(["AND", "OR", "XOR"]), pick(keys), key, pick(keys)],
        () => [
          "BITFIELD",
          key,
          "OVERFLOW",
          pick(["WRAP", "SAT", "FAIL"]),
          pick(["SET", "INCRBY"]),
          pick(types),
          int(0, 200),
          int(-300, 300),
        ],
        () => ["BITFIELD_RO", key, "GET", pick(types), int(0, 300)],
        () => ["GET", key],
      ])();
      log.push(cmd);
      await d.same(...cmd);
    }
  });
});
