/**
 * LCS: longest common subsequence of two string keys, with the classic
 * dynamic programming table, then a walk back from the end that yields the
 * LCS text and its matching ranges in the order Redis emits them (last match
 * first).
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiUpper } from "../../engine/table.ts";
import { MapReply, type Reply } from "../../resp/reply.ts";
import { isStringValue, stringOf } from "../../store/values.ts";

export interface LcsRange {
  /** Inclusive byte ranges in a and b. */
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

export interface LcsResult {
  length: number;
  /** The subsequence itself (only when asked for). */
  text: string;
  ranges: LcsRange[];
}

/** Bytes the table takes, for Redis's proto-max-bulk-len check (it counts 4-byte cells). */
export function lcsTableBytes(alen: number, blen: number): number {
  return (alen + 1) * (blen + 1) * 4;
}

/**
 * Fills the table and walks it. The cell width adapts to the shorter string
 * (no LCS is longer), which keeps big inputs at a quarter of Redis's memory.
 * Throws RangeError when the table cannot be allocated.
 */
export function computeLcs(a: string, b: string, withText: boolean, withRanges: boolean): LcsResult {
  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  const shorter = Math.min(alen, blen);
  const cells = (alen + 1) * width;
  const t = shorter < 0xff ? new Uint8Array(cells) : shorter < 0xffff ? new Uint16Array(cells) : new Uint32Array(cells);
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * width;
    const prev = row - width;
    for (let j = 1; j <= blen; j++) {
      if (ai === b.charCodeAt(j - 1)) t[row + j] = (t[prev + j - 1] as number) + 1;
      else {
        const up = t[prev + j] as number;
        const left = t[row + j - 1] as number;
        t[row + j] = Math.max(up, left);
      }
    }
  }
  const length = t[alen * width + blen] as number;
  const ranges: LcsRange[] = [];
  if (!withText && !withRanges) return { length, text: "", ranges };

  const out = new Array<string>(length);
  let k = length;
  let i = alen;
  let j = blen;
  // A range under construction; aStart === -1 means none.
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      out[--k] = a[i - 1] as string;
      if (aStart === -1) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        // Contiguous with the range so far: extend it backwards.
        aStart--;
        bStart--;
      } else emit = true;
      // A range touching the start of either string is complete.
      if (aStart === 0 || bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if ((t[(i - 1) * width + j] as number) > (t[i * width + j - 1] as number)) i--;
      else j--;
      if (aStart !== -1) emit = true;
    }
    if (emit) {
      ranges.push({ aStart, aEnd, bStart, bEnd });
      aStart = -1;
    }
  }
  return { length, text: withText ? out.join("") : "", ranges };
}

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN] */
export function lcsCommand(ctx: Ctx): Reply {
  const va = ctx.read(ctx.arg(1));
  const vb = ctx.read(ctx.arg(2));
  if ((va !== undefined && !isStringValue(va)) || (vb !== undefined && !isStringValue(vb))) {
    fail("ERR The specified keys must contain string values");
  }
  // Missing keys count as empty strings.
  const a = va === undefined ? "" : stringOf(va);
  const b = vb === undefined ? "" : stringOf(vb);
  let idx = false;
  let len = false;
  let withLen = false;
  let minLen = 0;
  for (let j = 3; j < ctx.argv.length; j++) {
    const opt = asciiUpper(ctx.arg(j));
    if (opt === "IDX") idx = true;
    else if (opt === "LEN") len = true;
    else if (opt === "WITHMATCHLEN") withLen = true;
    else if (opt === "MINMATCHLEN" && j + 1 < ctx.argv.length) {
      minLen = Math.max(0, intArg(ctx.arg(++j)));
    } else fail(Errors.syntax);
  }
  if (idx && len) fail("ERR If you want both the length and indexes, please just use IDX.");
  if (a.length >= 0xfffffffe || b.length >= 0xfffffffe) fail("ERR String too long for LCS");
  if (lcsTableBytes(a.length, b.length) > ctx.engine.config.num("proto-max-bulk-len")) {
    fail("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  let r: LcsResult;
  try {
    r = computeLcs(a, b, !idx && !len, idx);
  } catch (e) {
    if (e instanceof RangeError) fail("ERR Insufficient memory, failed allocating transient memory for LCS");
    throw e;
  }
  if (len) return r.length;
  if (!idx) return r.text;
  const matches: Reply[] = [];
  for (const m of r.ranges) {
    const size = m.aEnd - m.aStart + 1;
    if (minLen !== 0 && size < minLen) continue;
    const entry: Reply[] = [
      [m.aStart, m.aEnd],
      [m.bStart, m.bEnd],
    ];
    if (withLen) entry.push(size);
    matches.push(entry);
  }
  return new MapReply(["matches", matches, "len", r.length]);
}
