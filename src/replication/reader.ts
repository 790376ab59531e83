import { concat, latin1 } from "../resp/bytes.ts";
import type { ChunkSink, Connection, DirectIo } from "../runtime/types.ts";

/** Thrown when the master closes the link. */
export class LinkClosed extends Error {
  constructor() {
    super("Connection closed by master");
  }
}

/** Reads queued before the snapshot loader takes them: the socket pauses beyond this (a stream's small queue). */
const QUEUE_MAX = 2;

/**
 * Reads the replica link's handshake replies and the snapshot payload from a
 * byte stream: whole lines, exact byte counts, or bytes up to an end mark.
 * Chunks are collected in a list and joined once, never rescanned. Then
 * `pipeTo` hands the rest of the link (the command stream) to a sink.
 *
 * Where the connection has the direct lane, the reads come through
 * DirectIo.pipeTo into a small queue, so that after the handshake and the
 * snapshot the command stream goes to its sink by plain calls, as a client
 * connection's does (a stream hop per read costs more than the commands in it).
 */
export class LinkReader {
  /** The stream source (no direct lane: Deno, RESPD_STREAMS=web). */
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  /** The direct source: its reads wait in #queue until asked for, or go to #target once handed over. */
  #piped: Promise<void> | null = null;
  #queue: Uint8Array[] = [];
  #ended = false;
  #error: unknown = null;
  #target: ChunkSink<Uint8Array> | null = null;
  /** Wakes a read waiting for the queue, and releases the socket waiting for room in it. */
  #wake: (() => void) | null = null;
  #room: (() => void) | null = null;
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;

  /** Reads `conn` through its direct lane when it has one, else through its readable. */
  static of(conn: Connection, onBytes?: (n: number) => void): LinkReader {
    return new LinkReader(conn.direct ?? conn.readable, onBytes);
  }

  constructor(
    source: ReadableStream<Uint8Array> | DirectIo,
    /** Told the size of every chunk (last-io time, sync progress). */
    readonly onBytes: (n: number) => void = () => {},
  ) {
    if (source instanceof ReadableStream) {
      this.#reader = source.getReader();
      return;
    }
    this.#piped = source.pipeTo({
      write: (chunk) => {
        if (this.#target !== null) {
          this.onBytes(chunk.length);
          return this.#target.write(chunk);
        }
        this.#queue.push(chunk);
        this.#wakeReader();
        if (this.#queue.length < QUEUE_MAX) return undefined;
        return new Promise<void>((resolve) => {
          this.#room = resolve;
        });
      },
      close: () => {
        this.#ended = true;
        this.#wakeReader();
        this.#target?.close?.();
      },
      abort: (e) => {
        this.#error = e ?? new LinkClosed();
        this.#wakeReader();
        this.#target?.abort?.(e);
      },
    });
    // Failures reach the reads (or pipeTo's caller); this copy must not be an unhandled rejection.
    this.#piped.catch(() => {});
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #makeRoom(): void {
    const room = this.#room;
    this.#room = null;
    room?.();
  }

  async #read(): Promise<Uint8Array> {
    if (this.#reader !== null) {
      const { done, value } = await this.#reader.read();
      if (done) throw new LinkClosed();
      this.onBytes(value.length);
      return value;
    }
    for (;;) {
      const chunk = this.#queue.shift();
      if (chunk !== undefined) {
        // Counted when taken, as a stream read is (sync progress is reset after the handshake).
        this.onBytes(chunk.length);
        this.#makeRoom();
        return chunk;
      }
      if (this.#error !== null) throw this.#error;
      if (this.#ended) throw new LinkClosed();
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
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

  /** Bytes read from the socket but not yet asked for. */
  get buffered(): number {
    return this.#buf.length - this.#pos;
  }

  /** What was read past the last request: the start of the command stream. */
  rest(): Uint8Array {
    const out = this.#buf.subarray(this.#pos);
    this.#buf = new Uint8Array(0);
    this.#pos = 0;
    return out;
  }

  /**
   * Hands the rest of the link to `sink`, as readable.pipeTo would: buffered
   * bytes first, then every further read in order, a returned promise holding
   * the next. Resolves when the master closes the link; rejects with what
   * the sink threw or the socket's error.
   */
  async pipeTo(sink: ChunkSink<Uint8Array>): Promise<void> {
    const first = this.rest();
    if (first.length > 0) await sink.write(first);
    if (this.#reader !== null) {
      for (;;) {
        const { done, value } = await this.#reader.read();
        if (done) return;
        this.onBytes(value.length);
        const pending = sink.write(value);
        if (pending) await pending;
      }
    }
    // Reads queued meanwhile go first; new ones queue behind them until the queue is empty.
    for (let chunk = this.#queue.shift(); chunk !== undefined; chunk = this.#queue.shift()) {
      this.onBytes(chunk.length);
      const pending = sink.write(chunk);
      if (pending) await pending;
    }
    if (this.#error !== null) throw this.#error;
    this.#target = sink;
    this.#makeRoom();
    if (this.#ended) return;
    return this.#piped as Promise<void>;
  }

  /** Stops reading: pending and later reads fail with LinkClosed. */
  cancel(): void {
    if (this.#reader !== null) {
      this.#reader.cancel().catch(() => {});
      return;
    }
    this.#ended = true;
    this.#queue = [];
    this.#wakeReader();
    this.#makeRoom();
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
