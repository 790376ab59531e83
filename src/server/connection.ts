import type { Transport } from "../engine/client.ts";
import type { Engine } from "../engine/engine.ts";
import { ClientClosing, type CommandSink } from "../engine/sink.ts";
import { RespDecoder, RespDecoderStream } from "../resp/decoder.ts";
import { ENCODER_QUEUE_BYTES, type Outgoing, RespEncoder, RespEncoderStream } from "../resp/encoder.ts";
import { ErrorReply } from "../resp/reply.ts";
import { PipeTerminated, transformInto } from "../resp/sync-pipe.ts";
import type { Connection, DirectIo } from "../runtime/types.ts";
import { deniedByProtectedMode, PROTECTED_MODE_DENIED } from "./protected-mode.ts";

/** Input limits read per bulk header: plain fields, refreshed when CONFIG SET changes them. */
const limitsByEngine = new WeakMap<Engine, { maxBulkLen: number; queryBufferLimit: number }>();
function inputLimits(engine: Engine): { maxBulkLen: number; queryBufferLimit: number } {
  let limits = limitsByEngine.get(engine);
  if (limits === undefined) {
    const current = {
      maxBulkLen: engine.config.num("proto-max-bulk-len"),
      queryBufferLimit: engine.config.num("client-query-buffer-limit"),
    };
    engine.config.onChange((name) => {
      if (name === "proto-max-bulk-len") current.maxBulkLen = engine.config.num(name);
      if (name === "client-query-buffer-limit") current.queryBufferLimit = engine.config.num(name);
    });
    limitsByEngine.set(engine, current);
    limits = current;
  }
  return limits;
}

/**
 * Wires one socket into the engine:
 *
 *   conn.readable -> RespDecoderStream -> WritableStream(sink.forClient)
 *                                                   |
 *   conn.writable <- RespEncoderStream <- transport.write(replies of a batch)
 *                    (a WritableStream: encodes a batch, writes it to conn.writable)
 *
 * One socket read becomes one Batch; one Batch's replies become one write.
 * Where the runtime offers its direct lane (Bun, Node), the same decoder
 * (a Transformer), sink (an UnderlyingSink) and encoder are called by a thin
 * synchronous driver instead of stream pipes: same order, same backpressure,
 * no promise hops per read (see docs/ARCHITECTURE.md, "The direct lane").
 */
export function serveConnection(engine: Engine, sink: CommandSink, conn: Connection): Promise<void> {
  const direct = conn.direct;
  let encodedBytes = 0;
  const countOutput = (n: number) => {
    encodedBytes += n;
    engine.stats.totalNetOutputBytes += n;
    if (client) {
      client.netOutput += n;
      client.replyWritten(n);
    }
  };
  const encoder = new RespEncoder(countOutput);
  const output: ReplyOutput = direct
    ? directOutput(direct, encoder, conn, () => encodedBytes)
    : streamOutput(conn, encoder, () => encodedBytes);
  let closed = false;
  /** Out-of-band replies of this turn (a publisher's burst), written once at its end. */
  let soon: Outgoing[] | null = null;
  const flushSoon = () => {
    if (soon === null) return;
    const batch = soon;
    soon = null;
    if (!closed) output.write(batch);
  };
  const transport: Transport = {
    write(batch: Outgoing[]) {
      if (closed) return;
      // Messages queued earlier in this turn go first: Redis's output buffer keeps that order.
      if (soon !== null) {
        for (const item of batch) soon.push(item);
        flushSoon();
        return;
      }
      output.write(batch);
    },
    writeSoon(batch: Outgoing[]) {
      if (closed) return;
      // A loop, not push(...batch): spreading costs more than the delivery itself at 1,000 subscribers.
      if (soon !== null) for (const item of batch) soon.push(item);
      else {
        soon = batch.slice();
        queueMicrotask(flushSoon);
      }
    },
    get backpressure() {
      return output.backpressure();
    },
    get pendingBytes() {
      return output.pendingBytes();
    },
    closeAfterFlush() {
      if (closed) return;
      closed = true;
      output.close();
    },
    destroy() {
      closed = true;
      output.abort();
      conn.destroy();
    },
  };

  const client = engine.createClient(conn.remoteAddress, conn.localAddress, transport);
  if (client === null) {
    // Over maxclients: Redis answers with the error and closes, before any command is read.
    output.write([new ErrorReply("ERR max number of clients reached")]);
    output.close();
    if (!direct) conn.readable.cancel().catch(() => {});
    return output.done;
  }
  if (deniedByProtectedMode(engine, conn.remoteAddress)) {
    engine.stats.rejectedConnections++;
    engine.removeClient(client);
    output.write([new ErrorReply(PROTECTED_MODE_DENIED)]);
    output.close();
    if (!direct) conn.readable.cancel().catch(() => {});
    return output.done;
  }
  conn.closed.then(() => {
    if (engine.clients.has(client.id)) engine.removeClient(client);
  });
  const keepalive = engine.config.num("tcp-keepalive");
  if (keepalive > 0) conn.setKeepAlive(keepalive);

  const outputDone = output.done.finally(() => {
    closed = true;
    if (engine.clients.has(client.id)) engine.removeClient(client);
    if (!direct) conn.readable.cancel().catch(() => {});
  });

  const shared = inputLimits(engine);
  const limits = {
    get maxBulkLen() {
      return shared.maxBulkLen;
    },
    get queryBufferLimit() {
      return shared.queryBufferLimit;
    },
    authRequired: () => !client.authenticated,
    countInput: (n: number) => {
      engine.stats.totalNetInputBytes += n;
      client.netInput += n;
      client.queryRead(n);
    },
    settled: (pending: number) => {
      // Applied once the read's commands have run (the sink's batch end); a read with none leaves just this.
      client.qbufAfterBatch = pending;
    },
  };
  const input = direct
    ? direct.pipeTo(transformInto(new RespDecoder(limits), sink.forClient(client)))
    : conn.readable.pipeThrough(new RespDecoderStream(limits)).pipeTo(new WritableStream(sink.forClient(client)));
  input
    .catch((e) => {
      if (!(e instanceof ClientClosing) && !(e instanceof PipeTerminated)) transport.destroy();
    })
    .finally(() => {
      if (engine.clients.has(client.id)) engine.removeClient(client);
      transport.closeAfterFlush();
    });
  return outputDone;
}

