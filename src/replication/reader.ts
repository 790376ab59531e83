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
 * Reads come through the connection's direct lane (DirectIo.pipeTo) when it
 * has one, else from its readable pumped the same way, into a small queue:
 * so waiting for bytes is apart from taking them (a loader can wait for the
 * link to go quiet without a read left pending), and after the handshake and
 * the snapshot the command stream goes to its sink by plain calls, as a
 * client connection's does (a stream hop per read costs more than the
 * commands in it).
 */
export class LinkReader {
  /** The stream source's reader (no direct lane: Deno, RESPD_STREAMS=web), for cancel. */
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  /**
   * Reads land in #queue until asked for, or go to #target once handed over.
   * Either source is pumped the same way, one read in flight at a time, so
   * that waiting for bytes (waitReadable) never takes any.
   */
  readonly #piped: Promise<void>;
  #queue: Uint8Array[] = [];
  #ended = false;
  #error: unknown = null;
  #target: ChunkSink<Uint8Array> | null = null;
  /** Woken when a read is queued or the link ends; and the socket waiting for room in the queue. */
  #wakers: (() => void)[] = [];
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
    const sink: ChunkSink<Uint8Array> = {
      write: (chunk) => {
        if (this.#target !== null) {
          this.onBytes(chunk.length);
          return this.#target.write(chunk);
        }
        this.#queue.push(chunk);
        this.#wakeReaders();
        if (this.#queue.length < QUEUE_MAX) return undefined;
        return new Promise<void>((resolve) => {
          this.#room = resolve;
        });
      },
      close: () => {
        this.#ended = true;
        this.#wakeReaders();
        this.#target?.close?.();
      },
      abort: (e) => {
        this.#error = e ?? new LinkClosed();
        this.#wakeReaders();
        this.#target?.abort?.(e);
      },
    };
    if (source instanceof ReadableStream) {
      this.#reader = source.getReader();
      this.#piped = pump(this.#reader, sink);
    } else this.#piped = source.pipeTo(sink);
    // Failures reach the reads (or pipeTo's caller); this copy must not be an unhandled rejection.
    this.#piped.catch(() => {});
  }

  #wakeReaders(): void {
    const wakers = this.#wakers;
    if (wakers.length === 0) return;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }

  #makeRoom(): void {
    const room = this.#room;
    this.#room = null;
    room?.();
  }

  /** True when a read would not wait: bytes are buffered or queued, or the link has ended. */
  get #readable(): boolean {
    return this.#pos < this.#buf.length || this.#queue.length > 0 || this.#ended || this.#error !== null;
  }

  /**
   * Waits up to `ms` for bytes (or the link's end) without taking any: true
   * when a read would now return at once, false when the link stayed quiet.
   */
  async waitReadable(ms: number): Promise<boolean> {
    if (this.#readable) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const woken = await new Promise<boolean>((resolve) => {
      const wake = () => resolve(true);
      this.#wakers.push(wake);
      timer = setTimeout(() => {
        this.#wakers = this.#wakers.filter((w) => w !== wake);
        resolve(false);
      }, ms);
    });
    clearTimeout(timer);
    return woken && this.#readable;
  }

  async #read(): Promise<Uint8Array> {
    for (;;) {
      const chunk = this.#queue.shift();
      if (chunk !== undefined) {
        // Counted when taken (sync progress is reset after the handshake).
        this.onBytes(chunk.length);
        this.#makeRoom();
        return chunk;
      }
      if (this.#error !== null) throw this.#error;
      if (this.#ended) throw new LinkClosed();
      await new Promise<void>((resolve) => {
        this.#wakers.push(resolve);
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
    return this.#piped;
  }

  /** Stops reading: pending and later reads fail with LinkClosed. */
  cancel(): void {
    this.#reader?.cancel().catch(() => {});
    this.#ended = true;
    this.#queue = [];
    this.#wakeReaders();
    this.#makeRoom();
  }
}

/** DirectIo.pipeTo's contract over a stream reader: one read at a time, each handed to `sink` in order. */
async function pump(reader: ReadableStreamDefaultReader<Uint8Array>, sink: ChunkSink<Uint8Array>): Promise<void> {
  for (;;) {
    let read: Awaited<ReturnType<typeof reader.read>>;
    try {
      read = await reader.read();
    } catch (e) {
      sink.abort?.(e);
      throw e;
    }
    if (read.done) {
      sink.close?.();
      return;
    }
    try {
      const pending = sink.write(read.value);
      if (pending) await pending;
    } catch (e) {
      reader.cancel(e).catch(() => {});
      throw e;
    }
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
