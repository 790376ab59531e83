/**
 * Redis's HyperLogLog string format (hyperloglog.c), byte for byte: a 16-byte
 * header ("HYLL", encoding, 3 unused bytes, cached cardinality little endian
 * with bit 63 meaning "stale") and then either 16384 six-bit registers
 * (dense) or run-length opcodes (sparse: ZERO 00xxxxxx, XZERO 01xxxxxx
 * xxxxxxxx, VAL 1vvvvvxx). Edits happen in place on a StringBuffer, the way
 * Redis edits the sds, so the bytes a client GETs are Redis's.
 */
import { StringBuffer } from "../../store/values.ts";

export const HDR = 16;
export const P = 14;
export const Q = 64 - P;
export const REGISTERS = 1 << P;
export const DENSE = 0;
export const SPARSE = 1;
export const DENSE_SIZE = HDR + (REGISTERS * 6 + 7) / 8;
const REGISTER_MAX = 63;
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const XZERO_MAX_LEN = 16384;
/** 0.5 / ln 2 (HLL_ALPHA_INF). */
const ALPHA_INF = 0.7213475204444817;

export const INVALID_HLL = "INVALIDOBJ Corrupted HLL object detected";

const isZero = (b: number) => (b & 0xc0) === 0;
const isXzero = (b: number) => (b & 0xc0) === 0x40;
const isVal = (b: number) => (b & 0x80) !== 0;
const zeroLen = (b: number) => (b & 0x3f) + 1;
const xzeroLen = (b0: number, b1: number) => (((b0 & 0x3f) << 8) | b1) + 1;
const valValue = (b: number) => ((b >> 2) & 0x1f) + 1;
const valLen = (b: number) => (b & 0x3) + 1;
const valByte = (value: number, len: number) => (((value - 1) << 2) | (len - 1) | 0x80) & 0xff;

/** createHLLObject: an empty sparse HLL (one XZERO per 16384 registers). */
export function createHll(): StringBuffer {
  const buf = new StringBuffer("HYLL", HDR + 2);
  buf.bytes.fill(0, 4, HDR + 2);
  buf.bytes[4] = SPARSE;
  const l = XZERO_MAX_LEN - 1;
  buf.bytes[HDR] = (l >> 8) | 0x40;
  buf.bytes[HDR + 1] = l & 0xff;
  buf.length = HDR + 2;
  return buf;
}

/** isHLLObjectOrReply's checks on the bytes of a string value. */
export function looksLikeHll(bytes: Uint8Array, length: number): boolean {
  if (length < HDR) return false;
  if (bytes[0] !== 72 || bytes[1] !== 89 || bytes[2] !== 76 || bytes[3] !== 76) return false;
  const enc = bytes[4] as number;
  if (enc > SPARSE) return false;
  return !(enc === DENSE && length !== DENSE_SIZE);
}

export function invalidateCache(buf: StringBuffer): void {
  buf.bytes[HDR - 1] = (buf.bytes[HDR - 1] as number) | 0x80;
}

export function cachedCard(buf: StringBuffer): number | null {
  if (((buf.bytes[HDR - 1] as number) & 0x80) !== 0) return null;
  let v = 0;
  for (let i = 7; i >= 0; i--) v = v * 256 + (buf.bytes[8 + i] as number);
  return v;
}

export function setCachedCard(buf: StringBuffer, card: number): void {
  let v = card;
  for (let i = 0; i < 8; i++) {
    buf.bytes[8 + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

const M64 = (1n << 64n) - 1n;
const MURMUR_M = 0xc6a4a7935bd1e995n;

/** MurmurHash64A as Redis has it (endian neutral), seed 0xadc83b19. */
export function murmur64(s: string): bigint {
  const len = s.length;
  let h = (0xadc83b19n ^ ((BigInt(len) * MURMUR_M) & M64)) & M64;
  const whole = len - (len & 7);
  for (let i = 0; i < whole; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j) & 0xff);
    k = (k * MURMUR_M) & M64;
    k ^= k >> 47n;
    k = (k * MURMUR_M) & M64;
    h ^= k;
    h = (h * MURMUR_M) & M64;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(whole + j) & 0xff) << BigInt(8 * j);
    h = (h * MURMUR_M) & M64;
  }
  h ^= h >> 47n;
  h = (h * MURMUR_M) & M64;
  h ^= h >> 47n;
  return h;
}

