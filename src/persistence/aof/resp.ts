/**
 * The AOF's command format: RESP multibulk arrays, one per command, read
 * back the way Redis's loadSingleAppendOnlyFile reads them (lines starting
 * with '#' are annotations; a command cut short by the end of the file is a
 * truncation, anything else malformed is a format error).
 */
import { latin1 } from "../../resp/bytes.ts";

/** One command as RESP multibulk, as a byte string. */
export function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const a of argv) out += `$${a.length}\r\n${a}\r\n`;
  return out;
}

export type ParseEnd =
  /** Every command was complete. */
  | { kind: "ok" }
  /** The file ended inside a command; `validUpTo` is the end of the last complete one. */
  | { kind: "truncated"; validUpTo: number }
  /** A malformed command. */
  | { kind: "format" };

/**
 * Walks the commands in `data` from `start`, calling `onCommand` with each
 * command and the offset just after it. `onCommand` may return false to stop.
 */
export function parseCommands(data: Uint8Array, start: number, onCommand: (argv: string[], end: number) => boolean | undefined): ParseEnd {
  let pos = start;
  let validUpTo = start;
  const n = data.length;
  /** Reads a line (without its CR LF); null when the file ends first. */
  const readLine = (): string | null => {
    let i = pos;
    while (i < n && data[i] !== 10) i++;
    if (i >= n) {
      // fgets returns a final unterminated line: the caller then runs out of data.
      if (i === pos) return null;
      const s = latin1(data, pos, i);
      pos = n;
      return s;
    }
    const s = latin1(data, pos, i > pos && data[i - 1] === 13 ? i - 1 : i);
    pos = i + 1;
    return s;
  };
  for (;;) {
    if (pos >= n) return { kind: "ok" };
    const head = readLine();
    if (head === null) return { kind: "ok" };
    if (head.startsWith("#")) continue;
    if (head[0] !== "*") return { kind: "format" };
    if (head.length === 1) return { kind: "truncated", validUpTo };
    const argc = atoi(head.slice(1));
    if (argc < 1) return { kind: "format" };
    const argv: string[] = [];
    for (let j = 0; j < argc; j++) {
      const lenLine = readLine();
      if (lenLine === null) return { kind: "truncated", validUpTo };
      if (lenLine[0] !== "$") return { kind: "format" };
      const len = atoi(lenLine.slice(1));
      if (len < 0 || pos + len + 2 > n) return { kind: "truncated", validUpTo };
      argv.push(latin1(data, pos, pos + len));
      pos += len + 2;
    }
    validUpTo = pos;
    if (onCommand(argv, pos) === false) return { kind: "ok" };
  }
}

/** C's atoi: optional sign and leading digits, 0 when none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}
