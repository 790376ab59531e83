/**
 * The primitive RDB fields: lengths, strings (raw, integer-encoded or LZF),
 * doubles, millisecond times. `RdbWriter` appends them to a ByteWriter;
 * `RdbReader` reads them from bytes with bounds checks, throwing an RdbError
 * (never reading past the end) on truncated or malformed input.
 */
import { ByteWriter, fromLatin1, latin1, writeLatin1 } from "../../resp/bytes.ts";
import { isLongString } from "../../store/values.ts";
import { ENC_INT8, ENC_INT16, ENC_INT32, ENC_LZF, ENCVAL, LEN_32BIT, LEN_64BIT, RdbError, ShortReadError } from "./constants.ts";
import { lzfCompressShared, lzfDecompressInto, lzfScratch } from "./lzf.ts";

/** Scratch for doubles: one typed-array write instead of a DataView per value. */
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const TWO32 = 2 ** 32;

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
    this.ensure(9);
    const b = this.buf;
    let at = this.len;
    if (n < 1 << 6) b[at++] = n;
    else if (n < 1 << 14) {
      b[at++] = 0x40 | (n >> 8);
      b[at++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[at++] = LEN_32BIT;
      b[at++] = n >>> 24;
      b[at++] = (n >>> 16) & 0xff;
      b[at++] = (n >>> 8) & 0xff;
      b[at++] = n & 0xff;
    } else {
      b[at++] = LEN_64BIT;
      new DataView(b.buffer).setBigUint64(at, BigInt(n), false);
      at += 8;
    }
    this.len = at;
  }

  /** rdbEncodeInteger: true when `v` fits an 8/16/32-bit encoding and was written. */
  #intEncoded(v: number): boolean {
    if (v < -2147483648 || v > 2147483647) return false;
    this.ensure(5);
    const b = this.buf;
    let at = this.len;
    if (v >= -128 && v <= 127) {
      b[at++] = (ENCVAL << 6) | ENC_INT8;
      b[at++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      b[at++] = (ENCVAL << 6) | ENC_INT16;
      b[at++] = v & 0xff;
      b[at++] = (v >> 8) & 0xff;
    } else {
      b[at++] = (ENCVAL << 6) | ENC_INT32;
      b[at++] = v & 0xff;
      b[at++] = (v >> 8) & 0xff;
      b[at++] = (v >> 16) & 0xff;
      b[at++] = (v >>> 24) & 0xff;
    }
    this.len = at;
    return true;
  }

  /** rdbSaveRawString for a byte string: integer encoding, then LZF, then verbatim. */
  string(s: string): void {
    const n = s.length;
    if (n <= 11 && isLongString(s) && this.#intEncoded(Number(s))) return;
    // Written verbatim first; when LZF pays off it replaces those bytes.
    const mark = this.len;
    this.length(n);
    this.ensure(n);
    const at = this.len;
    this.len = at + writeLatin1(s, this.buf, at);
    if (this.compress && n > 20) this.#lzf(mark, at, n);
  }

  /** rdbSaveRawString for a blob (listpack, intset): the same rules as strings. */
  blob(b: Uint8Array, start = 0, end = b.length): void {
    const n = end - start;
    if (n <= 11) {
      const s = latin1(b, start, end);
      if (isLongString(s) && this.#intEncoded(Number(s))) return;
    }
    const mark = this.len;
    this.length(n);
    this.ensure(n);
    const at = this.len;
    if (start === 0 && end === b.length) this.buf.set(b, at);
    else this.buf.set(b.subarray(start, end), at);
    this.len = at + n;
    if (this.compress && n > 20) this.#lzf(mark, at, n);
  }

  /**
   * rdbSaveLzfStringObject over the `n` bytes just written at `at` (whose
   * length header starts at `mark`): only when it saves at least 4 bytes,
   * as Redis; then the compressed form replaces them.
   */
  #lzf(mark: number, at: number, n: number): void {
    if (n <= 4) return;
    const c = lzfCompressShared(this.buf, at, at + n, n - 4);
    if (c === 0) return;
    this.len = mark;
    this.byte((ENCVAL << 6) | ENC_LZF);
    this.length(c);
    this.length(n);
    this.ensure(c);
    const src = lzfScratch();
    const b = this.buf;
    const to = this.len;
    // Most compressed strings are short: a loop beats subarray + set.
    if (c <= 64) for (let i = 0; i < c; i++) b[to + i] = src[i] as number;
    else b.set(src.subarray(0, c), to);
    this.len = to + c;
  }

  binaryDouble(d: number): void {
    this.ensure(8);
    f64[0] = d;
    this.buf.set(f64Bytes, this.len);
    this.len += 8;
  }

  millis(t: number): void {
    this.ensure(8);
    const v = Math.trunc(t);
    if (v < 0 || v >= Number.MAX_SAFE_INTEGER) {
      new DataView(this.buf.buffer).setBigInt64(this.len, BigInt(v), true);
    } else {
      const b = this.buf;
      const at = this.len;
      const lo = v % TWO32;
      const hi = (v - lo) / TWO32;
      b[at] = lo & 0xff;
      b[at + 1] = (lo >>> 8) & 0xff;
      b[at + 2] = (lo >>> 16) & 0xff;
      b[at + 3] = lo >>> 24;
      b[at + 4] = hi & 0xff;
      b[at + 5] = (hi >>> 8) & 0xff;
      b[at + 6] = (hi >>> 16) & 0xff;
      b[at + 7] = hi >>> 24;
    }
    this.len += 8;
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** Scratch for LZF strings being loaded (grows to the largest; values are copied out by latin1 or the decoders). */
let inflated = new Uint8Array(4096);
const INFLATE_KEEP = 1 << 20;

function truncated(): never {
  throw new ShortReadError();
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

  /**
   * rdbGenericLoadStringObject as raw bytes: a view of the input or of a
   * scratch buffer reused by the next read, so decode it before reading on.
   */
  stringBytes(): Uint8Array {
    const n = this.#lengthOrEnc();
    if (n >= 0) return this.bytes(n);
    const enc = -1 - n;
    if (enc === ENC_LZF) return this.#lzfScratch().subarray(0, this.#lzfLen);
    return fromLatin1(String(this.#int(enc)));
  }

  #lzfLen = 0;

  /** Decompresses an LZF string (after its marker) into the shared scratch; its length is left in #lzfLen. */
  #lzfScratch(): Uint8Array {
    const clen = this.length();
    const len = this.length();
    if (len > 512 * 1024 * 1024 || (len > 0 && clen === 0)) throw new RdbError("Invalid LZF compressed string");
    this.#need(clen);
    // A huge value gets its own buffer, so the scratch never pins more than INFLATE_KEEP bytes.
    let out = inflated;
    if (len > out.length) {
      out = new Uint8Array(len <= INFLATE_KEEP ? Math.max(len, out.length * 2) : len);
      if (out.length <= INFLATE_KEEP) inflated = out;
    }
    const at = this.pos;
    this.pos = at + clen;
    lzfDecompressInto(this.data, at, at + clen, out, len);
    this.#lzfLen = len;
    return out;
  }

  /** A string as a byte string (integer encodings become decimal). */
  string(): string {
    const n = this.#lengthOrEnc();
    if (n >= 0) {
      // Straight from the file's bytes: no subarray per string.
      this.#need(n);
      const at = this.pos;
      this.pos = at + n;
      return latin1(this.data, at, at + n);
    }
    const enc = -1 - n;
    if (enc === ENC_LZF) return latin1(this.#lzfScratch(), 0, this.#lzfLen);
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
