/**
 * Parameters whose values are not one scalar: each codec turns the words of
 * a config line (or a CONFIG SET value split on spaces) into the canonical
 * form CONFIG GET shows, and that form back into config-file lines for
 * CONFIG REWRITE. Error texts are Redis 7.0's.
 */
import { ConfigError } from "./errors.ts";
import { formatMemory, parseMemoryBytes } from "./units.ts";

export interface SpecialCodec {
  /** Canonical value from the words; `current` is the value before (obuf merges into it). */
  parse(args: string[], current: string): string;
  /** Config-file lines for `value`; `force` when it differs from the default. */
  lines(name: string, value: string, def: string): { lines: string[]; force: boolean };
}

const save: SpecialCodec = {
  parse(args) {
    // A single empty argument (save "") removes every save point.
    if (args.length === 1 && args[0] === "") return "";
    if (args.length % 2 !== 0) throw new ConfigError("Invalid save parameters");
    for (const a of args) if (!/^-?\d+$/.test(a) || Number(a) < 0) throw new ConfigError("Invalid save parameters");
    return args.map((a) => String(Number(a))).join(" ");
  },
  lines(name, value) {
    if (value === "") return { lines: [`${name} ""`], force: true };
    const w = value.split(" ");
    const out: string[] = [];
    for (let i = 0; i < w.length; i += 2) out.push(`${name} ${w[i]} ${w[i + 1]}`);
    return { lines: out, force: true };
  },
};

const bind: SpecialCodec = {
  parse(args) {
    if (args.length > 16) throw new ConfigError("Too many bind addresses specified.");
    if (args.length === 1 && args[0] === "") return "";
    return args.join(" ");
  },
  lines(name, value, def) {
    return { lines: [`${name} ${value === "" ? '""' : value}`], force: value !== def };
  },
};

const OBUF_CLASSES = ["normal", "slave", "pubsub"];

/** `<class> <hard> <soft> <seconds>` groups; classes not named keep their current limits. */
const clientOutputBufferLimit: SpecialCodec = {
  parse(args, current) {
    if (args.length % 4 !== 0) throw new ConfigError("Wrong number of arguments in buffer limit configuration.");
    const now = current.split(" ");
    const limits = new Map<string, string[]>();
    for (let i = 0; i < now.length; i += 4) limits.set(now[i] as string, now.slice(i + 1, i + 4));
    for (let i = 0; i < args.length; i += 4) {
      let cls = (args[i] as string).toLowerCase();
      if (cls === "replica") cls = "slave";
      if (!OBUF_CLASSES.includes(cls)) {
        throw new ConfigError("Invalid client class specified in buffer limit configuration.");
      }
      const hard = parseMemoryBytes(args[i + 1] as string);
      const soft = parseMemoryBytes(args[i + 2] as string);
      const secs = args[i + 3] as string;
      if (hard === null || soft === null || !/^\d+$/.test(secs)) {
        throw new ConfigError("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
      }
      limits.set(cls, [String(hard), String(soft), String(Number(secs))]);
    }
    return OBUF_CLASSES.map((c) => `${c} ${(limits.get(c) as string[]).join(" ")}`).join(" ");
  },
  lines(name, value, def) {
    const w = value.split(" ");
    const d = def.split(" ");
    const out: string[] = [];
    let force = false;
    for (let i = 0; i < w.length; i += 4) {
      const differs = w.slice(i, i + 4).join(" ") !== d.slice(i, i + 4).join(" ");
      force ||= differs;
      const cls = w[i] === "slave" ? "replica" : w[i];
      out.push(`${name} ${cls} ${formatMemory(BigInt(w[i + 1] as string))} ${formatMemory(BigInt(w[i + 2] as string))} ${w[i + 3]}`);
    }
    return { lines: out, force };
  },
};

/** Keyspace event classes: A is g$lshzxetd (not m or n); K and E pick the channels. */
const NOTIFY_ALL = "g$lshzxetd";
const notifyKeyspaceEvents: SpecialCodec = {
  parse(args) {
    if (args.length !== 1) throw new ConfigError("wrong number of arguments");
    const flags = new Set<string>();
    for (const c of args[0] as string) {
      if (c === "A") for (const a of NOTIFY_ALL) flags.add(a);
      else if ("g$lshzxeKEtmdn".includes(c)) flags.add(c);
      else throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    }
    let out = "";
    // Redis 7.0 prints `n` only without `A` (so `An` reads back as `A`), and before K and E.
    if ([...NOTIFY_ALL].every((c) => flags.has(c))) out = "A";
    else for (const c of `${NOTIFY_ALL}n`) if (flags.has(c)) out += c;
    for (const c of "KEm") if (flags.has(c)) out += c;
    return out;
  },
  lines(name, value) {
    return { lines: [`${name} "${value}"`], force: value !== "" };
  },
};

const replicaof: SpecialCodec = {
  parse(args) {
    // A multi-arg directive given as one argument (`--replicaof "host port"`) is split on spaces, as in Redis.
    if (args.length === 1) args = (args[0] as string).split(" ").filter((a) => a !== "");
    if (args.length !== 2) throw new ConfigError("wrong number of arguments");
    const [host, port] = args as [string, string];
    if (host.toLowerCase() === "no" && port.toLowerCase() === "one") return "";
    const p = /^-?\d+$/.test(port) ? Number(port) : Number.NaN;
    if (!(p >= 0 && p <= 65535)) throw new ConfigError("Invalid master port");
    return `${host} ${p}`;
  },
  lines(name, value) {
    return value === "" ? { lines: [], force: false } : { lines: [`${name} ${value}`], force: true };
  },
};

const oomScoreAdjValues: SpecialCodec = {
  parse(args) {
    if (args.length !== 3) throw new ConfigError("wrong number of arguments");
    for (const a of args) {
      const n = /^-?\d+$/.test(a) ? Number(a) : Number.NaN;
      if (!(n >= -2000 && n <= 2000)) throw new ConfigError("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
    }
    return args.map(Number).join(" ");
  },
  lines(name, value, def) {
    return { lines: [`${name} ${value}`], force: value !== def };
  },
};

const latencyPercentiles: SpecialCodec = {
  parse(args) {
    if (args.length === 1 && args[0] === "") return "";
    const out: string[] = [];
    for (const a of args) {
      const n = a.trim() === "" ? Number.NaN : Number(a);
      if (Number.isNaN(n)) throw new ConfigError("Invalid latency-tracking-info-percentiles parameters");
      if (n < 0 || n > 100) throw new ConfigError("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
      out.push(String(n));
    }
    return out.join(" ");
  },
  lines(name, value) {
    return { lines: [`${name} ${value === "" ? '""' : value}`], force: true };
  },
};

export const SPECIAL: Record<string, SpecialCodec> = {
  save,
  bind,
  "client-output-buffer-limit": clientOutputBufferLimit,
  "notify-keyspace-events": notifyKeyspaceEvents,
  replicaof,
  "oom-score-adj-values": oomScoreAdjValues,
  "latency-tracking-info-percentiles": latencyPercentiles,
};
