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

/** One hash table, reused: positions + 1 (0 = empty), reset per call. */
const htab = new Int32Array(HSIZE);

function idx(h: number): number {
  // ((h >> (3*8 - HLOG)) - h*5) & (HSIZE - 1), with h an unsigned 32-bit int.
  return ((h >>> 8) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * Compresses `input` into at most `maxOut` bytes; null when it does not fit
 * (lzf_compress returning 0), which is how Redis decides not to compress.
 */
export function lzfCompress(input: Uint8Array, maxOut: number): Uint8Array | null {
  const inLen = input.length;
  if (inLen === 0 || maxOut <= 0) return null;
  htab.fill(0);
  const out = new Uint8Array(maxOut + 1);
  const outEnd = maxOut;
  let ip = 0;
  let op = 0;
  let lit = 0;
  op++; // start run
  let hval = ((input[0] as number) << 8) | (input[1] ?? 0);
  while (ip < inLen - 2) {
    hval = ((hval << 8) | (input[ip + 2] as number)) >>> 0;
    const slot = idx(hval);
    const ref = (htab[slot] as number) - 1;
    htab[slot] = ip + 1;
    let off = 0;
    if (
      ref > 0 &&
      (off = ip - ref - 1) < MAX_OFF &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1] &&
      input[ref + 2] === input[ip + 2]
    ) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      // A conservative test, then the exact one (liblzf 3.6, which Redis 7.0 ships).
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = lit - 1; // stop run
      if (lit === 0) op--; // undo run if length is zero
      // liblzf first compares 16 bytes unrolled without checking maxlen, so near
      // the end of the input a match may run past maxlen; do the same.
      let mismatch = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            mismatch = true;
            break;
          }
        }
      }
      if (!mismatch) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
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
      hval = ((input[ip] as number) << 8) | (input[ip + 1] as number);
      hval = ((hval << 8) | (input[ip + 2] as number)) >>> 0;
      htab[idx(hval)] = ip + 1;
      ip++;
      hval = ((hval << 8) | (input[ip + 2] as number)) >>> 0;
      htab[idx(hval)] = ip + 1;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++] as number;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inLen) {
    lit++;
    out[op++] = input[ip++] as number;
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // end run
  if (lit === 0) op--;
  return out.slice(0, op);
}

/** Decompresses `input` to exactly `outLen` bytes; throws on corrupt input. */
export function lzfDecompress(input: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen);
  let ip = 0;
  let op = 0;
  const inLen = input.length;
  while (ip < inLen) {
    let ctrl = input[ip++] as number;
    if (ctrl < 1 << 5) {
      ctrl++;
      if (op + ctrl > outLen) throw new RdbError("Invalid LZF compressed string");
      if (ip + ctrl > inLen) throw new RdbError("Invalid LZF compressed string");
      out.set(input.subarray(ip, ip + ctrl), op);
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
  return out;
}
