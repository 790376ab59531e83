/**
 * Key specifications (Redis 7's "key_specs"): where a command's keys are in
 * its argv, and what it does to them. COMMAND INFO shows them, COMMAND
 * GETKEYS reads them, and cluster slot checks can later.
 */
import type { CommandSpec } from "./command.ts";

/** How the search for keys starts: at a fixed index, after a keyword, or unknown (null). */
export type BeginSearch = { index: number } | { keyword: string; startfrom: number } | null;

/** How keys are found from there: a range, a count argument (numkeys), or unknown (null). */
export type FindKeys =
  | { lastkey: number; keystep: number; limit: number }
  | { keynumidx: number; firstkey: number; keystep: number }
  | null;

export interface KeySpec {
  notes?: string;
  /** "RO" | "RW" | "OW" | "RM" | "access" | "update" | "insert" | "delete" | "not_key" | "incomplete" | "variable_flags", in that order. */
  flags: string[];
  begin: BeginSearch;
  find: FindKeys;
}

/** A key found in argv, with the flags of the spec that found it. */
export interface KeyRef {
  pos: number;
  flags: string[];
}

/** The spec Redis derives from a legacy first/last/step range. */
export function legacyKeySpecs(spec: Pick<CommandSpec, "firstKey" | "lastKey" | "step">): KeySpec[] {
  if (spec.firstKey === 0) return [];
  const lastkey = spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey;
  return [{ flags: [], begin: { index: spec.firstKey }, find: { lastkey, keystep: spec.step, limit: 0 } }];
}

/** Movable keys: some key cannot be found by a fixed index and range (Redis's CMD_MOVABLE_KEYS). */
export function hasMovableKeys(specs: readonly KeySpec[]): boolean {
  return specs.some((s) => s.begin === null || !("index" in s.begin) || s.find === null || !("lastkey" in s.find));
}

/** True when at least one spec names real keys (Redis's doesCommandHaveKeys for native commands). */
export function specsHaveKeys(specs: readonly KeySpec[]): boolean {
  return specs.some((s) => !s.flags.includes("not_key"));
}

/**
 * Redis's getKeysUsingKeySpecs: every key the specs find, or null when a spec
 * is unknown or the arguments do not fit it (the command's own key finder,
 * or an error, takes over then). Specs flagged not_key are skipped.
 */
export function keysFromSpecs(specs: readonly KeySpec[], argv: readonly string[]): KeyRef[] | null {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const spec of specs) {
    if (spec.flags.includes("not_key")) continue;
    const { begin, find } = spec;
    if (begin === null || find === null) return null;
    let first = 0;
    if ("index" in begin) first = begin.index;
    else {
      // Search forward from startfrom, or backward from the end for a negative startfrom.
      const start = begin.startfrom > 0 ? begin.startfrom : argc + begin.startfrom;
      const end = begin.startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (asciiEqualNoCase(argv[i] as string, begin.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    }
    let last: number;
    let step: number;
    if ("lastkey" in find) {
      step = find.keystep;
      if (find.lastkey >= 0) last = first + find.lastkey;
      else if (find.limit === 0) last = argc + find.lastkey;
      else last = first + (Math.trunc((argc - first) / find.limit) + find.lastkey);
    } else {
      step = find.keystep;
      if (find.keynumidx >= argc - first) return null;
      const n = strictInt(argv[first + find.keynumidx] as string);
      if (n === null || n < 0) return null;
      first += find.firstkey;
      last = first + n - 1;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push({ pos: i, flags: spec.flags });
  }
  return out;
}

/** A base-10 integer with no sign tricks or spaces (Redis's string2ll), small enough to count keys. */
function strictInt(s: string): number | null {
  if (!/^(0|-?[1-9][0-9]{0,17})$/.test(s)) return null;
  return Number(s);
}

function asciiEqualNoCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}
