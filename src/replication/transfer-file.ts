/**
 * The replica's files for a disk-based load (repl-diskless-load disabled):
 * the temp file the snapshot is written to as it arrives, then read back a
 * chunk at a time, through the runtime's FileSystem.
 */
import type { FileReader, FileSystem, OpenFile } from "../runtime/types.ts";

/** REPL_MAX_WRITTEN_BEFORE_FSYNC: fsync every 8 MB so the final fsync is short. */
const FSYNC_EVERY = 8 * 1024 * 1024;

/** A file written at its end, fsynced every 8 MB. */
export class TransferFile {
  readonly #file: OpenFile;
  #unsynced = 0;
  #open = true;
  written = 0;

  constructor(
    readonly fs: FileSystem,
    readonly path: string,
  ) {
    this.#file = fs.open(path, true);
  }

  write(bytes: Uint8Array): void {
    this.#file.write(bytes);
    this.written += bytes.length;
    this.#unsynced += bytes.length;
    if (this.#unsynced >= FSYNC_EVERY) {
      this.#file.fsync();
      this.#unsynced = 0;
    }
  }

  /** fsync and close: the file is complete. */
  finish(): void {
    this.#file.fsync();
    this.close();
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#file.close();
  }

  /** Closes and deletes it (a transfer that did not complete). */
  discard(): void {
    this.close();
    try {
      this.fs.remove(this.path);
    } catch {}
  }
}

/** Reads a file front to back in chunks (each returned view is valid until the next call). */
export class ChunkReader {
  readonly #file: FileReader;
  readonly #buf: Uint8Array;
  #open = true;

  constructor(fs: FileSystem, path: string, chunkBytes = 256 * 1024) {
    this.#file = fs.openReader(path);
    this.#buf = new Uint8Array(chunkBytes);
  }

  /** The next chunk, or null at the end of the file. */
  next(): Uint8Array | null {
    const n = this.#file.read(this.#buf);
    return n === 0 ? null : this.#buf.subarray(0, n);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#file.close();
  }
}
