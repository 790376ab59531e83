/**
 * The primitive RDB fields: lengths, strings (raw, integer-encoded or LZF),
 * doubles, millisecond times. `RdbWriter` appends them to a ByteWriter;
 * `RdbReader` reads them from bytes with bounds checks, throwing an RdbError
 * (never reading past the end) on truncated or malformed input.
 */
import { ByteWriter, fromLatin1, latin1 } from "../../resp/bytes.ts";
import { isLongString } from "../../store/values.ts";
import { ENC_INT8, ENC_INT16, ENC_INT32, ENC_LZF, ENCVAL, LEN_32BIT, LEN_64BIT, RdbError } from "./constants.ts";
import { lzfCompress, lzfDecompress } from "./lzf.ts";

/** ByteWriter plus RDB's field encodings. */
export class RdbWriter extends ByteWriter {
  /** rdbcompression: try LZF on strings longer than 20 bytes. */
  compress: boolean;

  constructor(compress = true, initial = 256) {
    super(initial);
    this.compress = compress;
  }

  /** `bytes` under the name the RDB encoders use. */
  raw(b: Uint8Array): void {
    this.bytes(b);
  }

  /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit big-endian length. */
  length(n: number): void {
    if (n < 1 << 6) this.byte(n);
    else if (n < 1 << 14) {
      this.byte(0x40 | (n >> 8));
      this.byte(n & 0xff);
    } else if (n <= 0xffffffff) {
      this.ensure(5);
      this.buf[this.len++] = LEN_32BIT;
      new DataView(this.buf.buffer).setUint32(this.len, n, false);
      this.len += 4;
    } else {
      this.ensure(9);
      this.buf[this.len++] = LEN_64BIT;
      new DataView(this.buf.buffer).setBigUint64(this.len, BigInt(n), false);
      this.len += 8;
    }
  }

