/**
 * Pieces the adapters share. Bun, Deno and Node all implement node:fs, so
 * file access is written once here (still inside the runtime boundary).
 */
import { Buffer } from "node:buffer";
import {
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { resolve } from "node:path";
import { installLatin1Codec } from "../resp/bytes.ts";
import type { AppendFile, FileSystem, Runtime } from "./types.ts";

/** Redis's address format: "ip:port", IPv6 in brackets. */
export function formatAddress(ip: string | undefined, port: number | undefined): string {
  let host = ip ?? "?";
  if (host.startsWith("::ffff:") && host.includes(".")) host = host.slice(7);
  return host.includes(":") ? `[${host}]:${port ?? 0}` : `${host}:${port ?? 0}`;
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

export function nodeFiles() {
  return {
    fs: nodeFileSystem(),
    readFile(path: string): Uint8Array | null {
      try {
        return new Uint8Array(readFileSync(path));
      } catch {
        return null;
      }
    },
    writeFile(path: string, data: Uint8Array): void {
      writeFileSync(path, data);
    },
    writeFileAtomic(path: string, data: Uint8Array): void {
      const tmp = `${path}.tmp-${process.pid}`;
      const fd = openSync(tmp, "w");
      try {
        writeAll(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    },
    openAppend(path: string): AppendFile {
      const fd = openSync(path, "a");
      return {
        write: (bytes: Uint8Array) => writeAll(fd, bytes),
        fsync: () => fsyncSync(fd),
        fsyncInBackground: () => fsyncInBackground(fd),
        close: () => closeSync(fd),
      };
    },
    openTruncate(path: string): AppendFile {
      const fd = openSync(path, "w");
      return {
        write: (bytes: Uint8Array) => writeAll(fd, bytes),
        fsync: () => fsyncSync(fd),
        fsyncInBackground: () => fsyncInBackground(fd),
        close: () => closeSync(fd),
      };
    },
    rename(from: string, to: string): void {
      renameSync(from, to);
    },
    removeFile(path: string): void {
      try {
        unlinkSync(path);
      } catch {}
    },
    realPath(path: string): string {
      try {
        return realpathSync(path);
      } catch {
        return resolve(path);
      }
    },
    cwd: (): string => process.cwd(),
    chdir: (path: string): void => process.chdir(path),
    chmod: (path: string, mode: number): void => chmodSync(path, mode),
    writeFd(fd: number, text: string): void {
      try {
        writeAll(fd, new TextEncoder().encode(text));
      } catch {}
    },
  };
}

/** Latin-1 strings <-> bytes through node:buffer (Deno, Node; Bun has faster native slices). */
export function installBufferLatin1Codec(): void {
  installLatin1Codec({
    decode: (bytes, start, end) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1", start, end),
    encodeInto: (s, target, offset) => Buffer.from(target.buffer, target.byteOffset, target.length).write(s, offset, "latin1"),
  });
}

/** Identity and control of a node:process style process (Bun, Node; Deno has its own namespace). */
export function nodeProcess(): Pick<
  Runtime,
  | "pid"
  | "args"
  | "executable"
  | "platform"
  | "arch"
  | "onSignal"
  | "onFatalSignal"
  | "dieBySignal"
  | "stdoutIsTerminal"
  | "onUncaughtError"
  | "exit"
> {
  return {
    pid: process.pid,
    args: process.argv.slice(2),
    executable: process.execPath,
    platform: process.platform,
    arch: process.arch,
    onSignal(signal, handler) {
      process.on(signal, handler);
    },
    onFatalSignal(signal, handler) {
      process.on(signal, handler);
    },
    dieBySignal(signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return afterSelfKill(signal);
    },
    stdoutIsTerminal: process.stdout?.isTTY === true,
    onUncaughtError(handler) {
      process.on("uncaughtException", handler);
      process.on("unhandledRejection", handler);
    },
    exit(code) {
      process.exit(code);
    },
  };
}

/** Log output and resource figures, the same on every runtime (Deno implements node:process too). */
export function processStats(files: {
  writeFd(fd: number, text: string): void;
}): Pick<Runtime, "stdout" | "stderr" | "cpuUsage" | "rss" | "heapUsed"> {
  return {
    stdout(text) {
      files.writeFd(1, text);
    },
    stderr(text) {
      files.writeFd(2, text);
    },
    cpuUsage() {
      const u = process.cpuUsage();
      return { user: u.user, system: u.system };
    },
    rss: () => process.memoryUsage.rss(),
    heapUsed: () => process.memoryUsage().heapUsed,
  };
}

/** FileSystem over node:fs (Bun, Deno and Node all implement it). */
export function nodeFileSystem(): FileSystem {
  return {
    exists: (p) => existsSync(p),
    isDir: (p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    },
    mkdir: (p) => mkdirSync(p, { recursive: true }),
    read: (p) => {
      try {
        return new Uint8Array(readFileSync(p));
      } catch {
        return null;
      }
    },
    size: (p) => statSync(p).size,
    open(path, truncate = false) {
      const fd = openSync(path, truncate ? "w" : "a");
      let size = fstatSync(fd).size;
      return {
        write: (b) => {
          writeAll(fd, b);
          size += b.length;
        },
        fsync: () => fsyncSync(fd),
        fsyncInBackground: () => fsyncInBackground(fd),
        close: () => closeSync(fd),
        get size() {
          return size;
        },
      };
    },
    openReader(path) {
      const fd = openSync(path, "r");
      return {
        read: (into) => readSync(fd, into, 0, into.length, null),
        close: () => closeSync(fd),
      };
    },
    rename: (a, b) => renameSync(a, b),
    remove: (p) => {
      try {
        unlinkSync(p);
      } catch {}
    },
    truncate: (p, n) => truncateSync(p, n),
    list: (d) => readdirSync(d),
    syncDir: (p) => {
      try {
        const fd = openSync(p, "r");
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      } catch {}
    },
  };
}

/** node:fs's fsync runs in the runtime's thread pool (libuv's, Bun's, Deno's). */
function fsyncInBackground(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fsync(fd, (e) => (e ? reject(e) : resolve()));
  });
}

/**
 * After kill(getpid(), sig) the default action normally ends the process
 * before the call returns; should it not (the signal went to another thread
 * and is on its way), wait for it, then exit as a shell reports that signal.
 */
export function afterSelfKill(signal: "SIGABRT" | "SIGSEGV"): never {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  } catch {}
  process.exit(128 + (signal === "SIGABRT" ? 6 : 11));
}

/**
 * What a Companion runs: a shell that checks once a second whether the
 * server is still its parent (a read of /proc and a sleep cost next to
 * nothing), so it ends soon after the server even when no handler of ours
 * could run (SIGKILL). The parent pid, not `kill -0`: a dead server stays a
 * zombie until reaped, and `kill -0` would still find it. Without /proc,
 * `kill -0` is the fallback.
 */
export function companionCommand(parentPid: number): string[] {
  const viaProc = `while read -r _ _ _ p _ < /proc/$$/stat && [ "$p" = ${parentPid} ]; do sleep 1; done`;
  const viaKill = `while kill -0 ${parentPid} 2>/dev/null; do sleep 1; done`;
  return ["/bin/sh", "-c", `if [ -r /proc/$$/stat ]; then ${viaProc}; else ${viaKill}; fi`];
}

/** Linux's signal numbers, for a child's end as Redis logs it ("terminated by signal 9"). */
const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/** A signal as a runtime names it (or numbers it) to its number; null when none. */
export function signalNumber(signal: string | number | null | undefined): number | null {
  if (signal === null || signal === undefined) return null;
  if (typeof signal === "number") return signal;
  return SIGNAL_NUMBERS[signal] ?? null;
}
