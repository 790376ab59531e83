/**
 * HyperLogLog against the real redis-server: the HLL strings themselves
 * (sparse opcodes, promotion to dense, the cached cardinality bytes) must be
 * byte-identical after the same PFADD / PFMERGE / PFCOUNT sequence, and so
 * must every estimate, PFDEBUG answer and error.
 */
import { test } from "bun:test";
import { type Differential, rng } from "./helpers/diff.ts";
import { replayable, seedFrom, withDifferential } from "./helpers/suite.ts";

let d: Differential;
withDifferential((started) => {
  d = started;
});

const run = (...commands: string[][]) => d.sequence(commands);

test("PFADD, PFCOUNT and the HLL bytes, sparse and dense", async () => {
  await d.same("FLUSHALL");
  await run(
    ["PFADD", "h"],
    ["GET", "h"],
    ["PFCOUNT", "h"],
    ["PFADD", "h", "a", "b", "c"],
    ["PFADD", "h", "a", "b", "c"],
    ["PFADD", "h", ""],
    ["GET", "h"],
    ["PFCOUNT", "h"],
    ["GET", "h"],
    ["PFDEBUG", "DECODE", "h"],
    ["PFDEBUG", "ENCODING", "h"],
    ["OBJECT", "ENCODING", "h"],
    ["PFCOUNT", "nokey"],
    ["PFDEBUG", "GETREG", "nokey"],
    ["PFDEBUG", "NOPE", "h"],
    ["PFDEBUG", "\x00x", "h"],
    ["PFDEBUG", "TODENSE", "h"],
    ["PFDEBUG", "TODENSE", "h"],
    ["PFDEBUG", "ENCODING", "h"],
    ["PFDEBUG", "DECODE", "h"],
    ["GET", "h"],
    ["PFADD", "h", "x", "y"],
    ["PFCOUNT", "h"],
    ["GET", "h"],
  );
});

test("PFMERGE and multi-key PFCOUNT, type and corruption errors", async () => {
  await d.same("FLUSHALL");
  const many = Array.from({ length: 300 }, (_, i) => `e${i}`);
  await run(
    ["PFADD", "a", "1", "2", "3"],
    ["PFADD", "b", ...many],
    ["PFADD", "c", "x"],
    ["PFDEBUG", "TODENSE", "c"],
    ["PFMERGE", "m", "a", "b"],
    ["GET", "m"],
    ["PFCOUNT", "m"],
    ["PFMERGE", "m2", "a", "c", "nokey"],
    ["GET", "m2"],
    ["PFCOUNT", "a", "b", "c", "nokey"],
    ["PFMERGE", "empty"],
    ["GET", "empty"],
    ["SET", "s", "bar"],
    ["PFADD", "s", "1"],
    ["PFCOUNT", "s"],
    ["PFCOUNT", "s", "a"],
    ["PFMERGE", "a", "s"],
    ["PFMERGE", "s", "a"],
    ["LPUSH", "l", "x"],
    ["PFADD", "l", "x"],
    ["PFCOUNT", "l"],
    ["SET", "n", "12345678901234567"],
    ["PFCOUNT", "n"],
  );
  await run(["PFADD", "t", "a", "b", "c"], ["APPEND", "t", "hello"], ["PFCOUNT", "t"]);
  await run(["PFADD", "t2", "a", "b", "c"], ["SETRANGE", "t2", "0", "0123"], ["PFCOUNT", "t2"]);
  await run(["PFADD", "t3", "a", "b", "c"], ["SETRANGE", "t3", "4", "x"], ["PFCOUNT", "t3"]);
  await run(["PFADD", "t4", "a", "b", "c"], ["SETRANGE", "t4", "4", "\x00"], ["PFCOUNT", "t4"]);
});

test("random PFADD / PFMERGE runs leave byte-identical HLLs", async () => {
  await d.same("FLUSHALL");
  await d.same("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
  const seed = seedFrom("HLL_SEED");
  const rand = rng(seed);
  const log: string[][] = [];
  await replayable("HLL_SEED", seed, log, 6, async () => {
    for (let round = 0; round < 40; round++) {
      const key = `h${Math.floor(rand() * 3)}`;
      const r = rand();
      let cmd: string[];
      if (r < 0.7) {
        const n = Math.floor(rand() * (rand() < 0.2 ? 400 : 20));
        cmd = ["PFADD", key, ...Array.from({ length: n }, () => String(Math.floor(rand() * 1e6)))];
      } else if (r < 0.8) cmd = ["PFMERGE", key, `h${Math.floor(rand() * 3)}`, `h${Math.floor(rand() * 3)}`];
      else if (r < 0.9) cmd = ["PFCOUNT", key];
      else cmd = ["PFCOUNT", "h0", "h1", "h2"];
      log.push(cmd);
      await d.same(...cmd);
      for (const k of ["h0", "h1", "h2"]) await d.same("GET", k);
    }
  });
});
