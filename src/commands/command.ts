/**
 * COMMAND and its subcommands: the command table described to clients.
 * Arity, flags, key ranges and categories come from the rows; key specs,
 * tips and the COMMAND DOCS extras from the rows when they declare them,
 * else from Redis's own metadata (./metadata.ts).
 */
import { aclCategories } from "../engine/categories.ts";
import { type ArgDoc, type CommandSpec, command, keyPositions } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { hasMovableKeys, type KeyRef, type KeySpec, keysFromSpecs, legacyKeySpecs, specsHaveKeys } from "../engine/keys.ts";
import type { CommandTable, TableEntry } from "../engine/table.ts";
import { MapReply, type Reply, SetReply, Status } from "../resp/reply.ts";
import { METADATA } from "./metadata.ts";

/** Flags in the order Redis replies them; may_replicate and sentinel are hidden on purpose, as in Redis. */
const SHOWN_FLAGS = [
  "write",
  "readonly",
  "denyoom",
  "module",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "no_auth",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "movablekeys",
  "allow_busy",
];

function keySpecsOf(e: TableEntry): KeySpec[] {
  return e.spec.keySpecs ?? METADATA[e.fullName]?.keySpecs ?? legacyKeySpecs(e.spec);
}

/** Specs from the row or Redis's metadata, not merely derived from the legacy range. */
function hasRealSpecs(e: TableEntry): boolean {
  return e.spec.keySpecs !== undefined || METADATA[e.fullName]?.keySpecs !== undefined;
}

function tipsOf(e: TableEntry): string[] {
  return e.spec.tips ?? METADATA[e.fullName]?.tips ?? [];
}

/** Flags as COMMAND INFO shows them, movablekeys included (derived like Redis's populateCommandMovableKeys). */
export function shownFlags(e: TableEntry): string[] {
  const flags = new Set<string>(e.spec.flags);
  if (hasMovableKeys(keySpecsOf(e)) || (!hasRealSpecs(e) && e.spec.getKeys !== undefined)) flags.add("movablekeys");
  return SHOWN_FLAGS.filter((f) => flags.has(f));
}

const statuses = (items: readonly string[]) => new SetReply(items.map((s) => new Status(s)));

function plainMap(o: Record<string, string | number>): MapReply {
  const entries: Reply[] = [];
  for (const [k, v] of Object.entries(o)) entries.push(k, v);
  return new MapReply(entries);
}

function keySpecReply(s: KeySpec): MapReply {
  const out: Reply[] = [];
  if (s.notes !== undefined) out.push("notes", s.notes);
  out.push("flags", statuses(s.flags));
  const begin = s.begin === null ? "unknown" : "index" in s.begin ? "index" : "keyword";
  out.push("begin_search", new MapReply(["type", begin, "spec", plainMap(s.begin ?? {})]));
  const find = s.find === null ? "unknown" : "lastkey" in s.find ? "range" : "keynum";
  out.push("find_keys", new MapReply(["type", find, "spec", plainMap(s.find ?? {})]));
  return new MapReply(out);
}

/** One COMMAND INFO entry: the ten-element array Redis 7.0 replies. */
export function infoReply(e: TableEntry): Reply[] {
  const s = e.spec;
  const subs = e.subcommands ? [...e.subcommands.values()].map(infoReply) : [];
  return [
    e.fullName,
    s.arity,
    statuses(shownFlags(e)),
    s.firstKey,
    s.lastKey,
    s.step,
    statuses(aclCategories(s).map((c) => `@${c}`)),
    new SetReply(tipsOf(e)),
    new SetReply(keySpecsOf(e).map(keySpecReply)),
    new SetReply(subs),
  ];
}

function argReply(a: ArgDoc): MapReply {
  const out: Reply[] = ["name", a.name, "type", a.type];
  if (a.key_spec_index !== undefined) out.push("key_spec_index", a.key_spec_index);
  if (a.token !== undefined) out.push("token", a.token);
  if (a.summary !== undefined) out.push("summary", a.summary);
  if (a.since !== undefined) out.push("since", a.since);
  if (a.deprecated_since !== undefined) out.push("deprecated_since", a.deprecated_since);
  if (a.flags !== undefined) out.push("flags", statuses(a.flags));
  if (a.arguments !== undefined) out.push("arguments", a.arguments.map(argReply));
  return new MapReply(out);
}

