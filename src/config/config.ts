import { globMatch } from "../store/glob.ts";
import { ConfigError } from "./errors.ts";
import { allNames, findParam, PARAMS, type ParamSpec } from "./params.ts";
import { SPECIAL } from "./special.ts";
import { parseMemory, parseMemoryBytes } from "./units.ts";

export { ConfigError, parseMemory };

/** string2ll: an optional '-', no leading zeros, no '+', no spaces, within int64. */
function strictInt(s: string): bigint | null {
  if (!/^(0|-?[1-9]\d*)$/.test(s)) return null;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : null;
}

function bounded(spec: ParamSpec, v: bigint, octal = false): bigint {
  const { min, max } = spec;
  if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
    const fmt = (n: bigint | undefined) => (n === undefined ? "" : octal ? n.toString(8) : String(n));
    throw new ConfigError(`argument must be between ${fmt(min)} and ${fmt(max)} inclusive`);
  }
  return v;
}

/**
 * A multi-arg enum is a set of bit flags (Redis's MULTI_ARG enums: the first
 * name is 0, each other a bit): words in any order, repeated or not, and the
 * names in the table's order out (`nosave force now` reads `nosave now force`).
 */
function enumFlags(spec: ParamSpec, args: string[]): string {
  const names = spec.enumValues ?? [];
  let bits = 0;
  for (const a of args) {
    const i = names.indexOf(a.toLowerCase());
    if (i < 0) bits = -1;
    else if (bits >= 0 && i > 0) bits |= 1 << (i - 1);
    if (bits < 0) break;
  }
  if (args.length === 0 || bits < 0) throw new ConfigError(`argument(s) must be one of the following: ${names.join(", ")}`);
  if (bits === 0) return names[0] as string;
  return names.filter((_, i) => i > 0 && (bits & (1 << (i - 1))) !== 0).join(" ");
}

/**
 * Validates the words of a setting for `spec` and returns the canonical form
 * CONFIG GET shows; throws ConfigError with Redis's message. `current` is the
 * value before (some special parameters merge into it).
 */
export function parseValue(spec: ParamSpec, args: string[], current = spec.default): string {
  if (spec.type === "special") return (SPECIAL[spec.name] as (typeof SPECIAL)[string]).parse(args, current);
  if (spec.type === "enum" && spec.multiArg) return enumFlags(spec, args);
  const value = args[0] as string;
  switch (spec.type) {
    case "bool": {
      const v = value.toLowerCase();
      if (v !== "yes" && v !== "no") throw new ConfigError("argument must be 'yes' or 'no'");
      return v;
    }
    case "int": {
      const n = strictInt(value);
      if (n === null) throw new ConfigError("argument couldn't be parsed into an integer");
      let v = bounded(spec, n);
      if (spec.clamp) v = BigInt(Math.min(Math.max(Number(v), spec.clamp[0]), spec.clamp[1]));
      return String(v);
    }
    case "memory": {
      const n = parseMemoryBytes(value);
      if (n === null) throw new ConfigError("argument must be a memory value");
      return String(bounded(spec, n));
    }
    case "memory-percent": {
      const n = parseMemoryBytes(value);
      if (n !== null) return String(bounded(spec, n));
      const pct = value.endsWith("%") && value.length > 1 ? strictInt(value.slice(0, -1)) : null;
      if (pct === null || pct < 0n) throw new ConfigError("argument must be a memory or percent value");
      if (spec.min !== undefined && -pct < spec.min) {
        throw new ConfigError(`percentage argument must be less or equal to ${-spec.min}`);
      }
      return `${pct}%`;
    }
    case "octal": {
      if (!/^[0-7]+$/.test(value)) throw new ConfigError("argument couldn't be parsed as an octal number");
      return bounded(spec, BigInt(`0o${value}`), true).toString(8);
    }
    case "enum": {
      const v = value.toLowerCase();
      if (!spec.enumValues?.includes(v)) {
        throw new ConfigError(`argument(s) must be one of the following: ${spec.enumValues?.join(", ")}`);
      }
      return v;
    }
    default:
      if (spec.name === "dbfilename" && value.includes("/")) throw new ConfigError("dbfilename can't be a path, just a filename");
      if (spec.name === "appendfilename" && value.includes("/")) {
        throw new ConfigError("appendfilename can't be a path, just a filename");
      }
      return value;
  }
}

/** Quotes like sdscatrepr, for config-file lines that must survive a reload byte for byte. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const c = s.charCodeAt(i);
    if (ch === "\\" || ch === '"') out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c === 7) out += "\\a";
    else if (c === 8) out += "\\b";
    else if (c < 32 || c > 126) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

export type ConfigListener = (name: string, value: string) => void;
/** Makes a new value take effect; returns an error text to refuse it (CONFIG SET then rolls back). */
export type ConfigApplier = (value: string) => string | null;

/** Current configuration values, by canonical parameter name. */
export class Config {
  readonly #values = new Map<string, string>();
  readonly #numbers = new Map<string, number>();
  readonly #listeners: ConfigListener[] = [];
  readonly #appliers = new Map<string, ConfigApplier>();
  /** The config file given at start, as an absolute path ("" = none; CONFIG REWRITE refuses). */
  file = "";
  /** File access for CONFIG REWRITE, supplied by the server (unit tests may stub it). */
  io: { read(path: string): string | null; write(path: string, text: string): void } | null = null;

