import { ByteWriter } from "./bytes.ts";
import {
  Attribute,
  BigNumber,
  Bool,
  Double,
  ErrorReply,
  formatDouble,
  MapReply,
  NullArray,
  Push,
  type Reply,
  SetReply,
  Status,
  SwitchProtocol,
  Verbatim,
} from "./reply.ts";

/** What a command sink hands the encoder for one batch. */
export type Outgoing = Reply | SwitchProtocol | RawBytes;

/**
 * Bytes written exactly as given, outside RESP framing: the replication link's
 * `$<len>\r\n<rdb>` (no trailing CRLF) and its pre-encoded command stream.
 */
export class RawBytes {
  constructor(readonly bytes: Uint8Array) {}
}

/**
 * Encodes replies as RESP2 or RESP3. The protocol is per connection and
 * changes in-band (HELLO's reply is a `SwitchProtocol` marker), so replies
 * queued before the switch keep the old protocol.
 */
export class RespEncoder {
  protocol: 2 | 3 = 2;
  #out = new ByteWriter();
  readonly #countOutput: ((bytes: number) => void) | undefined;

  /** `countOutput` is told each encoded batch's size (INFO's total_net_output_bytes). */
  constructor(countOutput?: (bytes: number) => void) {
    this.#countOutput = countOutput;
  }

  /** All replies of one batch as one buffer: one socket write. */
  /** `view`: the bytes are valid only until the next encode (a caller that writes them at once needs no copy). */
  encodeBatch(batch: Outgoing[], view = false): Uint8Array {
    this.#writeBatch(batch);
    const bytes = view ? this.#out.takeView() : this.#out.take();
    this.#countOutput?.(bytes.length);
    return bytes;
  }

  /** The batch appended to `target` (a socket's gathered output) instead of this encoder's buffer: no copy, no view. */
  encodeBatchInto(batch: Outgoing[], target: ByteWriter): void {
    const own = this.#out;
    const start = target.len;
    this.#out = target;
    try {
      this.#writeBatch(batch);
    } finally {
      this.#out = own;
    }
    this.#countOutput?.(target.len - start);
  }

  #writeBatch(batch: Outgoing[]): void {
    for (const item of batch) {
      if (item instanceof SwitchProtocol) {
        this.protocol = item.protocol;
        if (!item.silent) this.#write(item.reply);
      } else {
        this.#write(item);
      }
    }
  }

  /** One reply, for tests and tools. */
  encode(reply: Reply): Uint8Array {
    this.#write(reply);
    return this.#out.take();
  }

  #write(r: Reply | RawBytes): void {
    const w = this.#out;
    const resp3 = this.protocol === 3;
    if (typeof r === "string") {
      w.bulk(r);
    } else if (typeof r === "number") {
      w.header(58, r);
    } else if (r === null) {
      w.str(resp3 ? "_\r\n" : "$-1\r\n");
    } else if (Array.isArray(r)) {
      w.header(42, r.length);
      for (const item of r) this.#write(item);
    } else if (r instanceof Uint8Array) {
      w.header(36, r.length);
      w.bytes(r);
      w.str("\r\n");
    } else if (typeof r === "bigint") {
      w.str(`:${r}\r\n`);
    } else if (r instanceof Status) {
      w.byte(43);
      w.str(r.text);
      w.str("\r\n");
    } else if (r instanceof ErrorReply) {
      // A reply line cannot hold CR/LF; Redis swaps them for spaces too.
      w.str(`-${r.text.replace(/[\r\n]/g, " ")}\r\n`);
    } else if (r instanceof Double) {
      const text = r.text ?? formatDouble(r.value);
      if (resp3) w.str(`,${text}\r\n`);
      else w.str(`$${text.length}\r\n${text}\r\n`);
    } else if (r instanceof MapReply) {
      w.str(resp3 ? `%${r.entries.length / 2}\r\n` : `*${r.entries.length}\r\n`);
      for (const item of r.entries) this.#write(item);
    } else if (r instanceof SetReply) {
      w.str(`${resp3 ? "~" : "*"}${r.items.length}\r\n`);
      for (const item of r.items) this.#write(item);
    } else if (r instanceof Push) {
      if (r instanceof SharedPush) {
        w.bytes(r.encoded(this.protocol));
        return;
      }
      w.str(`${resp3 ? ">" : "*"}${r.items.length}\r\n`);
      for (const item of r.items) this.#write(item);
    } else if (r instanceof Verbatim) {
      if (resp3) {
        w.str(`=${r.text.length + 4}\r\n${r.format}:`);
      } else {
        w.str(`$${r.text.length}\r\n`);
      }
      w.str(r.text);
      w.str("\r\n");
    } else if (r instanceof BigNumber) {
      w.str(resp3 ? `(${r.digits}\r\n` : `$${r.digits.length}\r\n${r.digits}\r\n`);
    } else if (r instanceof Bool) {
      w.str(resp3 ? (r.value ? "#t\r\n" : "#f\r\n") : r.value ? ":1\r\n" : ":0\r\n");
    } else if (r instanceof NullArray) {
      w.str(resp3 ? "_\r\n" : "*-1\r\n");
    } else if (r instanceof Attribute) {
      if (resp3) {
        w.str(`|${r.entries.length / 2}\r\n`);
        for (const item of r.entries) this.#write(item);
      }
      this.#write(r.reply);
    } else if (r instanceof RawBytes) {
      // Last in the chain: only replica links send these, so replies never pay for the check.
      w.bytes(r.bytes);
    }
  }
}

