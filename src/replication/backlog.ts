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

/** Redis's replication buffer blocks are 16 KB (PROTO_REPLY_CHUNK_BYTES). */
const BLOCK = 16 * 1024;

/**
 * The replication buffer (Redis 7.0's shared repl_buffer_blocks with the
 * backlog on top): the stream in 16 KB blocks that are only ever appended to,
 * so the backlog and every replica share one copy of the bytes — a replica's
 * pending output is views of these blocks, and a replica waiting behind its
 * snapshot is only a position (`pin`). The backlog keeps the last `size`
 * bytes, and more while a replica still needs older ones, so a replica can
 * then continue from there too (repl_backlog_histlen outgrows the size, as in
 * 7.0). Offsets are stream offsets: `offset` is the last byte written
 * (master_repl_offset), the first byte held is `offset - histlen + 1`.
 */
export class Backlog {
  readonly #blocks: Uint8Array[] = [];
  /** Bytes of the first block before the history starts (trimmed). */
  #headSkip = 0;
  /** Bytes used in the last block. */
  #tailUsed = 0;
  histlen = 0;
  #size: number;
  /** The oldest stream offset some replica still needs (Infinity: none); the history never starts after it. */
  pin: () => number = () => Number.POSITIVE_INFINITY;

  constructor(
    size: number,
    /** Stream offset of the last byte written (the history's end). */
    public offset: number,
  ) {
    this.#size = Math.max(1, size);
  }

  get size(): number {
    return this.#size;
  }

  get firstByteOffset(): number {
    return this.offset - this.histlen + 1;
  }

  /** Memory the blocks take (INFO mem_total_replication_buffers). */
  get memory(): number {
    return this.#blocks.length * BLOCK;
  }

  /** Adds bytes to the history; `trim` false leaves them all reachable until the caller trims (views to send). */
  append(bytes: Uint8Array, trim = true): void {
    let at = 0;
    while (at < bytes.length) {
      if (this.#blocks.length === 0 || this.#tailUsed === BLOCK) {
        this.#blocks.push(new Uint8Array(BLOCK));
        this.#tailUsed = 0;
      }
      const tail = this.#blocks[this.#blocks.length - 1] as Uint8Array;
      const n = Math.min(BLOCK - this.#tailUsed, bytes.length - at);
      tail.set(at === 0 && n === bytes.length ? bytes : bytes.subarray(at, at + n), this.#tailUsed);
      this.#tailUsed += n;
      at += n;
    }
    this.offset += bytes.length;
    this.histlen += bytes.length;
    if (trim) this.trim();
  }

  /** Drops history older than both the last `size` bytes and what replicas still need. */
  trim(): void {
    const keepFrom = Math.min(this.offset + 1 - this.#size, this.pin());
    let drop = keepFrom - this.firstByteOffset;
    if (drop <= 0) return;
    this.histlen -= drop;
    drop += this.#headSkip;
    while (this.#blocks.length > 0) {
      const first = this.#blocks[0] as Uint8Array;
      const used = this.#blocks.length === 1 ? this.#tailUsed : first.length;
      if (drop < used) break;
      this.#blocks.shift();
      drop -= used;
      if (this.#blocks.length === 0) this.#tailUsed = 0;
    }
    this.#headSkip = this.#blocks.length === 0 ? 0 : drop;
  }

  /** True when a replica asking to continue at `from` (its offset + 1) can be served from here. */
  covers(from: number): boolean {
    return this.histlen > 0 ? from >= this.firstByteOffset && from <= this.offset + 1 : from === this.offset + 1;
  }

  /** The bytes from stream offset `from` to the end as views of the blocks, no copy (the caller checked `covers`). */
  viewsSince(from: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let skip = from - this.firstByteOffset + this.#headSkip;
    const last = this.#blocks.length - 1;
    for (let i = 0; i <= last; i++) {
      const b = this.#blocks[i] as Uint8Array;
      const used = i === last ? this.#tailUsed : b.length;
      if (skip >= used) {
        skip -= used;
        continue;
      }
      out.push(b.subarray(skip, used));
      skip = 0;
    }
    return out;
  }

  /** The bytes from stream offset `from` to the end, as one copy (the caller checked `covers`). */
  since(from: number): Uint8Array {
    const views = this.viewsSince(from);
    const out = new Uint8Array(this.offset + 1 - from);
    let at = 0;
    for (const v of views) {
      out.set(v, at);
      at += v.length;
    }
    return out;
  }

  /** A new size (CONFIG SET repl-backlog-size): a smaller one drops the oldest history at once. */
  resize(size: number): void {
    this.#size = Math.max(1, size);
    this.trim();
  }
}
