/// <reference types="bun" />
import { unlinkSync } from "node:fs";
import type { Socket, TCPSocketListener, UnixSocketListener } from "bun";
import { installTurnHop } from "../engine/turns.ts";
import { ByteWriter, concat, installLatin1Codec } from "../resp/bytes.ts";
import { DirectReader } from "./direct.ts";
import { companionCommand, formatAddress, nodeFiles, nodeProcess, processStats, signalNumber } from "./shared.ts";
import { atTurnEnd } from "./turn-end.ts";
import type { Companion, Connection, DirectIo, Listener, OnConnection, Runtime } from "./types.ts";

/** RESPD_STREAMS=web keeps every connection on real Web Streams pipes (to compare, and to test that path). */
const directLaneEnabled = process.env.RESPD_STREAMS !== "web";

interface SocketState {
  /** Where reads go: a web ReadableStream's controller, or the direct reader (whichever the consumer took). */
  controller: ReadableStreamDefaultController<Uint8Array> | null;
  reader: DirectReader | null;
  /** Reads that came before the consumer chose (a replica link is handed over a turn later). */
  early: Uint8Array[];
  taken: boolean;
  /** Bytes the kernel did not take yet, and bytes written after them: sent on drain, in order. */
  unsent: Uint8Array | null;
  later: Uint8Array[];
  /** Resolves when unsent and later are all written (or the socket closed). */
  flushed: Promise<void> | null;
  onFlushed: () => void;
  endWhenFlushed: boolean;
  closed: boolean;
  conn: Connection | null;
  onClosed: () => void;
  bytesWritten: number;
  /** Writes of this event-loop turn, sent together at its end (see turn-end.ts); null when none. */
  pending: ByteWriter | null;
  /** flushPending is queued for this turn's end. */
  flushQueued: boolean;
  /** Sends `pending`: made once per socket so queueing it for the turn's end allocates nothing. */
  flushPending: () => void;
}

function newState(): SocketState {
  return {
    controller: null,
    reader: null,
    early: [],
    taken: false,
    unsent: null,
    later: [],
    flushed: null,
    onFlushed: () => {},
    endWhenFlushed: false,
    closed: false,
    conn: null,
    onClosed: () => {},
    bytesWritten: 0,
    pending: null,
    flushQueued: false,
    flushPending: () => {},
  };
}

/** A reply this big goes out at once when nothing waits before it: copying it to the turn's buffer costs more than a write. */
const WRITE_AT_ONCE = 64 * 1024;

/**
 * Writes in order: small writes are gathered and sent at the end of the
 * turn; returns a promise while bytes wait for the kernel. Bun's socket.write
 * copies nothing it does not send, so what waits is copied here (the caller
 * may reuse its buffer).
 */
function send(socket: Socket<SocketState>, bytes: Uint8Array): Promise<void> | undefined {
  const state = socket.data;
  if (state.closed) throw new Error("socket closed");
  if (state.unsent !== null) {
    state.later.push(bytes.slice());
    return state.flushed as Promise<void>;
  }
  const pending = state.pending;
  if ((pending === null || pending.len === 0) && bytes.length >= WRITE_AT_ONCE) return sendNow(socket, bytes, bytes.length);
  (gather(socket) as ByteWriter).bytes(bytes);
  return undefined;
}

/**
 * The buffer this turn's writes gather in, sent at the turn's end; null
 * while earlier bytes still wait for the kernel (write() queues behind them).
 */
function gather(socket: Socket<SocketState>): ByteWriter | null {
  const state = socket.data;
  if (state.closed || state.unsent !== null) return null;
  if (!state.flushQueued) {
    state.flushQueued = true;
    atTurnEnd(state.flushPending);
  }
  state.pending ??= new ByteWriter(1024);
  return state.pending;
}

/** Sends what this turn gathered (the buffer is kept for the next turn unless a big batch grew it). */
function sendPending(socket: Socket<SocketState>): void {
  const state = socket.data;
  state.flushQueued = false;
  const pending = state.pending;
  if (pending === null || pending.len === 0) return;
  if (state.closed) {
    state.pending = null;
    return;
  }
  const len = pending.len;
  pending.len = 0;
  if (pending.buf.length > WRITE_AT_ONCE) state.pending = null;
  sendNow(socket, pending.buf, len);
}

