/**
 * Pieces the adapters share. Bun, Deno and Node all implement node:fs, so
 * file access is written once here (still inside the runtime boundary).
 */
import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { resolve } from "node:path";
import type { AppendFile } from "./types.ts";

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
        close: () => closeSync(fd),
      };
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
