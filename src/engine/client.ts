import type { Outgoing } from "../resp/encoder.ts";
import type { Engine } from "./engine.ts";
import type { QueuedCommand, WatchedKey } from "./multi.ts";

/** How a client's replies leave: set up by the connection that owns the socket. */
export interface Transport {
  /** Queues one batch of replies (one socket write). */
  write(batch: Outgoing[]): void;
  /**
   * Queues out-of-band replies (pub/sub messages) to leave with others of the
   * same turn as one write; anything written later goes after them. It must
   * not keep `batch` (a caller may reuse the array). Optional: without it,
   * `write` is used.
   */
  writeSoon?(batch: Outgoing[]): void;
  /** A promise while the output queue is full (backpressure), else undefined. */
  readonly backpressure: Promise<void> | undefined;
  /** Bytes queued but not yet written (omem in CLIENT LIST). */
  readonly pendingBytes: number;
  /** Flushes what was queued, then closes. */
  closeAfterFlush(): void;
  /** Closes now, dropping queued output. */
  destroy(): void;
}

/** Redis's PROTO_REPLY_CHUNK_BYTES (a new client's reply buffer) and PROTO_REPLY_MIN_BYTES. */
const REPLY_CHUNK = 16 * 1024;
const REPLY_MIN = 1024;

/** Redis's PROTO_IOBUF_LEN: the room each socket read reserves in the query buffer. */
const QUERY_READ_ROOM = 16 * 1024;

/** The one-item batch `push` hands to writeSoon, which copies what it keeps. */
const ONE: Outgoing[] = [null];

export type ReplyMode = "on" | "off" | "skip";

/**
 * One connected client's session state. Commands read and change it through
 * `ctx.client`; the engine never touches the socket directly.
 */
