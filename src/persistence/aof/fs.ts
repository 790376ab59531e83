/**
 * The file operations the AOF needs, behind an interface so unit tests can
 * run the manager on a temp dir and the runtime boundary stays in one place.
 * Bun, Deno and Node all implement node:fs, so one implementation serves all.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from "node:fs";

/** An open file written at its end. */
export interface AofFile {
  write(bytes: Uint8Array): void;
  fsync(): void;
  close(): void;
  readonly size: number;
}

export interface AofFs {
  exists(path: string): boolean;
  isDir(path: string): boolean;
  mkdir(path: string): void;
  read(path: string): Uint8Array | null;
  size(path: string): number;
  /** Opens for appending (creating it); `truncate` empties it first. */
  open(path: string, truncate?: boolean): AofFile;
  rename(from: string, to: string): void;
  remove(path: string): void;
  truncate(path: string, length: number): void;
  list(dir: string): string[];
  /** fsync of a directory, so renames and new files in it survive a crash. */
  syncDir(path: string): void;
}

export interface AofIo extends AofFs {
  log(level: "notice" | "warning" | "verbose", text: string): void;
  /** Ends the process (a fatal load error, a write error under appendfsync always). */
  exit(code: number): never;
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

export function nodeAofFs(): AofFs {
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
        close: () => closeSync(fd),
        get size() {
          return size;
        },
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
