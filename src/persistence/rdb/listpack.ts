/**
 * Listpack codec (Redis's src/listpack.c): the blob inside HASH_LISTPACK,
 * ZSET_LISTPACK and quicklist nodes.
 *
 *   <total bytes u32 LE> <count u16 LE> <entry>... <0xFF>
 *   entry = <encoding+data> <backlen: size of encoding+data, 1-5 bytes>
 *
 * A string that is a canonical int64 is stored as an integer, as lpAppend
 * does, so encoding a listpack here gives Redis's bytes.
 */

import { latin1, writeLatin1 } from "../../resp/bytes.ts";
import { backlenSize, LP_COUNT_UNKNOWN as COUNT_UNKNOWN, LP_EOF as EOF_BYTE, LP_HDR as HDR } from "../../store/listpack-format.ts";
import { isLongString } from "../../store/values.ts";
import { RdbError } from "./constants.ts";

/** Builds a listpack one entry at a time; `size` is lpBytes so far (quicklist fill decisions need it). */
export class ListpackBuilder {
  #buf: Uint8Array;
  #len = HDR;
  count = 0;

  constructor(initial = 64) {
    this.#buf = new Uint8Array(initial);
  }

  /** lpBytes: header + entries + the end byte. */
  get size(): number {
    return this.#len + 1;
  }

  #ensure(extra: number): void {
    if (this.#len + extra + 1 <= this.#buf.length) return;
    let n = this.#buf.length * 2;
    while (n < this.#len + extra + 1) n *= 2;
    const next = new Uint8Array(n);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  #backlen(l: number): void {
    const b = this.#buf;
    let at = this.#len;
    if (l <= 127) b[at++] = l;
    else {
      const n = backlenSize(l);
      // Most significant 7-bit group first; every byte but the first has the high bit set.
      for (let i = n - 1; i >= 0; i--) {
        const group = Math.floor(l / 2 ** (7 * i)) & 127;
        b[at++] = i === n - 1 ? group : group | 128;
      }
    }
    this.#len = at;
  }

  /** Empties the builder for reuse. */
  reset(): void {
    this.#len = HDR;
    this.count = 0;
  }

  /** An integer entry for `v`, a safe integer (the common case, without BigInt). */
  #appendSmallInt(v: number): void {
    this.#ensure(9 + 1);
    const b = this.#buf;
    const at = this.#len;
    let n: number;
    if (v >= 0 && v <= 127) {
      b[at] = v;
      n = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? (1 << 13) + v : v;
      b[at] = (u >> 8) | 0xc0;
      b[at + 1] = u & 0xff;
      n = 2;
    } else if (v >= -32768 && v <= 32767) {
      b[at] = 0xf1;
      b[at + 1] = v & 0xff;
      b[at + 2] = (v >> 8) & 0xff;
      n = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      b[at] = 0xf2;
      b[at + 1] = v & 0xff;
      b[at + 2] = (v >> 8) & 0xff;
      b[at + 3] = (v >> 16) & 0xff;
      n = 4;
    } else if (v >= -2147483648 && v <= 2147483647) {
      b[at] = 0xf3;
      b[at + 1] = v & 0xff;
      b[at + 2] = (v >> 8) & 0xff;
      b[at + 3] = (v >> 16) & 0xff;
      b[at + 4] = (v >>> 24) & 0xff;
      n = 5;
    } else {
      this.appendInt(BigInt(v));
      return;
    }
    this.#len += n;
    this.#backlen(n);
    this.count++;
  }

  appendInt(v: bigint): void {
    this.#ensure(9 + 1);
    const b = this.#buf;
    const at = this.#len;
    let n: number;
    if (v >= 0n && v <= 127n) {
      b[at] = Number(v);
      n = 1;
    } else if (v >= -4096n && v <= 4095n) {
      const u = Number(v < 0n ? (1n << 13n) + v : v);
      b[at] = (u >> 8) | 0xc0;
      b[at + 1] = u & 0xff;
      n = 2;
    } else if (v >= -32768n && v <= 32767n) {
      const u = Number(v < 0n ? (1n << 16n) + v : v);
      b[at] = 0xf1;
      b[at + 1] = u & 0xff;
      b[at + 2] = u >> 8;
      n = 3;
    } else if (v >= -8388608n && v <= 8388607n) {
      const u = Number(v < 0n ? (1n << 24n) + v : v);
      b[at] = 0xf2;
      b[at + 1] = u & 0xff;
      b[at + 2] = (u >> 8) & 0xff;
      b[at + 3] = u >> 16;
      n = 4;
    } else if (v >= -2147483648n && v <= 2147483647n) {
      const u = Number(v < 0n ? (1n << 32n) + v : v);
      b[at] = 0xf3;
      new DataView(b.buffer).setUint32(at + 1, u, true);
      n = 5;
    } else {
      b[at] = 0xf4;
      new DataView(b.buffer).setBigInt64(at + 1, v, true);
      n = 9;
    }
    this.#len += n;
    this.#backlen(n);
    this.count++;
  }

  /** Appends a byte string, integer-encoded when it is a canonical int64 (lpEncodeGetType). */
  append(s: string): void {
    if (isLongString(s)) {
      // Up to 15 chars is below 2^53: exact as a double.
      if (s.length <= 15) this.#appendSmallInt(Number(s));
      else this.appendInt(BigInt(s));
      return;
    }
    const len = s.length;
    const head = len < 64 ? 1 : len < 4096 ? 2 : 5;
    this.#ensure(head + len + 5);
    const b = this.#buf;
    let at = this.#len;
    if (len < 64) b[at++] = 0x80 | len;
    else if (len < 4096) {
      b[at++] = 0xe0 | (len >> 8);
      b[at++] = len & 0xff;
    } else {
      b[at++] = 0xf0;
      new DataView(b.buffer).setUint32(at, len, true);
      at += 4;
    }
    this.#len = at + writeLatin1(s, b, at);
    this.#backlen(head + len);
    this.count++;
  }

