/**
 * CRC-64/Jones as Redis uses it (src/crc64.c): polynomial 0xad93d23594c935a9,
 * reflected input and output, initial value 0, no final xor. Check value:
 * crc64("123456789") = 0xe9c6d914c4b8d9ca.
 *
 * The register is kept as two 32-bit halves so the byte loop never touches
 * BigInt; a table per byte value gives the usual reflected table-driven form.
 */

/** The polynomial bit-reversed (reflected form): 0x95ac9329ac4bc9b5. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi >>>= 1;
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[n] = hi;
  TABLE_LO[n] = lo;
}

/** A running CRC-64: feed it chunks with `update`, read it with `bytesLE` or `value`. */
export class Crc64 {
  hi = 0;
  lo = 0;

  update(data: Uint8Array, start = 0, end = data.length): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = start; i < end; i++) {
      const idx = (lo ^ (data[i] as number)) & 0xff;
      // crc = table[idx] ^ (crc >> 8)
      const shLo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
      const shHi = hi >>> 8;
      lo = ((TABLE_LO[idx] as number) ^ shLo) >>> 0;
      hi = ((TABLE_HI[idx] as number) ^ shHi) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** The 8-byte little-endian form Redis writes after an RDB file or DUMP payload. */
  bytesLE(): Uint8Array {
    const out = new Uint8Array(8);
    const v = new DataView(out.buffer);
    v.setUint32(0, this.lo, true);
    v.setUint32(4, this.hi, true);
    return out;
  }
}

/** CRC-64 of `data[start, end)`. */
export function crc64(data: Uint8Array, start = 0, end = data.length): bigint {
  return new Crc64().update(data, start, end).value;
}