/** Writes bytes[0, len); what the kernel does not take is copied, to be sent on drain. */
function sendNow(socket: Socket<SocketState>, bytes: Uint8Array, len: number): Promise<void> | undefined {
  const state = socket.data;
  const n = socket.write(bytes, 0, len);
  if (n < 0) throw new Error("socket closed");
  state.bytesWritten += n;
  if (n === len) return undefined;
  state.unsent = bytes.slice(n, len);
  state.flushed = new Promise<void>((resolve) => {
    state.onFlushed = resolve;
  });
  return state.flushed;
}

/** On drain: send what waited; resolve the waiters once everything is out. */
function flushUnsent(socket: Socket<SocketState>): void {
  const state = socket.data;
  while (state.unsent !== null) {
    const n = socket.write(state.unsent);
    if (n < 0) break;
    state.bytesWritten += n;
    if (n < state.unsent.length) {
      state.unsent = state.unsent.subarray(n);
      return;
    }
    state.unsent = state.later.length > 0 ? concat(state.later) : null;
    state.later = [];
  }
  settleFlushed(state);
  if (state.endWhenFlushed && !state.closed) socket.end();
}

function settleFlushed(state: SocketState): void {
  state.unsent = null;
  state.later = [];
  state.flushed = null;
  state.onFlushed();
}

/** Turns a Bun socket into a web-standard byte stream pair (made on first use) or the direct lane. */
function wrap(socket: Socket<SocketState>, remote: string, local: string): Connection {
  const state = socket.data;
  const closed = new Promise<void>((resolve) => {
    state.onClosed = resolve;
  });
  let readable: ReadableStream<Uint8Array> | null = null;
  let writable: WritableStream<Uint8Array> | null = null;
  state.flushPending = () => {
    try {
      sendPending(socket);
    } catch {
      // Closed under us: the close handler does the cleanup.
    }
  };
  const endOutput = () => {
    if (state.closed) return;
    state.flushPending();
    if (state.unsent === null) socket.end();
    else state.endWhenFlushed = true;
  };
  const direct: DirectIo = {
    pipeTo(sink) {
      if (state.reader === null) {
        state.taken = true;
        state.reader = new DirectReader(
          () => {
            if (!state.closed) socket.pause();
          },
          () => {
            if (!state.closed) socket.resume();
          },
        );
        for (const chunk of state.early) state.reader.push(chunk);
        state.early = [];
        if (state.closed) state.reader.end();
      }
      return state.reader.pipeTo(sink);
    },
    write: (bytes) => send(socket, bytes),
    gather: () => gather(socket),
    end: endOutput,
  };
  return {
    get readable() {
      readable ??= new ReadableStream<Uint8Array>(
        {
          start(controller) {
            state.taken = true;
            for (const chunk of state.early) controller.enqueue(chunk);
            state.early = [];
            if (state.closed) controller.close();
            else state.controller = controller;
          },
          pull() {
            // The consumer wants more: resume a socket paused for backpressure.
            if (!state.closed) socket.resume();
          },
          cancel() {
            state.controller = null;
            if (!state.closed) socket.pause();
          },
        },
        { highWaterMark: 2 },
      );
      return readable;
    },
    get writable() {
      writable ??= new WritableStream<Uint8Array>({
        write: (chunk) => send(socket, chunk),
        close: endOutput,
        abort() {
          if (!state.closed) socket.terminate();
        },
      });
      return writable;
    },
    direct: directLaneEnabled ? direct : undefined,
    remoteAddress: remote,
    localAddress: local,
    setKeepAlive(seconds: number) {
      socket.setKeepAlive(seconds > 0, seconds * 1000);
    },
    destroy() {
      if (state.closed) return;
      // Output not yet taken by the kernel is dropped; the close itself is an ordinary FIN, as
      // Redis's close(2) of a killed client (terminate() would reset the connection instead).
      state.pending = null;
      settleFlushed(state);
      socket.end();
    },
    closed,
    get bytesWritten() {
      return state.bytesWritten;
    },
  };
}

