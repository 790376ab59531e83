import { spawn } from "node:child_process";
import { unlinkSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { installTurnHop } from "../engine/turns.ts";
import { DirectReader } from "./direct.ts";
import { companionCommand, formatAddress, installBufferLatin1Codec, nodeFiles, nodeProcess, processStats, signalNumber } from "./shared.ts";
import { atTurnEnd } from "./turn-end.ts";
import type { Companion, Connection, DirectIo, Listener, OnConnection, Runtime } from "./types.ts";
import { v8CollectGarbage } from "./v8-gc.ts";

/** RESPD_STREAMS=web keeps every connection on real Web Streams pipes (to compare, and to test that path). */
const directLaneEnabled = process.env.RESPD_STREAMS !== "web";

/**
 * Turns a node:net socket into a web-standard byte stream pair (made on first
 * use) or the direct lane. Node's own Readable.toWeb queues without bound;
 * here the socket is paused as soon as the stream's small queue is full (its
 * Web Streams slow down with deep queues).
 */
function wrap(socket: Socket, unixPath: string | null): Connection {
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let reader: DirectReader | null = null;
  /** Reads before a consumer took the input (a replica link is handed over a turn later). */
  let early: Uint8Array[] | null = [];
  let ended = false;
  let failure: Error | null = null;
  socket.on("data", (chunk: Buffer) => {
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    if (reader !== null) return reader.push(bytes);
    if (controller === null) {
      early?.push(bytes);
      return;
    }
    controller.enqueue(bytes);
    if ((controller.desiredSize ?? 1) <= 0) socket.pause();
  });
  const finish = () => {
    ended = true;
    reader?.end();
    try {
      controller?.close();
    } catch {}
    controller = null;
  };
  socket.on("end", finish);
  socket.on("close", finish);
  socket.on("error", (err) => {
    failure = err;
    reader?.error(err);
    try {
      controller?.error(err);
    } catch {}
    controller = null;
  });

  let readable: ReadableStream<Uint8Array> | null = null;
  let writable: WritableStream<Uint8Array> | null = null;
  const drained = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = () => {
        socket.off("drain", done);
        socket.off("close", done);
        resolve();
      };
      socket.on("drain", done);
      socket.on("close", done);
    });
  // Writes of one turn are corked and leave together at its end (see turn-end.ts).
  let corked = false;
  const uncork = () => {
    corked = false;
    if (!socket.destroyed) socket.uncork();
  };
  const corkForTurn = () => {
    if (corked) return;
    corked = true;
    socket.cork();
    atTurnEnd(uncork);
  };
  const end = () => {
    if (!socket.destroyed) socket.end(() => socket.destroy());
  };
  const direct: DirectIo = {
    pipeTo(sink) {
      if (reader === null) {
        reader = new DirectReader(
          () => socket.pause(),
          () => {
            if (!socket.destroyed) socket.resume();
          },
        );
        for (const chunk of early ?? []) reader.push(chunk);
        early = null;
        if (failure !== null) reader.error(failure);
        else if (ended) reader.end();
      }
      return reader.pipeTo(sink);
    },
    write(bytes) {
      if (socket.destroyed) throw new Error("socket closed");
      corkForTurn();
      // Node keeps a reference to what it queues: give it its own copy.
      return socket.write(bytes.slice()) ? undefined : drained();
    },
    end,
  };
  socket.setNoDelay(true);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return {
    closed,
    get bytesWritten() {
      // Node counts bytes queued in its own buffer too; subtract what it still holds.
      return socket.bytesWritten - socket.writableLength;
    },
    get readable() {
      readable ??= new ReadableStream<Uint8Array>(
        {
          start(c) {
            for (const chunk of early ?? []) c.enqueue(chunk);
            early = null;
            if (failure !== null) c.error(failure);
            else if (ended) c.close();
            else controller = c;
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
      return readable;
    },
    get writable() {
      writable ??= new WritableStream<Uint8Array>({
        write(chunk) {
          if (socket.destroyed) throw new Error("socket closed");
          corkForTurn();
          if (socket.write(chunk)) return;
          return drained().then(() => {
            if (socket.destroyed) throw new Error("socket closed");
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
      return writable;
    },
    direct: directLaneEnabled ? direct : undefined,
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
  installTurnHop((f) => setImmediate(f));
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

    connectTcp(host, port, localAddress): Promise<Connection> {
      return new Promise((resolve, reject) => {
        const socket = connect({ host, port, ...(localAddress ? { localAddress } : {}) }, () => {
          socket.off("error", reject);
          resolve(wrap(socket, null));
        });
        socket.once("error", reject);
      });
    },

    ...files,

    ...processStats(files),
    collectGarbage: v8CollectGarbage(),
    spawnCompanion: nodeCompanion,
  };
}

function nodeCompanion(): Companion | null {
  const [cmd, ...args] = companionCommand(process.pid);
  try {
    const child = spawn(cmd as string, args, { stdio: "ignore" });
    const exited = new Promise<{ code: number | null; signal: number | null }>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal: signalNumber(signal) }));
      // A spawn that failed reports it here, not as a throw.
      child.once("error", () => resolve({ code: 127, signal: null }));
    });
    if (child.pid === undefined) return null;
    child.unref();
    return { pid: child.pid, exited, kill: (signal) => void child.kill(signal) };
  } catch {
    return null;
  }
}
