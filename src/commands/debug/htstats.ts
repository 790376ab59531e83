/**
 * DEBUG HTSTATS and HTSTATS-KEY: Redis's dictGetStats text. The keyspace
 * figures are respd's real table (its buckets and chains). respd keeps
 * expiry times as a column of that table, not as a second table, so the
 * "Expires HT" block counts the keys with a TTL in the keyspace's buckets.
 * For a value's own table (HTSTATS-KEY) the chains are those of a table of
 * respd's kind sized for the value (the smallest power of two holding it),
 * hashed with respd's hash function.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { parseInt64 } from "../../engine/numbers.ts";
import { type Reply, Verbatim } from "../../resp/reply.ts";
import { hashString } from "../../store/dict.ts";
import { HashValue } from "../../store/hash.ts";
import { SetValue } from "../../store/set.ts";
import { isStringValue } from "../../store/values.ts";
import { ZSet } from "../../store/zset.ts";

/** DICT_STATS_VECTLEN: chains this long or longer share the last counter (which is never printed). */
const VECTLEN = 50;

/** C's %.02f of a float. */
const f2 = (x: number) => Math.fround(x).toFixed(2);

/** _dictGetStatsHt for hash table 0, from the number of entries in each bucket. */
export function statsText(chains: Int32Array): string {
  let used = 0;
  for (const n of chains) used += n;
  const head = "Hash table 0 stats (main hash table):\n";
  if (used === 0) return `${head}No stats available for empty dictionaries\n`;
  const vector = new Array<number>(VECTLEN).fill(0);
  let slots = 0;
  let max = 0;
  let total = 0;
  for (const n of chains) {
    if (n === 0) {
      vector[0] = (vector[0] as number) + 1;
      continue;
    }
    slots++;
    const i = Math.min(n, VECTLEN - 1);
    vector[i] = (vector[i] as number) + 1;
    if (n > max) max = n;
    total += n;
  }
  let out =
    head +
    ` table size: ${chains.length}\n number of elements: ${used}\n different slots: ${slots}\n max chain length: ${max}\n` +
    ` avg chain length (counted): ${f2(total / slots)}\n avg chain length (computed): ${f2(used / slots)}\n Chain length distribution:\n`;
  for (let i = 0; i < VECTLEN - 1; i++) {
    const n = vector[i] as number;
    if (n !== 0) out += `   ${i}: ${n} (${f2((n / chains.length) * 100)}%)\n`;
  }
  return out;
}

/** DEBUG HTSTATS <dbid> */
export function debugHtstats(ctx: Ctx, arg: string): Reply {
  const id = parseInt64(arg);
  if (id === null) fail(Errors.notInteger);
  const db = ctx.engine.dbs[Number(id)];
  if (id < 0n || db === undefined) fail("ERR Out of range database");
  const t = db.table;
  const main = statsText(t.chainLengths());
  const expires = statsText(t.chainLengths((s) => (t.expireAt[s] as number) !== 0));
  return new Verbatim("txt", `[Dictionary HT]\n${main}[Expires HT]\n${expires}`);
}

/** The members a value keeps in a hash table, or null when its encoding has none (listpack, intset, strings, lists). */
function tableMembers(v: unknown): string[] | null {
  if (v instanceof HashValue && v.encoding() === "hashtable") {
    const out: string[] = [];
    v.each((f) => out.push(f));
    return out;
  }
  if (v instanceof SetValue && v.encoding() === "hashtable") return v.toArray();
  if (v instanceof ZSet && !v.compact) {
    const sl = v.list.list;
    const out: string[] = [];
    for (let id = sl.first; id !== 0; id = sl.next(id)) out.push(sl.members[id] as string);
    return out;
  }
  return null;
}

/** DEBUG HTSTATS-KEY <key> */
export function debugHtstatsKey(ctx: Ctx, key: string): Reply {
  const v = ctx.db.lookup(key, ctx.now, false);
  if (v === undefined) fail(Errors.noSuchKey);
  const members = isStringValue(v) ? null : tableMembers(v);
  if (members === null) fail("ERR The value stored at the specified key is not represented using an hash table");
  let buckets = 4;
  while (buckets < members.length) buckets *= 2;
  const chains = new Int32Array(buckets);
  for (const m of members) {
    const b = hashString(m) & (buckets - 1);
    chains[b] = (chains[b] as number) + 1;
  }
  return new Verbatim("txt", statsText(chains));
}