export class Client {
  name = "";
  db = 0;
  protocol: 2 | 3 = 2;
  authenticated: boolean;
  user = "default";
  libName = "";
  libVer = "";
  replyMode: ReplyMode = "on";
  /** CLIENT REPLY SKIP: `skipNext` is set by SKIP, `skipping` covers the command after it. */
  skipNext = false;
  skipping = false;
  noEvict = false;
  noTouch = false;
  /** Last command name as CLIENT LIST shows it ("client|list"). */
  lastCommand = "NULL";
  createdAt: number;
  lastInteraction: number;
  /** Set once the connection is going away: no more commands run for it. */
  closing = false;
  /** Clients in MONITOR mode across the process, so the dispatcher skips the feed when there are none. */
  static monitorCount = 0;
  #monitor = false;
  /** MONITOR mode: receives every command as it runs. */
  get monitor(): boolean {
    return this.#monitor;
  }
  set monitor(on: boolean) {
    if (on !== this.#monitor) Client.monitorCount += on ? 1 : -1;
    this.#monitor = on;
  }
  /** Bytes of input received and output sent, for INFO stats and CLIENT LIST tot-net-*. */
  netInput = 0;
  /**
   * The query buffer as Redis would hold it (CLIENT LIST qbuf/qbuf-free):
   * bytes waiting for the rest of a command, the room a read reserves
   * (16 KiB, or the whole of a big argument), and the peak since the cron
   * last looked, which lets the cron give back what a burst made it keep.
   */
  qbufUsed = 0;
  qbufCap = 0;
  qbufPeak = 0;
  /**
   * What stays in the buffer once the read's commands have run (an incomplete
   * command's bytes): Redis trims its query buffer only after running them,
   * so a command sees its own bytes in qbuf (CLIENT LIST shows qbuf=26).
   */
  qbufAfterBatch = 0;

  /**
   * Redis's static reply buffer (CLIENT LIST rbs/rbp): its size, and the most
   * of it one write's replies filled since the peak was last reset. The cron
   * resizes it to fit (clientsCronResizeOutputBuffer).
   */
  replyBufSize = REPLY_CHUNK;
  /** A new client's peak is its whole buffer, so nothing shrinks before the first peak reset (as Redis's createClient). */
  replyBufPeak = REPLY_CHUNK;
  replyPeakResetAt = 0;

  /** One write of `n` encoded bytes: the buffer holds what fits of it. */
  replyWritten(n: number): void {
    const used = Math.min(n, this.replyBufSize);
    if (used > this.replyBufPeak) this.replyBufPeak = used;
  }

  /**
   * Shrinks a buffer whose peak used less than half of it (not below 1 KiB),
   * doubles one that was filled (up to 16 KiB); the peak restarts every
   * `peakResetMs` (-1: never). Returns +1 expanded, -1 shrunk, 0.
   */
  resizeReplyBuffer(now: number, peakResetMs: number): number {
    let next = 0;
    const half = this.replyBufSize / 2;
    if (half >= REPLY_MIN && this.replyBufPeak < half) next = Math.max(REPLY_MIN, this.replyBufPeak + 1);
    else if (this.replyBufSize * 2 < REPLY_CHUNK * 2 && this.replyBufPeak === this.replyBufSize)
      next = Math.min(REPLY_CHUNK, this.replyBufSize * 2);
    if (peakResetMs >= 0 && now - this.replyPeakResetAt >= peakResetMs) {
      this.replyBufPeak = 0;
      this.replyPeakResetAt = now;
    }
    if (next === 0) return 0;
    const grew = next > this.replyBufSize;
    this.replyBufSize = next;
    return grew ? 1 : -1;
  }

  /** A socket read of `n` bytes: Redis makes room for 16 KiB (or the read) on top of what it holds. */
  queryRead(n: number): void {
    const used = this.qbufUsed + n;
    const cap = this.qbufUsed + Math.max(QUERY_READ_ROOM, n);
    if (cap > this.qbufCap) this.qbufCap = cap;
    if (used > this.qbufPeak) this.qbufPeak = used;
    this.qbufUsed = used;
  }

  /**
   * clientsCronResizeQueryBuffer: a client idle for more than 2 s gives back
   * all its spare room; one whose buffer is over 32 KiB and twice its recent
   * peak shrinks to that peak. Only worth it for more than 4 KiB of slack.
   */
  resizeQueryBuffer(now: number): void {
    if (this.qbufCap - this.qbufUsed > 4096) {
      const idleSecs = Math.floor(now / 1000) - Math.floor(this.lastInteraction / 1000);
      if (idleSecs > 2) this.qbufCap = this.qbufUsed;
      else if (this.qbufCap > 32 * 1024 && this.qbufCap / 2 > this.qbufPeak) this.qbufCap = Math.max(this.qbufUsed, this.qbufPeak);
    }
    this.qbufPeak = this.qbufUsed;
  }
  netOutput = 0;
  /** Per-client flags CLIENT LIST shows that other issues will set (P, x, b...). */
  extraFlags = "";
  /** CLIENT LIST's sub/psub/ssub: subscription counts, kept by the pub/sub commands. */
  sub = 0;
  psub = 0;
  ssub = 0;
  /** CLIENT LIST's multi=: commands queued in MULTI, -1 outside a transaction. */
  multiQueued = -1;
  /** MULTI's queue, and the union of the queued commands' flag bits (EXEC under CLIENT PAUSE WRITE). */
  multiCommands: QueuedCommand[] = [];
  multiFlags = 0;
  /** Redis's CLIENT_DIRTY_EXEC: a command was rejected while queueing, so EXEC answers EXECABORT. */
  multiAborted = false;
  /** Redis's CLIENT_DIRTY_CAS: a WATCHed key changed, so EXEC answers a null array. */
  watchDirty = false;
  /** Keys this client WATCHes (the per-engine index is in engine/multi.ts). */
  watched: WatchedKey[] = [];
  /** True while EXEC runs the queue: blocking commands answer at once (Redis's CLIENT_DENY_BLOCKING). */
  inExec = false;

  /**
   * Run by RESET for the state other modules own (MULTI, WATCH, subscriptions,
   * tracking), so RESET clears them without knowing them.
   */
  static readonly resetHooks: ((client: Client, engine: Engine) => void)[] = [];

  constructor(
    readonly id: number,
    readonly addr: string,
    readonly laddr: string,
    readonly fd: number,
    public transport: Transport,
    now: number,
    authenticated: boolean,
  ) {
    this.createdAt = now;
    this.lastInteraction = now;
    this.replyPeakResetAt = now;
    this.authenticated = authenticated;
  }

  /** Bookkeeping after each command (rotates the CLIENT REPLY SKIP flags like Redis's resetClient). */
  afterCommand(): void {
    if (this.skipping) this.skipping = false;
    if (this.skipNext) {
      this.skipping = true;
      this.skipNext = false;
    }
  }

  /**
   * While this client's own batch runs, the sink points this at the batch's
   * replies, so pushes sent to it mid-command (its subscribe confirmations, a
   * message it published to itself) land in order among its replies.
   */
  outbox: Outgoing[] | null = null;

  /**
   * Pushes made while this client's blocked command was being served (the
   * invalidation of a key its BLMOVE wrote): they follow the served reply.
   */
  afterServed: Outgoing[] | null = null;

  /** The pub/sub output-limit turn in which this client's backlog was last checked (see pubsub/limits.ts). */
  outputCheckTurn = 0;

  /** Sends replies outside a command batch (MONITOR lines, pub/sub pushes). */
  send(batch: Outgoing[]): void {
    if (this.closing || batch.length === 0) return;
    if (this.outbox !== null) this.outbox.push(...batch);
    else if (this.transport.writeSoon) this.transport.writeSoon(batch);
    else this.transport.write(batch);
  }

  /**
   * Sends one out-of-band reply (a pub/sub message): `send` without an array
   * per call, since a PUBLISH to N subscribers makes N of these.
   */
  push(item: Outgoing): void {
    if (this.closing) return;
    if (this.outbox !== null) this.outbox.push(item);
    else if (this.transport.writeSoon) {
      const one = ONE;
      one[0] = item;
      this.transport.writeSoon(one);
      one[0] = null;
    } else this.transport.write([item]);
  }

  /** Closes after the replies already queued are written (QUIT, protocol errors). */
  closeAfterReply(): void {
    this.closing = true;
  }

  /** Disconnects now (CLIENT KILL, idle timeout, shutdown). */
  kill(): void {
    this.closing = true;
    this.transport.destroy();
  }
}
