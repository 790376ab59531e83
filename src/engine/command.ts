import type { Reply, SwitchProtocol } from "../resp/reply.ts";
import type { Blocked } from "./blocking.ts";
import type { Ctx } from "./context.ts";
import type { KeySpec } from "./keys.ts";

/** Redis's command flags (src/commands/*.json "command_flags"), lower-case as COMMAND shows them. */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "module"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "asking"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "no_mandatory_keys"
  | "no_multi"
  | "allow_busy"
  | "sentinel"
  | "no_async_loading";

/** Bit for each flag, so the dispatcher tests flags without string compares. */
export const FLAG_BITS: Record<CommandFlag, number> = {
  write: 1 << 0,
  readonly: 1 << 1,
  denyoom: 1 << 2,
  module: 1 << 3,
  admin: 1 << 4,
  pubsub: 1 << 5,
  noscript: 1 << 6,
  blocking: 1 << 7,
  loading: 1 << 8,
  stale: 1 << 9,
  skip_monitor: 1 << 10,
  skip_slowlog: 1 << 11,
  asking: 1 << 12,
  fast: 1 << 13,
  no_auth: 1 << 14,
  may_replicate: 1 << 15,
  no_mandatory_keys: 1 << 16,
  no_multi: 1 << 17,
  allow_busy: 1 << 18,
  sentinel: 1 << 19,
  no_async_loading: 1 << 20,
};

export function flagBits(flags: readonly CommandFlag[]): number {
  let bits = 0;
  for (const f of flags) bits |= FLAG_BITS[f];
  return bits;
}

/** What a handler may return: a reply, a protocol switch (HELLO), or nothing (CLIENT REPLY OFF). */
export type HandlerResult = Reply | SwitchProtocol | Blocked | typeof NO_REPLY;

/** Returned by handlers whose reply must not be sent (e.g. CLIENT REPLY OFF, QUIT is handled apart). */
export const NO_REPLY: unique symbol = Symbol("no reply");

export type Handler = (ctx: Ctx) => HandlerResult;

/**
 * One row of the command table. Everything the dispatcher, COMMAND, ACL
 * categories and (later) cluster key checks need is data here.
 */
export interface CommandSpec {
  /** Lower-case name; for a subcommand, just the subcommand ("setname"). */
  name: string;
  /** Redis arity: N = exactly N args (name included), -N = at least N. */
  arity: number;
  flags: CommandFlag[];
  /** Key positions: first key index, last key index (-1 = last arg, -2...), step. 0 = no keys. */
  firstKey: number;
  lastKey: number;
  step: number;
  /** ACL categories without the '@' ("string", "fast", "keyspace"...). */
  categories: string[];
  /** COMMAND DOCS fields. */
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  /** Extra doc args are optional; COMMAND DOCS lists what it has. */
  handler: Handler;
  subcommands?: CommandSpec[];
  /** For commands whose keys are not a simple range (e.g. those with numkeys). */
  getKeys?: (argv: string[]) => number[];
  /**
   * Optional COMMAND INFO / DOCS metadata. When a row leaves these out,
   * COMMAND takes them from src/commands/metadata.ts (Redis's own data).
   */
  keySpecs?: KeySpec[];
  tips?: string[];
  docFlags?: string[];
  deprecatedSince?: string;
  replacedBy?: string;
  history?: [version: string, change: string][];
  arguments?: ArgDoc[];
}

/** The COMMAND INFO / DOCS extras a row may declare (see src/commands/metadata.ts). */
export type CommandMeta = Partial<
  Pick<CommandSpec, "keySpecs" | "tips" | "docFlags" | "deprecatedSince" | "replacedBy" | "history" | "arguments">
>;

/** One argument in COMMAND DOCS; fields named and ordered as Redis replies them. */
export interface ArgDoc {
  name: string;
  type: string;
  key_spec_index?: number;
  token?: string;
  summary?: string;
  since?: string;
  deprecated_since?: string;
  /** "optional", "multiple", "multiple_token". */
  flags?: string[];
  /** For "oneof" and "block" arguments. */
  arguments?: ArgDoc[];
}

/** A shorthand to declare a command row with defaults for the rare fields. */
export function command(
  name: string,
  arity: number,
  flags: CommandFlag[],
  keys: [first: number, last: number, step: number],
  categories: string[],
  doc: { summary: string; since: string; group: string; complexity?: string },
  handler: Handler,
  extra: Partial<Pick<CommandSpec, "subcommands" | "getKeys">> = {},
): CommandSpec {
  return {
    name,
    arity,
    flags,
    firstKey: keys[0],
    lastKey: keys[1],
    step: keys[2],
    categories,
    ...doc,
    handler,
    ...extra,
  };
}

/** Argument positions of the keys in `argv` according to the spec. */
export function keyPositions(spec: CommandSpec, argv: string[]): number[] {
  if (spec.getKeys) return spec.getKeys(argv);
  if (spec.firstKey === 0) return [];
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
  const out: number[] = [];
  for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.step || 1) out.push(i);
  return out;
}