/** One COMMAND DOCS entry, fields in Redis's order. */
export function docsReply(e: TableEntry): MapReply {
  const s = e.spec;
  const m = METADATA[e.fullName] ?? {};
  const out: Reply[] = [];
  if (s.summary) out.push("summary", s.summary);
  if (s.since) out.push("since", s.since);
  out.push("group", s.group);
  if (s.complexity) out.push("complexity", s.complexity);
  const docFlags = s.docFlags ?? m.docFlags;
  if (docFlags?.length) out.push("doc_flags", statuses(docFlags));
  const deprecatedSince = s.deprecatedSince ?? m.deprecatedSince;
  if (deprecatedSince) out.push("deprecated_since", deprecatedSince);
  const replacedBy = s.replacedBy ?? m.replacedBy;
  if (replacedBy) out.push("replaced_by", replacedBy);
  const history = s.history ?? m.history;
  if (history?.length) out.push("history", new SetReply(history.map(([v, d]) => [v, d])));
  const args = s.arguments ?? m.arguments;
  if (args?.length) out.push("arguments", args.map(argReply));
  if (e.subcommands) {
    const subs: Reply[] = [];
    for (const sub of e.subcommands.values()) subs.push(sub.fullName, docsReply(sub));
    out.push("subcommands", new MapReply(subs));
  }
  return new MapReply(out);
}

/**
 * Redis's lookupCommandBySds: "get" or "client|list"; a name with more parts,
 * or a subcommand of a command without subcommands, is not found.
 */
export function lookupByFullName(table: CommandTable, name: string): TableEntry | undefined {
  const parts = name.split("|");
  if (parts.length > 2) return undefined;
  const base = table.lookup(parts[0] as string);
  if (parts.length === 1 || base === undefined) return base;
  return base.subcommands ? table.lookupSub(base, parts[1] as string) : undefined;
}

/** Redis's lookupCommand on an argv: the subcommand when the base has subcommands and one is given. */
function lookupArgv(table: CommandTable, argv: string[]): TableEntry | undefined {
  const base = table.lookup(argv[0] as string);
  if (base === undefined || argv.length === 1 || base.subcommands === null) return base;
  return table.lookupSub(base, argv[1] as string);
}

/**
 * GETKEYS, like getKeysFromCommandWithSpecs: the key specs when they settle
 * it, else the command's own key finder (Redis's getkeys_proc).
 */
function findKeys(e: TableEntry, argv: string[]): KeyRef[] | null {
  const specs = keySpecsOf(e);
  const real = hasRealSpecs(e);
  // An incomplete spec (MIGRATE's KEYS) makes Redis's getKeysUsingKeySpecs give up for the command's own finder.
  const variable = specs.some((s) => s.flags.includes("variable_flags") || s.flags.includes("incomplete"));
  // A row's own key finder beats a spec guessed from its legacy range.
  if ((real || e.spec.getKeys === undefined) && specsHaveKeys(specs) && !variable) {
    const found = keysFromSpecs(specs, argv);
    if (found !== null) return found;
    // Arguments that contradict fully known specs (a bad numkeys) are invalid, as in Redis.
    if (real && !e.spec.getKeys && !hasUnknownSpecs(specs)) return null;
  }
  if (!e.spec.getKeys && real && !variable) {
    // Without its own finder a command with unknown specs (SORT's STORE) gets the keys the known specs find.
    const known = keysFromSpecs(
      specs.filter((s) => s.begin !== null && s.find !== null),
      argv,
    );
    return known?.length ? known : null;
  }
  const positions = e.spec.getKeys ? e.spec.getKeys(argv) : keyPositions(e.spec, argv);
  if (positions.length === 0) return null;
  const flags = variableKeyFlags(e.fullName, argv) ?? specs[0]?.flags ?? [];
  // Redis's sortGetKeys flags its STORE target itself (its key spec is "unknown").
  if (e.fullName === "sort") return positions.map((pos, i) => ({ pos, flags: i === 0 ? flags : ["OW", "update"] }));
  return positions.map((pos) => ({ pos, flags }));
}

