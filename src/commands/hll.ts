/**
 * The HyperLogLog commands (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST).
 * An HLL is a string value in Redis's own format (./hll/format.ts), edited
 * in place as a raw string, so GET/SET/DUMP of it interoperate with Redis.
 */
import type { CommandSpec } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { asciiLower } from "../engine/table.ts";
import { cString } from "../resp/bytes.ts";
import { OK, type Reply, Status } from "../resp/reply.ts";
import { isStringValue, StringBuffer, type Value } from "../store/values.ts";
import {
  cachedCard,
  createHll,
  DENSE,
  decodeSparse,
  denseGet,
  denseSet,
  estimate,
  HDR,
  histogram,
  INVALID_HLL,
  invalidateCache,
  looksLikeHll,
  mergeInto,
  patLen,
  REGISTERS,
  SPARSE,
  setCachedCard,
  sparseSet,
  sparseToDense,
} from "./hll/format.ts";
import { rowsOf } from "./rows.ts";
import { editableString } from "./string/store.ts";

const NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";

/** isHLLObjectOrReply for a value that exists. */
function checkHll(v: Value): void {
  if (!isStringValue(v)) fail(Errors.wrongType);
  if (typeof v === "number") fail(NOT_HLL);
  const ok = v instanceof StringBuffer ? looksLikeHll(v.bytes, v.length) : looksLikeHll(latin1Bytes(v), v.length);
  if (!ok) fail(NOT_HLL);
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(Math.min(s.length, HDR));
  for (let i = 0; i < out.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** dbUnshareStringValue: the HLL at `key` as an editable buffer. */
function editable(ctx: Ctx, key: string, v: Value): StringBuffer {
  return editableString(ctx, key, v as string | StringBuffer, 0);
}

function hllAdd(ctx: Ctx, buf: StringBuffer, ele: string): number {
  const [index, count] = patLen(ele);
  if (buf.bytes[4] === DENSE) return denseSet(buf, index, count);
  if (buf.bytes[4] === SPARSE) return sparseSet(buf, index, count, ctx.engine.config.num("hll-sparse-max-bytes"));
  return -1;
}

function pfaddCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const v = ctx.write(key);
  let buf: StringBuffer;
  let updated = 0;
  if (v === undefined) {
    buf = createHll();
    ctx.db.set(key, buf, ctx.now);
    ctx.notify("n", "new", key);
    updated++;
  } else {
    checkHll(v);
    buf = editable(ctx, key, v);
  }
  for (let j = 2; j < ctx.argv.length; j++) {
    const r = hllAdd(ctx, buf, ctx.arg(j));
    if (r === 1) updated++;
    else if (r === -1) fail(INVALID_HLL);
  }
  if (updated > 0) {
    ctx.touched(key);
    ctx.notify("$", "pfadd", key);
    ctx.dirty(updated);
    invalidateCache(buf);
  }
  return updated > 0 ? 1 : 0;
}

function pfcountCommand(ctx: Ctx): Reply {
  if (ctx.argv.length > 2) {
    const max = new Uint8Array(REGISTERS);
    for (let j = 1; j < ctx.argv.length; j++) {
      const v = ctx.read(ctx.arg(j));
      if (v === undefined) continue;
      checkHll(v);
      if (!mergeInto(max, asBuffer(v))) fail(INVALID_HLL);
    }
    return estimate(histogram(max).histo);
  }
  const key = ctx.arg(1);
  const v = ctx.read(key);
  if (v === undefined) return 0;
  checkHll(v);
  const buf = editable(ctx, key, v);
  const cached = cachedCard(buf);
  if (cached !== null) return cached;
  const { histo, invalid } = histogram(buf);
  if (invalid) fail(INVALID_HLL);
  const card = estimate(histo);
  setCachedCard(buf, card);
  ctx.touched(key);
  ctx.dirty();
  return card;
}

/** A read-only view of a checked HLL value as a buffer. */
function asBuffer(v: Value): StringBuffer {
  if (v instanceof StringBuffer) return v;
  return new StringBuffer(v as string);
}

function pfmergeCommand(ctx: Ctx): Reply {
  const max = new Uint8Array(REGISTERS);
  let useDense = false;
  for (let j = 1; j < ctx.argv.length; j++) {
    const v = ctx.read(ctx.arg(j));
    if (v === undefined) continue;
    checkHll(v);
    const b = asBuffer(v);
    if (b.bytes[4] === DENSE) useDense = true;
    if (!mergeInto(max, b)) fail(INVALID_HLL);
  }
  const key = ctx.arg(1);
  const v = ctx.write(key);
  let buf: StringBuffer;
  if (v === undefined) {
    buf = createHll();
    ctx.db.set(key, buf, ctx.now);
    ctx.notify("n", "new", key);
  } else buf = editable(ctx, key, v);
  if (useDense && !sparseToDense(buf)) fail(INVALID_HLL);
  const maxBytes = ctx.engine.config.num("hll-sparse-max-bytes");
  for (let j = 0; j < REGISTERS; j++) {
    const m = max[j] as number;
    if (m === 0) continue;
    if (buf.bytes[4] === DENSE) denseSet(buf, j, m);
    else if (buf.bytes[4] === SPARSE) sparseSet(buf, j, m, maxBytes);
  }
  invalidateCache(buf);
  ctx.touched(key);
  ctx.notify("$", "pfadd", key);
  ctx.dirty();
  return OK;
}

function pfdebugCommand(ctx: Ctx): Reply {
  const cmd = ctx.arg(1);
  const key = ctx.arg(2);
  const v = ctx.write(key);
  if (v === undefined) fail("ERR The specified key does not exist");
  checkHll(v);
  const buf = editable(ctx, key, v);
  const sub = asciiLower(cmd);
  const arity = () => {
    if (ctx.argv.length !== 3) fail(`ERR Wrong number of arguments for the '${cString(cmd)}' subcommand`);
  };
  if (sub === "getreg") {
    arity();
    if (buf.bytes[4] === SPARSE) {
      if (!sparseToDense(buf)) fail(INVALID_HLL);
      ctx.dirty();
    }
    const out: number[] = new Array(REGISTERS);
    for (let j = 0; j < REGISTERS; j++) out[j] = denseGet(buf.bytes, HDR, j);
    return out;
  }
  if (sub === "decode") {
    arity();
    if (buf.bytes[4] !== SPARSE) fail("ERR HLL encoding is not sparse");
    return decodeSparse(buf);
  }
  if (sub === "encoding") {
    arity();
    return new Status(buf.bytes[4] === DENSE ? "dense" : "sparse");
  }
  if (sub === "todense") {
    arity();
    if (buf.bytes[4] !== SPARSE) return 0;
    if (!sparseToDense(buf)) fail(INVALID_HLL);
    ctx.dirty();
    return 1;
  }
  fail(`ERR Unknown PFDEBUG subcommand '${cString(cmd)}'`);
}

/**
 * PFSELFTEST: checks the register packing and the sparse and dense forms
 * against each other on random data, as Redis's self test does.
 */
function pfselftestCommand(): Reply {
  const dense = createHll();
  if (!sparseToDense(dense)) fail("ERR TESTFAILED sparse to dense conversion");
  const sparse = createHll();
  const regs = new Uint8Array(REGISTERS);
  for (let i = 0; i < 1000; i++) {
    const [index, count] = patLen(String(Math.random()));
    denseSet(dense, index, count);
    if (sparseSet(sparse, index, count, 1 << 30) === -1) fail("ERR TESTFAILED sparse set");
    if (count > (regs[index] as number)) regs[index] = count;
  }
  for (let j = 0; j < REGISTERS; j++) {
    if (denseGet(dense.bytes, HDR, j) !== regs[j]) fail(`ERR TESTFAILED Register ${j} should be ${regs[j]}`);
  }
  const a = estimate(histogram(dense).histo);
  const b = estimate(histogram(sparse).histo);
  if (a !== b) fail(`ERR TESTFAILED dense and sparse estimates differ: ${a} vs ${b}`);
  return OK;
}

const row = rowsOf("hyperloglog", "hyperloglog");

export const hllCommands: CommandSpec[] = [
  row(
    "pfadd",
    -2,
    ["write", "denyoom", "fast"],
    [1, 1, 1],
    "Adds the specified elements to the specified HyperLogLog.",
    "2.8.9",
    "O(1) to add every element.",
    pfaddCommand,
  ),
  row(
    "pfcount",
    -2,
    ["readonly", "may_replicate"],
    [1, -1, 1],
    "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
    "2.8.9",
    "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
    pfcountCommand,
  ),
  row(
    "pfmerge",
    -2,
    ["write", "denyoom"],
    [1, -1, 1],
    "Merge N different HyperLogLogs into a single one.",
    "2.8.9",
    "O(N) to merge N HyperLogLogs, but with high constant times.",
    pfmergeCommand,
  ),
  row(
    "pfdebug",
    3,
    ["write", "denyoom", "admin"],
    [2, 2, 1],
    "Internal commands for debugging HyperLogLog values",
    "2.8.9",
    "N/A",
    pfdebugCommand,
  ),
  row("pfselftest", 1, ["admin"], [0, 0, 0], "An internal command for testing HyperLogLog values", "2.8.9", "N/A", pfselftestCommand),
];
