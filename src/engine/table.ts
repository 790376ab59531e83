import { type CommandSpec, flagBits } from "./command.ts";

/** A command table row with what the dispatcher derives from it once. */
export interface TableEntry {
  readonly spec: CommandSpec;
  /** "get", or "client|list" for a subcommand: the name stats and errors use. */
  readonly fullName: string;
  readonly bits: number;
  readonly parent: TableEntry | null;
  readonly subcommands: Map<string, TableEntry> | null;
}

function entry(spec: CommandSpec, parent: TableEntry | null): TableEntry {
  const e: TableEntry = {
    spec,
    fullName: parent ? `${parent.spec.name}|${spec.name}` : spec.name,
    bits: flagBits(spec.flags),
    parent,
    subcommands: spec.subcommands ? new Map() : null,
  };
  for (const sub of spec.subcommands ?? []) e.subcommands?.set(sub.name, entry(sub, e));
  return e;
}

/** The declarative command table: dispatch, COMMAND and ACL categories all read it. */
export class CommandTable {
  readonly #byName = new Map<string, TableEntry>();

  constructor(specs: Iterable<CommandSpec>) {
    for (const spec of specs) {
      if (this.#byName.has(spec.name)) throw new Error(`command ${spec.name} declared twice`);
      this.#byName.set(spec.name, entry(spec, null));
    }
  }

  /** Case-insensitive lookup (ASCII only, like Redis's dictSdsKeyCaseCompare). */
  lookup(name: string): TableEntry | undefined {
    return this.#byName.get(name) ?? this.#byName.get(asciiLower(name));
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
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}
