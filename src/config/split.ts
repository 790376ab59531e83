import { splitInlineArgs } from "../resp/decoder.ts";

/** Splits a config line like sdssplitargs (quotes, escapes); null when quotes are unbalanced. */
export function splitConfigLine(line: string): string[] | null {
  const bytes = new Uint8Array(line.length);
  for (let j = 0; j < line.length; j++) bytes[j] = line.charCodeAt(j) & 0xff;
  return splitInlineArgs(bytes, 0, bytes.length);
}
