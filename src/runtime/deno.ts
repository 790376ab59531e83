import {
  afterSelfKill,
  companionCommand,
  formatAddress,
  installBufferLatin1Codec,
  nodeFiles,
  processStats,
  signalNumber,
} from "./shared.ts";
import type { Companion, Connection, Listener, OnConnection, Runtime } from "./types.ts";

/** The slice of the Deno namespace this adapter uses (Deno's own types are not installed for tsc). */
interface DenoAddr {
  transport: string;
  hostname?: string;
  port?: number;
  path?: string;
}
interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  closeWrite(): Promise<void>;
  readonly remoteAddr: DenoAddr;
  readonly localAddr: DenoAddr;
  setNoDelay?(on: boolean): void;
  setKeepAlive?(on: boolean): void;
}
interface DenoListener extends AsyncIterable<DenoConn> {
  readonly addr: DenoAddr;
  close(): void;
}
declare const Deno: {
  version: { deno: string };
  pid: number;
  args: string[];
  execPath(): string;
  build: { os: string; arch: string };
  listen(opts: { hostname?: string; port?: number; transport?: "tcp" | "unix"; path?: string }): DenoListener;
  connect(opts: { hostname: string; port: number }): Promise<DenoConn>;
  addSignalListener(sig: string, fn: () => void): void;
  removeSignalListener(sig: string, fn: () => void): void;
  kill(pid: number, sig: string): void;
  Command: new (
    cmd: string,
    opts: { args: string[]; stdin: "null"; stdout: "null"; stderr: "null" },
  ) => {
    spawn(): {
      pid: number;
      status: Promise<{ code: number; signal: string | null }>;
      kill(sig: string): void;
      unref(): void;
    };
  };
  stdout: { isTerminal(): boolean };
  exit(code: number): never;
};

const READ_SIZE = 64 * 1024;

function address(a: DenoAddr): string {
  return a.transport === "unix" ? `${a.path ?? ""}:0` : formatAddress(a.hostname, a.port);
}

/**
 * Deno's `conn.readable` allocates a 64 KiB buffer per read; this pulls with
 * `conn.read()` into one reused buffer and hands on an exact-size copy.
 */
function wrap(conn: DenoConn): Connection {
  const scratch = new Uint8Array(READ_SIZE);
  let closed = false;
  let written = 0;
  let onClosed = () => {};
  const closedPromise = new Promise<void>((resolve) => {
    onClosed = resolve;
  });
  const close = () => {
    if (closed) return;
    closed = true;
    onClosed();
    try {
      conn.close();
    } catch {}
  };
  const readable = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let n: number | null = null;
        try {
          n = closed ? null : await conn.read(scratch);
        } catch {
          n = null;
        }
        if (n === null) {
          controller.close();
          close();
          return;
        }
        controller.enqueue(scratch.slice(0, n));
      },
      cancel() {},
    },
    { highWaterMark: 0 },
  );
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      // Deno reads the memory after write() returns: the encoder hands fresh buffers, so no copy here.
      let off = 0;
      while (off < chunk.length) {
        const n = await conn.write(chunk.subarray(off));
        off += n;
        written += n;
      }
    },
    close() {
      close();
    },
    abort() {
      close();
    },
  });
  try {
    conn.setNoDelay?.(true);
  } catch {}
  return {
    readable,
    writable,
    remoteAddress: address(conn.remoteAddr),
    localAddress: address(conn.localAddr),
    setKeepAlive(seconds) {
      try {
        conn.setKeepAlive?.(seconds > 0);
      } catch {}
    },
    destroy: close,
    closed: closedPromise,
    get bytesWritten() {
      return written;
    },
  };
}

async function acceptLoop(listener: DenoListener, onConnection: OnConnection): Promise<void> {
  try {
    for await (const conn of listener) onConnection(wrap(conn));
  } catch {
    // The listener was closed.
  }
}

export function createRuntime(): Runtime {
  const fatalHandlers: [string, () => void][] = [];
  installBufferLatin1Codec();
  const files = nodeFiles();
  const listenTcpNow = (host: string, port: number, _backlog: number, onConnection: OnConnection): Listener => {
    const listener = Deno.listen({ hostname: host, port, transport: "tcp" });
    void acceptLoop(listener, onConnection);
    const actual = listener.addr.port ?? port;
    return { address: formatAddress(host, actual), port: actual, close: () => listener.close() };
  };
  return {
    name: "deno",
    version: Deno.version.deno,
    pid: Deno.pid,
    args: Deno.args,
    executable: Deno.execPath(),
    platform: Deno.build.os,
    arch: Deno.build.arch,

    async listenTcp(host, port, backlog, onConnection): Promise<Listener> {
      return listenTcpNow(host, port, backlog, onConnection);
    },

    listenTcpNow,

    async listenUnix(path, permissions, onConnection): Promise<Listener> {
      files.removeFile(path);
      const listener = Deno.listen({ transport: "unix", path });
      if (permissions) files.chmod(path, permissions);
      void acceptLoop(listener, onConnection);
      return { address: path, port: 0, close: () => listener.close() };
    },

    async connectTcp(host, port): Promise<Connection> {
      return wrap(await Deno.connect({ hostname: host, port }));
    },

    ...files,

    onSignal(signal, handler) {
      Deno.addSignalListener(signal, handler);
    },
    onFatalSignal(signal, handler) {
      Deno.addSignalListener(signal, handler);
      fatalHandlers.push([signal, handler]);
    },
    dieBySignal(signal) {
      for (const [sig, h] of fatalHandlers) if (sig === signal) Deno.removeSignalListener(sig, h);
      Deno.kill(Deno.pid, signal);
      return afterSelfKill(signal);
    },
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    onUncaughtError(handler) {
      globalThis.addEventListener("unhandledrejection", (e) => {
        e.preventDefault();
        handler((e as Event & { reason?: unknown }).reason);
      });
      globalThis.addEventListener("error", (e) => {
        e.preventDefault();
        handler((e as Event & { error?: unknown }).error);
      });
    },
    exit(code) {
      Deno.exit(code);
    },
    ...processStats(files),
    collectGarbage: denoCollectGarbage,
    spawnCompanion: denoCompanion,
  };
}

function denoCompanion(): Companion | null {
  const [cmd, ...args] = companionCommand(Deno.pid);
  try {
    const child = new Deno.Command(cmd as string, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    // It must not keep the event loop (and so the process) alive.
    child.unref();
    return {
      pid: child.pid,
      exited: child.status.then((s) => {
        const signal = signalNumber(s.signal);
        return signal !== null ? { code: null, signal } : { code: s.code, signal: null };
      }),
      kill: (signal) => {
        try {
          child.kill(signal);
        } catch {}
      },
    };
  } catch {
    return null;
  }
}

/**
 * V8's `gc`, which Deno exposes when started with --v8-flags=--expose-gc
 * (`npm run server:deno` and the tests pass it); without the flag the idle
 * collection does nothing here. A flag on the command line rather than
 * Node's run-time route (src/runtime/v8-gc.ts): nothing changes V8's flags
 * after start.
 */
function denoCollectGarbage(blocking: boolean): boolean {
  const gc = (globalThis as { gc?: (options?: object) => unknown }).gc;
  if (gc === undefined) return false;
  gc({ type: "major", execution: blocking ? "sync" : "async" });
  return true;
}
