/**
 * The file operations the AOF needs: the runtime's FileSystem (the adapters
 * implement it inside src/runtime/), plus logging and exit, so unit tests can
 * run the manager on a temp dir.
 */
import type { FileSystem, OpenFile } from "../../runtime/types.ts";

/** An open file written at its end. */
export type AofFile = OpenFile;

export type AofFs = FileSystem;

export interface AofIo extends AofFs {
  log(level: "notice" | "warning" | "verbose", text: string): void;
  /** Ends the process (a fatal load error, a write error under appendfsync always). */
  exit(code: number): never;
}
