/**
 * A listpack that is edited in place: one stream node, held as the very
 * bytes Redis keeps in its radix tree (and writes to RDB), so a node costs
 * what it costs Redis and saving it is a copy.
 *
 *   <total bytes u32 LE> <count u16 LE> <element>... <0xFF>
 *   element = <encoding+data> <backlen>
 *
 * Elements are addressed by byte offset; -1 means "none". Integers are
 * stored as lpAppendInteger / lpReplaceInteger would (smallest encoding),
 * strings that are canonical int64s as integers (lpAppend does the same).
 */

import { latin1, writeLatin1 } from "../../resp/bytes.ts";
import { backlenSize, LP_COUNT_UNKNOWN as COUNT_UNKNOWN, LP_EOF as EOF_BYTE, LP_HDR as HDR } from "../listpack-format.ts";
import { isLongString } from "../values.ts";

/** encoding+data bytes of an integer element. */
function intSize(v: bigint): number {
  if (v >= 0n && v <= 127n) return 1;
  if (v >= -4096n && v <= 4095n) return 2;
  if (v >= -32768n && v <= 32767n) return 3;
  if (v >= -8388608n && v <= 8388607n) return 4;
  if (v >= -2147483648n && v <= 2147483647n) return 5;
  return 9;
}

function strSize(len: number): number {
  return (len < 64 ? 1 : len < 4096 ? 2 : 5) + len;
}

export type LpValue = string | bigint | number;