function handlers(onConnection: OnConnection, unixPath: string | null) {
  return {
    open(socket: Socket<SocketState>) {
      socket.data = newState();
      const remote = unixPath !== null ? `${unixPath}:0` : formatAddress(socket.remoteAddress, socket.remotePort);
      const local = unixPath !== null ? `${unixPath}:0` : formatAddress(socket.localAddress, socket.localPort);
      socket.data.conn = wrap(socket, remote, local);
      onConnection(socket.data.conn);
    },
    data(socket: Socket<SocketState>, chunk: Uint8Array) {
      const s = socket.data;
      if (s.reader !== null) return s.reader.push(chunk);
      const c = s.controller;
      if (c === null) {
        // Nobody has taken the input yet (a cancelled stream leaves the socket paused instead).
        if (!s.taken && !s.closed) s.early.push(chunk);
        return;
      }
      c.enqueue(chunk);
      if ((c.desiredSize ?? 1) <= 0) socket.pause();
    },
    drain(socket: Socket<SocketState>) {
      flushUnsent(socket);
    },
    close(socket: Socket<SocketState>) {
      const s = socket.data;
      s.closed = true;
      try {
        s.controller?.close();
      } catch {}
      s.controller = null;
      s.reader?.end();
      // Writers waiting for the kernel go on; their next write sees the socket closed.
      settleFlushed(s);
      s.onClosed();
    },
    error(socket: Socket<SocketState>, error: Error) {
      const s = socket.data;
      s.closed = true;
      try {
        s.controller?.error(error);
      } catch {}
      s.controller = null;
      s.reader?.error(error);
      settleFlushed(s);
      s.onClosed();
    },
  };
}

export function createRuntime(): Runtime {
  installTurnHop((f) => setImmediate(f));
  installLatin1Codec({
    decode: (bytes, start, end) => Buffer.prototype.latin1Slice.call(bytes, start, end),
    encodeInto: (s, target, offset) => Buffer.prototype.latin1Write.call(target, s, offset, s.length),
  });
  const files = nodeFiles();
  const listenTcpNow = (host: string, port: number, _backlog: number, onConnection: OnConnection): Listener => {
    const server: TCPSocketListener<SocketState> = Bun.listen<SocketState>({
      hostname: host,
      port,
      socket: handlers(onConnection, null),
    });
    return {
      address: formatAddress(host, server.port),
      port: server.port,
      // stop(true) would also drop open connections; shutdown flushes them first.
      close: () => server.stop(false),
    };
  };
  return {
    name: "bun",
    version: Bun.version,
    ...nodeProcess(),

    async listenTcp(host, port, backlog, onConnection): Promise<Listener> {
      return listenTcpNow(host, port, backlog, onConnection);
    },

    listenTcpNow,

    async listenUnix(path, permissions, onConnection): Promise<Listener> {
      try {
        unlinkSync(path);
      } catch {}
      const server: UnixSocketListener<SocketState> = Bun.listen<SocketState>({
        unix: path,
        socket: handlers(onConnection, path),
      });
      if (permissions) files.chmod(path, permissions);
      return { address: path, port: 0, close: () => server.stop(false) };
    },

    async connectTcp(host, port, localAddress): Promise<Connection> {
      return new Promise((resolveConn, reject) => {
        let settled = false;
        Bun.connect<SocketState>({
          hostname: host,
          port,
          // Not in bun-types, but Bun binds the source address with it.
          ...(localAddress ? { localAddress } : {}),
          socket: {
            ...handlers((conn) => {
              settled = true;
              resolveConn(conn);
            }, null),
            connectError(_s: Socket<SocketState>, err: Error) {
              if (!settled) reject(err);
            },
          },
        }).catch(reject);
      });
    },

    ...files,

    ...processStats(files),
    // Bun.gc also has mimalloc return the free pages of the heap JSC does not manage.
    collectGarbage: (blocking) => {
      Bun.gc(blocking);
      return true;
    },
    spawnCompanion: bunCompanion,
  };
}

function bunCompanion(): Companion | null {
  try {
    const proc = Bun.spawn(companionCommand(process.pid), { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    // It must not keep the event loop (and so the process) alive.
    proc.unref();
    return {
      pid: proc.pid,
      exited: proc.exited.then((code) => {
        const signal = signalNumber(proc.signalCode);
        return signal !== null ? { code: null, signal } : { code, signal: null };
      }),
      kill: (signal) => {
        try {
          proc.kill(signal);
        } catch {}
      },
    };
  } catch {
    return null;
  }
}
