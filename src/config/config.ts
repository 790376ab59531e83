import { findParam, PARAMS, type ParamSpec } from "./params.ts";

/** Parses Redis memory units: 1k=1000, 1kb=1024, m/mb, g/gb; case-insensitive. NaN if invalid. */
export function parseMemory(s: string): number {
  const m = /^(-?\d+)([kmg]b?|b)?$/i.exec(s);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const unit = (m[2] ?? "").toLowerCase();
  const mult: Record<string, number> = {
    "": 1,
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1000 * 1000,
    mb: 1024 * 1024,
    g: 1000 * 1000 * 1000,
    gb: 1024 * 1024 * 1024,
  };
  return n * (mult[unit] as number);
}

/** Thrown when a value does not fit its parameter; the message is Redis's. */
export class ConfigError extends Error {}

function strictInt(s: string): number {
  return /^-?(0|[1-9]\d*)$/.test(s) ? Number(s) : Number.NaN;
}

/** Validates and normalises `value` for `spec`, returning the form CONFIG GET shows. */
export function normalise(spec: ParamSpec, value: string): string {
  switch (spec.type) {
    case "bool": {
      const v = value.toLowerCase();
      if (v !== "yes" && v !== "no") throw new ConfigError("argument must be 'yes' or 'no'");
      return v;
    }
    case "int":
    case "memory": {
      const n = spec.type === "int" ? strictInt(value) : parseMemory(value);
      if (Number.isNaN(n)) {
        throw new ConfigError(spec.type === "int" ? "argument couldn't be parsed into an integer" : "argument must be a memory value");
      }
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new ConfigError(`argument must be between ${spec.min} and ${spec.max} inclusive`);
      }
      return String(n);
    }
    case "enum": {
      const v = value.toLowerCase();
      if (!spec.enumValues?.includes(v)) {
        throw new ConfigError(`argument(s) must be one of the following: ${spec.enumValues?.join(", ")}`);
      }
      return v;
    }
    case "save": {
      const parts = value.split(/\s+/).filter((p) => p.length > 0);
      if (parts.length % 2 !== 0 || parts.some((p) => Number.isNaN(strictInt(p)) || strictInt(p) < 0)) {
        throw new ConfigError("Invalid save parameters");
      }
      return parts.join(" ");
    }
    case "list":
      return value
        .split(/\s+/)
        .filter((p) => p.length > 0)
        .join(" ");
    default:
      return value;
  }
}

export type ConfigListener = (name: string, value: string) => void;

/** Current configuration values, by canonical parameter name. */
export class Config {
  readonly #values = new Map<string, string>();
  #numbers = new Map<string, number>();
  readonly #listeners: ConfigListener[] = [];
  /** The config file given at start (CONFIG REWRITE writes it back). */
  file = "";

  constructor() {
    for (const p of PARAMS) this.#values.set(p.name, p.default);
  }

  get(name: string): string {
    const v = this.#values.get(name);
    if (v === undefined) throw new Error(`unknown config ${name}`);
    return v;
  }

  /** Numeric value of an int/memory parameter (cached: some are read per connection). */
  num(name: string): number {
    let n = this.#numbers.get(name);
    if (n === undefined) {
      n = Number(this.get(name));
      this.#numbers.set(name, n);
    }
    return n;
  }

  bool(name: string): boolean {
    return this.get(name) === "yes";
  }

  /** Sets a parameter by name or alias, validating it; throws ConfigError. */
  set(name: string, value: string): void {
    const spec = findParam(name);
    if (!spec) throw new ConfigError(`Bad directive or wrong number of arguments`);
    const normalised = normalise(spec, value);
    this.#values.set(spec.name, normalised);
    this.#numbers.delete(spec.name);
    for (const l of this.#listeners) l(spec.name, normalised);
  }

  onChange(listener: ConfigListener): void {
    this.#listeners.push(listener);
  }

  /** All [name, value] pairs in table order. */
  entries(): [string, string][] {
    return PARAMS.map((p) => [p.name, this.#values.get(p.name) as string]);
  }
}