  constructor() {
    for (const p of PARAMS) this.#values.set(p.name, p.default);
  }

  get(name: string): string {
    const v = this.#values.get(name);
    if (v === undefined) {
      const spec = findParam(name);
      if (spec) return this.#values.get(spec.name) as string;
      throw new Error(`unknown config ${name}`);
    }
    return v;
  }

  /** Numeric value of an int/memory parameter (cached: some are read per command). */
  num(name: string): number {
    let n = this.#numbers.get(name);
    if (n === undefined) {
      const v = this.get(name);
      n = findParam(name)?.type === "octal" ? Number.parseInt(v, 8) : Number(v);
      this.#numbers.set(name, n);
    }
    return n;
  }

  bool(name: string): boolean {
    return this.get(name) === "yes";
  }

  /** Sets one parameter by name or alias, CONFIG SET style (multi-word values split on spaces); throws ConfigError. */
  set(name: string, value: string): void {
    const spec = findParam(name);
    if (!spec) throw new ConfigError("Bad directive or wrong number of arguments");
    this.setArgs(spec, spec.multiArg ? value.split(" ") : [value]);
  }

  /** Sets a parameter from already split words (a config-file line). */
  setArgs(spec: ParamSpec, args: string[]): void {
    const value = parseValue(spec, args, this.#values.get(spec.name));
    this.#store(spec.name, value);
  }

  #store(name: string, value: string): boolean {
    if (this.#values.get(name) === value) return false;
    this.#values.set(name, value);
    this.#numbers.delete(name);
    for (const l of this.#listeners) l(name, value);
    return true;
  }

  onChange(listener: ConfigListener): void {
    this.#listeners.push(listener);
  }

  /** Registers what makes `name` take effect at CONFIG SET time (e.g. dir -> chdir). */
  onApply(name: string, applier: ConfigApplier): void {
    this.#appliers.set(name, applier);
  }

  /**
   * CONFIG SET with several pairs, all or nothing. Returns null on success or
   * the whole error text, exactly as Redis words it, with nothing changed.
   */
  setMany(pairs: [string, string][], protectedAllowed: boolean): string | null {
    const specs: ParamSpec[] = [];
    const seen = new Set<string>();
    for (const [name] of pairs) {
      const spec = findParam(name);
      if (!spec) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      let why = "";
      if (!spec.mutable) why = "can't set immutable config";
      else if (spec.protected && !protectedAllowed) why = "can't set protected config";
      else if (seen.has(name.toLowerCase())) why = "duplicate parameter";
      if (why) return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`;
      seen.add(name.toLowerCase());
      specs.push(spec);
    }
    // Validate everything first, so a bad value leaves every parameter as it was.
    const values: string[] = [];
    const staged = new Map<string, string>();
    for (let i = 0; i < pairs.length; i++) {
      const spec = specs[i] as ParamSpec;
      const raw = (pairs[i] as [string, string])[1];
      try {
        const current = staged.get(spec.name) ?? (this.#values.get(spec.name) as string);
        const v = parseValue(spec, spec.multiArg ? raw.split(" ") : [raw], current);
        values.push(v);
        staged.set(spec.name, v);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return `ERR CONFIG SET failed (possibly related to argument '${(pairs[i] as [string, string])[0].toLowerCase()}') - ${e.message}`;
      }
    }
    const old = specs.map((s) => this.#values.get(s.name) as string);
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i] as ParamSpec;
      const applier = this.#appliers.get(spec.name);
      if (applier && values[i] !== old[i]) {
        const err = applier(values[i] as string);
        if (err !== null) {
          for (let j = 0; j < i; j++) this.#store((specs[j] as ParamSpec).name, old[j] as string);
          return `ERR CONFIG SET failed (possibly related to argument '${(pairs[i] as [string, string])[0].toLowerCase()}') - ${err}`;
        }
      }
      this.#store(spec.name, values[i] as string);
    }
    return null;
  }

  /**
   * CONFIG GET: each pattern is either an exact name or alias (reported as
   * typed) or a case-insensitive glob over every name and alias (hidden
   * ones only by exact name, as in Redis). Each parameter is reported once.
   */
  matching(patterns: string[]): [string, string][] {
    const out = new Map<string, string>();
    for (const pattern of patterns) {
      if (!/[[*?]/.test(pattern)) {
        const spec = findParam(pattern);
        if (spec && !out.has(pattern)) out.set(pattern, this.#values.get(spec.name) as string);
        continue;
      }
      for (const [name, spec] of allNames()) {
        if (out.has(name) || spec.hidden) continue;
        if (globMatch(pattern, name, true)) out.set(name, this.#values.get(spec.name) as string);
      }
    }
    return [...out.entries()];
  }

  /** All [name, value] pairs in table order. */
  entries(): [string, string][] {
    return PARAMS.map((p) => [p.name, this.#values.get(p.name) as string]);
  }
}
