/**
 * Issue 13's stream workloads that redis-benchmark cannot run: consuming with
 * XREADGROUP + XACK (the ack needs the IDs just read), and the memory of one
 * stream of 1,000,000 entries.
 *
 * Consuming: `connections` sockets, each with its own stream xg:<c> and group g
 * preloaded (unmeasured) with entries of explicit IDs 1-0, 2-0, ... So the j-th
 * `XREADGROUP GROUP g c COUNT n STREAMS xg:<c> >` on a socket returns entries
 * j·n+1 .. j·n+n, and the `XACK xg:<c> g <those IDs>` after it can be sent in the
 * same pipeline: at -P 16 a write holds 8 read+ack pairs, at -P 1 each command
 * waits for its reply. Every reply is compared byte for byte with the one
 * expected. A request is one command, as for redis-benchmark. SETBIT runs the
 * same way (see setbits).
 */
import type { Socket } from "node:net";
import { open, pipelineLoad, rawCommand, readExactly } from "./loader.ts";

/** How many connections run scripts, how many commands in all, and how many go in one write. */
export interface ScriptedConfig {
  connections: number;
  /** Commands (for XREADGROUP+XACK, each of the two counts one). */
  requests: number;
  pipeline: number;
  timeoutMs: number;
}

export type Measure = (run: () => Promise<void>) => Promise<void>;
export interface ScriptedResult {
  rps: number;
  requests: number;
  error?: string;
}

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const command = (args: string[]) => `*${args.length}\r\n${args.map(bulk).join("")}`;
const streamKey = (c: number) => `xg:${c}`;
const entryId = (i: number) => `${i + 1}-0`;

/** Fresh streams with `entries` entries each (`f` -> `v`) and a group g at the start; not measured. */
export async function prepareStreams(port: number, connections: number, entries: number): Promise<void> {
  const del = await rawCommand(port, `DEL ${Array.from({ length: connections }, (_, c) => streamKey(c)).join(" ")}`);
  if (!del.startsWith(":")) throw new Error(`DEL: ${del.trim()}`);
  const total = connections * entries;
  await pipelineLoad(
    port,
    total,
    (from, to) => {
      let s = "";
      for (let i = from; i < to; i++) s += command(["XADD", streamKey(i % connections), entryId(Math.floor(i / connections)), "f", "v"]);
      return Buffer.from(s, "latin1");
    },
    (from, to) => {
      let s = "";
      for (let i = from; i < to; i++) s += bulk(entryId(Math.floor(i / connections)));
      return s;
    },
  );
  await pipelineLoad(
    port,
    connections,
    (from, to) =>
      Buffer.from(
        Array.from({ length: to - from }, (_, k) => command(["XGROUP", "CREATE", streamKey(from + k), "g", "0"])).join(""),
        "latin1",
      ),
    "+OK\r\n",
  );
}

/** One connection's requests: `[command, expected reply]` in order. */
function script(c: number, pairs: number, count: number): [string, string][] {
  const key = streamKey(c);
  const out: [string, string][] = [];
  const entry = (id: string) => `*2\r\n${bulk(id)}*2\r\n${bulk("f")}${bulk("v")}`;
  for (let j = 0; j < pairs; j++) {
    const ids = Array.from({ length: count }, (_, k) => entryId(j * count + k));
    out.push([
      command(["XREADGROUP", "GROUP", "g", `c${c}`, "COUNT", String(count), "STREAMS", key, ">"]),
      `*1\r\n*2\r\n${bulk(key)}*${count}\r\n${ids.map(entry).join("")}`,
    ]);
    out.push([command(["XACK", key, "g", ...ids]), `:${count}\r\n`]);
  }
  return out;
}

async function runSteps(sock: Socket, steps: [string, string][], pipeline: number, timeoutMs: number): Promise<void> {
  for (let i = 0; i < steps.length; i += pipeline) {
    const batch = steps.slice(i, i + pipeline);
    const want = batch.map((s) => s[1]).join("");
    sock.write(batch.map((s) => s[0]).join(""));
    const got = await readExactly(sock, () => want.length, timeoutMs);
    if (got.length !== want.length || got.toString("latin1") !== want) {
      throw new Error(`unexpected reply: ${JSON.stringify(got.subarray(0, 120).toString("latin1"))}`);
    }
  }
}

/**
 * Runs one script of `[command, expected reply]` per connection, all at once,
 * `pipeline` commands a write, every reply checked. Scripts and sockets are
 * made before `measure` wraps the timed part (the caller reads the server's CPU
 * around it). Requests per second: first write to last reply.
 */