  /** Completes the header and end byte in place; the listpack is `buffer[0, returned length)` until the next append or reset. */
  seal(): number {
    const b = this.#buf;
    const total = this.#len + 1;
    b[this.#len] = EOF_BYTE;
    b[0] = total & 0xff;
    b[1] = (total >>> 8) & 0xff;
    b[2] = (total >>> 16) & 0xff;
    b[3] = total >>> 24;
    const count = Math.min(this.count, COUNT_UNKNOWN);
    b[4] = count & 0xff;
    b[5] = count >>> 8;
    return total;
  }

  /** The builder's buffer (see `seal`). */
  get buffer(): Uint8Array {
    return this.#buf;
  }

  /** The finished listpack as a view of the builder's buffer, valid until the next append or reset. */
  view(): Uint8Array {
    const b = this.#buf;
    const total = this.#len + 1;
    b[this.#len] = EOF_BYTE;
    b[0] = total & 0xff;
    b[1] = (total >>> 8) & 0xff;
    b[2] = (total >>> 16) & 0xff;
    b[3] = total >>> 24;
    const count = Math.min(this.count, COUNT_UNKNOWN);
    b[4] = count & 0xff;
    b[5] = count >>> 8;
    return b.subarray(0, total);
  }

  finish(): Uint8Array {
    const out = this.#buf.slice(0, this.#len + 1);
    out[this.#len] = EOF_BYTE;
    const v = new DataView(out.buffer);
    v.setUint32(0, out.length, true);
    v.setUint16(4, Math.min(this.count, COUNT_UNKNOWN), true);
    return out;
  }
}

/** A listpack holding `items`. */
export function encodeListpack(items: Iterable<string>): Uint8Array {
  const b = new ListpackBuilder();
  for (const s of items) b.append(s);
  return b.finish();
}

function corrupt(what: string): never {
  throw new RdbError(`Listpack integrity check failed: ${what}`);
}

/**
 * The entries of a listpack as byte strings (integers in decimal). Checks
 * the whole structure (header, every entry's bounds and backlen, the end
 * byte, the count) and throws an RdbError when anything is off.
 */
export function decodeListpack(lp: Uint8Array): string[] {
  if (lp.length < HDR + 1) corrupt("too short");
  // Header read by hand: most listpacks need no DataView at all.
  const total = ((lp[0] as number) | ((lp[1] as number) << 8) | ((lp[2] as number) << 16) | ((lp[3] as number) << 24)) >>> 0;
  if (total !== lp.length) corrupt("wrong total bytes");
  const declared = (lp[4] as number) | ((lp[5] as number) << 8);
  let dv: DataView | null = null;
  const view = () => (dv ??= new DataView(lp.buffer, lp.byteOffset, lp.byteLength));
  const out: string[] = [];
  let p = HDR;
  const end = lp.length - 1;
  while (p < end) {
    const e = lp[p] as number;
    let size: number;
    let item: string;
    if ((e & 0x80) === 0) {
      size = 1;
      item = String(e);
    } else if ((e & 0xc0) === 0x80) {
      const n = e & 0x3f;
      size = 1 + n;
      if (p + size > end) corrupt("entry out of range");
      item = latin1(lp, p + 1, p + size);
    } else if ((e & 0xe0) === 0xc0) {
      size = 2;
      if (p + size > end) corrupt("entry out of range");
      let u = ((e & 0x1f) << 8) | (lp[p + 1] as number);
      if (u >= 1 << 12) u -= 1 << 13;
      item = String(u);
    } else if ((e & 0xf0) === 0xe0) {
      if (p + 2 > end) corrupt("entry out of range");
      const n = ((e & 0x0f) << 8) | (lp[p + 1] as number);
      size = 2 + n;
      if (p + size > end) corrupt("entry out of range");
      item = latin1(lp, p + 2, p + size);
    } else if (e === 0xf0) {
      if (p + 5 > end) corrupt("entry out of range");
      const n = view().getUint32(p + 1, true);
      size = 5 + n;
      if (p + size > end) corrupt("entry out of range");
      item = latin1(lp, p + 5, p + size);
    } else if (e === 0xf1) {
      size = 3;
      if (p + size > end) corrupt("entry out of range");
      item = String(view().getInt16(p + 1, true));
    } else if (e === 0xf2) {
      size = 4;
      if (p + size > end) corrupt("entry out of range");
      let u = view().getUint16(p + 1, true) | ((lp[p + 3] as number) << 16);
      if (u >= 1 << 23) u -= 1 << 24;
      item = String(u);
    } else if (e === 0xf3) {
      size = 5;
      if (p + size > end) corrupt("entry out of range");
      item = String(view().getInt32(p + 1, true));
    } else if (e === 0xf4) {
      size = 9;
      if (p + size > end) corrupt("entry out of range");
      item = String(view().getBigInt64(p + 1, true));
    } else corrupt("bad entry encoding");
    const bl = backlenSize(size);
    if (p + size + bl > end) corrupt("backlen out of range");
    // The backlen must decode (right to left) to the entry size.
    let val = 0;
    let mul = 1;
    for (let i = bl - 1; i >= 0; i--) {
      val += ((lp[p + size + i] as number) & 127) * mul;
      mul *= 128;
    }
    if (val !== size) corrupt("bad backlen");
    out.push(item);
    p += size + bl;
  }
  if (p !== end || lp[end] !== EOF_BYTE) corrupt("missing end byte");
  if (declared !== COUNT_UNKNOWN && declared !== out.length) corrupt("wrong element count");
  return out;
}
