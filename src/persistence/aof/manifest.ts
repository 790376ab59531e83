/**
 * The multi-part AOF manifest (Redis 7.0): one line per file,
 * `file <name> seq <n> type <b|h|i>`, base first, then history, then incr.
 * Names needing quotes are written the way sdscatrepr quotes them.
 */
export type AofFileType = "b" | "h" | "i";

export interface AofInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

export interface Manifest {
  base: AofInfo | null;
  history: AofInfo[];
  incrs: AofInfo[];
  /** Highest base / incr sequence numbers used so far. */
  baseSeq: number;
  incrSeq: number;
}

export class ManifestError extends Error {
  constructor(
    message: string,
    readonly line: string | null = null,
    readonly lineNo = 0,
  ) {
    super(message);
  }
}

export function emptyManifest(): Manifest {
  return { base: null, history: [], incrs: [], baseSeq: 0, incrSeq: 0 };
}

export function cloneManifest(m: Manifest): Manifest {
  return {
    base: m.base ? { ...m.base } : null,
    history: m.history.map((i) => ({ ...i })),
    incrs: m.incrs.map((i) => ({ ...i })),
    baseSeq: m.baseSeq,
    incrSeq: m.incrSeq,
  };
}

/** sdsneedsrepr: anything but printable non-space, non-quote bytes. */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 34 || c === 39 || c === 92) return true;
  }
  return s.length === 0;
}

/** sdscatrepr: a double-quoted C-style escaped string. */
function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const c = ch.charCodeAt(0);
    if (ch === "\\" || ch === '"') out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (c >= 32 && c < 127) out += ch;
    else out += `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return `${out}"`;
}

function line(i: AofInfo): string {
  return `file ${needsRepr(i.name) ? repr(i.name) : i.name} seq ${i.seq} type ${i.type}\n`;
}

export function formatManifest(m: Manifest): string {
  let out = "";
  if (m.base) out += line(m.base);
  for (const h of m.history) out += line(h);
  for (const i of m.incrs) out += line(i);
  return out;
}

const HEX = /^[0-9a-fA-F]{2}$/;

/** sdssplitargs: words, "double quoted" with escapes, or 'single quoted'; null on unbalanced quotes. */
export function splitArgs(text: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && /\s/.test(text[i] as string)) i++;
    if (i >= n) return out;
    let cur = "";
    let inDq = false;
    let inSq = false;
    for (;;) {
      const ch = text[i];
      if (inDq) {
        if (ch === undefined) return null;
        if (ch === "\\" && text[i + 1] === "x" && HEX.test(text.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (ch === "\\" && i + 1 < n) {
          i++;
          const e = text[i] as string;
          cur += e === "n" ? "\n" : e === "r" ? "\r" : e === "t" ? "\t" : e === "b" ? "\b" : e === "a" ? "\x07" : e;
        } else if (ch === '"') {
          // A closing quote must be followed by a space or the end.
          if (i + 1 < n && !/\s/.test(text[i + 1] as string)) return null;
          inDq = false;
          i++;
          break;
        } else cur += ch;
      } else if (inSq) {
        if (ch === undefined) return null;
        if (ch === "\\" && text[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (ch === "'") {
          if (i + 1 < n && !/\s/.test(text[i + 1] as string)) return null;
          inSq = false;
          i++;
          break;
        } else cur += ch;
      } else {
        if (ch === undefined || /\s/.test(ch)) break;
        if (ch === '"') inDq = true;
        else if (ch === "'") inSq = true;
        else cur += ch;
      }
      i++;
    }
    out.push(cur);
  }
}

/** Parses a manifest with aofLoadManifestFromFile's checks and error texts. */
export function parseManifest(text: string): Manifest {
  const m = emptyManifest();
  if (text.length === 0) throw new ManifestError("Found an empty AOF manifest");
  const lines = text.split("\n");
  // A final newline leaves one empty element: not a line.
  if (lines[lines.length - 1] === "") lines.pop();
  let maxSeq = 0;
  for (let idx = 0; idx < lines.length; idx++) {
    const raw = lines[idx] as string;
    const lineNo = idx + 1;
    if (raw.startsWith("#")) continue;
    if (raw.length > 1023) throw new ManifestError("The AOF manifest file contains too long line", null, lineNo);
    const trimmed = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    const fail = (msg: string): never => {
      throw new ManifestError(msg, trimmed, lineNo);
    };
    if (trimmed === "") fail("Invalid AOF manifest file format");
    const argv = splitArgs(trimmed);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) fail("Invalid AOF manifest file format");
    let name: string | null = null;
    let seq = 0;
    let type = "";
    const args = argv as string[];
    for (let i = 0; i < args.length; i += 2) {
      const k = (args[i] as string).toLowerCase();
      const v = args[i + 1] as string;
      if (k === "file") {
        name = v;
        if (v.includes("/")) fail("File can't be a path, just a filename");
      } else if (k === "seq") seq = atoll(v);
      else if (k === "type") type = v.slice(0, 1);
    }
    if (!name || !seq || !type) fail("Invalid AOF manifest file format");
    const info = { name: name as string, seq, type: type as AofFileType };
    if (type === "b") {
      if (m.base) fail("Found duplicate base file information");
      m.base = info;
      m.baseSeq = seq;
    } else if (type === "h") m.history.push(info);
    else if (type === "i") {
      if (seq <= maxSeq) fail("Found a non-monotonic sequence number");
      m.incrs.push(info);
      m.incrSeq = seq;
      maxSeq = seq;
    } else fail("Unknown AOF file type");
  }
  return m;
}

/** C's atoll: leading digits, 0 when none. */
function atoll(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}