const hasUnknownSpecs = (specs: readonly KeySpec[]) => specs.some((s) => s.begin === null || s.find === null);

/** The per-call key flags of the commands whose spec says variable_flags (Redis's setGetKeys, bitfieldGetKeys). */
function variableKeyFlags(name: string, argv: string[]): string[] | null {
  if (name === "set") {
    const hasGet = argv.slice(3).some((a) => a.length === 3 && a.toLowerCase() === "get");
    return hasGet ? ["RW", "access", "update"] : ["OW", "update"];
  }
  if (name === "bitfield") {
    for (let i = 2; i < argv.length; i++) {
      const rest = argv.length - i - 1;
      const a = (argv[i] as string).toLowerCase();
      if (a === "get" && rest >= 2) i += 2;
      else if (a === "overflow" && rest >= 1) i += 1;
      else return ["RW", "access", "update"];
    }
    return ["RO", "access"];
  }
  return null;
}

function getKeys(ctx: Ctx, withFlags: boolean): Reply {
  const table = ctx.engine.commands;
  const argv = ctx.argv.slice(2);
  const e = lookupArgv(table, argv);
  if (e === undefined) fail("ERR Invalid command specified");
  if (!specsHaveKeys(keySpecsOf(e)) && e.spec.getKeys === undefined) fail("ERR The command has no key arguments");
  const arity = e.spec.arity;
  if ((arity > 0 && arity !== argv.length) || argv.length < -arity) fail("ERR Invalid number of arguments specified for command");
  const keys = findKeys(e, argv);
  if (keys === null) {
    if (e.spec.flags.includes("no_mandatory_keys")) return [];
    fail("ERR Invalid arguments specified for command");
  }
  return keys.map((k) => (withFlags ? [argv[k.pos] as string, statuses(k.flags)] : (argv[k.pos] as string)));
}

/** Redis's stringmatchlen with nocase: *, ?, [...] (with ^ and ranges) and \ escapes. */
export function globMatchNoCase(pattern: string, s: string): boolean {
  const p = pattern.toLowerCase();
  const t = s.toLowerCase();
  const match = (pi: number, si: number): boolean => {
    while (pi < p.length) {
      const c = p[pi] as string;
      if (c === "*") {
        while (p[pi + 1] === "*") pi++;
        if (pi + 1 === p.length) return true;
        for (let k = si; k <= t.length; k++) if (match(pi + 1, k)) return true;
        return false;
      }
      if (si >= t.length) return false;
      if (c === "?") {
        pi++;
        si++;
        continue;
      }
      if (c === "[") {
        pi++;
        const not = p[pi] === "^";
        if (not) pi++;
        let hit = false;
        while (pi < p.length && p[pi] !== "]") {
          if (p[pi] === "\\" && pi + 1 < p.length) {
            pi++;
            if (p[pi] === t[si]) hit = true;
          } else if (p[pi + 1] === "-" && pi + 2 < p.length && p[pi + 2] !== "]") {
            let lo = p[pi] as string;
            let hi = p[pi + 2] as string;
            if (lo > hi) [lo, hi] = [hi, lo];
            if ((t[si] as string) >= lo && (t[si] as string) <= hi) hit = true;
            pi += 2;
          } else if (p[pi] === t[si]) hit = true;
          pi++;
        }
        if (hit === not) return false;
        pi++;
        si++;
        continue;
      }
      const lit = c === "\\" && pi + 1 < p.length ? (p[++pi] as string) : c;
      if (lit !== t[si]) return false;
      pi++;
      si++;
    }
    return si === t.length;
  };
  return match(0, 0);
}

