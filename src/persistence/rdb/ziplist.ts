/**
 * Ziplist codec (Redis's src/ziplist.c), the encoding of lists, hashes and
 * sorted sets in RDB files written before Redis 7.0. 7.0 only reads them,
 * so the decoder is what matters; the encoder exists to make test fixtures.
 *
 *   <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry>... <0xFF>
 *   entry = <prevlen: 1 byte, or 0xFE + u32 LE> <encoding> <data>
 */

import { latin1 } from "../../resp/bytes.ts";
import { isLongString } from "../../store/values.ts";
import { RdbError } from "./constants.ts";

const HDR = 10;

function corrupt(what: string): never {
  throw new RdbError(`Ziplist integrity check failed: ${what}`);
}

/** The entries of a ziplist as byte strings (integers in decimal), fully validated. */
export function decodeZiplist(zl: Uint8Array): string[] {
  if (zl.length < HDR + 1) corrupt("too short");
  const view = new DataView(zl.buffer, zl.byteOffset, zl.byteLength);
  if (view.getUint32(0, true) !== zl.length) corrupt("wrong total bytes");
  const tail = view.getUint32(4, true);
  const declared = view.getUint16(8, true);
  const end = zl.length - 1;
  const out: string[] = [];
  let p = HDR;
  let prevSize = 0;
  let lastStart = HDR;
  while (p < end) {
    const start = p;
    let prevlen = zl[p] as number;
    if (prevlen === 0xfe) {
      if (p + 5 > end) corrupt("entry out of range");
      prevlen = view.getUint32(p + 1, true);
      p += 5;
    } else p += 1;
    if (prevlen !== prevSize) corrupt("bad prevlen");
    if (p >= end) corrupt("entry out of range");
    const e = zl[p] as number;
    let item: string;
    const type = e >> 6;
    if (type === 0 || type === 1 || type === 2) {
      let n: number;
      if (type === 0) {
        n = e & 0x3f;
        p += 1;
      } else if (type === 1) {
        if (p + 2 > end) corrupt("entry out of range");
        n = ((e & 0x3f) << 8) | (zl[p + 1] as number);
        p += 2;
      } else {
        if (e !== 0x80 || p + 5 > end) corrupt("bad string encoding");
        n = view.getUint32(p + 1, false);
        p += 5;
      }
      if (p + n > end) corrupt("entry out of range");
      item = latin1(zl, p, p + n);
      p += n;
    } else {
      p += 1;
      let size: number;
      if (e === 0xc0) size = 2;
      else if (e === 0xd0) size = 4;
      else if (e === 0xe0) size = 8;
      else if (e === 0xf0) size = 3;
      else if (e === 0xfe) size = 1;
      else if (e >= 0xf1 && e <= 0xfd) size = 0;
      else corrupt("bad integer encoding");
      if (p + size > end) corrupt("entry out of range");
      if (e === 0xc0) item = String(view.getInt16(p, true));
      else if (e === 0xd0) item = String(view.getInt32(p, true));
      else if (e === 0xe0) item = String(view.getBigInt64(p, true));
      else if (e === 0xf0) {
        let u = view.getUint16(p, true) | ((zl[p + 2] as number) << 16);
        if (u >= 1 << 23) u -= 1 << 24;
        item = String(u);
      } else if (e === 0xfe) item = String(view.getInt8(p));
      else item = String((e & 0x0f) - 1);
      p += size;
    }
    out.push(item);
    prevSize = p - start;
    lastStart = start;
  }
  if (p !== end || zl[end] !== 0xff) corrupt("missing end byte");
  if (out.length > 0 && tail !== lastStart) corrupt("bad tail offset");
  if (out.length === 0 && tail !== HDR) corrupt("bad tail offset");
  if (declared !== 0xffff && declared !== out.length) corrupt("wrong element count");
  return out;
}

/** A ziplist of `items`, integer-encoding canonical integers as ziplistPush does (for fixtures). */
export function encodeZiplist(items: readonly string[]): Uint8Array {
  const parts: number[] = [];
  let prev = 0;
  let tail = HDR;
  for (const s of items) {
    const entry: number[] = [];
    if (prev < 254) entry.push(prev);
    else entry.push(0xfe, prev & 0xff, (prev >> 8) & 0xff, (prev >> 16) & 0xff, prev >>> 24);
    const v = isLongString(s) ? BigInt(s) : null;
    if (v !== null && v >= 0n && v <= 12n) entry.push(0xf1 + Number(v));
    else if (v !== null && v >= -128n && v <= 127n) entry.push(0xfe, Number(v) & 0xff);
    else if (v !== null && v >= -32768n && v <= 32767n) entry.push(0xc0, Number(v) & 0xff, (Number(v) >> 8) & 0xff);
    else if (v !== null && v >= -8388608n && v <= 8388607n) {
      const u = Number(v) & 0xffffff;
      entry.push(0xf0, u & 0xff, (u >> 8) & 0xff, u >> 16);
    } else if (v !== null && v >= -2147483648n && v <= 2147483647n) {
      const u = Number(v) >>> 0;
      entry.push(0xd0, u & 0xff, (u >> 8) & 0xff, (u >> 16) & 0xff, u >>> 24);
    } else if (v !== null) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, v, true);
      entry.push(0xe0, ...b);
    } else {
      const n = s.length;
      if (n < 64) entry.push(n);
      else if (n < 16384) entry.push(0x40 | (n >> 8), n & 0xff);
      else entry.push(0x80, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
      for (let i = 0; i < n; i++) entry.push(s.charCodeAt(i));
    }
    tail = HDR + parts.length;
    for (const b of entry) parts.push(b);
    prev = entry.length;
  }
  const out = new Uint8Array(HDR + parts.length + 1);
  out.set(parts, HDR);
  out[out.length - 1] = 0xff;
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length, true);
  view.setUint32(4, tail, true);
  view.setUint16(8, Math.min(items.length, 0xffff), true);
  return out;
}
