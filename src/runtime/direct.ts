/**
 * The read half of DirectIo, shared by the adapters whose sockets push data
 * through a callback (Bun, Node): what `readable.pipeTo(writable)` does for a
 * socket, as plain calls. Reads go to the sink in order; a write that returns
 * a promise holds further reads until it settles, delivered in order then;
 * the socket pauses once HELD_MAX reads are held (the small queue a
 * ReadableStream keeps), so a waiting client's hang-up is still noticed.
 */
import type { ChunkSink } from "./types.ts";

const HELD_MAX = 2;

export class DirectReader {
  #sink: ChunkSink<Uint8Array> | null = null;
  #held: Uint8Array[] = [];
  #waiting = false;
  #ended = false;
  #done = false;
  #error: unknown = undefined;
  #resolve: () => void = () => {};
  #reject: (e: unknown) => void = () => {};

  constructor(
    readonly pause: () => void,
    readonly resume: () => void,
  ) {}

  pipeTo(sink: ChunkSink<Uint8Array>): Promise<void> {
    if (this.#sink !== null) return Promise.reject(new TypeError("already piped"));
    this.#sink = sink;
    const done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (this.#error !== undefined) this.error(this.#error);
    else this.#drain();
    return done;
  }

  /** One socket read. */
  push(chunk: Uint8Array): void {
    if (this.#done) return;
    if (this.#sink !== null && !this.#waiting) return this.#deliver(chunk);
    this.#held.push(chunk);
    if (this.#held.length >= HELD_MAX) this.pause();
  }

  /** End of input (the peer closed its side, or the socket closed). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#sink !== null && !this.#waiting) this.#drain();
  }

  /** The socket failed: the sink is aborted and the pipe rejects. */
  error(e: unknown): void {
    if (this.#done) return;
    if (this.#sink === null) {
      this.#error = e;
      return;
    }
    this.#done = true;
    this.#held = [];
    try {
      this.#sink.abort?.(e);
    } catch {}
    this.#reject(e);
  }

  #deliver(chunk: Uint8Array): void {
    let pending: Promise<void> | undefined | void;
    try {
      pending = (this.#sink as ChunkSink<Uint8Array>).write(chunk);
    } catch (e) {
      this.#fail(e);
      return;
    }
    if (pending) {
      this.#waiting = true;
      pending.then(
        () => {
          this.#waiting = false;
          this.#drain();
        },
        (e) => this.#fail(e),
      );
    }
  }

  #drain(): void {
    while (!this.#waiting && !this.#done && this.#held.length > 0) this.#deliver(this.#held.shift() as Uint8Array);
    if (this.#waiting || this.#done) return;
    if (!this.#ended) {
      this.resume();
      return;
    }
    this.#done = true;
    try {
      this.#sink?.close?.();
    } catch (e) {
      this.#reject(e);
      return;
    }
    this.#resolve();
  }

  /** The sink refused a chunk: stop reading, as an errored pipe does. */
  #fail(e: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#held = [];
    this.pause();
    this.#reject(e);
  }
}
