import { concat, EMPTY, latin1 } from "./bytes.ts";

/** One command: its arguments as byte strings (one char per byte). */
export type Command = string[];

/**
 * Ends a batch when the input cannot be parsed. With `reply` the client gets
 * `-ERR <message>` after the replies to the commands before it; either way
 * the connection closes (and only that one).
 */
export class ProtocolError {
  constructor(
    readonly message: string,
    readonly reply = true,
  ) {}
}

/** Everything decoded from one chunk read: one pass through the streams. */
export type Batch = (Command | ProtocolError)[];

export interface DecoderLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** client-query-buffer-limit: unparsed input held for one client */
  queryBufferLimit: number;
  /** true while the client must still AUTH: Redis then caps argc at 10 and bulks at 16 KiB */
  authRequired(): boolean;
  /** Told the size of every chunk read (INFO's total_net_input_bytes), without an extra stream stage. */
  countInput?(bytes: number): void;
  /** Told, after each chunk is decoded, how many input bytes wait for the rest of a command (CLIENT LIST qbuf). */
  settled?(pending: number): void;
}

export const DEFAULT_LIMITS: DecoderLimits = {
  maxBulkLen: 512 * 1024 * 1024,
  queryBufferLimit: 1024 * 1024 * 1024,
  authRequired: () => false,
};

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
/** PROTO_INLINE_MAX_SIZE: a header or inline line must end within this. */
const INLINE_MAX = 64 * 1024;
/** Bulks at least this big are gathered as a list of chunks and joined once. */
const BIG_BULK = 32 * 1024;
const INT_MAX = 2147483647;

/** Second result of readNumberLine: index of the CR ending the line, or -1 when it has not arrived. */
let lineEnd = -1;

/**
 * Reads the integer of a `*<n>\r\n` / `$<n>\r\n` header starting at `start`
 * in one pass (no separate search for CR, no re-parse), with string2ll's rules.
 * Sets `lineEnd`; returns NaN for a malformed number.
 */
