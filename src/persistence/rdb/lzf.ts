/**
 * LZF, the compressor Redis uses for RDB strings (src/lzf_c.c, lzf_d.c).
 *
 * The compressor follows liblzf 3.6 as Redis 7.0 builds it (HLOG 16, VERY_FAST,
 * not ULTRA_FAST) step for step, so its output is byte-identical to Redis's
 * and DUMP payloads of compressible strings match. Format:
 *   000LLLLL <L+1 literal bytes>
 *   LLLooooo oooooooo            back reference, length L+2 (L < 7)
 *   111ooooo LLLLLLLL oooooooo   back reference, length L+9
 * with offset o+1 bytes back from the output position.
 */
import { RdbError } from "./constants.ts";

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * One hash table, reused. Entries are `base + position + 1`; anything at or
 * below `base` is from an earlier call and counts as empty, so each call
 * starts from a logically zeroed table without clearing 256 KB (which
 * dominated compressing short strings).
 */
const htab = new Int32Array(HSIZE);
let base = 0;

/** Output scratch for `lzfCompress` callers that copy the result at once. */
let scratch = new Uint8Array(4096);

function idx(h: number): number {
  // ((h >> (3*8 - HLOG)) - h*5) & (HSIZE - 1), with h an unsigned 32-bit int.
  return ((h >>> 8) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * Compresses `input` into at most `maxOut` bytes; null when it does not fit
 * (lzf_compress returning 0), which is how Redis decides not to compress.
 */
export function lzfCompress(input: Uint8Array, maxOut: number): Uint8Array | null {
  const n = lzfCompressShared(input, 0, input.length, maxOut);
  return n === 0 ? null : scratch.slice(0, n);
}

/**
 * lzfCompress of `input[start, end)` into a shared scratch buffer: returns
 * the compressed length (0 = does not fit), the bytes being
 * `lzfScratch().subarray(0, n)` until the next call.
 */
export function lzfCompressShared(input: Uint8Array, start: number, end: number, maxOut: number): number {
  const inLen = end - start;
  if (inLen <= 0 || maxOut <= 0) return 0;
  if (scratch.length < maxOut + 1) scratch = new Uint8Array(Math.max(maxOut + 1, scratch.length * 2));
  if (base + inLen + 2 >= 0x7fffffff) {
    htab.fill(0);
    base = 0;
  }
  const b0 = base;
  base += inLen + 1;
  const n = compress(input, start, inLen, scratch, maxOut, b0);
  return n;
}

/** The buffer `lzfCompressShared` writes to. */
export function lzfScratch(): Uint8Array {
  return scratch;
}

function compress(src: Uint8Array, start: number, inLen: number, out: Uint8Array, maxOut: number, b0: number): number {
  // Positions are relative to `start` (read as src[s0 + k]): no subarray per call.
  const s0 = start;
  const outEnd = maxOut;
  let ip = 0;
  let op = 0;
  let lit = 0;
  op++; // start run
  let hval = ((src[s0 + 0] as number) << 8) | (inLen > 1 ? (src[s0 + 1] as number) : 0);
  while (ip < inLen - 2) {
    hval = ((hval << 8) | (src[s0 + ip + 2] as number)) >>> 0;
    const slot = idx(hval);
    const stored = htab[slot] as number;
    const ref = stored > b0 ? stored - b0 - 1 : -1;
    htab[slot] = b0 + ip + 1;
    let off = 0;
    if (
      ref > 0 &&
      (off = ip - ref - 1) < MAX_OFF &&
      src[s0 + ref] === src[s0 + ip] &&
      src[s0 + ref + 1] === src[s0 + ip + 1] &&
      src[s0 + ref + 2] === src[s0 + ip + 2]
    ) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      // A conservative test, then the exact one (liblzf 3.6, which Redis 7.0 ships).
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;
      out[op - lit - 1] = lit - 1; // stop run
      if (lit === 0) op--; // undo run if length is zero
      // liblzf first compares 16 bytes unrolled without checking maxlen, so near
      // the end of the input a match may run past maxlen; do the same.
      let mismatch = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (src[s0 + ref + len] !== src[s0 + ip + len]) {
            mismatch = true;
            break;
          }
        }
      }
      if (!mismatch) {
        do len++;
        while (len < maxlen && src[s0 + ref + len] === src[s0 + ip + len]);
      }
      len -= 2; // len is now #octets - 1
      ip++;
      if (len < 7) out[op++] = (off >>> 8) + (len << 5);
      else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run
      ip += len + 1;
      if (ip >= inLen - 2) break;
      ip -= 2;
      hval = ((src[s0 + ip] as number) << 8) | (src[s0 + ip + 1] as number);
      hval = ((hval << 8) | (src[s0 + ip + 2] as number)) >>> 0;
      htab[idx(hval)] = b0 + ip + 1;
      ip++;
      hval = ((hval << 8) | (src[s0 + ip + 2] as number)) >>> 0;
      htab[idx(hval)] = b0 + ip + 1;
      ip++;
    } else {
      if (op >= outEnd) return 0;
      lit++;
      out[op++] = src[s0 + ip++] as number;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return 0;
  while (ip < inLen) {
    lit++;
    out[op++] = src[s0 + ip++] as number;
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // end run
  if (lit === 0) op--;
  return op;
}

/** Decompresses `input` to exactly `outLen` bytes; throws on corrupt input. */
export function lzfDecompress(input: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen);
  lzfDecompressInto(input, 0, input.length, out, outLen);
  return out;
}

/** lzfDecompress of `input[start, end)` into `out[0, outLen)` (`out` may be longer, e.g. a reused scratch). */
export function lzfDecompressInto(input: Uint8Array, start: number, end: number, out: Uint8Array, outLen: number): void {
  let ip = start;
  let op = 0;
  const inLen = end;
  while (ip < inLen) {
    let ctrl = input[ip++] as number;
    if (ctrl < 1 << 5) {
      ctrl++;
      if (op + ctrl > outLen) throw new RdbError("Invalid LZF compressed string");
      if (ip + ctrl > inLen) throw new RdbError("Invalid LZF compressed string");
      // Literal runs are at most 32 bytes: a loop beats a subarray + set.
      for (let k = 0; k < ctrl; k++) out[op + k] = input[ip + k] as number;
      ip += ctrl;
      op += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= inLen) throw new RdbError("Invalid LZF compressed string");
      if (len === 7) {
        len += input[ip++] as number;
        if (ip >= inLen) throw new RdbError("Invalid LZF compressed string");
      }
      ref -= input[ip++] as number;
      if (op + len + 2 > outLen) throw new RdbError("Invalid LZF compressed string");
      if (ref < 0) throw new RdbError("Invalid LZF compressed string");
      // Byte by byte: the source may overlap what is being written (runs).
      for (let k = 0; k < len + 2; k++) out[op++] = out[ref++] as number;
    }
  }
  if (op !== outLen) throw new RdbError("Invalid LZF compressed string");
}