function list(ctx: Ctx): Reply {
  let filter: (e: TableEntry) => boolean = () => true;
  const argv = ctx.argv;
  for (let i = 2; i < argv.length; i += 3) {
    if ((argv[i] as string).toLowerCase() !== "filterby" || argv.length - 1 - i !== 2) fail(Errors.syntax);
    const type = (argv[i + 1] as string).toLowerCase();
    const arg = argv[i + 2] as string;
    // FILTERBY must be the last three arguments, so there is at most one. No modules: MODULE matches nothing.
    if (type === "module") filter = () => false;
    else if (type === "aclcat") filter = (e) => aclCategories(e.spec).includes(arg.toLowerCase());
    else if (type === "pattern") filter = (e) => globMatchNoCase(arg, e.fullName);
    else fail(Errors.syntax);
  }
  const out: string[] = [];
  const visit = (e: TableEntry) => {
    if (filter(e)) out.push(e.fullName);
    if (e.subcommands) for (const sub of e.subcommands.values()) visit(sub);
  };
  for (const e of ctx.engine.commands.all()) visit(e);
  return out;
}

const HELP = [
  "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command.",
  "HELP",
  "    Prints this help.",
];

const allInfo = (ctx: Ctx): Reply => [...ctx.engine.commands.all()].map(infoReply);

const doc = (summary: string, since: string, complexity: string) => ({ summary, since, group: "server", complexity });
const CATS = ["slow", "connection"];
const FLAGS: CommandSpec["flags"] = ["loading", "stale"];
const N_COMMANDS = "O(N) where N is the total number of Redis commands";
const N_LOOKUP = "O(N) where N is the number of commands to look up";
const N_ARGS = "O(N) where N is the number of arguments to the command";

export const commandCommands: CommandSpec[] = [
  command(
    "command",
    -1,
    ["loading", "stale", "sentinel"],
    [0, 0, 0],
    CATS,
    doc("Get array of Redis command details", "2.8.13", N_COMMANDS),
    allInfo,
    {
      subcommands: [
        command(
          "count",
          2,
          FLAGS,
          [0, 0, 0],
          CATS,
          doc("Get total number of Redis commands", "2.8.13", "O(1)"),
          (ctx) => ctx.engine.commands.size,
        ),
        command("list", -2, FLAGS, [0, 0, 0], CATS, doc("Get an array of Redis command names", "7.0.0", N_COMMANDS), list),
        command(
          "info",
          -2,
          FLAGS,
          [0, 0, 0],
          CATS,
          doc("Get array of specific Redis command details, or all when no argument is given.", "2.8.13", N_LOOKUP),
          (ctx) => {
            if (ctx.argv.length === 2) return allInfo(ctx);
            return ctx.argv.slice(2).map((n) => {
              const e = lookupByFullName(ctx.engine.commands, n);
              return e ? infoReply(e) : null;
            });
          },
        ),
        command("docs", -2, FLAGS, [0, 0, 0], CATS, doc("Get array of specific Redis command documentation", "7.0.0", N_LOOKUP), (ctx) => {
          const table = ctx.engine.commands;
          const entries: Reply[] = [];
          // Unknown names are left out, not replied as nil.
          const found = ctx.argv.length === 2 ? [...table.all()] : ctx.argv.slice(2).map((n) => lookupByFullName(table, n));
          for (const e of found) if (e) entries.push(e.fullName, docsReply(e));
          return new MapReply(entries);
        }),
        command("getkeys", -4, FLAGS, [0, 0, 0], CATS, doc("Extract keys given a full Redis command", "2.8.13", N_ARGS), (ctx) =>
          getKeys(ctx, false),
        ),
        command(
          "getkeysandflags",
          -4,
          FLAGS,
          [0, 0, 0],
          CATS,
          doc("Extract keys and access flags given a full Redis command", "7.0.0", N_ARGS),
          (ctx) => getKeys(ctx, true),
        ),
        command("help", 2, FLAGS, [0, 0, 0], CATS, doc("Show helpful text about the different subcommands", "5.0.0", "O(1)"), () =>
          HELP.map((l) => new Status(l)),
        ),
      ],
    },
  ),
];
