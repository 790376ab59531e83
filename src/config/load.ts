import { splitInlineArgs } from "../resp/decoder.ts";
import { type Config, ConfigError } from "./config.ts";
import { findParam } from "./params.ts";

/** A fatal config error, printed as Redis prints it before exiting 1. */
export class FatalConfigError extends Error {
  constructor(
    readonly lineNumber: number,
    readonly line: string,
    readonly reason: string,
  ) {
    super(reason);
  }

  /** Redis's banner for a bad config: `*** FATAL CONFIG FILE ERROR (...) ***`. */
  format(version: string): string {
    return [
      "",
      `*** FATAL CONFIG FILE ERROR (Redis ${version}) ***`,
      `Reading the configuration file, at line ${this.lineNumber}`,
      `>>> '${this.line}'`,
      this.reason,
    ].join("\n");
  }
}

/** Quotes an argument like sdscatrepr, so argv values survive the config-text round trip. */
function quote(arg: string): string {
  let out = '"';
  for (let i = 0; i < arg.length; i++) {
    const c = arg.charCodeAt(i);
    const ch = arg[i] as string;
    if (ch === "\\" || ch === '"') out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 32 || c > 126) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Turns `--port 6380 --save ""` into config text, as redis-server does: each
 * `--name` starts a directive and following words are its arguments.
 */
export function argvToConfigText(args: string[]): string {
  const lines: string[] = [];
  let current: string[] | null = null;
  for (const arg of args) {
    if (arg.startsWith("--") && arg.length > 2) {
      if (current) lines.push(current.join(" "));
      current = [arg.slice(2)];
    } else if (current) {
      current.push(quote(arg));
    } else {
      throw new FatalConfigError(1, arg, "Bad directive or wrong number of arguments");
    }
  }
  if (current) lines.push(current.join(" "));
  return lines.join("\n");
}

export type ReadText = (path: string) => string | null;

/**
 * Applies redis.conf text: one directive per line, `#` comments, quoting as
 * in inline commands, `include <path>`. Unknown directives and bad values
 * are fatal with the line they are on.
 */
export function applyConfigText(config: Config, text: string, readText: ReadText, depth = 0): void {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).replace(/\r$/, "");
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const bytes = new Uint8Array(trimmed.length);
    for (let j = 0; j < trimmed.length; j++) bytes[j] = trimmed.charCodeAt(j) & 0xff;
    const argv = splitInlineArgs(bytes, 0, bytes.length);
    if (argv === null) throw new FatalConfigError(i + 1, trimmed, "Unbalanced quotes in configuration line");
    if (argv.length === 0) continue;
    const name = (argv[0] as string).toLowerCase();
    if (name === "include" && argv.length === 2) {
      if (depth > 16) throw new FatalConfigError(i + 1, trimmed, "Too many nested includes");
      const included = readText(argv[1] as string);
      if (included === null) throw new FatalConfigError(i + 1, trimmed, `Fatal error, can't open config file '${argv[1]}'`);
      applyConfigText(config, included, readText, depth + 1);
      continue;
    }
    const spec = findParam(name);
    // `save` and `bind` take several words; everything else takes exactly one.
    const multi = spec?.type === "save" || spec?.type === "list";
    if (!spec || argv.length < 2 || (!multi && argv.length !== 2)) {
      throw new FatalConfigError(i + 1, trimmed, "Bad directive or wrong number of arguments");
    }
    try {
      if (spec.type === "save") applySave(config, argv.slice(1));
      else config.set(spec.name, argv.slice(1).join(" "));
    } catch (e) {
      if (e instanceof ConfigError) throw new FatalConfigError(i + 1, trimmed, e.message);
      throw e;
    }
  }
}

/** `save ""` clears the save points; repeated `save a b` lines accumulate, as in Redis. */
const seenSave = new WeakSet<Config>();
function applySave(config: Config, args: string[]): void {
  if (args.length === 1 && args[0] === "") {
    config.set("save", "");
    seenSave.add(config);
    return;
  }
  const prior = seenSave.has(config) ? config.get("save") : "";
  seenSave.add(config);
  config.set("save", `${prior} ${args.join(" ")}`.trim());
}

/** Loads `[config-file] [--name value ...]` into `config`. */
export function loadConfig(config: Config, args: string[], readText: ReadText): void {
  let rest = args;
  if (rest.length > 0 && !(rest[0] as string).startsWith("--")) {
    const file = rest[0] as string;
    rest = rest.slice(1);
    const text = file === "-" ? "" : readText(file);
    if (text === null) throw new FatalConfigError(0, file, `Fatal error, can't open config file '${file}'`);
    config.file = file;
    applyConfigText(config, text, readText);
  }
  if (rest.length > 0) applyConfigText(config, argvToConfigText(rest), readText);
}