/** Where a connection's reply batches go: encoded, then written to the socket. */
interface ReplyOutput {
  write(batch: Outgoing[]): void;
  /** A promise while the client's output is backed up (reading pauses until it settles). */
  backpressure(): Promise<void> | undefined;
  /** Output not yet taken by the kernel (client-output-buffer-limit). */
  pendingBytes(): number;
  close(): void;
  abort(): void;
  /** Settles when the output side is finished. */
  readonly done: Promise<void>;
}

/** Batches queue in a RespEncoderStream writing to conn.writable. */
function streamOutput(conn: Connection, encoder: RespEncoder, encoded: () => number): ReplyOutput {
  const writer = new RespEncoderStream(conn.writable, encoder).getWriter();
  return {
    write(batch) {
      writer.write(batch).catch(() => {});
    },
    backpressure() {
      const size = writer.desiredSize;
      return size !== null && size <= 0 ? writer.ready.catch(() => {}) : undefined;
    },
    /** Replies queued before encoding (estimated) plus encoded bytes the socket has not taken yet. */
    pendingBytes() {
      const queued = ENCODER_QUEUE_BYTES - (writer.desiredSize ?? ENCODER_QUEUE_BYTES);
      return Math.max(0, queued) + (encoded() - conn.bytesWritten);
    },
    close() {
      writer.close().catch(() => {});
    },
    abort() {
      writer.abort().catch(() => {});
    },
    done: writer.closed.catch(() => {}),
  };
}

/** Each batch is encoded at once and handed to the socket; what the kernel has not taken is the backlog. */
function directOutput(direct: DirectIo, encoder: RespEncoder, conn: Connection, encoded: () => number): ReplyOutput {
  let flushed: Promise<void> | undefined;
  let ended = false;
  return {
    write(batch) {
      if (ended) return;
      const gathered = direct.gather?.() ?? null;
      if (gathered !== null) return encoder.encodeBatchInto(batch, gathered);
      // A view of the encoder's buffer: DirectIo.write copies whatever it cannot send at once.
      const bytes = encoder.encodeBatch(batch, true);
      if (bytes.length === 0) return;
      try {
        flushed = direct.write(bytes) ?? flushed;
      } catch {
        // The socket closed under us: conn.closed does the cleanup.
      }
    },
    backpressure() {
      return encoded() > conn.bytesWritten ? flushed : undefined;
    },
    pendingBytes() {
      return Math.max(0, encoded() - conn.bytesWritten);
    },
    close() {
      if (ended) return;
      ended = true;
      direct.end();
    },
    abort() {
      ended = true;
    },
    done: conn.closed,
  };
}
