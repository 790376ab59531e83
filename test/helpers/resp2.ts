/** Small readers of raw RESP2 replies, and pipelining, for tests that compare replies by content. */
import { encodeCommand, type RawClient } from "./raw.ts";

/** The bulk strings of a RESP2 reply, in order (nested arrays flattened, nils skipped). */
export function bulks(raw: string): string[] {
  const out: string[] = [];
  const re = /\$(\d+)\r\n/g;
  let m: RegExpExecArray | null = re.exec(raw);
  while (m !== null) {
    const start = m.index + m[0].length;
    out.push(raw.slice(start, start + Number(m[1])));
    re.lastIndex = start + Number(m[1]) + 2;
    m = re.exec(raw);
  }
  return out;
}

/** Parses a RESP2 SCAN-family reply whose items hold no CR/LF: [cursor, items]. */
export function parseScan(raw: string): [string, string[]] {
  const lines = raw.split("\r\n");
  const n = Number((lines[3] as string).slice(1));
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(lines[5 + i * 2] as string);
  return [lines[2] as string, items];
}

/** Sends all commands at once and returns the raw replies in order. */
export async function pipeline(c: RawClient, cmds: string[][]): Promise<string[]> {
  c.write(Buffer.concat(cmds.map((a) => encodeCommand(a))));
  const out: string[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await c.readReply());
  return out;
}
