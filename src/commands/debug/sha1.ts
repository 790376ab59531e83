/**
 * Synchronous SHA-1 (FIPS 180-4) over byte strings and byte arrays. DEBUG
 * DIGEST needs Redis's exact SHA-1 based digest, hashing millions of tiny
 * inputs in one synchronous command: Web Crypto's digest is async, and
 * node:crypto is outside the runtime boundary.
 *
 * One `Sha1` owns its scratch buffers, so a digest run allocates nothing per
 * input; make one per command (no state is kept between commands).
 */
export class Sha1 {
  /** Message plus padding, grown to the largest input seen. */
  #buf = new Uint8Array(128);
  readonly #w = new Int32Array(80);
  readonly #h = new Int32Array(5);

  /** SHA-1 of a byte string (one char per byte) into `out` (20 bytes) at `at`. */
  ofString(s: string, out: Uint8Array, at = 0): void {
    const buf = this.#reserve(s.length);
    for (let i = 0; i < s.length; i++) buf[i] = s.charCodeAt(i);
    this.#finish(s.length, out, at);
  }

  /** SHA-1 of `len` bytes of `data` from `start` into `out` (20 bytes) at `at`. */
  ofBytes(data: Uint8Array, out: Uint8Array, at = 0, start = 0, len = data.length - start): void {
    const buf = this.#reserve(len);
    buf.set(data.subarray(start, start + len));
    this.#finish(len, out, at);
  }

  /** Room for `len` bytes plus the padding, without keeping old content. */
  #reserve(len: number): Uint8Array {
    const need = paddedLength(len);
    if (this.#buf.length < need) this.#buf = new Uint8Array(Math.max(need, this.#buf.length * 2));
    return this.#buf;
  }

  /** Pads the `len` message bytes already in the buffer, runs the blocks, writes the hash. */
  #finish(len: number, out: Uint8Array, at: number): void {
    const buf = this.#buf;
    const total = paddedLength(len);
    buf[len] = 0x80;
    buf.fill(0, len + 1, total - 8);
    // The bit length, big-endian, in the last 8 bytes.
    const hi = Math.floor(len / 0x20000000);
    const lo = (len * 8) >>> 0;
    buf[total - 8] = hi >>> 24;
    buf[total - 7] = hi >>> 16;
    buf[total - 6] = hi >>> 8;
    buf[total - 5] = hi;
    buf[total - 4] = lo >>> 24;
    buf[total - 3] = lo >>> 16;
    buf[total - 2] = lo >>> 8;
    buf[total - 1] = lo;
    const h = this.#h;
    h[0] = 0x67452301;
    h[1] = 0xefcdab89 | 0;
    h[2] = 0x98badcfe | 0;
    h[3] = 0x10325476;
    h[4] = 0xc3d2e1f0 | 0;
    for (let off = 0; off < total; off += 64) this.#block(buf, off);
    for (let i = 0; i < 5; i++) {
      const v = h[i] as number;
      out[at + i * 4] = v >>> 24;
      out[at + i * 4 + 1] = v >>> 16;
      out[at + i * 4 + 2] = v >>> 8;
      out[at + i * 4 + 3] = v;
    }
  }

  #block(buf: Uint8Array, off: number): void {
    const w = this.#w;
    for (let i = 0; i < 16; i++) {
      const p = off + i * 4;
      w[i] = ((buf[p] as number) << 24) | ((buf[p + 1] as number) << 16) | ((buf[p + 2] as number) << 8) | (buf[p + 3] as number);
    }
    for (let i = 16; i < 80; i++) {
      const x = (w[i - 3] as number) ^ (w[i - 8] as number) ^ (w[i - 14] as number) ^ (w[i - 16] as number);
      w[i] = (x << 1) | (x >>> 31);
    }
    const h = this.#h;
    let a = h[0] as number;
    let b = h[1] as number;
    let c = h[2] as number;
    let d = h[3] as number;
    let e = h[4] as number;
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const t = (((a << 5) | (a >>> 27)) + f + e + k + (w[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h[0] = ((h[0] as number) + a) | 0;
    h[1] = ((h[1] as number) + b) | 0;
    h[2] = ((h[2] as number) + c) | 0;
    h[3] = ((h[3] as number) + d) | 0;
    h[4] = ((h[4] as number) + e) | 0;
  }
}

/** Message + 0x80 + zeros + 8-byte length, rounded up to 64-byte blocks. */
function paddedLength(len: number): number {
  return (Math.floor((len + 8) / 64) + 1) * 64;
}

/** Lowercase hex of bytes, as Redis prints digests ("%02x" each). */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += (b < 16 ? "0" : "") + b.toString(16);
  return s;
}
