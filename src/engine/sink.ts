import type { Batch } from "../resp/decoder.ts";
import { estimateSize, type Outgoing } from "../resp/encoder.ts";
import { ErrorReply, SwitchProtocol } from "../resp/reply.ts";
import { Blocked } from "./blocking.ts";
import type { Client } from "./client.ts";
import { NO_REPLY } from "./command.ts";
import { type Engine, POSTPONED } from "./engine.ts";

/** Thrown into a connection's pipe to stop reading from a client that is closing. */
export class ClientClosing extends Error {}

/**
 * The central command sink. Every connection's decoded batches arrive here
 * through a thin per-connection WritableStream; each batch runs to the end
 * synchronously, so commands from all clients execute one at a time in
 * arrival order, and the batch's replies leave as one encoder chunk (one
 * socket write).
 */
export class CommandSink {
  /** Run right before a batch's replies leave (the AOF's fsync under appendfsync always); null keeps the hot path free. */
  beforeReply: (() => void) | null = null;

  constructor(readonly engine: Engine) {}

  /** The UnderlyingSink that feeds one client's batches into the engine (a stream pipe or the direct lane calls it). */
  forClient(client: Client): { write(batch: Batch): Promise<void> | undefined; close(): void; abort(): void } {
    return {
      write: (batch) => this.run(client, batch),
      close: () => this.#gone(client),
      abort: () => this.#gone(client),
    };
  }

  /**
   * Runs one batch. Returns a promise while the client's output is backed up,
   * which pauses reading from it (the pipe waits before pulling more input).
   */
  run(client: Client, batch: Batch, from = 0): Promise<void> | undefined {
    if (client.closing) throw new ClientClosing();
    const out: Outgoing[] = [];
    client.outbox = out;
    this.engine.beginBatch();
    try {
      return this.#run(client, batch, from, out);
    } finally {
      this.engine.endBatch();
      client.outbox = null;
    }
  }

  #run(client: Client, batch: Batch, from: number, out: Outgoing[]): Promise<void> | undefined {
    const limit = this.engine.replyLimit;
    let gathered = 0;
    for (let i = from; i < batch.length; i++) {
      const item = batch[i] as Batch[number];
      if (!Array.isArray(item)) {
        // Protocol error: answer after the commands before it, then close this connection only.
        if (item.reply) {
          const reply = new ErrorReply(`ERR ${item.message}`);
          this.engine.stats.error(reply.code);
          out.push(reply);
        }
        client.closeAfterReply();
        break;
      }
      const reply = this.engine.execute(client, item);
      if (reply === POSTPONED) {
        // CLIENT PAUSE: flush what ran, then resume this batch at this command once unpaused.
        if (this.beforeReply !== null) this.beforeReply();
        if (out.length > 0) client.transport.write(out);
        return this.engine.whenUnpaused().then(() => this.run(client, batch, i));
      }
      if (reply instanceof Blocked && reply.promise !== null) {
        // A blocking command with nothing to serve: read nothing more from this client until it is served.
        if (this.beforeReply !== null) this.beforeReply();
        if (out.length > 0) client.transport.write(out);
        return reply.promise.then((served) => {
          if (this.beforeReply !== null) this.beforeReply();
          const out: Outgoing[] = client.replyMode === "on" && !client.skipping ? [served] : [];
          if (client.afterServed !== null) {
            out.push(...client.afterServed);
            client.afterServed = null;
          }
          if (out.length > 0) client.transport.write(out);
          client.afterCommand();
          return this.run(client, batch, i + 1);
        });
      }
      if (reply !== NO_REPLY) {
        if (client.replyMode === "on" && !client.skipping) {
          out.push(reply);
          if (limit !== null) {
            gathered += estimateSize(reply);
            if (limit(client, gathered)) {
              // Closed for its output limit: none of what it was owed goes out, and nothing more runs.
              out.length = 0;
              break;
            }
          }
        }
        // The encoder must still learn of a protocol change whose reply is suppressed.
        else if (reply instanceof SwitchProtocol) out.push(new SwitchProtocol(reply.protocol, reply.reply, true));
      }
      client.afterCommand();
      if (client.closing) break;
    }
    if (this.beforeReply !== null) this.beforeReply();
    if (out.length > 0) client.transport.write(out);
    client.qbufUsed = client.qbufAfterBatch;
    if (client.closing) {
      client.transport.closeAfterFlush();
      throw new ClientClosing();
    }
    return client.transport.backpressure;
  }

  #gone(client: Client): void {
    if (this.engine.clients.has(client.id)) this.engine.removeClient(client);
    client.transport.closeAfterFlush();
  }
}