function readNumberLine(buf: Uint8Array, start: number, len: number): number {
  let i = start;
  const negative = i < len && buf[i] === 45;
  if (negative) i++;
  const digitsStart = i;
  let n = 0;
  for (; i < len; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  if (i >= len) {
    lineEnd = -1;
    return Number.NaN;
  }
  if (buf[i] !== CR) {
    lineEnd = buf.indexOf(CR, i);
    return Number.NaN;
  }
  lineEnd = i;
  const digits = i - digitsStart;
  if (digits === 0 || digits > 19) return Number.NaN;
  if (buf[digitsStart] === 48 && (digits > 1 || negative)) return Number.NaN;
  return negative ? -n : n;
}

/**
 * RESP request decoder as a WHATWG Transformer: bytes in, one `Batch` per
 * chunk out. It keeps its state at any byte boundary, so nothing is rescanned:
 * a partial command keeps the arguments it already has, and a large bulk is
 * collected as chunks until its declared length has arrived.
 */
export class RespDecoder implements Transformer<Uint8Array, Batch> {
  #limits: DecoderLimits;
  /** Unconsumed input: #buf[#pos..] */
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  /** Arguments still expected by the multibulk in progress (0 = between commands). */
  #argsLeft = 0;
  #args: Command = [];
  /** Declared length of the bulk being read, or -1 while its header is pending. */
  #bulkLen = -1;
  /** Chunks of a big bulk in progress, with their total length. */
  #parts: Uint8Array[] = [];
  #partsLen = 0;
  #failed = false;
  /**
   * Opt-in (set to `[]`): each decode leaves here, in a fresh array, the
   * input bytes each command of its batch took, from the end of the previous
   * command (so skipped `*0` or empty inline lines count with the next one).
   * A replica uses it to pass its master's stream on verbatim.
   */
  sizes: number[] | null = null;
  /** Input bytes seen so far (only kept while `sizes` is on). */
  #seen = 0;
  /** #seen at the end of the last command decoded. */
  #lastEnd = 0;

  constructor(limits: DecoderLimits = DEFAULT_LIMITS) {
    this.#limits = limits;
  }

  transform(chunk: Uint8Array, controller: TransformStreamDefaultController<Batch>): void {
    const batch = this.decode(chunk);
    if (batch.length > 0) controller.enqueue(batch);
    if (this.#failed) controller.terminate();
  }

  /** Decodes one chunk; the synchronous core of `transform`. */
  decode(chunk: Uint8Array): Batch {
    const batch: Batch = [];
    if (this.#failed) return batch;
    this.#limits.countInput?.(chunk.length);
    if (this.sizes !== null) {
      this.sizes = [];
      this.#seen += chunk.length;
    }
    if (this.#parts.length > 0) {
      this.#parts.push(chunk);
      this.#partsLen += chunk.length;
      if (this.#partsLen < this.#bulkLen + 2) {
        this.#checkQueryBuffer(batch, this.#partsLen);
        this.#limits.settled?.(this.#partsLen);
        return batch;
      }
      this.#buf = concat(this.#parts);
      this.#pos = 0;
      this.#parts = [];
      this.#partsLen = 0;
    } else if (this.#pos < this.#buf.length) {
      this.#buf = concat([this.#buf.subarray(this.#pos), chunk]);
      this.#pos = 0;
    } else {
      this.#buf = chunk;
      this.#pos = 0;
    }
    this.#parse(batch);
    if (!this.#failed) {
      if (this.#pos >= this.#buf.length) {
        this.#buf = EMPTY;
        this.#pos = 0;
      } else {
        this.#checkQueryBuffer(batch, this.#buf.length - this.#pos);
      }
    }
    this.#limits.settled?.(this.#partsLen + this.#buf.length - this.#pos);
    return batch;
  }

  #checkQueryBuffer(batch: Batch, pending: number): void {
    if (pending > this.#limits.queryBufferLimit) this.#fail(batch, "closing client that reached max query buffer length", false);
  }

  #fail(batch: Batch, message: string, reply = true): void {
    batch.push(new ProtocolError(message, reply));
    this.#failed = true;
    this.#buf = EMPTY;
    this.#parts = [];
  }

  #parse(batch: Batch): void {
    const buf = this.#buf;
    const len = buf.length;
    let pos = this.#pos;
    for (;;) {
      if (this.#argsLeft === 0) {
        if (pos >= len) break;
        if (buf[pos] !== STAR) {
          const next = this.#inline(batch, buf, pos);
          if (next < 0) break;
          pos = next;
          continue;
        }
        const count = readNumberLine(buf, pos + 1, len);
        const cr = lineEnd;
        if (cr === -1 || cr + 1 >= len) {
          if (len - pos > INLINE_MAX) return this.#fail(batch, "Protocol error: too big mbulk count string");
          break;
        }
        if (Number.isNaN(count) || count > INT_MAX) return this.#fail(batch, "Protocol error: invalid multibulk length");
        if (count > 10 && this.#limits.authRequired()) return this.#fail(batch, "Protocol error: unauthenticated multibulk length");
        pos = cr + 2;
        if (count <= 0) continue; // `*0` and `*-1` are skipped, as Redis does
        this.#argsLeft = count;
        this.#args = [];
      }
      while (this.#argsLeft > 0) {
        if (this.#bulkLen < 0) {
          if (pos >= len) break;
          if (buf[pos] !== DOLLAR) {
            return this.#fail(batch, `Protocol error: expected '$', got '${String.fromCharCode(buf[pos] as number)}'`);
          }
          const n = readNumberLine(buf, pos + 1, len);
          const cr = lineEnd;
          if (cr === -1 || cr + 1 >= len) {
            if (len - pos > INLINE_MAX) return this.#fail(batch, "Protocol error: too big bulk count string");
            break;
          }
          if (Number.isNaN(n) || n < 0 || n > this.#limits.maxBulkLen) return this.#fail(batch, "Protocol error: invalid bulk length");
          if (n > 16384 && this.#limits.authRequired()) return this.#fail(batch, "Protocol error: unauthenticated bulk length");
          this.#bulkLen = n;
          pos = cr + 2;
        }
        const need = this.#bulkLen + 2;
        if (len - pos < need) {
          if (this.#bulkLen >= BIG_BULK) {
            // Collect the rest as chunks and join them once, instead of re-concatenating per read.
            this.#parts = [buf.subarray(pos)];
            this.#partsLen = len - pos;
            this.#buf = EMPTY;
            this.#pos = 0;
            return;
          }
          break;
        }
        this.#args.push(latin1(buf, pos, pos + this.#bulkLen));
        pos += need;
        this.#bulkLen = -1;
        this.#argsLeft--;
      }
      if (this.#argsLeft > 0) break;
      batch.push(this.#args);
      this.#args = [];
      if (this.sizes !== null) this.#sized(len - pos);
    }
    this.#pos = pos;
  }

  /** Parses an inline command line at `pos`; returns the next position, or -1 to wait for more. */
  #inline(batch: Batch, buf: Uint8Array, pos: number): number {
    const lf = buf.indexOf(LF, pos);
    if (lf === -1) {
      if (buf.length - pos > INLINE_MAX) this.#fail(batch, "Protocol error: too big inline request");
      return -1;
    }
    const end = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    const argv = splitInlineArgs(buf, pos, end);
    if (argv === null) {
      this.#fail(batch, "Protocol error: unbalanced quotes in request");
      return -1;
    }
    if (argv.length > 0) {
      batch.push(argv);
      if (this.sizes !== null) this.#sized(buf.length - lf - 1);
    }
    return lf + 1;
  }

  /** Records the size of the command just pushed, `unread` bytes before the end of the input seen. */
  #sized(unread: number): void {
    const end = this.#seen - unread;
    (this.sizes as number[]).push(end - this.#lastEnd);
    this.#lastEnd = end;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };

/**
 * Splits an inline command line like Redis's sdssplitargs: whitespace
 * separates words, "double quotes" take \n \r \t \b \a \xHH escapes,
 * 'single quotes' take only \'. A closing quote must be followed by a space
 * or the end. NUL ends the line, as it does for the C string. Returns null
 * on unbalanced quotes.
 */
export function splitInlineArgs(buf: Uint8Array, start: number, end: number): string[] | null {
  const nul = buf.indexOf(0, start);
  if (nul !== -1 && nul < end) end = nul;
  const out: string[] = [];
  let p = start;
  for (;;) {
    while (p < end && isSpace(buf[p] as number)) p++;
    if (p >= end) return out;
    let inDouble = false;
    let inSingle = false;
    const cur: number[] = [];
    for (;;) {
      const c = p < end ? (buf[p] as number) : -1;
      if (inDouble) {
        if (c === -1) return null;
        if (c === 92 && p + 3 < end && buf[p + 1] === 120 && hexValue(buf[p + 2] as number) >= 0 && hexValue(buf[p + 3] as number) >= 0) {
          cur.push(hexValue(buf[p + 2] as number) * 16 + hexValue(buf[p + 3] as number));
          p += 3;
        } else if (c === 92 && p + 1 < end) {
          p++;
          const e = buf[p] as number;
          cur.push(ESCAPES[e] ?? e);
        } else if (c === 34) {
          if (p + 1 < end && !isSpace(buf[p + 1] as number)) return null;
          p++;
          break;
        } else {
          cur.push(c);
        }
      } else if (inSingle) {
        if (c === -1) return null;
        if (c === 92 && p + 1 < end && buf[p + 1] === 39) {
          p++;
          cur.push(39);
        } else if (c === 39) {
          if (p + 1 < end && !isSpace(buf[p + 1] as number)) return null;
          p++;
          break;
        } else {
          cur.push(c);
        }
      } else if (c === -1 || c === 32 || c === 10 || c === 13 || c === 9) {
        break;
      } else if (c === 34) {
        inDouble = true;
      } else if (c === 39) {
        inSingle = true;
      } else {
        cur.push(c);
      }
      p++;
    }
    out.push(latin1(Uint8Array.from(cur)));
  }
}

/** The decoder as a stream stage: `socket bytes -> Batch`. */
export class RespDecoderStream extends TransformStream<Uint8Array, Batch> {
  constructor(limits?: DecoderLimits) {
    super(new RespDecoder(limits));
  }
}
