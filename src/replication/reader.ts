import { concat, latin1 } from "../resp/bytes.ts";

/** Thrown when the master closes the link. */
export class LinkClosed extends Error {
  constructor() {
    super("Connection closed by master");
  }
}

/**
 * Reads the replica link's handshake replies and the snapshot payload from a
 * byte stream: whole lines, exact byte counts, or bytes up to an end mark.
 * Chunks are collected in a list and joined once, never rescanned.
 */
export class LinkReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;

  constructor(
    readable: ReadableStream<Uint8Array>,
    /** Told the size of every chunk (last-io time, sync progress). */
    readonly onBytes: (n: number) => void = () => {},
  ) {
    this.#reader = readable.getReader();
  }

  async #read(): Promise<Uint8Array> {
    const { done, value } = await this.#reader.read();
    if (done) throw new LinkClosed();
    this.onBytes(value.length);
    return value;
  }

  /** The next line without its CR LF (a bare LF, the master's keepalive, ends an empty line). */
  async line(): Promise<string> {
    for (;;) {
      const lf = this.#buf.indexOf(10, this.#pos);
      if (lf !== -1) {
        const end = lf > this.#pos && this.#buf[lf - 1] === 13 ? lf - 1 : lf;
        const text = latin1(this.#buf, this.#pos, end);
        this.#pos = lf + 1;
        return text;
      }
      this.#buf = concat([this.#buf.subarray(this.#pos), await this.#read()]);
      this.#pos = 0;
    }
  }

  /** Exactly `n` bytes. */
  async bytes(n: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [this.#buf.subarray(this.#pos)];
    let have = parts[0]?.length ?? 0;
    while (have < n) {
      const chunk = await this.#read();
      parts.push(chunk);
      have += chunk.length;
    }
    const all = parts.length === 1 ? (parts[0] as Uint8Array) : concat(parts);
    this.#buf = all;
    this.#pos = n;
    return all.subarray(0, n);
  }

  /** Bytes up to the 40-byte `mark` that ends a diskless transfer (the mark is consumed, not returned). */
  async untilMark(mark: Uint8Array): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let have = 0;
    let chunk = this.#buf.subarray(this.#pos);
    // Each chunk is searched together with the previous chunks' last bytes, so a mark split across reads is found.
    let tail: Uint8Array = new Uint8Array(0);
    for (;;) {
      const window = tail.length > 0 ? concat([tail, chunk]) : chunk;
      const at = indexOf(window, mark, 0);
      if (at !== -1) {
        parts.push(chunk);
        const all = concat(parts);
        const end = have - tail.length + at;
        this.#buf = all;
        this.#pos = end + mark.length;
        return all.subarray(0, end);
      }
      parts.push(chunk);
      have += chunk.length;
      tail = window.subarray(Math.max(0, window.length - mark.length + 1));
      chunk = await this.#read();
    }
  }

  /**
   * The next bytes as they arrive, at most `max` of them: what is buffered
   * first, else one read (its excess stays buffered). A view, valid until the
   * next call.
   */
  async chunk(max = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
    if (this.#pos >= this.#buf.length) {
      this.#buf = await this.#read();
      this.#pos = 0;
    }
    const end = Math.min(this.#buf.length, this.#pos + max);
    const out = this.#buf.subarray(this.#pos, end);
    this.#pos = end;
    return out;
  }

  /** Puts bytes back in front of what is buffered (read past the end of a payload). */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#buf = concat([bytes, this.#buf.subarray(this.#pos)]);
    this.#pos = 0;
  }

  /** What was read past the last request: the start of the command stream. */
  rest(): Uint8Array {
    const out = this.#buf.subarray(this.#pos);
    this.#buf = new Uint8Array(0);
    this.#pos = 0;
    return out;
  }

  /** The rest of the link as a stream: buffered bytes first, then further reads. */
  stream(): ReadableStream<Uint8Array> {
    const first = this.rest();
    const reader = this.#reader;
    const onBytes = this.onBytes;
    return new ReadableStream<Uint8Array>({
      start(c) {
        if (first.length > 0) c.enqueue(first);
      },
      async pull(c) {
        const { done, value } = await reader.read();
        if (done) c.close();
        else {
          onBytes(value.length);
          c.enqueue(value);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
  }

  cancel(): void {
    this.#reader.cancel().catch(() => {});
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0] as number;
  for (let i = hay.indexOf(first, from); i !== -1 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
