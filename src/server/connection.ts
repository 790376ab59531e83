import type { Transport } from "../engine/client.ts";
import type { Engine } from "../engine/engine.ts";
import { ClientClosing, type CommandSink } from "../engine/sink.ts";
import { RespDecoderStream } from "../resp/decoder.ts";
import { ENCODER_QUEUE_BYTES, type Outgoing, RespEncoder, RespEncoderStream } from "../resp/encoder.ts";
import { ErrorReply } from "../resp/reply.ts";
import type { Connection } from "../runtime/types.ts";

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
 */
export function serveConnection(engine: Engine, sink: CommandSink, conn: Connection): Promise<void> {
  let encodedBytes = 0;
  const countOutput = (n: number) => {
    encodedBytes += n;
    engine.stats.totalNetOutputBytes += n;
    if (client) client.netOutput += n;
  };
  const encoder = new RespEncoderStream(conn.writable, new RespEncoder(countOutput));
  const writer = encoder.getWriter();
  let closed = false;
  /** Out-of-band replies of this turn (a publisher's burst), written once at its end. */
  let soon: Outgoing[] | null = null;
  const flushSoon = () => {
    if (soon === null) return;
    const batch = soon;
    soon = null;
    if (!closed) writer.write(batch).catch(() => {});
  };
  const transport: Transport = {
    write(batch: Outgoing[]) {
      if (closed) return;
      // Messages queued earlier in this turn go first: Redis's output buffer keeps that order.
      if (soon !== null) {
        soon.push(...batch);
        flushSoon();
        return;
      }
      writer.write(batch).catch(() => {});
    },
    writeSoon(batch: Outgoing[]) {
      if (closed) return;
      if (soon !== null) soon.push(...batch);
      else {
        soon = batch.slice();
        queueMicrotask(flushSoon);
      }
    },
    get backpressure() {
      const size = writer.desiredSize;
      return size !== null && size <= 0 ? writer.ready.catch(() => {}) : undefined;
    },
    /** Replies queued before encoding (estimated) plus encoded bytes the socket has not taken yet. */
    get pendingBytes() {
      const queued = ENCODER_QUEUE_BYTES - (writer.desiredSize ?? ENCODER_QUEUE_BYTES);
      return Math.max(0, queued) + (encodedBytes - conn.bytesWritten);
    },
    closeAfterFlush() {
      if (closed) return;
      closed = true;
      writer.close().catch(() => {});
    },
    destroy() {
      closed = true;
      writer.abort().catch(() => {});
      conn.destroy();
    },
  };

  const client = engine.createClient(conn.remoteAddress, conn.localAddress, transport);
  if (client === null) {
    // Over maxclients: Redis answers with the error and closes, before any command is read.
    writer
      .write([new ErrorReply("ERR max number of clients reached")])
      .then(() => writer.close())
      .catch(() => conn.destroy());
    conn.readable.cancel().catch(() => {});
    return writer.closed.catch(() => {});
  }
  conn.closed.then(() => {
    if (engine.clients.has(client.id)) engine.removeClient(client);
  });
  const keepalive = engine.config.num("tcp-keepalive");
  if (keepalive > 0) conn.setKeepAlive(keepalive);

  const outputDone = writer.closed
    .catch(() => {})
    .finally(() => {
      closed = true;
      if (engine.clients.has(client.id)) engine.removeClient(client);
      conn.readable.cancel().catch(() => {});
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
    },
  };
  conn.readable
    .pipeThrough(new RespDecoderStream(limits))
    .pipeTo(new WritableStream(sink.forClient(client)))
    .catch((e) => {
      if (!(e instanceof ClientClosing)) transport.destroy();
    })
    .finally(() => {
      if (engine.clients.has(client.id)) engine.removeClient(client);
      transport.closeAfterFlush();
    });
  return outputDone;
}
