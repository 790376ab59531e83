/**
 * Small byte helpers, in the spirit of Deno std's `@std/bytes` (which is not
 * reachable from here).
 *
 * respd represents binary-safe byte strings as JS strings holding one char per
 * byte (latin1). That keeps keys usable as Map/dict keys and values compact
 * (engines store such strings one byte per char), and it never goes through
 * UTF-8, where distinct invalid sequences collapse into U+FFFD and collide.
 */

export const EMPTY = new Uint8Array(0);

/** Concatenates byte arrays into one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** True when both arrays hold the same bytes. */
export function equals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Index of the first occurrence of `needle` in `source` at or after `start`, or -1. */
export function indexOfNeedle(source: Uint8Array, needle: Uint8Array, start = 0): number {
  if (needle.length === 0) return start <= source.length ? start : -1;
  const first = needle[0];
  const last = source.length - needle.length;
  outer: for (let i = source.indexOf(first as number, start); i !== -1 && i <= last; i = source.indexOf(first as number, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (source[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Fast-path codecs a runtime adapter may install (e.g. Buffer's latin1Slice). */
export interface Latin1Codec {
  decode(bytes: Uint8Array, start: number, end: number): string;
  /** Writes `s` (chars < 256) into `target` at `offset`; returns bytes written. */
  encodeInto(s: string, target: Uint8Array, offset: number): number;
}

/** Below this length a JS loop beats a native call for writing bytes out. */
const SMALL = 8;

function jsDecode(bytes: Uint8Array, start: number, end: number): string {
  // Chunks keep apply() under engines' argument limits; the few joins flatten on first use.
  let s = "";
  for (let i = start; i < end; i += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 8192)) as unknown as number[]);
  }
  return s;
}

function jsEncodeInto(s: string, target: Uint8Array, offset: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) target[offset + i] = s.charCodeAt(i);
  return n;
}

let codec: Latin1Codec = { decode: jsDecode, encodeInto: jsEncodeInto };

/** Called once by a runtime adapter that has a native latin1 codec. */
export function installLatin1Codec(native: Latin1Codec): void {
  codec = native;
}

/**
 * Short strings (command names, small numbers, flags) repeat endlessly, so
 * those of up to 6 bytes are interned in a direct-mapped cache: the bytes
 * packed into one number find the existing string in a few ns (a Map lookup
 * took ~14 ns on Bun, a native slice ~50 ns). A colliding string just takes
 * the slot. Interning also shares their memory; building them with `+=`
 * would have made ropes, one heap cell per char on JSC.
 */
const INTERN_MAX_LEN = 6;
const INTERN_SLOTS = 8192;
/** The packed bytes of the string in each slot (-1: empty); 7 * 2^48 stays an exact double. */
const internKeys = new Float64Array(INTERN_SLOTS).fill(-1);
const internStrings: string[] = new Array<string>(INTERN_SLOTS).fill("");

/** Bytes [start, end) as a byte string (one char per byte). */
export function latin1(b: Uint8Array, start = 0, end = b.length): string {
  const n = end - start;
  if (n > INTERN_MAX_LEN) return codec.decode(b, start, end);
  if (n === 0) return "";
  // Length first, so "\0" and "\0\0" get different keys.
  let key = n;
  let hash = n;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    key = key * 256 + c;
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  const slot = (hash ^ (hash >>> 13)) & (INTERN_SLOTS - 1);
  if (internKeys[slot] === key) return internStrings[slot] as string;
  const s = n === 1 ? String.fromCharCode(b[start] as number) : codec.decode(b, start, end);
  internKeys[slot] = key;
  internStrings[slot] = s;
  return s;
}

/** Writes byte string `s` into `target` at `offset`; returns bytes written. */
export function writeLatin1(s: string, target: Uint8Array, offset: number): number {
  if (s.length <= SMALL) {
    for (let i = 0; i < s.length; i++) target[offset + i] = s.charCodeAt(i);
    return s.length;
  }
  return codec.encodeInto(s, target, offset);
}

/** A byte string as a fresh Uint8Array. */
export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  writeLatin1(s, out, 0);
  return out;
}

const utf8Encoder = new TextEncoder();

/**
 * Text (which may contain any Unicode) as a byte string of its UTF-8 bytes.
 * For server-generated text such as log lines shown to clients; user data
 * never passes through here.
 */
export function utf8ToByteString(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  const b = utf8Encoder.encode(text);
  return latin1(b);
}

/** A growable output buffer; reused across batches so encoding allocates rarely. */
export class ByteWriter {
  buf: Uint8Array;
  len = 0;

  constructor(initial = 16 * 1024) {
    this.buf = new Uint8Array(initial);
  }

  ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /**
   * Appends `<type><n>\r\n` (a RESP header or integer) without building a
   * string: the hot path writes one of these per reply.
   */
  header(type: number, n: number): void {
    if (n < 0 || n > 0x7fffffff || !Number.isInteger(n)) {
      this.byte(type);
      this.str(`${n}\r\n`);
      return;
    }
    this.ensure(14);
    const buf = this.buf;
    let at = this.len;
    buf[at++] = type;
    // Int32 arithmetic only: a `%` the JIT sees on a double becomes fmod, ~25 ns a digit.
    const v = n | 0;
    if (v < 10) buf[at++] = 48 + v;
    else {
      let digits = 1;
      for (let t = v; t >= 10; t = (t / 10) | 0) digits++;
      for (let i = digits - 1, t = v; i >= 0; i--) {
        const q = (t / 10) | 0;
        buf[at + i] = 48 + t - q * 10;
        t = q;
      }
      at += digits;
    }
    buf[at++] = 13;
    buf[at++] = 10;
    this.len = at;
  }

  /** Appends a bulk string reply: `$<len>\r\n<bytes>\r\n`. */
  bulk(s: string): void {
    this.header(36, s.length);
    this.ensure(s.length + 2);
    let at = this.len + writeLatin1(s, this.buf, this.len);
    this.buf[at++] = 13;
    this.buf[at++] = 10;
    this.len = at;
  }

  /** Appends an ASCII/byte string. */
  str(s: string): void {
    this.ensure(s.length);
    this.len += writeLatin1(s, this.buf, this.len);
  }

  /**
   * What was written, as a view valid only until the next write, and resets
   * for reuse: for a consumer that is done with the bytes when its call
   * returns (a socket write that copies what it cannot send at once).
   */
  takeView(): Uint8Array {
    const out = this.buf.subarray(0, this.len);
    this.len = 0;
    // A huge batch's buffer is let go (the view alone keeps it, while it is used).
    if (this.buf.length > 4 * 1024 * 1024) this.buf = new Uint8Array(16 * 1024);
    return out;
  }

  /** Takes a copy of what was written and resets for reuse. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    // Give back memory after an unusually large batch (e.g. a 100 MB GET).
    if (this.buf.length > 4 * 1024 * 1024) this.buf = new Uint8Array(16 * 1024);
    return out;
  }
}

/**
 * A byte string as C code sees it (`%s`, strcmp, strchr): it ends at its
 * first NUL byte. Redis's texts and comparisons that go through C strings
 * need this view.
 */
export function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul === -1 ? s : s.slice(0, nul);
}
