import { unlinkSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { formatAddress, installBufferLatin1Codec, nodeFiles, nodeProcess, processStats } from "./shared.ts";
import type { Connection, Listener, OnConnection, Runtime } from "./types.ts";

/**
 * Turns a node:net socket into a web-standard byte stream pair. Node's own
 * Readable.toWeb queues without bound; here the socket is paused as soon as
 * the stream's small queue is full (its Web Streams slow down with deep queues).
 */
function wrap(socket: Socket, unixPath: string | null): Connection {
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        socket.on("data", (chunk: Buffer) => {
          if (controller === null) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
          if ((controller.desiredSize ?? 1) <= 0) socket.pause();
        });
        socket.on("end", () => {
          try {
            controller?.close();
          } catch {}
          controller = null;
        });
        socket.on("error", (err) => {
          try {
            controller?.error(err);
          } catch {}
          controller = null;
        });
        socket.on("close", () => {
          try {
            controller?.close();
          } catch {}
          controller = null;
        });
      },
      pull() {
        if (!socket.destroyed) socket.resume();
      },
      cancel() {
        controller = null;
        socket.pause();
      },
    },
    { highWaterMark: 2 },
  );
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (socket.destroyed) throw new Error("socket closed");
      if (socket.write(chunk)) return;
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          socket.off("drain", done);
          socket.off("close", done);
          socket.destroyed ? reject(new Error("socket closed")) : resolve();
        };
        socket.on("drain", done);
        socket.on("close", done);
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.end(() => {
          socket.destroy();
          resolve();
        });
      });
    },
    abort() {
      socket.destroy();
    },
  });
  socket.setNoDelay(true);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return {
    closed,
    get bytesWritten() {
      // Node counts bytes queued in its own buffer too; subtract what it still holds.
      return socket.bytesWritten - socket.writableLength;
    },
    readable,
    writable,
    remoteAddress: unixPath !== null ? `${unixPath}:0` : formatAddress(socket.remoteAddress, socket.remotePort),
    localAddress: unixPath !== null ? `${unixPath}:0` : formatAddress(socket.localAddress, socket.localPort),
    setKeepAlive(seconds) {
      if (unixPath === null) socket.setKeepAlive(seconds > 0, seconds * 1000);
    },
    destroy() {
      socket.destroy();
    },
  };
}

function listen(server: Server, onListen: (cb: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    onListen(() => {
      server.off("error", reject);
      resolve();
    });
  });
}

export function createRuntime(): Runtime {
  installBufferLatin1Codec();
  const files = nodeFiles();
  return {
    name: "node",
    version: process.versions.node,
    ...nodeProcess(),

    async listenTcp(host, port, backlog, onConnection: OnConnection): Promise<Listener> {
      const server = createServer({ noDelay: true }, (socket) => onConnection(wrap(socket, null)));
      await listen(server, (cb) => server.listen({ host, port, backlog, ipv6Only: host.includes(":") }, cb));
      const addr = server.address();
      const actual = typeof addr === "object" && addr !== null ? addr.port : port;
      return { address: formatAddress(host, actual), port: actual, close: () => server.close() };
    },

    async listenUnix(path, permissions, onConnection): Promise<Listener> {
      try {
        unlinkSync(path);
      } catch {}
      const server = createServer((socket) => onConnection(wrap(socket, path)));
      await listen(server, (cb) => server.listen(path, cb));
      if (permissions) files.chmod(path, permissions);
      return { address: path, port: 0, close: () => server.close() };
    },

    connectTcp(host, port): Promise<Connection> {
      return new Promise((resolve, reject) => {
        const socket = connect({ host, port }, () => {
          socket.off("error", reject);
          resolve(wrap(socket, null));
        });
        socket.once("error", reject);
      });
    },

    ...files,

    ...processStats(files),
  };
}
