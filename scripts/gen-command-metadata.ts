/**
 * Regenerates src/commands/metadata.ts from a running Redis 7.0.x:
 *   bun scripts/gen-command-metadata.ts <port>
 * It keeps only what rows do not declare themselves: key specs, tips and the
 * COMMAND DOCS extras (history, doc flags, arguments). Arity, flags, key
 * ranges and categories stay in the rows, where the COMMAND INFO test checks them.
 */
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

type V = string | number | null | V[] | { set: V[] } | { map: [V, V][] } | { status: string };

function parse(buf: Buffer, at: number): [V, number] | null {
  const nl = buf.indexOf("\r\n", at);
  if (nl < 0) return null;
  const t = String.fromCharCode(buf[at] as number);
  const line = buf.subarray(at + 1, nl).toString("latin1");
  let p = nl + 2;
  switch (t) {
    case "+":
      return [{ status: line }, p];
    case "-":
      throw new Error(line);
    case ":":
      return [Number(line), p];
    case "_":
      return [null, p];
    case "$": {
      const n = Number(line);
      if (n < 0) return [null, p];
      if (buf.length < p + n + 2) return null;
      return [buf.subarray(p, p + n).toString("latin1"), p + n + 2];
    }
    case "*":
    case "~":
    case "%": {
      const n = Number(line) * (t === "%" ? 2 : 1);
      const items: V[] = [];
      for (let i = 0; i < n; i++) {
        const r = parse(buf, p);
        if (!r) return null;
        items.push(r[0]);
        p = r[1];
      }
      if (t === "~") return [{ set: items }, p];
      if (t === "%") {
        const map: [V, V][] = [];
        for (let i = 0; i < items.length; i += 2) map.push([items[i] as V, items[i + 1] as V]);
        return [{ map }, p];
      }
      return [items, p];
    }
  }
  throw new Error(`type ${t}`);
}

function request(port: number, cmds: string[][]): Promise<V[]> {
  const enc = (a: string[]) => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join("")}`;
  return new Promise((res, rej) => {
    const s = connect({ port, host: "127.0.0.1" }, () => s.write(cmds.map(enc).join("")));
    let buf = Buffer.alloc(0);
    s.on("error", rej);
    s.on("data", (d) => {
      buf = Buffer.concat([buf, d as Buffer]);
      const out: V[] = [];
      let p = 0;
      for (let i = 0; i < cmds.length; i++) {
        const r = parse(buf, p);
        if (!r) return;
        out.push(r[0]);
        p = r[1];
      }
      s.destroy();
      res(out);
    });
  });
}

const entries = (v: V): [string, V][] => (v as { map: [V, V][] }).map as [string, V][];
const obj = (v: V): Record<string, V> => Object.fromEntries(entries(v));
const strs = (v: V): string[] =>
  ((v as { set: V[] }).set ?? (v as V[])).map((x) => (typeof x === "object" && x && "status" in x ? x.status : (x as string)));

function keySpec(v: V): unknown {
  const o = obj(v);
  const bs = obj(o.begin_search as V);
  const bsSpec = obj(bs.spec as V);
  const fk = obj(o.find_keys as V);
  const fkSpec = obj(fk.spec as V);
  const out: Record<string, unknown> = {};
  if (o.notes !== undefined) out.notes = o.notes;
  out.flags = strs(o.flags as V);
  out.begin = bs.type === "unknown" ? null : bsSpec;
  out.find = fk.type === "unknown" ? null : fkSpec;
  if (bs.type !== "unknown" && bs.type !== "index" && bs.type !== "keyword") throw new Error(`begin ${bs.type}`);
  if (fk.type !== "unknown" && fk.type !== "range" && fk.type !== "keynum") throw new Error(`find ${fk.type}`);
  return out;
}

const ARG_FIELDS = ["name", "type", "key_spec_index", "token", "summary", "since", "deprecated_since", "flags", "arguments"];
function arg(v: V): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, val] of entries(v)) {
    if (!ARG_FIELDS.includes(k)) throw new Error(`unexpected argument field ${k}`);
    out[k] = k === "flags" ? strs(val) : k === "arguments" ? (val as V[]).map(arg) : val;
  }
  return out;
}

const meta: Record<string, Record<string, unknown>> = {};
function addInfo(info: V[]): void {
  const name = info[0] as string;
  const m: Record<string, unknown> = {};
  const tips = strs(info[7] as V);
  if (tips.length) m.tips = tips;
  m.keySpecs = ((info[8] as { set: V[] }).set ?? (info[8] as V[])).map(keySpec);
  meta[name] = m;
  for (const sub of (info[9] as { set: V[] }).set ?? (info[9] as V[])) addInfo(sub as V[]);
}

const DOC_FIELDS = [
  "summary",
  "since",
  "group",
  "complexity",
  "doc_flags",
  "deprecated_since",
  "replaced_by",
  "history",
  "arguments",
  "subcommands",
];
function addDocs(name: string, v: V): void {
  const m = meta[name];
  if (!m) throw new Error(`docs for unknown ${name}`);
  for (const [k, val] of entries(v)) {
    if (!DOC_FIELDS.includes(k)) throw new Error(`unexpected doc field ${k}`);
    if (k === "doc_flags") m.docFlags = strs(val);
    else if (k === "deprecated_since") m.deprecatedSince = val;
    else if (k === "replaced_by") m.replacedBy = val;
    else if (k === "history") m.history = (val as { set: V[] }).set;
    else if (k === "arguments") m.arguments = (val as V[]).map(arg);
    else if (k === "subcommands") for (const [sub, d] of entries(val)) addDocs(sub as string, d);
  }
}

const port = Number(process.argv[2] ?? 6379);
const [, all, docs] = await request(port, [["HELLO", "3"], ["COMMAND"], ["COMMAND", "DOCS"]]);
for (const info of all as V[]) addInfo(info as V[]);
for (const [name, d] of entries(docs as V)) addDocs(name as string, d);

const names = Object.keys(meta).sort();
const body = names.map((n) => `  ${JSON.stringify(n)}: ${JSON.stringify(meta[n])},`).join("\n");
const out = `// biome-ignore-all format: generated data, one command per line
// Generated by scripts/gen-command-metadata.ts from redis-server 7.0.15 (COMMAND, COMMAND DOCS): facts, not code.
// Regenerate instead of editing by hand.
import type { CommandMeta } from "../engine/command.ts";

/** Key specs, tips and COMMAND DOCS extras of every Redis command, by full name ("get", "client|list"). */
export const METADATA: Record<string, CommandMeta> = {
${body}
};
`;
writeFileSync(join(import.meta.dir, "../src/commands/metadata.ts"), out);
console.log(`${names.length} commands`);
