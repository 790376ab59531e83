import { type CommandSpec, flagBits } from "./command.ts";
import type { CommandStat } from "./stats.ts";

/** A command table row with what the dispatcher derives from it once. */
export interface TableEntry {
  readonly spec: CommandSpec;
  /** "get", or "client|list" for a subcommand: the name stats and errors use. */
  readonly fullName: string;
  readonly bits: number;
  readonly parent: TableEntry | null;
  readonly subcommands: Map<string, TableEntry> | null;
  /** The INFO commandstats row, cached here to skip a map lookup per call (see Stats.generation). */
  stat: CommandStat | null;
  statGeneration: number;
}

function entry(spec: CommandSpec, parent: TableEntry | null): TableEntry {
  const e: TableEntry = {
    spec,
    fullName: parent ? `${parent.spec.name}|${spec.name}` : spec.name,
    bits: flagBits(spec.flags),
    parent,
    subcommands: spec.subcommands ? new Map() : null,
    stat: null,
    statGeneration: -1,
  };
  for (const sub of spec.subcommands ?? []) e.subcommands?.set(sub.name, entry(sub, e));
  return e;
}

/** The declarative command table: dispatch, COMMAND and ACL categories all read it. */
export class CommandTable {
  readonly #byName = new Map<string, TableEntry>();
  /** Other spellings seen on the wire ("SET", "Get") -> entry, so case folding happens once per spelling. */
  readonly #spellings = new Map<string, TableEntry>();
  #lastName = "";
  #lastEntry: TableEntry | undefined = undefined;

  constructor(specs: Iterable<CommandSpec>) {
    for (const spec of specs) {
      if (this.#byName.has(spec.name)) throw new Error(`command ${spec.name} declared twice`);
      const e = entry(spec, null);
      this.#byName.set(spec.name, e);
      // Clients send upper case (redis-cli, node-redis, redis-benchmark) or lower case (ioredis): one lookup for both.
      this.#spellings.set(spec.name, e);
      this.#spellings.set(spec.name.toUpperCase(), e);
    }
  }

  /** Case-insensitive lookup (ASCII only, like Redis's dictSdsKeyCaseCompare). */
  lookup(name: string): TableEntry | undefined {
    // Pipelines repeat one command: the same interned name string skips the Map.
    if (name === this.#lastName) return this.#lastEntry;
    const hit = this.#spellings.get(name);
    if (hit !== undefined) {
      this.#lastName = name;
      this.#lastEntry = hit;
    }
    if (hit !== undefined || name.length > 32) return hit;
    const found = this.#byName.get(asciiLower(name));
    // Only real command names are remembered, and only so many, so junk input cannot grow the map.
    if (found !== undefined && this.#spellings.size < 8192) this.#spellings.set(name, found);
    return found;
  }

  /** A subcommand of `parent` by name, case-insensitively. */
  lookupSub(parent: TableEntry, name: string): TableEntry | undefined {
    return parent.subcommands?.get(name) ?? parent.subcommands?.get(asciiLower(name));
  }

  get size(): number {
    return this.#byName.size;
  }

  all(): IterableIterator<TableEntry> {
    return this.#byName.values();
  }
}

export function asciiLower(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}
