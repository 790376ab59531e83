/**
 * COMMAND against the real redis-server: every command respd implements must
 * describe itself (COMMAND INFO, COMMAND DOCS) exactly as Redis 7.0 does, and
 * the COMMAND subcommands must reply byte for byte the same.
 */
import { describe, expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call } from "./helpers/raw.ts";
import { type Parsed, parseReply } from "./helpers/resp-parse.ts";
import { requireRedisInCI } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";

/**
 * Commands whose rows are known not to match Redis yet (COMMAND INFO fields).
 * Keep this list honest: the test prints the mismatching fields of each, and
 * notes entries that match again so they can be removed. The lead empties it.
 */
const KNOWN_MISMATCHES: string[] = [
  // CLIENT SETINFO and CLIENT NO-TOUCH are Redis 7.2 subcommands (src/commands/client.ts).
  "client",
];

/** Same, for COMMAND DOCS (summary, since, group, complexity, arguments...). */
const KNOWN_DOC_MISMATCHES: string[] = ["client"];

type R = Parsed;
/** COMMAND replies are RESP2: the shared parser reads them as plain values. */
const parse = parseReply;

const text = (v: R): string => (v !== null && typeof v === "object" && "status" in v ? v.status : JSON.stringify(v));
const words = (v: R | undefined): string[] => (v as R[]).map(text);
const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

interface Mismatch {
  command: string;
  field: string;
  redis: string;
  respd: string;
}

/** Compares two COMMAND INFO entries; subcommands respd lacks are fine (partial families), extra ones are not. */
function compareInfo(redis: R[], respd: R[], out: Mismatch[]): void {
  const name = respd[0] as string;
  const fields: [string, (e: R[]) => unknown][] = [
    ["arity", (e) => e[1]],
    ["flags", (e) => words(e[2]).join(" ")],
    ["first key", (e) => e[3]],
    ["last key", (e) => e[4]],
    ["step", (e) => e[5]],
    ["acl categories", (e) => words(e[6]).join(" ")],
    ["tips", (e) => words(e[7]).join(" ")],
    ["key specs", (e) => JSON.stringify(e[8])],
  ];
  for (const [field, get] of fields) {
    const a = get(redis);
    const b = get(respd);
    if (a !== b) out.push({ command: name, field, redis: show(a), respd: show(b) });
  }
  const redisSubs = new Map((redis[9] as R[][]).map((s) => [s[0] as string, s]));
  for (const sub of respd[9] as R[][]) {
    const ref = redisSubs.get(sub[0] as string);
    if (ref) compareInfo(ref, sub, out);
    else out.push({ command: sub[0] as string, field: "exists", redis: "no such subcommand", respd: "implemented" });
  }
}

/** COMMAND DOCS entries are flat [field, value, ...] arrays in RESP2. */
function compareDocs(name: string, redis: R[], respd: R[], out: Mismatch[]): void {
  const toMap = (e: R[]) => new Map(Array.from({ length: e.length / 2 }, (_, i) => [e[2 * i] as string, e[2 * i + 1] as R]));
  const a = toMap(redis);
  const b = toMap(respd);
  for (const field of new Set([...a.keys(), ...b.keys()])) {
    if (field === "subcommands") continue;
    const x = JSON.stringify(a.get(field) ?? null);
    const y = JSON.stringify(b.get(field) ?? null);
    if (x !== y) out.push({ command: name, field, redis: x, respd: y });
  }
  const redisSubs = toMap((a.get("subcommands") ?? []) as R[]);
  const respdSubs = toMap((b.get("subcommands") ?? []) as R[]);
  for (const [sub, docs] of respdSubs) {
    const ref = redisSubs.get(sub);
    if (ref) compareDocs(sub, ref as R[], docs as R[], out);
    else out.push({ command: sub, field: "exists", redis: "no such subcommand", respd: "implemented" });
  }
}

function table(rows: Mismatch[]): string {
  const clip = (s: string) => (s.length > 100 ? `${s.slice(0, 97)}...` : s);
  const lines = rows.map((r) => [r.command, r.field, clip(r.redis), clip(r.respd)]);
  const header = ["command", "field", "redis 7.0.15", "respd"];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (l: string[]) => l.map((c, i) => c.padEnd(widths[i] as number)).join(" | ");
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...lines.map(fmt)].join("\n");
}

