import type { ByteWriter } from "../resp/bytes.ts";

/**
 * The whole runtime boundary. Each adapter (bun.ts, deno.ts, node.ts) turns
 * its runtime's sockets, files, signals and process facts into these
 * web-standard shapes; nothing outside src/runtime/ knows which one runs.
 */

/** A byte stream pair for one TCP or unix-socket connection. */
export interface Connection {
  /** Bytes from the peer, one chunk per socket read. Cancel it to stop reading. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. Closing it flushes then closes the socket. */
  readonly writable: WritableStream<Uint8Array>;
  /** "ip:port" ("[::1]:port" for IPv6), or "/path:0" for a unix socket, as Redis shows it. */
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** TCP keepalive interval in seconds (0 = off); no-op on unix sockets. */
  setKeepAlive(seconds: number): void;
  /** Drops the connection now, discarding unsent output. */
  destroy(): void;
  /**
   * Resolves once the socket is closed, by either side. Needed apart from the
   * streams: a client parked by a blocking command has a pipe that is waiting,
   * not reading, and must still be cleaned up when it hangs up.
   */
  readonly closed: Promise<void>;
  /** Bytes handed to the kernel so far (output not yet written = encoded - this). */
  readonly bytesWritten: number;
  /**
   * The same bytes as `readable`/`writable` without a stream hop per read, where
   * the adapter offers it (the server's connections use it; see DirectIo).
   */
  readonly direct?: DirectIo;
}

/** What `ReadableStream.pipeTo` feeds: an UnderlyingSink's write/close/abort. */
export interface ChunkSink<T> {
  /** A returned promise pauses reading until it settles; a throw stops reading. */
  write(chunk: T): Promise<void> | undefined | void;
  close?(): void;
  abort?(reason: unknown): void;
}

/**
 * A connection's byte flow as plain calls: the synchronous driver the
 * performance notes measured (a stream hop per read costs more than a whole
 * small command on Bun). Semantics follow the streams it stands in for.
 * Using it claims the socket: the connection's streams are then not used.
 */
export interface DirectIo {
  /**
   * readable.pipeTo(new WritableStream(sink)) without the streams: each socket
   * read goes to sink.write at once; close() at end of input, abort(e) on a
   * socket error. Resolves when reading ends; rejects with what write threw.
   */
  pipeTo(sink: ChunkSink<Uint8Array>): Promise<void>;
  /**
   * Hands bytes to the socket in order. The bytes are read during the call
   * only (the caller may reuse the memory after it returns): what the kernel
   * does not take at once is copied. Returns a promise, resolved once every
   * byte queued so far is written, while the kernel has not taken them all.
   */
  write(bytes: Uint8Array): Promise<void> | undefined;
  /**
   * Where an adapter that sends a turn's writes together at its end gathers
   * them: bytes appended to it are written in order after everything written
   * before, without the copy write() makes. Null while write() must be used
   * (earlier bytes still wait for the kernel); absent when the adapter has none.
   */
  gather?(): ByteWriter | null;
  /** Closes after the queued bytes are written (writable.close()). */
  end(): void;
}

export interface Listener {
  /** What it is bound to, e.g. "127.0.0.1:6379" or "/tmp/respd.sock". */
  readonly address: string;
  /** The actual port (useful with port 0). */
  readonly port: number;
  close(): void;
}

export type OnConnection = (conn: Connection) => void;

export interface CpuUsage {
  /** Microseconds of user and system CPU used by this process. */
  user: number;
  system: number;
}

/** An append-only file handle for logs and (later) the AOF. */
export interface AppendFile {
  write(bytes: Uint8Array): void;
  fsync(): void;
  /**
   * fsync on another thread, so the event loop goes on meanwhile (Redis's
   * forked child or bio thread waits for the disk instead of the server).
   * Keep the file open until it settles.
   */
  fsyncInBackground(): Promise<void>;
  close(): void;
}

/** An open file written at its end (the AOF's files). */
export interface OpenFile {
  write(bytes: Uint8Array): void;
  fsync(): void;
  /** As AppendFile's: fsync in the runtime's thread pool. */
  fsyncInBackground(): Promise<void>;
  close(): void;
  /** Bytes in the file, including what this handle wrote. */
  readonly size: number;
}

/** A file read front to back. */
export interface FileReader {
  /** Fills `into` from the current position; 0 at the end of the file. */
  read(into: Uint8Array): number;
  close(): void;
}