/**
 * A push that many clients receive (one PUBLISH's message to every
 * subscriber of a channel or pattern): encoded once per protocol on first
 * use, then copied into each receiver's output as bytes. The protocol is the
 * receiving encoder's at the time it writes, exactly as for a plain Push.
 */
export class SharedPush extends Push {
  #resp2: Uint8Array | null = null;
  #resp3: Uint8Array | null = null;

  encoded(protocol: 2 | 3): Uint8Array {
    if (protocol === 3) return (this.#resp3 ??= encodeShared(this.items, 3));
    return (this.#resp2 ??= encodeShared(this.items, 2));
  }
}

/** Encodes shared pushes outside any connection's encoder (whose buffer may be mid-batch). */
const sharedEncoder = new RespEncoder();
function encodeShared(items: Reply[], protocol: 2 | 3): Uint8Array {
  sharedEncoder.protocol = protocol;
  return sharedEncoder.encode(new Push(items));
}

/**
 * A cheap upper-bound guess of a reply's encoded size, so replies queued
 * before encoding (a slow reader's backlog) can be counted in bytes.
 */
export function estimateSize(r: Outgoing): number {
  if (typeof r === "string") return r.length + 16;
  if (r === null || typeof r === "number" || typeof r === "bigint") return 24;
  if (Array.isArray(r)) {
    let n = 16;
    for (const item of r) n += estimateSize(item);
    return n;
  }
  if (r instanceof Uint8Array) return r.length + 16;
  if (r instanceof SwitchProtocol) return estimateSize(r.reply);
  if (r instanceof MapReply) return estimateSize(r.entries);
  if (r instanceof SetReply || r instanceof Push) return estimateSize(r.items);
  if (r instanceof Status || r instanceof ErrorReply) return r.text.length + 4;
  if (r instanceof Verbatim) return r.text.length + 24;
  if (r instanceof RawBytes) return r.bytes.length;
  return 32;
}

function estimateBatch(batch: Outgoing[] | undefined): number {
  if (!batch) return 0;
  let n = 0;
  for (const r of batch) n += estimateSize(r);
  return n;
}

/** Bytes of not-yet-encoded replies a connection may queue before its writer reports backpressure. */
export const ENCODER_QUEUE_BYTES = 64 * 1024;

/**
 * The encoder as a stream stage: a WritableStream of reply batches that
 * encodes each batch into one buffer and writes it to the socket's stream.
 * A writable stage rather than a TransformStream plus a second pipe: one
 * stream hop less per batch (about 20% of the per-request cost at -P 1 on
 * Bun). Its queue is measured in (estimated) bytes, and each write waits for
 * the socket to take the bytes, so a slow reader backs up here, bounded.
 */
export class RespEncoderStream extends WritableStream<Outgoing[]> {
  readonly encoder: RespEncoder;
  constructor(output: WritableStream<Uint8Array>, encoder = new RespEncoder()) {
    const socket = output.getWriter();
    super(
      {
        write(batch) {
          const bytes = encoder.encodeBatch(batch);
          if (bytes.length > 0) return socket.write(bytes);
        },
        close() {
          return socket.close();
        },
        abort(reason) {
          return socket.abort(reason);
        },
      },
      { highWaterMark: ENCODER_QUEUE_BYTES, size: estimateBatch },
    );
    this.encoder = encoder;
  }
}
