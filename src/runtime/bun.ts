/// <reference types="bun" />
import { unlinkSync } from "node:fs";
import type { Socket, TCPSocketListener, UnixSocketListener } from "bun";
import { installLatin1Codec } from "../resp/bytes.ts";
import { formatAddress, nodeFiles, nodeProcess, processStats } from "./shared.ts";
import type { Connection, Listener, OnConnection, Runtime } from "./types.ts";

interface SocketState {
  controller: ReadableStreamDefaultController<Uint8Array> | null;
  /** Bytes the kernel did not take yet, written on drain. */
  unsent: Uint8Array | null;
  drained: (() => void) | null;
  closed: boolean;
  conn: Connection | null;
  onClosed: () => void;
  bytesWritten: number;
}

/** Turns a Bun socket into a web-standard byte stream pair. */
function wrap(socket: Socket<SocketState>, remote: string, local: string): Connection {
  const state = socket.data;
  const closed = new Promise<void>((resolve) => {
    state.onClosed = resolve;
  });
  const readable = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        state.controller = controller;
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
  const flush = (): Promise<void> | undefined => {
    const pending = state.unsent;
    if (pending === null) return undefined;
    const n = socket.write(pending);
    if (n < 0) throw new Error("socket closed");
    state.bytesWritten += n;
    state.unsent = n < pending.length ? pending.subarray(n) : null;
    if (state.unsent === null) return undefined;
    return new Promise<void>((res) => {
      state.drained = res;
    }).then(flush);
  };
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (state.closed) throw new Error("socket closed");
      state.unsent = chunk;
      return flush();
    },
    close() {
      if (!state.closed) socket.end();
    },
    abort() {
      if (!state.closed) socket.terminate();
    },
  });
  return {
    readable,
    writable,
    remoteAddress: remote,
    localAddress: local,
    setKeepAlive(seconds: number) {
      socket.setKeepAlive(seconds > 0, seconds * 1000);
    },
    destroy() {
      if (!state.closed) socket.terminate();
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
      socket.data = { controller: null, unsent: null, drained: null, closed: false, conn: null, onClosed: () => {}, bytesWritten: 0 };
      const remote = unixPath !== null ? `${unixPath}:0` : formatAddress(socket.remoteAddress, socket.remotePort);
      const local = unixPath !== null ? `${unixPath}:0` : formatAddress(socket.localAddress, socket.localPort);
      socket.data.conn = wrap(socket, remote, local);
      onConnection(socket.data.conn);
    },
    data(socket: Socket<SocketState>, chunk: Uint8Array) {
      const c = socket.data.controller;
      if (c === null) return;
      c.enqueue(chunk);
      if ((c.desiredSize ?? 1) <= 0) socket.pause();
    },
    drain(socket: Socket<SocketState>) {
      const d = socket.data.drained;
      socket.data.drained = null;
      d?.();
    },
    close(socket: Socket<SocketState>) {
      const s = socket.data;
      s.closed = true;
      try {
        s.controller?.close();
      } catch {}
      s.controller = null;
      s.drained?.();
      s.onClosed();
    },
    error(socket: Socket<SocketState>, error: Error) {
      const s = socket.data;
      s.closed = true;
      s.onClosed();
      try {
        s.controller?.error(error);
      } catch {}
      s.controller = null;
    },
  };
}

export function createRuntime(): Runtime {
  installLatin1Codec({
    decode: (bytes, start, end) => Buffer.prototype.latin1Slice.call(bytes, start, end),
    encodeInto: (s, target, offset) => Buffer.prototype.latin1Write.call(target, s, offset, s.length),
  });
  const files = nodeFiles();
  return {
    name: "bun",
    version: Bun.version,
    ...nodeProcess(),

    async listenTcp(host, port, _backlog, onConnection): Promise<Listener> {
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
    },

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

    async connectTcp(host, port): Promise<Connection> {
      return new Promise((resolveConn, reject) => {
        let settled = false;
        Bun.connect<SocketState>({
          hostname: host,
          port,
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
  };
}
