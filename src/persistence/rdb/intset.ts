/**
 * Intset codec (Redis's src/intset.c): the SET_INTSET blob.
 *   <encoding u32 LE: 2, 4 or 8> <length u32 LE> <sorted ints, LE, `encoding` bytes each>
 */
import { RdbError } from "./constants.ts";

/** The narrowest width holding every value (Redis upgrades and never downgrades; see the report). */
function widthFor(values: readonly bigint[]): 2 | 4 | 8 {
  let w: 2 | 4 | 8 = 2;
  for (const v of values) {
    if (v < -2147483648n || v > 2147483647n) return 8;
    if (v < -32768n || v > 32767n) w = 4;
  }
  return w;
}

/** An intset of `values`, which must be sorted ascending and distinct. */
export function encodeIntset(values: readonly bigint[]): Uint8Array {
  const w = widthFor(values);
  const out = new Uint8Array(8 + w * values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, w, true);
  view.setUint32(4, values.length, true);
  let at = 8;
  for (const v of values) {
    if (w === 2) view.setInt16(at, Number(v), true);
    else if (w === 4) view.setInt32(at, Number(v), true);
    else view.setBigInt64(at, v, true);
    at += w;
  }
  return out;
}

/** encodeIntset for decimal members (sorted ascending, distinct), without BigInt when they are all safe integers. */
export function encodeIntsetMembers(members: readonly string[]): Uint8Array {
  const n = members.length;
  const values = new Array<number>(n);
  let w = 2;
  for (let i = 0; i < n; i++) {
    const m = members[i] as string;
    // 15 chars or fewer is below 2^53 in magnitude: exact as a double.
    if (m.length > 15) return encodeIntset(members.map((x) => BigInt(x)));
    const v = Number(m);
    values[i] = v;
    if (v < -2147483648 || v > 2147483647) return encodeIntset(members.map((x) => BigInt(x)));
    if (v < -32768 || v > 32767) w = 4;
  }
  const out = new Uint8Array(8 + w * n);
  out[0] = w;
  out[4] = n & 0xff;
  out[5] = (n >>> 8) & 0xff;
  out[6] = (n >>> 16) & 0xff;
  out[7] = n >>> 24;
  for (let i = 0, at = 8; i < n; i++, at += w) {
    const v = values[i] as number;
    out[at] = v & 0xff;
    out[at + 1] = (v >> 8) & 0xff;
    if (w === 4) {
      out[at + 2] = (v >> 16) & 0xff;
      out[at + 3] = (v >>> 24) & 0xff;
    }
  }
  return out;
}

/** The members of an intset, checked like intsetValidateIntegrity(deep): sorted, distinct, sized right. */
export function decodeIntset(blob: Uint8Array): bigint[] {
  if (blob.length < 8) throw new RdbError("Intset integrity check failed: too short");
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const w = view.getUint32(0, true);
  if (w !== 2 && w !== 4 && w !== 8) throw new RdbError("Intset integrity check failed: bad encoding");
  const n = view.getUint32(4, true);
  if (8 + n * w !== blob.length) throw new RdbError("Intset integrity check failed: wrong length");
  if (n === 0) throw new RdbError("Intset integrity check failed: empty intset");
  const out: bigint[] = new Array(n);
  for (let i = 0, at = 8; i < n; i++, at += w) {
    const v = w === 2 ? BigInt(view.getInt16(at, true)) : w === 4 ? BigInt(view.getInt32(at, true)) : view.getBigInt64(at, true);
    if (i > 0 && v <= (out[i - 1] as bigint)) throw new RdbError("Intset integrity check failed: not sorted or duplicate");
    out[i] = v;
  }
  return out;
}
