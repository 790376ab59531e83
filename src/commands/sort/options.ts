/**
 * SORT's SQL-like options, parsed like Redis's sortCommandGeneric: any
 * order, repeats allowed (the last BY/STORE/LIMIT wins, GETs accumulate),
 * a keyword short of its arguments is a syntax error, and parsing finishes
 * before the key is looked up (so a syntax error beats WRONGTYPE).
 */
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { hasStar } from "./pattern.ts";

export interface SortOptions {
  desc: boolean;
  alpha: boolean;
  /** LIMIT offset and count as given (count -1 = all). */
  offset: number;
  count: number;
  /** The BY pattern, null when absent. */
  by: string | null;
  /** BY a pattern without '*': keep the source's own order. */
  dontSort: boolean;
  gets: string[];
  store: string | null;
}

export function parseSortOptions(argv: string[], readonly: boolean): SortOptions {
  const o: SortOptions = {
    desc: false,
    alpha: false,
    offset: 0,
    count: -1,
    by: null,
    dontSort: false,
    gets: [],
    store: null,
  };
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = asciiLower(argv[j] as string);
    if (opt === "asc") o.desc = false;
    else if (opt === "desc") o.desc = true;
    else if (opt === "alpha") o.alpha = true;
    else if (opt === "limit" && left >= 2) {
      o.offset = intArg(argv[++j] as string);
      o.count = intArg(argv[++j] as string);
    } else if (!readonly && opt === "store" && left >= 1) o.store = argv[++j] as string;
    else if (opt === "by" && left >= 1) {
      o.by = argv[++j] as string;
      // Redis sets this flag on a constant BY but never clears it, so "BY nosort BY w_*" still skips sorting.
      if (!hasStar(o.by)) o.dontSort = true;
    } else if (opt === "get" && left >= 1) o.gets.push(argv[++j] as string);
    else fail(Errors.syntax);
  }
  return o;
}

/**
 * COMMAND GETKEYS for SORT (Redis's sortGetKeys): the source key, then the
 * last STORE's destination. Like Redis, arguments of LIMIT/GET/BY are
 * skipped but STORE's is scanned again as an option name.
 */
export function sortKeys(argv: string[]): number[] {
  const keys = [1];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const opt = asciiLower(argv[i] as string);
    if (opt === "limit") i += 2;
    else if (opt === "store" && i + 1 < argv.length) store = i + 1;
    else if (opt === "get" || opt === "by") i += 1;
  }
  if (store !== -1) keys.push(store);
  return keys;
}