  /** rdbEncodeInteger: true when `v` fits an 8/16/32-bit encoding and was written. */
  #intEncoded(v: number): boolean {
    if (v >= -128 && v <= 127) {
      this.byte((ENCVAL << 6) | ENC_INT8);
      this.byte(v & 0xff);
    } else if (v >= -32768 && v <= 32767) {
      this.byte((ENCVAL << 6) | ENC_INT16);
      this.byte(v & 0xff);
      this.byte((v >> 8) & 0xff);
    } else if (v >= -2147483648 && v <= 2147483647) {
      this.byte((ENCVAL << 6) | ENC_INT32);
      this.ensure(4);
      new DataView(this.buf.buffer).setInt32(this.len, v, true);
      this.len += 4;
    } else return false;
    return true;
  }

  /** rdbSaveRawString for a byte string: integer encoding, then LZF, then verbatim. */
  string(s: string): void {
    if (s.length <= 11 && isLongString(s) && this.#intEncoded(Number(s))) return;
    if (this.compress && s.length > 20) {
      const bytes = fromLatin1(s);
      if (this.#lzf(bytes)) return;
      this.length(bytes.length);
      this.bytes(bytes);
      return;
    }
    this.length(s.length);
    this.str(s);
  }

  /** rdbSaveRawString for a blob (listpack, intset): the same rules as strings. */
  blob(b: Uint8Array): void {
    if (b.length <= 11) {
      const s = latin1(b);
      if (isLongString(s) && this.#intEncoded(Number(s))) return;
    }
    if (this.compress && b.length > 20 && this.#lzf(b)) return;
    this.length(b.length);
    this.bytes(b);
  }

  /** rdbSaveLzfStringObject: only when it saves at least 4 bytes... and fits. */
  #lzf(b: Uint8Array): boolean {
    if (b.length <= 4) return false;
    const c = lzfCompress(b, b.length - 4);
    if (c === null) return false;
    this.byte((ENCVAL << 6) | ENC_LZF);
    this.length(c.length);
    this.length(b.length);
    this.bytes(c);
    return true;
  }

  binaryDouble(d: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setFloat64(this.len, d, true);
    this.len += 8;
  }

  millis(t: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setBigInt64(this.len, BigInt(Math.trunc(t)), true);
    this.len += 8;
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function truncated(): never {
  throw new RdbError("Unexpected EOF reading RDB file");
}

export class RdbReader {
  pos: number;
  readonly #view: DataView;

  constructor(
    readonly data: Uint8Array,
    start = 0,
    readonly end = data.length,
  ) {
    this.pos = start;
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  #need(n: number): void {
    if (n > this.end - this.pos) truncated();
  }

  byte(): number {
    this.#need(1);
    return this.data[this.pos++] as number;
  }

  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A length, or (when `special` is given) an encoding marker: returns -1 - enc for ENCVAL. */
  #lengthOrEnc(): number {
    const b = this.byte();
    const type = b >> 6;
    if (type === ENCVAL) return -1 - (b & 0x3f);
    if (type === 0) return b & 0x3f;
    if (type === 1) return ((b & 0x3f) << 8) | this.byte();
    if (b === LEN_32BIT) {
      this.#need(4);
      const v = this.#view.getUint32(this.pos, false);
      this.pos += 4;
      return v;
    }
    if (b === LEN_64BIT) {
      this.#need(8);
      const v = this.#view.getBigUint64(this.pos, false);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError("Length too large in RDB");
      return Number(v);
    }
    throw new RdbError(`Unknown length encoding ${type} in rdbLoadLen()`);
  }

  /** rdbLoadLen: a plain length (an encoded-string marker here is corruption). */
  length(): number {
    const n = this.#lengthOrEnc();
    if (n < 0) throw new RdbError("Unexpected string encoding where a length was expected");
    return n;
  }

  /** rdbGenericLoadStringObject as raw bytes. */
  stringBytes(): Uint8Array {
    const n = this.#lengthOrEnc();
    if (n >= 0) return this.bytes(n);
    const enc = -1 - n;
    if (enc === ENC_LZF) {
      const clen = this.length();
      const len = this.length();
      if (len > 512 * 1024 * 1024 || (len > 0 && clen === 0)) throw new RdbError("Invalid LZF compressed string");
      return lzfDecompress(this.bytes(clen), len);
    }
    return fromLatin1(String(this.#int(enc)));
  }

  /** A string as a byte string (integer encodings become decimal). */
  string(): string {
    const n = this.#lengthOrEnc();
    if (n >= 0) return latin1(this.bytes(n));
    const enc = -1 - n;
    if (enc === ENC_LZF) {
      this.pos--;
      return latin1(this.stringBytes());
    }
    return String(this.#int(enc));
  }

  #int(enc: number): number {
    if (enc === ENC_INT8) {
      this.#need(1);
      return this.#view.getInt8(this.pos++);
    }
    if (enc === ENC_INT16) {
      this.#need(2);
      const v = this.#view.getInt16(this.pos, true);
      this.pos += 2;
      return v;
    }
    if (enc === ENC_INT32) {
      this.#need(4);
      const v = this.#view.getInt32(this.pos, true);
      this.pos += 4;
      return v;
    }
    throw new RdbError(`Unknown RDB string encoding type ${enc}`);
  }

  binaryDouble(): number {
    this.#need(8);
    const v = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** rdbLoadDoubleValue: the old textual double (ZSET type 3). */
  textDouble(): number {
    const len = this.byte();
    if (len === 255) return Number.NEGATIVE_INFINITY;
    if (len === 254) return Number.POSITIVE_INFINITY;
    if (len === 253) return Number.NaN;
    const s = latin1(this.bytes(len));
    const v = Number(s.trim());
    if (Number.isNaN(v) && !/^\s*[+-]?nan/i.test(s)) {
      const lower = s.trim().toLowerCase();
      if (lower === "inf" || lower === "+inf" || lower === "infinity") return Number.POSITIVE_INFINITY;
      if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
      throw new RdbError("Invalid double value in RDB");
    }
    return v;
  }

  millis(): number {
    this.#need(8);
    const v = this.#view.getBigInt64(this.pos, true);
    this.pos += 8;
    return Number(v);
  }

  /** The old EXPIRETIME opcode: seconds as an int32. */
  seconds(): number {
    this.#need(4);
    const v = this.#view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
}