/** Directory-level file operations (the multi-part AOF's directory, a replica's transfer file). */
export interface FileSystem {
  exists(path: string): boolean;
  isDir(path: string): boolean;
  mkdir(path: string): void;
  read(path: string): Uint8Array | null;
  size(path: string): number;
  /** Opens for appending (creating it); `truncate` empties it first. */
  open(path: string, truncate?: boolean): OpenFile;
  openReader(path: string): FileReader;
  rename(from: string, to: string): void;
  remove(path: string): void;
  truncate(path: string, length: number): void;
  list(dir: string): string[];
  /** fsync of a directory, so renames and new files in it survive a crash. */
  syncDir(path: string): void;
}

/**
 * A small child process standing in for the child Redis forks for BGSAVE,
 * BGREWRITEAOF and a full sync (src/persistence/companion.ts): operators see
 * it under the server's pid and may kill it to abort the work. It ends by
 * itself within about a second of the server's death, even a SIGKILL.
 */
export interface Companion {
  readonly pid: number;
  /** How it ended: the exit code, or the number of the signal that killed it. */
  readonly exited: Promise<{ code: number | null; signal: number | null }>;
  kill(signal: "SIGKILL" | "SIGTERM"): void;
}

export interface Runtime {
  readonly name: "bun" | "deno" | "node";
  readonly version: string;
  readonly pid: number;
  /** Program arguments after the script. */
  readonly args: string[];
  readonly executable: string;
  readonly platform: string;
  readonly arch: string;

  /** Directory-level file operations. */
  readonly fs: FileSystem;

  listenTcp(host: string, port: number, backlog: number, onConnection: OnConnection): Promise<Listener>;
  /**
   * listenTcp done before returning (throws when the address cannot be bound),
   * where the runtime binds synchronously (Bun, Deno): CONFIG SET port/bind
   * answer with the outcome, as Redis does. Absent on Node.
   */
  listenTcpNow?(host: string, port: number, backlog: number, onConnection: OnConnection): Listener;
  listenUnix(path: string, permissions: number, onConnection: OnConnection): Promise<Listener>;
  /**
   * `localAddress`: the source address to bind before connecting (Redis's
   * bind-source-addr); Deno cannot and ignores it.
   */
  connectTcp(host: string, port: number, localAddress?: string): Promise<Connection>;

  readFile(path: string): Uint8Array | null;
  writeFile(path: string, data: Uint8Array): void;
  /** Writes to `path` via a temp file, fsync and rename, so readers never see half a file. */
  writeFileAtomic(path: string, data: Uint8Array): void;
  openAppend(path: string): AppendFile;
  /** Opens `path` for writing from empty (e.g. an RDB temp file written in chunks). */
  openTruncate(path: string): AppendFile;
  /** rename(2): atomically replaces `to`. */
  rename(from: string, to: string): void;
  removeFile(path: string): void;
  /** Absolute form of a path (relative to the current directory). */
  realPath(path: string): string;
  cwd(): string;
  chdir(path: string): void;

  onSignal(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  /**
   * A signal that is fatal to Redis (SIGABRT; SIGSEGV and co. cannot come from
   * JS code, and a JS handler could not run after a real one): `handler` logs
   * the crash report, then calls `dieBySignal`.
   */
  onFatalSignal(signal: "SIGABRT", handler: () => void): void;
  /**
   * Ends the process by `signal` with its default action (no handler of ours
   * runs), as Redis's crash path re-raises the signal so the exit status and a
   * core dump say what happened.
   */
  dieBySignal(signal: "SIGABRT" | "SIGSEGV"): never;
  /** Whether stdout is a terminal (Redis shows its logo there). */
  readonly stdoutIsTerminal: boolean;
  /**
   * Routes errors nothing caught (a rejected promise in some pipe or timer) to
   * `handler` instead of ending the process: one bad connection must not take
   * every client's data down with it.
   */
  onUncaughtError(handler: (error: unknown) => void): void;
  exit(code: number): never;
  /** Writes a log line to stdout synchronously (so it is out before an exit). */
  stdout(text: string): void;
  stderr(text: string): void;

  cpuUsage(): CpuUsage;
  /** Resident set size in bytes. */
  rss(): number;
  /** JS heap in use, in bytes. */
  heapUsed(): number;
  /**
   * A full collection of the JS heap, so garbage goes back to the OS (the
   * server calls it when idle after a burst of work; src/server/idle-gc.ts).
   * `blocking`: finish it now, pausing the event loop; otherwise start one
   * that runs alongside (its effect on RSS then shows seconds later).
   * False when the runtime offers no way to ask (nothing was done).
   */
  collectGarbage(blocking: boolean): boolean;
  /** Starts a Companion; null when no process can be started (the work then runs without one). */
  spawnCompanion(): Companion | null;
}