/** hllPatLen: [register index, length of the 000..1 run after the index bits]. */
export function patLen(s: string): [number, number] {
  let hash = murmur64(s);
  const index = Number(hash & BigInt(REGISTERS - 1));
  hash >>= BigInt(P);
  hash |= 1n << BigInt(Q);
  let count = 1;
  let bit = 1n;
  while ((hash & bit) === 0n) {
    count++;
    bit <<= 1n;
  }
  return [index, count];
}

export function denseGet(r: Uint8Array, at: number, regnum: number): number {
  const byte = at + ((regnum * 6) >> 3);
  const fb = (regnum * 6) & 7;
  const b0 = r[byte] as number;
  const b1 = (r[byte + 1] ?? 0) as number;
  return ((b0 >> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
}

function denseSetRaw(r: Uint8Array, at: number, regnum: number, val: number): void {
  const byte = at + ((regnum * 6) >> 3);
  const fb = (regnum * 6) & 7;
  const fb8 = 8 - fb;
  r[byte] = ((r[byte] as number) & ~(REGISTER_MAX << fb) & 0xff) | ((val << fb) & 0xff);
  if (byte + 1 < r.length) r[byte + 1] = ((r[byte + 1] as number) & ~(REGISTER_MAX >> fb8) & 0xff) | (val >> fb8);
}

/** hllDenseSet: raises a register; 1 when it changed. */
export function denseSet(buf: StringBuffer, regnum: number, count: number): number {
  if (count <= denseGet(buf.bytes, HDR, regnum)) return 0;
  denseSetRaw(buf.bytes, HDR, regnum, count);
  return 1;
}

/** hllSparseToDense in place; false when the sparse data is corrupt. */
export function sparseToDense(buf: StringBuffer): boolean {
  if (buf.bytes[4] === DENSE) return true;
  const dense = new Uint8Array(DENSE_SIZE + 1);
  dense.set(buf.bytes.subarray(0, HDR));
  dense[4] = DENSE;
  let idx = 0;
  let p = HDR;
  const end = buf.length;
  const b = buf.bytes;
  while (p < end) {
    const op = b[p] as number;
    if (isZero(op)) {
      idx += zeroLen(op);
      p++;
    } else if (isXzero(op)) {
      idx += xzeroLen(op, (b[p + 1] ?? 0) as number);
      p += 2;
    } else {
      const run = valLen(op);
      const v = valValue(op);
      if (run + idx > REGISTERS) break;
      for (let i = 0; i < run; i++) denseSetRaw(dense, HDR, idx++, v);
      p++;
    }
  }
  if (idx !== REGISTERS) return false;
  buf.bytes = dense;
  buf.length = DENSE_SIZE;
  return true;
}

/** Appends a ZERO or XZERO opcode for `len` registers to `seq`. */
function zeroRun(seq: number[], len: number): void {
  if (len > ZERO_MAX_LEN) {
    const l = len - 1;
    seq.push((l >> 8) | 0x40, l & 0xff);
  } else seq.push(len - 1);
}

/**
 * hllSparseSet: raises register `index` to `count` in the sparse form,
 * splitting the opcode that covers it and merging equal neighbours, or
 * promotes to dense when the value or the size limit calls for it.
 * Returns 1 when changed, 0 when not, -1 for corrupt data.
 */
export function sparseSet(buf: StringBuffer, index: number, count: number, maxBytes: number): number {
  if (count > VAL_MAX_VALUE) return promote(buf, index, count);
  buf.reserve(buf.length + 3);
  let b = buf.bytes;
  let end = buf.length;
  let p = HDR;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p] as number;
    let oplen = 1;
    if (isZero(op)) span = zeroLen(op);
    else if (isVal(op)) span = valLen(op);
    else {
      span = xzeroLen(op, (b[p + 1] ?? 0) as number);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  const op = b[p] as number;
  let next = isXzero(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  let runlen: number;
  if (isZero(op)) runlen = zeroLen(op);
  else if (isXzero(op)) runlen = xzeroLen(op, b[p + 1] as number);
  else runlen = valLen(op);
  let done = false;
  if (isVal(op)) {
    if (valValue(op) >= count) return 0;
    if (runlen === 1) {
      b[p] = valByte(count, 1);
      done = true;
    }
  }
  if (!done && isZero(op) && runlen === 1) {
    b[p] = valByte(count, 1);
    done = true;
  }
  if (!done) {
    const seq: number[] = [];
    const last = first + span - 1;
    if (!isVal(op)) {
      if (index !== first) zeroRun(seq, index - first);
      seq.push(valByte(count, 1));
      if (index !== last) zeroRun(seq, last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq.push(valByte(cur, index - first));
      seq.push(valByte(count, 1));
      if (index !== last) seq.push(valByte(cur, last - index));
    }
    const oldlen = isXzero(op) ? 2 : 1;
    const delta = seq.length - oldlen;
    if (delta > 0 && buf.length + delta > maxBytes) return promote(buf, index, count);
    if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
    buf.length += delta;
    for (let i = 0; i < seq.length; i++) b[p + i] = seq[i] as number;
    end += delta;
  }
  // Merge adjacent VAL opcodes of equal value, looking at up to 5 opcodes from the one before.
  b = buf.bytes;
  p = prev === -1 ? HDR : prev;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const o = b[p] as number;
    if (isXzero(o)) {
      p += 2;
      continue;
    }
    if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(b[p + 1] as number)) {
      const v1 = valValue(o);
      const v2 = valValue(b[p + 1] as number);
      if (v1 === v2) {
        const len = valLen(o) + valLen(b[p + 1] as number);
        if (len <= VAL_MAX_LEN) {
          b[p + 1] = valByte(v1, len);
          b.copyWithin(p, p + 1, end);
          buf.length--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(buf);
  return 1;
}

function promote(buf: StringBuffer, index: number, count: number): number {
  if (!sparseToDense(buf)) return -1;
  return denseSet(buf, index, count);
}

/** The registers' value histogram (hll*RegHisto); `invalid` set when sparse runs do not add up. */
export function histogram(buf: StringBuffer | Uint8Array): { histo: number[]; invalid: boolean } {
  if (buf instanceof Uint8Array) return { histo: rawHisto(buf), invalid: false };
  const histo = new Array<number>(64).fill(0);
  const b = buf.bytes;
  if (b[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) histo[denseGet(b, HDR, i)] = (histo[denseGet(b, HDR, i)] as number) + 1;
    return { histo, invalid: false };
  }
  let idx = 0;
  let p = HDR;
  while (p < buf.length) {
    const op = b[p] as number;
    if (isZero(op)) {
      const run = zeroLen(op);
      idx += run;
      histo[0] = (histo[0] as number) + run;
      p++;
    } else if (isXzero(op)) {
      const run = xzeroLen(op, (b[p + 1] ?? 0) as number);
      idx += run;
      histo[0] = (histo[0] as number) + run;
      p += 2;
    } else {
      const run = valLen(op);
      idx += run;
      histo[valValue(op)] = (histo[valValue(op)] as number) + run;
      p++;
    }
  }
  return { histo, invalid: idx !== REGISTERS };
}

function rawHisto(regs: Uint8Array): number[] {
  const histo = new Array<number>(64).fill(0);
  for (let i = 0; i < REGISTERS; i++) histo[regs[i] as number] = (histo[regs[i] as number] as number) + 1;
  return histo;
}

function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (zPrime !== z);
  return z / 3;
}

/** hllCount: Ertl's improved estimator over the register histogram. */
export function estimate(histo: number[]): number {
  const m = REGISTERS;
  let z = m * tau((m - (histo[Q + 1] as number)) / m);
  for (let j = Q; j >= 1; --j) {
    z += histo[j] as number;
    z *= 0.5;
  }
  z += m * sigma((histo[0] as number) / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** hllMerge: raises `max` (one byte per register) to this HLL's registers; false when corrupt. */
export function mergeInto(max: Uint8Array, buf: StringBuffer): boolean {
  const b = buf.bytes;
  if (b[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) {
      const v = denseGet(b, HDR, i);
      if (v > (max[i] as number)) max[i] = v;
    }
    return true;
  }
  let i = 0;
  let p = HDR;
  while (p < buf.length) {
    const op = b[p] as number;
    if (isZero(op)) {
      i += zeroLen(op);
      p++;
    } else if (isXzero(op)) {
      i += xzeroLen(op, (b[p + 1] ?? 0) as number);
      p += 2;
    } else {
      const run = valLen(op);
      const v = valValue(op);
      if (run + i > REGISTERS) break;
      for (let k = 0; k < run; k++, i++) if (v > (max[i] as number)) max[i] = v;
      p++;
    }
  }
  return i === REGISTERS;
}

/** PFDEBUG DECODE's text of a sparse HLL. */
export function decodeSparse(buf: StringBuffer): string {
  const b = buf.bytes;
  const out: string[] = [];
  let p = HDR;
  while (p < buf.length) {
    const op = b[p] as number;
    if (isZero(op)) {
      out.push(`z:${zeroLen(op)}`);
      p++;
    } else if (isXzero(op)) {
      out.push(`Z:${xzeroLen(op, (b[p + 1] ?? 0) as number)}`);
      p += 2;
    } else {
      out.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return out.join(" ");
}
