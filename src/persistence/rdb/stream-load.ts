/**
 * An RDB loader fed a chunk at a time (a replica loading its master's
 * snapshot straight from the socket, or a file read in pieces): the same walk
 * and sink as RdbLoader, over a buffer that holds only what is not yet parsed.
 *
 * A unit (an opcode with its payload, or one key) is parsed only when all of
 * it is buffered: when the bytes run out inside one, the reader rewinds to
 * its start and the loader waits until what is buffered has doubled before
 * trying it again, so a 100 MB value is re-parsed a logarithmic number of
 * times, not once per chunk. Parsed bytes are checksummed and dropped, so
 * memory stays around one key plus a chunk.
 *
 * The back-off alone can stall: a stream whose last bytes arrive before the
 * held bytes double (a complete RDB followed by nothing yet) would wait for
 * bytes that never come. So a caller that sees the source go quiet while the
 * loader is `waiting` calls `retryNow()`: the held bytes are tried once more.
 */
import { ShortReadError } from "./constants.ts";
import { Crc64 } from "./crc64.ts";
import { DEFAULT_LIMITS, type LoadLimits } from "./decode.ts";
import { checkTrailer, type RdbSink, RdbWalk, rdbVersionOf, readTrailer } from "./file.ts";
import { RdbReader } from "./io.ts";

const HEADER_BYTES = 9;
const INITIAL_BYTES = 64 * 1024;

/** `done`: the RDB ended (checksum checked); `paused`: budget used, call again; `starved`: push more bytes (or `end`). */
export type StepResult = "done" | "paused" | "starved";

export class RdbStreamLoader {
  #buf = new Uint8Array(INITIAL_BYTES);
  /** The unparsed bytes are #buf[#start, #end). */
  #start = 0;
  #end = 0;
  /** Stream bytes parsed and dropped. */
  #consumed = 0;
  #ended = false;
  /** Buffered bytes needed before the unit that ran short is tried again. */
  #retryAt = HEADER_BYTES;
  /** Bytes held when a unit last ran short: a retry with no more than these is pointless. */
  #triedWith = 0;
  readonly #walk: RdbWalk;
  readonly #crc = new Crc64();
  #phase: "header" | "body" | "done" = "header";
  version = 0;
  checksumVerified = false;
  /** Units that ran short and had to be parsed again (the back-off keeps this logarithmic per key). */
  retries = 0;

  constructor(
    readonly sink: RdbSink,
    readonly limits: LoadLimits = DEFAULT_LIMITS,
    readonly verifyChecksum = true,
  ) {
    this.#walk = new RdbWalk(sink, limits);
  }

  /** Bytes of the stream parsed so far. */
  get pos(): number {
    return this.#consumed;
  }

  get keys(): number {
    return this.#walk.keys;
  }

  get done(): boolean {
    return this.#phase === "done";
  }

  /** Bytes held, not yet parsed (or, once done, past the RDB's end). */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** The buffer's size in bytes. */
  get capacity(): number {
    return this.#buf.length;
  }

  /**
   * Holds bytes it has not tried since they arrived, because of the back-off:
   * `retryNow()` would try them. False once done, ended, or when every held
   * byte has been tried already.
   */
  get waiting(): boolean {
    const held = this.#end - this.#start;
    return this.#phase !== "done" && !this.#ended && held > this.#triedWith && held < this.#retryAt;
  }

  /** Tries the held bytes at the next step although they have not doubled (the source went quiet). */
  retryNow(): void {
    this.#retryAt = 0;
  }

  /** Appends a chunk (copied: the caller may reuse it). */
  push(chunk: Uint8Array): void {
    if (this.#ended) throw new Error("RdbStreamLoader: push after end");
    const n = chunk.length;
    if (this.#end + n > this.#buf.length) this.#makeRoom(n);
    this.#buf.set(chunk, this.#end);
    this.#end += n;
  }

  /** No more bytes will come: a unit that runs short now is a truncated file. */
  end(): void {
    this.#ended = true;
  }

  /** The bytes pushed past the RDB's end (once done). */
  rest(): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#end);
    this.#start = this.#end = 0;
    return out;
  }

  /** Parses for about `budgetMs`. Throws an RdbError as RdbLoader would for the same bytes. */
  step(budgetMs: number): StepResult {
    if (this.#phase === "done") return "done";
    if (!this.#ended && this.#end - this.#start < this.#retryAt) return "starved";
    if (this.#phase === "header") {
      if (this.#end - this.#start < HEADER_BYTES && !this.#ended) {
        this.#triedWith = this.#end - this.#start;
        this.#retryAt = HEADER_BYTES;
        return "starved";
      }
      this.version = rdbVersionOf(this.#buf.subarray(this.#start, this.#end));
      this.#consume(this.#start + HEADER_BYTES);
      this.#phase = "body";
    }
    const r = new RdbReader(this.#buf, this.#start, this.#end);
    const walk = this.#walk;
    const deadline = performance.now() + budgetMs;
    for (let n = 0; ; n++) {
      if ((n & 63) === 63 && walk.between && performance.now() >= deadline) {
        this.#consume(r.pos);
        this.#retryAt = 0;
        return "paused";
      }
      const mark = r.pos;
      try {
        if (walk.unit(r)) continue;
        // The EOF opcode: the trailer must be here too before anything is consumed.
        const end = r.pos;
        const stored = this.version >= 5 ? readTrailer(r) : 0n;
        this.#consume(end);
        if (this.verifyChecksum && stored !== 0n) {
          checkTrailer(this.#crc.value, stored);
          this.checksumVerified = true;
        }
        this.#consumed += r.pos - end;
        this.#start = r.pos;
        this.#phase = "done";
        return "done";
      } catch (e) {
        if (this.#ended || !(e instanceof ShortReadError)) throw e;
        this.#consume(mark);
        this.retries++;
        this.#triedWith = this.#end - this.#start;
        this.#retryAt = 2 * this.#triedWith + 1;
        return "starved";
      }
    }
  }

  /** Checksums and drops the bytes before `to`. */
  #consume(to: number): void {
    if (this.verifyChecksum) this.#crc.update(this.#buf, this.#start, to);
    this.#consumed += to - this.#start;
    this.#start = to;
  }

  /** Moves the unparsed bytes to the front, growing (or shrinking back after a big key) to fit `n` more. */
  #makeRoom(n: number): void {
    const held = this.#end - this.#start;
    const need = held + n;
    let size = this.#buf.length;
    while (size < need) size *= 2;
    while (size > INITIAL_BYTES && size >= need * 4) size /= 2;
    if (size === this.#buf.length) this.#buf.copyWithin(0, this.#start, this.#end);
    else {
      const buf = new Uint8Array(size);
      buf.set(this.#buf.subarray(this.#start, this.#end), 0);
      this.#buf = buf;
    }
    this.#start = 0;
    this.#end = held;
  }
}
