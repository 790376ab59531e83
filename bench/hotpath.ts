/**
 * In-process cost of the per-command JS path, without sockets:
 * decode a pipelined chunk -> execute every command -> encode the replies.
 * Prints ns per command. Usage: bun run bench/hotpath.ts [ping|set|get|incr|issue13|xadd|geosearch|...]
 */

import { ALL_COMMANDS } from "../src/commands/index.ts";
import { Config } from "../src/config/config.ts";
import { NO_REPLY } from "../src/engine/command.ts";
import { Engine } from "../src/engine/engine.ts";
import { CommandTable } from "../src/engine/table.ts";
import { fromLatin1 } from "../src/resp/bytes.ts";
import { RespDecoder } from "../src/resp/decoder.ts";
import { type Outgoing, RespEncoder } from "../src/resp/encoder.ts";
import { loadRuntime } from "../src/runtime/index.ts";

// Installs the runtime's native latin1 codec, as the server does at start.
await loadRuntime();

function mb(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}`;
}

const PIPELINE = 16;
const ROUNDS = Number(process.env.HOTPATH_ROUNDS ?? 200_000);

function run(name: string, make: (i: number) => string, setup: string[][] = []): void {
  // A bare engine: the test engine would also record every propagated command.
  const engine = new Engine(new Config(), new CommandTable(ALL_COMMANDS));
  const client = engine.createClient("127.0.0.1:1", "127.0.0.1:6379", {
    write: () => {},
    backpressure: undefined,
    pendingBytes: 0,
    closeAfterFlush: () => {},
    destroy: () => {},
  });
  if (!client) throw new Error("no client");
  for (const argv of setup) engine.execute(client, argv);
  const chunks = Array.from({ length: 64 }, (_, r) => {
    let s = "";
    for (let i = 0; i < PIPELINE; i++) s += make(r * PIPELINE + i);
    return fromLatin1(s);
  });
  const decoder = new RespDecoder();
  const encoder = new RespEncoder();
  let bytes = 0;
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    const batch = decoder.decode(chunks[r & 63] as Uint8Array);
    const out: Outgoing[] = [];
    for (const cmd of batch) {
      if (!Array.isArray(cmd)) throw new Error("protocol error");
      const reply = engine.execute(client, cmd);
      if (reply !== NO_REPLY) out.push(reply);
    }
    bytes += encoder.encodeBatch(out).length;
  }
  const ns = ((performance.now() - t0) * 1e6) / (ROUNDS * PIPELINE);
  console.log(`${name.padEnd(8)} ${ns.toFixed(0).padStart(5)} ns/command  (${bytes} bytes out)`);
}

const pad = (i: number) => String(i).padStart(12, "0");
// Issue 13's types, shaped as bench/workloads.ts's DATATYPES2 (the geo grid: 100,000 members 0.001° apart).
const GEO_GRID = Array.from({ length: 100 }, (_, row) => [
  "GEOADD",
  "geos",
  ...Array.from({ length: 1000 }, (_, col) => [
    (13 + col / 1000).toFixed(3),
    (52 + row / 1000).toFixed(3),
    `g:${pad(row * 1000 + col)}`,
  ]).flat(),
]);
const BITS = [["SETRANGE", "bc", "0", Array.from({ length: 12_500 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join("")]];
const issue13: [string, (i: number) => string, string[][]?][] = [
  ["xadd", () => mb("XADD", "xs", "*", "f", "v")],
  ["setbit", (i) => mb("SETBIT", "bm", String((i * 618_033) % (1 << 20)), "1")],
  ["bitcount", () => mb("BITCOUNT", "bc"), BITS],
  ["pfadd", (i) => mb("PFADD", "hll", `el:${pad((i * 7919) % 1_000_000)}`)],
  ["pfcount", () => mb("PFCOUNT", "hll"), [["PFADD", "hll", ...Array.from({ length: 5000 }, (_, i) => `el:${i}`)]]],
  ["geoadd", (i) => mb("GEOADD", "geo", `${pad(i % 1_800_000)}e-4`, `${pad((i * 31) % 1_800_000)}e-5`, `m:${pad(i)}`)],
  [
    "geosearch",
    (i) => mb("GEOSEARCH", "geos", "FROMMEMBER", `g:${pad((i * 7919) % 100_000)}`, "BYRADIUS", "200", "m", "ASC", "COUNT", "10"),
    GEO_GRID,
  ],
];

const only = process.argv[2];
const cases: [string, (i: number) => string][] = [
  ["ping", () => mb("PING")],
  ["set", (i) => mb("SET", `key:${String(i % 100000).padStart(12, "0")}`, "xxx")],
  ["get", (i) => mb("GET", `key:${String(i % 100000).padStart(12, "0")}`)],
  ["incr", () => mb("INCR", "counter")],
];
for (const [name, make] of cases) if (!only || only === name) run(name, make);
for (const [name, make, setup] of issue13) if (only === name || only === "issue13") run(name, make, setup);
