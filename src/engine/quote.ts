const NAMED: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x07": "\\a", "\b": "\\b" };

/** Quotes a byte string like Redis's sdscatrepr (MONITOR lines, CLIENT LIST is unquoted). */
export function quoteArg(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const named = NAMED[ch];
    if (named !== undefined) out += named;
    else {
      const c = s.charCodeAt(i);
      out += c >= 32 && c < 127 ? ch : `\\x${c.toString(16).padStart(2, "0")}`;
    }
  }
  return `${out}"`;
}