/** Top-level command of a name, for the known-mismatch lists ("client|list" -> "client"). */
const top = (name: string) => name.split("|")[0] as string;

/** Fails on mismatches outside `known`, printing all of them; notes known entries that now match. */
function check(kind: string, rows: Mismatch[], known: string[]): void {
  if (rows.length > 0) console.log(`${kind} mismatches (${rows.length}):\n${table(rows)}`);
  const bad = new Set(rows.map((r) => top(r.command)));
  const stale = known.filter((k) => !bad.has(k));
  if (stale.length > 0) console.log(`${kind}: these known mismatches match now, remove them from the list: ${stale.join(", ")}`);
  const unexpected = rows.filter((r) => !known.includes(top(r.command)));
  expect(unexpected.length === 0 ? "" : `\n${table(unexpected)}`).toBe("");
}

const haveRedis = requireRedisInCI();
let d: Differential;
let respdNames: string[] = [];

const respd = (...args: string[]) => call(d.respdClient, ...args);
const redis = (...args: string[]) => call(d.redisClient, ...args);

describe.skipIf(!haveRedis)("COMMAND vs redis-server", () => {
  withDifferential(async (started) => {
    d = started;
    respdNames = (parse(await respd("COMMAND", "LIST")) as string[]).filter((n) => !n.includes("|"));
  });

  test("COMMAND INFO of every implemented command matches Redis", async () => {
    expect(respdNames).toContain("command");
    const rows: Mismatch[] = [];
    for (const name of respdNames) {
      const a = (parse(await redis("COMMAND", "INFO", name)) as R[])[0] as R[] | null;
      const b = (parse(await respd("COMMAND", "INFO", name)) as R[])[0] as R[];
      if (a === null) rows.push({ command: name, field: "exists", redis: "unknown command", respd: "implemented" });
      else compareInfo(a, b, rows);
    }
    check("COMMAND INFO", rows, KNOWN_MISMATCHES);
  });

  test("COMMAND DOCS of every implemented command matches Redis", async () => {
    const rows: Mismatch[] = [];
    for (const name of respdNames) {
      const a = parse(await redis("COMMAND", "DOCS", name)) as R[];
      const b = parse(await respd("COMMAND", "DOCS", name)) as R[];
      expect(b[0]).toBe(name);
      if (a.length === 0) continue; // unknown to Redis: reported by the INFO test
      compareDocs(name, a[1] as R[], b[1] as R[], rows);
    }
    check("COMMAND DOCS", rows, KNOWN_DOC_MISMATCHES);
  });

  test("COMMAND's own rows reply byte for byte like Redis", async () => {
    for (const sub of ["count", "list", "info", "docs", "getkeys", "getkeysandflags", "help"]) {
      await d.same("COMMAND", "INFO", `command|${sub}`);
      await d.same("COMMAND", "DOCS", `command|${sub}`);
    }
    await d.same("COMMAND", "INFO", "nosuch", "get|x", "command|nosuch", "a|b|c", "");
    await d.same("COMMAND", "DOCS", "nosuch", "command|info", "COMMAND|LIST", "a|b|c");
    await d.same("COMMAND", "HELP");
  });

  test("COMMAND COUNT is at most Redis's and counts top-level commands", async () => {
    const mine = parse(await respd("COMMAND", "COUNT")) as number;
    const theirs = parse(await redis("COMMAND", "COUNT")) as number;
    expect(mine).toBe(respdNames.length);
    expect(mine).toBeLessThanOrEqual(theirs);
    expect(mine).toBeGreaterThan(0);
  });

  test("COMMAND and COMMAND INFO without names describe every command once", async () => {
    const all = parse(await respd("COMMAND")) as R[][];
    expect(all.map((e) => e[0]).sort()).toEqual([...respdNames].sort());
    expect(await respd("COMMAND", "INFO")).toBe(await respd("COMMAND"));
    const get = all.find((e) => e[0] === "command");
    expect(get).toEqual((parse(await respd("COMMAND", "INFO", "command")) as R[][])[0]);
    const docs = parse(await respd("COMMAND", "DOCS")) as R[];
    expect(docs.filter((_, i) => i % 2 === 0).sort()).toEqual([...respdNames].sort());
  });

  test("COMMAND LIST and its filters name only commands Redis has", async () => {
    const all = parse(await respd("COMMAND", "LIST")) as string[];
    const redisAll = new Set(parse(await redis("COMMAND", "LIST")) as string[]);
    expect(all.filter((n) => !redisAll.has(n) && !KNOWN_MISMATCHES.includes(top(n)))).toEqual([]);
    expect(all).toContain("command|getkeys");
    const sorted = async (...args: string[]) => {
      const [a, b] = await d.both(...args);
      return [(parse(a) as string[]).filter((n) => all.includes(n)).sort(), (parse(b) as string[]).filter((n) => redisAll.has(n)).sort()];
    };
    for (const f of [
      ["PATTERN", "command*"],
      ["pattern", "COMMAND|GET[k]EYS*"],
      ["PATTERN", "?et"],
      ["ACLCAT", "connection"],
      ["aclcat", "READ"],
      ["ACLCAT", "nosuch"],
      ["MODULE", "x"],
    ]) {
      const [a, b] = await sorted("COMMAND", "LIST", "FILTERBY", ...f);
      expect({ f, b }).toEqual({ f, b: a });
    }
    for (const bad of [["x"], ["FILTERBY"], ["FILTERBY", "pattern"], ["FILTERBY", "x", "y"], ["FILTERBY", "pattern", "a", "b"]]) {
      await d.same("COMMAND", "LIST", ...bad);
    }
  });

  test("COMMAND GETKEYS and GETKEYSANDFLAGS, errors included", async () => {
    const cases: string[][] = [
      ["SET", "k", "v"],
      ["SET", "k", "v", "GET"],
      ["set", "k", "v", "EX", "10", "get"],
      ["GET", "k"],
      ["MSET", "a", "1", "b", "2"],
      ["MSET", "a", "1", "b"],
      ["MGET", "a", "b", "c"],
      ["EXPIRE", "k", "10"],
      ["DEL", "a", "b"],
      ["RENAME", "a", "b"],
      ["GETEX", "k", "PERSIST"],
      ["OBJECT", "ENCODING", "k"],
      ["ZUNIONSTORE", "d", "2", "a", "b"],
      ["ZUNIONSTORE", "d", "3", "a", "b"],
      ["LMPOP", "2", "a", "b", "LEFT"],
      ["XREAD", "STREAMS", "a", "b", "0", "0"],
      ["BITFIELD", "k", "GET", "u8", "0"],
      ["BITFIELD", "k", "SET", "u8", "0", "1"],
      ["SORT", "k"],
    ];
    let ran = 0;
    for (const c of cases) {
      const name = (c[0] as string).toLowerCase();
      const sub = name === "object" ? `object|${(c[1] as string).toLowerCase()}` : name;
      if (!respdNames.includes(name) || (sub !== name && !(parse(await respd("COMMAND", "LIST")) as string[]).includes(sub))) continue;
      ran++;
      await d.same("COMMAND", "GETKEYS", ...c);
      await d.same("COMMAND", "GETKEYSANDFLAGS", ...c);
    }
    expect(ran).toBeGreaterThanOrEqual(3);
    // Errors: unknown command, no keys, bad arity, and the subcommand's own arity.
    for (const args of [
      ["nosuch", "a"],
      ["command", "nosuch"],
      ["PING", "x"],
      ["command", "list"],
      ["GET", "a", "b"],
      ["SET", "k"],
      ["GET"],
      [],
    ]) {
      await d.same("COMMAND", "GETKEYS", ...args);
      await d.same("COMMAND", "GETKEYSANDFLAGS", ...args);
    }
    await d.same("COMMAND", "COUNT", "x");
    await d.same("COMMAND", "HELP", "x");
    await d.same("COMMAND", "NOSUCH");
  });

  test("RESP3 shapes: sets, maps and nulls", async () => {
    const hello = [await redis("HELLO", "3"), await respd("HELLO", "3")];
    if (hello[1]?.startsWith("-")) {
      console.log("respd has no HELLO yet: RESP3 COMMAND replies not compared");
      await redis("HELLO", "2");
      return;
    }
    try {
      await d.same("COMMAND", "INFO", "command|getkeys", "nosuch");
      await d.same("COMMAND", "DOCS", "command|list", "nosuch");
      await d.same("COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v");
      await d.same("COMMAND", "HELP");
    } finally {
      await redis("HELLO", "2");
      await respd("HELLO", "2");
    }
  });
});
