/**
 * Redis's MurmurHash64A (seed 0xadc83b19, little-endian blocks) and
 * hllPatLen, in 32-bit halves: BigInt arithmetic cost ~1.5 µs an element,
 * this a small fraction of it. Each 64-bit value is a [hi, lo] pair of uint32.
 */

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const TWO32 = 4294967296;

/** A 64-bit value as two uint32 halves. */
interface Pair {
  hi: number;
  lo: number;
}

/** The low 64 bits of (ah:al) * (bh:bl), written to out. */
function mul64(ah: number, al: number, bh: number, bl: number, out: Pair): void {
  // al * bl exactly, from 16-bit pieces (every partial product is exact in a double).
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const mid = a0 * b1 + a1 * b0;
  const t = a0 * b0 + (mid % 65536) * 65536;
  const lo = t % TWO32;
  const hi = a1 * b1 + Math.floor(mid / 65536) + Math.floor(t / TWO32);
  out.hi = (hi + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
  out.lo = lo;
}

/** MurmurHash64A of a byte string, as [hi, lo]. */
export function murmur64(s: string): [number, number] {
  const len = s.length;
  const r: Pair = { hi: 0, lo: 0 };
  mul64(0, len, M_HI, M_LO, r);
  let hh = r.hi;
  let hl = (r.lo ^ 0xadc83b19) >>> 0;
  const whole = len - (len & 7);
  for (let i = 0; i < whole; i += 8) {
    const kl = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    const kh = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    mul64(kh, kl, M_HI, M_LO, r);
    // k ^= k >> 47: only the high word's top 17 bits reach the low word.
    let kH = r.hi;
    let kL = (r.lo ^ (kH >>> 15)) >>> 0;
    mul64(kH, kL, M_HI, M_LO, r);
    kH = r.hi;
    kL = r.lo;
    hh = (hh ^ kH) >>> 0;
    hl = (hl ^ kL) >>> 0;
    mul64(hh, hl, M_HI, M_LO, r);
    hh = r.hi;
    hl = r.lo;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) {
      const b = s.charCodeAt(whole + j) & 0xff;
      if (j >= 4) hh = (hh ^ (b << (8 * (j - 4)))) >>> 0;
      else hl = (hl ^ (b << (8 * j))) >>> 0;
    }
    mul64(hh, hl, M_HI, M_LO, r);
    hh = r.hi;
    hl = r.lo;
  }
  hl = (hl ^ (hh >>> 15)) >>> 0;
  mul64(hh, hl, M_HI, M_LO, r);
  hh = r.hi;
  hl = r.lo;
  hl = (hl ^ (hh >>> 15)) >>> 0;
  return [hh, hl];
}

/** hllPatLen: [register index (low 14 bits), 1 + trailing zeros of the rest (with bit 50 set as a stop)]. */
export function patLen(s: string): [number, number] {
  const [hi, lo] = murmur64(s);
  const index = lo & 0x3fff;
  const restLo = ((lo >>> 14) | (hi << 18)) >>> 0;
  const restHi = ((hi >>> 14) | (1 << 18)) >>> 0;
  const ctz = (x: number) => 31 - Math.clz32(x & -x);
  return [index, 1 + (restLo !== 0 ? ctz(restLo) : 32 + ctz(restHi))];
}