/** encoding+data bytes of an integer element held as a safe JS integer. */
function smallIntSize(v: number): number {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/**
 * Normalises what is appended: strings that read as int64 become integers,
 * held as JS numbers while they are safe (the common case, no BigInt).
 */
function asStored(v: LpValue): string | bigint | number {
  if (typeof v === "string") {
    if (!isLongString(v)) return v;
    return v.length <= 15 ? Number(v) : BigInt(v);
  }
  return typeof v === "number" && !Number.isSafeInteger(v) ? BigInt(v) : v;
}

export class Lp {
  buf: Uint8Array;
  /** lpBytes: header to the end byte inclusive. */
  size: number;

  constructor(buf?: Uint8Array) {
    if (buf) {
      this.buf = buf;
      this.size = buf.length;
    } else {
      this.buf = new Uint8Array(64);
      this.size = HDR + 1;
      this.buf[HDR] = EOF_BYTE;
      this.#header(0);
    }
  }

  #header(count: number): void {
    const b = this.buf;
    const t = this.size;
    b[0] = t & 0xff;
    b[1] = (t >>> 8) & 0xff;
    b[2] = (t >>> 16) & 0xff;
    b[3] = t >>> 24;
    b[4] = count & 0xff;
    b[5] = count >>> 8;
  }

  get count(): number {
    return (this.buf[4] as number) | ((this.buf[5] as number) << 8);
  }

  /** The node's bytes, exactly lpBytes long (a view). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.size);
  }

  clone(): Lp {
    return new Lp(this.buf.slice(0, this.size));
  }

  /** Drops spare capacity (lpShrinkToFit), when the node is closed. */
  shrink(): void {
    if (this.buf.length > this.size) this.buf = this.buf.slice(0, this.size);
  }

  first(): number {
    return this.size > HDR + 1 ? HDR : -1;
  }

  /** encoding+data size of the element at p. */
  #entrySize(p: number): number {
    const b = this.buf;
    const e = b[p] as number;
    if ((e & 0x80) === 0) return 1;
    if ((e & 0xc0) === 0x80) return 1 + (e & 0x3f);
    if ((e & 0xe0) === 0xc0) return 2;
    if ((e & 0xf0) === 0xe0) return 2 + (((e & 0x0f) << 8) | (b[p + 1] as number));
    switch (e) {
      case 0xf0:
        return (
          (5 + ((b[p + 1] as number) | ((b[p + 2] as number) << 8) | ((b[p + 3] as number) << 16) | ((b[p + 4] as number) << 24))) >>> 0
        );
      case 0xf1:
        return 3;
      case 0xf2:
        return 4;
      case 0xf3:
        return 5;
      case 0xf4:
        return 9;
    }
    throw new Error("corrupt listpack element");
  }

  next(p: number): number {
    const n = this.#entrySize(p);
    const q = p + n + backlenSize(n);
    return q >= this.size - 1 ? -1 : q;
  }

  /** The element before p (p may be the end byte's offset to get the last). */
  prev(p: number): number {
    if (p <= HDR) return -1;
    // Backlen is read right to left: 7 bits per byte, the high bit says "more".
    const b = this.buf;
    let q = p - 1;
    let len = 0;
    let shift = 0;
    for (;;) {
      const c = b[q] as number;
      len += (c & 127) * 2 ** shift;
      shift += 7;
      if ((c & 128) === 0) break;
      q--;
    }
    return q - len;
  }

  last(): number {
    return this.size > HDR + 1 ? this.prev(this.size - 1) : -1;
  }

  /** A 64-bit integer element (may be past what a JS number holds exactly). */
  isWide(p: number): boolean {
    const e = this.buf[p] as number;
    return e === 0xf4 || (e & 0xc0) === 0x80 || (e & 0xf0) === 0xe0 || e === 0xf0;
  }

  isInt(p: number): boolean {
    const e = this.buf[p] as number;
    return (e & 0x80) === 0 || (e & 0xe0) === 0xc0 || (e >= 0xf1 && e <= 0xf4);
  }

  /** The integer at p (a string element that reads as an int64 too, as lpGetInteger). */
  big(p: number): bigint {
    const b = this.buf;
    const e = b[p] as number;
    if ((e & 0x80) === 0) return BigInt(e);
    if ((e & 0xe0) === 0xc0) {
      let u = ((e & 0x1f) << 8) | (b[p + 1] as number);
      if (u >= 1 << 12) u -= 1 << 13;
      return BigInt(u);
    }
    const dv = new DataView(b.buffer, b.byteOffset + p + 1);
    switch (e) {
      case 0xf1:
        return BigInt(dv.getInt16(0, true));
      case 0xf2: {
        let u = dv.getUint16(0, true) | ((b[p + 3] as number) << 16);
        if (u >= 1 << 23) u -= 1 << 24;
        return BigInt(u);
      }
      case 0xf3:
        return BigInt(dv.getInt32(0, true));
      case 0xf4:
        return dv.getBigInt64(0, true);
    }
    return BigInt(this.str(p));
  }

  /** The integer at p as a JS number (counts, flags, field counts: always small). */
  int(p: number): number {
    const b = this.buf;
    const e = b[p] as number;
    if ((e & 0x80) === 0) return e;
    if ((e & 0xe0) === 0xc0) {
      const u = ((e & 0x1f) << 8) | (b[p + 1] as number);
      return u >= 1 << 12 ? u - (1 << 13) : u;
    }
    return Number(this.big(p));
  }

  /** The element at p as a byte string (integers in decimal). */
  str(p: number): string {
    const b = this.buf;
    const e = b[p] as number;
    if ((e & 0xc0) === 0x80) return latin1(b, p + 1, p + 1 + (e & 0x3f));
    if ((e & 0xf0) === 0xe0) return latin1(b, p + 2, p + 2 + (((e & 0x0f) << 8) | (b[p + 1] as number)));
    if (e === 0xf0) return latin1(b, p + 5, p + this.#entrySize(p));
    return String(this.big(p));
  }

  #ensure(extra: number): void {
    if (this.size + extra <= this.buf.length) return;
    let n = this.buf.length * 2;
    while (n < this.size + extra) n *= 2;
    const next = new Uint8Array(n);
    next.set(this.buf.subarray(0, this.size));
    this.buf = next;
  }

  /** Writes the element (encoding, data, backlen) at `at`; returns its total size. */
  #write(at: number, v: string | bigint | number): number {
    const b = this.buf;
    let n: number;
    if (typeof v === "number") {
      n = smallIntSize(v);
      if (n === 1) b[at] = v;
      else if (n === 2) {
        const u = v < 0 ? (1 << 13) + v : v;
        b[at] = (u >> 8) | 0xc0;
        b[at + 1] = u & 0xff;
      } else if (n === 3) {
        b[at] = 0xf1;
        b[at + 1] = v & 0xff;
        b[at + 2] = (v >> 8) & 0xff;
      } else if (n === 4) {
        const u = v < 0 ? (1 << 24) + v : v;
        b[at] = 0xf2;
        b[at + 1] = u & 0xff;
        b[at + 2] = (u >> 8) & 0xff;
        b[at + 3] = u >> 16;
      } else if (n === 5) {
        b[at] = 0xf3;
        b[at + 1] = v & 0xff;
        b[at + 2] = (v >> 8) & 0xff;
        b[at + 3] = (v >> 16) & 0xff;
        b[at + 4] = (v >>> 24) & 0xff;
      } else return this.#write(at, BigInt(v));
    } else if (typeof v === "bigint") {
      n = intSize(v);
      if (n === 1) b[at] = Number(v);
      else if (n === 2) {
        const u = Number(v < 0n ? (1n << 13n) + v : v);
        b[at] = (u >> 8) | 0xc0;
        b[at + 1] = u & 0xff;
      } else {
        const dv = new DataView(b.buffer, b.byteOffset);
        if (n === 3) {
          b[at] = 0xf1;
          dv.setInt16(at + 1, Number(v), true);
        } else if (n === 4) {
          const u = Number(v < 0n ? (1n << 24n) + v : v);
          b[at] = 0xf2;
          b[at + 1] = u & 0xff;
          b[at + 2] = (u >> 8) & 0xff;
          b[at + 3] = u >> 16;
        } else if (n === 5) {
          b[at] = 0xf3;
          dv.setInt32(at + 1, Number(v), true);
        } else {
          b[at] = 0xf4;
          dv.setBigInt64(at + 1, v, true);
        }
      }
    } else {
      const len = v.length;
      let d = at;
      if (len < 64) b[d++] = 0x80 | len;
      else if (len < 4096) {
        b[d++] = 0xe0 | (len >> 8);
        b[d++] = len & 0xff;
      } else {
        b[d++] = 0xf0;
        b[d++] = len & 0xff;
        b[d++] = (len >>> 8) & 0xff;
        b[d++] = (len >>> 16) & 0xff;
        b[d++] = len >>> 24;
      }
      writeLatin1(v, b, d);
      n = d - at + len;
    }
    // Backlen: most significant 7-bit group first, every byte but the first flagged.
    const bl = backlenSize(n);
    let q = at + n;
    if (bl === 1) b[q] = n;
    else
      for (let i = bl - 1; i >= 0; i--) {
        const group = Math.floor(n / 2 ** (7 * i)) & 127;
        b[q++] = i === bl - 1 ? group : group | 128;
      }
    return n + bl;
  }

  static sizeOf(v: LpValue): number {
    const s = asStored(v);
    const n = typeof s === "number" ? smallIntSize(s) : typeof s === "bigint" ? intSize(s) : strSize(s.length);
    return n + backlenSize(n);
  }

  append(v: LpValue): void {
    const s = asStored(v);
    const total = Lp.sizeOf(s);
    this.#ensure(total);
    const at = this.size - 1;
    this.#write(at, s);
    this.size += total;
    this.buf[this.size - 1] = EOF_BYTE;
    const c = this.count;
    this.#header(c === COUNT_UNKNOWN ? c : c + 1);
  }

  /** lpReplaceInteger: the element at p becomes `v`; later offsets shift by the size change. */
  replaceInt(p: number, v: number | bigint): void {
    const big = typeof v === "number" && !Number.isSafeInteger(v) ? BigInt(v) : v;
    const oldN = this.#entrySize(p);
    const oldTotal = oldN + backlenSize(oldN);
    const newN = typeof big === "number" ? smallIntSize(big) : intSize(big);
    const newTotal = newN + backlenSize(newN);
    const delta = newTotal - oldTotal;
    if (delta > 0) this.#ensure(delta);
    if (delta !== 0) this.buf.copyWithin(p + newTotal, p + oldTotal, this.size);
    this.size += delta;
    this.#write(p, big);
    this.#header(this.count);
  }
}