export async function runScripted(
  port: number,
  scripts: [string, string][][],
  cfg: ScriptedConfig,
  measure: Measure,
): Promise<ScriptedResult> {
  const requests = scripts.reduce((n, s) => n + s.length, 0);
  try {
    const socks = await Promise.all(scripts.map(() => open(port)));
    let seconds = 0;
    try {
      await measure(async () => {
        const t0 = performance.now();
        await Promise.all(socks.map((s, c) => runSteps(s, scripts[c]!, cfg.pipeline, cfg.timeoutMs)));
        seconds = (performance.now() - t0) / 1000;
      });
    } finally {
      for (const s of socks) s.destroy();
    }
    return { rps: requests / seconds, requests };
  } catch (e) {
    return { rps: Number.NaN, requests, error: e instanceof Error ? e.message : String(e) };
  }
}

/** XREADGROUP COUNT `count` + XACK as described at the top: prepares the streams (not measured), then runs the scripts. */
export async function consume(port: number, cfg: ScriptedConfig & { count: number }, measure: Measure): Promise<ScriptedResult> {
  const pairs = Math.ceil(cfg.requests / cfg.connections / 2);
  try {
    await prepareStreams(port, cfg.connections, pairs * cfg.count);
  } catch (e) {
    return { rps: Number.NaN, requests: 0, error: e instanceof Error ? e.message : String(e) };
  }
  const scripts = Array.from({ length: cfg.connections }, (_, c) => script(c, pairs, cfg.count));
  return runScripted(port, scripts, cfg, measure);
}

const SETBIT_BITS = 1 << 20;

/**
 * SETBIT at offsets no request repeats (a permutation of [0, 2^20) walked from
 * the start, on a fresh key), so every reply is :0 and the bitmap grows alike
 * on both servers, to at most 128 KB. redis-benchmark cannot do this: its
 * __rand_int__ is zero padded, which neither server takes as a bit offset.
 */
export async function setbits(port: number, cfg: ScriptedConfig, measure: Measure): Promise<ScriptedResult> {
  const per = Math.ceil(cfg.requests / cfg.connections);
  const del = await rawCommand(port, "DEL bm");
  if (per * cfg.connections > SETBIT_BITS || !del.startsWith(":")) {
    return { rps: Number.NaN, requests: 0, error: `setbits: DEL bm ${del.trim()}; at most ${SETBIT_BITS} requests` };
  }
  const scripts = Array.from({ length: cfg.connections }, (_, c) =>
    Array.from({ length: per }, (_, j): [string, string] => [
      command(["SETBIT", "bm", String(((c * per + j) * 618_033) % SETBIT_BITS), "1"]),
      ":0\r\n",
    ]),
  );
  return runScripted(port, scripts, cfg, measure);
}

/** `XADD <key> * f val:%012d` for the loader: one 16-byte value per entry, auto IDs as a producer would use. */
function xaddCommands(key: string, from: number, to: number): Buffer {
  let s = "";
  const head = `*5\r\n$4\r\nXADD\r\n${bulk(key)}$1\r\n*\r\n$1\r\nf\r\n$16\r\n`;
  for (let i = from; i < to; i++) s += `${head}val:${String(i).padStart(12, "0")}\r\n`;
  return Buffer.from(s, "latin1");
}

/**
 * Loads `entries` entries into one stream, 10,000 pipelined XADDs a write. Auto
 * IDs make the replies unpredictable, so each batch waits for one reply line
 * pair (`$n` and the ID) per command and refuses any error.
 */
export async function loadStream(port: number, key: string, entries: number): Promise<void> {
  const sock = await open(port);
  try {
    for (let from = 0; from < entries; from += 10_000) {
      const to = Math.min(entries, from + 10_000);
      const lines = 2 * (to - from);
      sock.write(xaddCommands(key, from, to));
      const got = await readExactly(sock, (b) => {
        let n = 0;
        for (let i = b.indexOf("\r\n"); i >= 0; i = b.indexOf("\r\n", i + 2)) if (++n === lines) return i + 2;
        return 0;
      });
      const text = got.toString("latin1");
      if (text.startsWith("-") || text.includes("\r\n-")) throw new Error(`XADD failed: ${text.slice(0, 120)}`);
    }
  } finally {
    sock.destroy();
  }
  const len = await rawCommand(port, `XLEN ${key}`);
  if (len !== `:${entries}\r\n`) throw new Error(`XLEN ${JSON.stringify(len)} after ${entries} XADDs`);
}
