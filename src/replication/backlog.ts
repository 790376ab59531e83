import { writeLatin1 } from "../resp/bytes.ts";

/** One command as a RESP multibulk byte string, the form replicas and the backlog carry. */
export function commandText(argv: readonly string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/** One command as RESP multibulk bytes (args are byte strings). */
export function encodeCommand(argv: readonly string[]): Uint8Array {
  let size = 1 + String(argv.length).length + 2;
  for (const a of argv) size += 1 + String(a.length).length + 2 + a.length + 2;
  const out = new Uint8Array(size);
  let at = writeLatin1(`*${argv.length}\r\n`, out, 0);
  for (const a of argv) {
    at += writeLatin1(`$${a.length}\r\n`, out, at);
    at += writeLatin1(a, out, at);
    out[at++] = 13;
    out[at++] = 10;
  }
  return out;
}

/**
 * The replication backlog (Redis's repl_backlog): a ring buffer holding the
 * last `size` bytes of the replication stream, so a replica that lost its
 * link can continue from its offset (+CONTINUE) instead of a full resync.
 * Offsets are stream offsets: `offset` is the last byte written (Redis's
 * master_repl_offset), the first byte held is `offset - histlen + 1`.
 */
export class Backlog {
  #buf: Uint8Array;
  /** Where the next byte goes in #buf. */
  #idx = 0;
  histlen = 0;

  constructor(
    size: number,
    /** Stream offset of the last byte before this backlog's first one. */
    public offset: number,
  ) {
    this.#buf = new Uint8Array(Math.max(1, size));
  }

  get size(): number {
    return this.#buf.length;
  }

  get firstByteOffset(): number {
    return this.offset - this.histlen + 1;
  }

  append(bytes: Uint8Array): void {
    const buf = this.#buf;
    const n = bytes.length;
    this.offset += n;
    // Only the tail of a write larger than the whole buffer can survive.
    const src = n > buf.length ? bytes.subarray(n - buf.length) : bytes;
    const first = Math.min(src.length, buf.length - this.#idx);
    buf.set(src.subarray(0, first), this.#idx);
    if (first < src.length) buf.set(src.subarray(first), 0);
    this.#idx = (this.#idx + src.length) % buf.length;
    this.histlen = Math.min(buf.length, this.histlen + n);
  }

  /** True when a replica asking to continue at `from` (its offset + 1) can be served from here. */
  covers(from: number): boolean {
    return this.histlen > 0 ? from >= this.firstByteOffset && from <= this.offset + 1 : from === this.offset + 1;
  }

  /** The bytes from stream offset `from` to the end (the caller checked `covers`). */
  since(from: number): Uint8Array {
    const n = this.offset + 1 - from;
    const out = new Uint8Array(n);
    const buf = this.#buf;
    const start = (this.#idx - n + buf.length * 2) % buf.length;
    const first = Math.min(n, buf.length - start);
    out.set(buf.subarray(start, start + first), 0);
    if (first < n) out.set(buf.subarray(0, n - first), first);
    return out;
  }

  /** A new size keeps as much recent history as fits (CONFIG SET repl-backlog-size). */
  resize(size: number): void {
    const keep = Math.min(this.histlen, size);
    const tail = this.since(this.offset + 1 - keep);
    this.#buf = new Uint8Array(Math.max(1, size));
    this.#buf.set(tail, 0);
    this.#idx = keep % this.#buf.length;
    this.histlen = keep;
  }
}
