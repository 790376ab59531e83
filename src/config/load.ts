/**
 * Startup configuration: `respd [redis.conf] [--name value ...]`, read the
 * way redis-server reads it (config.c loadServerConfig): the file's text,
 * then a newline, then the command-line options turned into config lines, all
 * parsed as one text so error line numbers match Redis's.
 */
import { type Config, ConfigError, repr } from "./config.ts";
import { findParam } from "./params.ts";
import { splitConfigLine } from "./split.ts";

/** A fatal config error; Redis prints a banner on stderr (or, for unreadable files, a log line) and exits 1. */
export class FatalConfigError extends Error {
  constructor(
    readonly lineNumber: number,
    readonly line: string,
    readonly reason: string,
    /** Unreadable files are reported as a warning log line, not the banner. */
    readonly logOnly = false,
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

/**
 * Turns `--port 6380 --save ""` into config text as redis-server 7.0's main()
 * does: `--name` starts a line and every other word is appended quoted. A
 * `--word` right after an option name that has no value yet is that option's
 * value (`--port --loglevel verbose` is the line `port "--loglevel" "verbose"`),
 * unless the name came with its value in one argument (`"--maxmemory 1gb"`);
 * a bare `--save` before another option, or last, means `save ""`.
 */
export function argvToConfigText(args: string[]): string {
  let options = "";
  let lastHasValue = true;
  for (let j = 0; j < args.length; j++) {
    const arg = args[j] as string;
    if (lastHasValue && arg.startsWith("--")) {
      if (options.length > 0) options += "\n";
      options += `${arg.slice(2)} `;
      if ((splitConfigLine(arg) ?? []).length !== 1) continue;
      lastHasValue = false;
      if (arg.toLowerCase() === "--save") {
        const next = args[j + 1];
        if (next === undefined || next.startsWith("--")) {
          options += '""';
          lastHasValue = next !== undefined;
        }
      }
    } else {
      options += `${repr(arg)} `;
      lastHasValue = true;
    }
  }
  return options;
}

export type ReadText = (path: string) => string | null;

/** Config lines Redis 7.0 still accepts and ignores. */
const DEPRECATED = new Set(["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"]);

function cantOpen(path: string): FatalConfigError {
  return new FatalConfigError(0, path, `Fatal error, can't open config file '${path}': No such file or directory`, true);
}

/** Per-load state: the first `save` line replaces the default save points, later ones add to them. */
interface LoadState {
  saveSeen: boolean;
  depth: number;
}

/**
 * Applies redis.conf text: one directive per line, `#` comments, quoting as
 * in inline commands, `include <path>`. Unknown directives and bad values are
 * fatal, reported with the line they are on.
 */
export function applyConfigText(config: Config, text: string, readText: ReadText, state: LoadState = { saveSeen: false, depth: 0 }): void {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    if (line === "" || line.startsWith("#")) continue;
    const fatal = (reason: string) => new FatalConfigError(i + 1, line, reason);
    const argv = splitConfigLine(line);
    if (argv === null) throw fatal("Unbalanced quotes in configuration line");
    if (argv.length === 0) continue;
    const name = (argv[0] as string).toLowerCase();
    const spec = findParam(name);
    if (spec) {
      if (!spec.multiArg && argv.length !== 2) throw fatal("wrong number of arguments");
      let values = argv.slice(1);
      // Redis 7 splits a multi-arg option given as one non-empty argument on spaces (`--save "3600 1"`).
      if (spec.multiArg && values.length === 1 && values[0] !== "") values = (values[0] as string).split(" ");
      try {
        if (spec.name === "save") applySave(config, values, state);
        else config.setArgs(spec, values);
      } catch (e) {
        if (e instanceof ConfigError) throw fatal(e.message);
        throw e;
      }
      continue;
    }
    if (DEPRECATED.has(name) && argv.length === 2) continue;
    if (name === "include" && argv.length === 2) {
      const path = argv[1] as string;
      const included = readText(path);
      if (included === null) throw cantOpen(path);
      // Redis has no include depth limit; a cycle would recurse forever, so stop it.
      if (state.depth >= 32) throw fatal("Too many nested includes");
      state.depth++;
      applyConfigText(config, included, readText, state);
      state.depth--;
      continue;
    }
    throw fatal("Bad directive or wrong number of arguments");
  }
}

function applySave(config: Config, args: string[], state: LoadState): void {
  const spec = findParam("save");
  if (!spec) return;
  if (args.length === 1 && args[0] === "") {
    config.setArgs(spec, [""]);
    state.saveSeen = true;
    return;
  }
  const prior = state.saveSeen ? config.get("save") : "";
  state.saveSeen = true;
  // Validate the new pair(s) alone (for the error text), then append.
  config.setArgs(spec, prior === "" ? args : [...prior.split(" "), ...args]);
}

/** Loads `[config-file] [--name value ...]` into `config`. */
export function loadConfig(config: Config, args: string[], readText: ReadText): void {
  let rest = args;
  let text = "";
  if (rest.length > 0 && !(rest[0] as string).startsWith("--")) {
    const file = rest[0] as string;
    rest = rest.slice(1);
    if (file !== "-") {
      const content = readText(file);
      if (content === null) throw cantOpen(file);
      config.file = file;
      text = content;
    }
  }
  if (rest.length > 0) text += `\n${argvToConfigText(rest)}`;
  applyConfigText(config, text, readText);
}
