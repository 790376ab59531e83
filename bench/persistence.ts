/**
 * Persistence (issue 4): the same generated mix of keys (bench/dataset.ts)
 * loaded into each server, then the wall clock of `SAVE` and the size of
 * dump.rdb; then the server restarts on its own file and we time how long
 * until PING answers +PONG rather than -LOADING, next to the same server's
 * start on an empty directory, and check DBSIZE and a few values.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuntimeName } from "../test/helpers/server.ts";
import { mixedBatch, spotChecks } from "./dataset.ts";
import { pipelineLoad, rawCommand } from "./loader.ts";
import { type BenchServer, cpuSeconds, rssBytes, serverCommand, spawnServer } from "./procs.ts";

export interface PersistenceResult {
  server: string;
  keys: number;
  loadSeconds: number;
  rssLoaded: number;
  saveSeconds: number;
  saveCpuSeconds: number;
  fileBytes: number;
  /** Spawn to first +PONG with an empty directory: the fixed cost of starting. */
  emptyStartSeconds: number;
  /** Spawn to first +PONG with the saved file. */
  startSeconds: number;
  error?: string;
}

export interface PersistenceConfig {
  keys: number;
  runtime: RuntimeName;
  core?: string;
  /** Bound for loading the keys, for SAVE, and for a start. */
  budgetMs: number;
}

/**
 * Starts a server on `dir` and polls PING every 5 ms until +PONG; returns the
 * server and the seconds from spawn to that reply. Bounded by `budgetMs`.
 */
async function startTimed(kind: "redis" | "respd", cfg: PersistenceConfig, dir: string): Promise<{ server: BenchServer; seconds: number }> {
  const { cmd, args, port } = await serverCommand(kind, cfg.runtime);
  const t0 = performance.now();
  const server = spawnServer(kind, cmd, args, port, cfg.core, dir);
  let last = "no answer";
  while (performance.now() - t0 < cfg.budgetMs) {
    if (!server.running()) throw new Error(`${kind} exited while starting:\n${server.log().slice(-2000)}`);
    try {
      last = await rawCommand(port, "PING", cfg.budgetMs);
      if (last === "+PONG\r\n") return { server, seconds: (performance.now() - t0) / 1000 };
      if (!last.startsWith("-LOADING")) break;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await server.stop();
  throw new Error(`${kind} not ready after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${last.trim()}`);
}

async function check(server: BenchServer, keys: number): Promise<void> {
  const size = await rawCommand(server.port, "DBSIZE");
  if (size !== `:${keys}\r\n`) throw new Error(`DBSIZE ${JSON.stringify(size)}, expected ${keys}`);
  for (const [command, want] of spotChecks(keys)) {
    const got = await rawCommand(server.port, command);
    if (got !== want) throw new Error(`${command}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The whole cycle for one server; a failing step ends it and is reported,
 * figures measured so far are kept. `dir` (removed by the caller) keeps the file.
 */
async function cycle(kind: "redis" | "respd", cfg: PersistenceConfig, dir: string): Promise<PersistenceResult> {
  const r: PersistenceResult = {
    server: kind,
    keys: cfg.keys,
    loadSeconds: Number.NaN,
    rssLoaded: Number.NaN,
    saveSeconds: Number.NaN,
    saveCpuSeconds: Number.NaN,
    fileBytes: Number.NaN,
    emptyStartSeconds: Number.NaN,
    startSeconds: Number.NaN,
  };
  let server: BenchServer | null = null;
  let step = "start";
  try {
    const empty = await startTimed(kind, cfg, dir);
    server = empty.server;
    r.emptyStartSeconds = empty.seconds;

    step = "load";
    let t0 = performance.now();
    let replies = "";
    const build = (from: number, to: number) => {
      const b = mixedBatch(from, to);
      replies = b.replies;
      return b.commands;
    };
    await pipelineLoad(server.port, cfg.keys, build, () => replies, cfg.budgetMs);
    await check(server, cfg.keys);
    r.loadSeconds = (performance.now() - t0) / 1000;
    r.rssLoaded = rssBytes(server.pid);
    console.error(`  ${kind}: loaded ${cfg.keys} mixed keys in ${r.loadSeconds.toFixed(1)} s`);

    step = "SAVE";
    const cpu0 = cpuSeconds(server.pid);
    t0 = performance.now();
    const saved = await rawCommand(server.port, "SAVE", cfg.budgetMs);
    r.saveSeconds = (performance.now() - t0) / 1000;
    r.saveCpuSeconds = cpuSeconds(server.pid) - cpu0;
    if (saved !== "+OK\r\n") throw new Error(`SAVE replied ${JSON.stringify(saved.trim())}`);
    r.fileBytes = statSync(join(dir, "dump.rdb")).size;
    console.error(`  ${kind}: SAVE ${r.saveSeconds.toFixed(2)} s, ${(r.fileBytes / 1e6).toFixed(1)} MB`);

    // `--save ""`: stopping does not save again, so the restart reads the file SAVE wrote.
    await server.stop();
    server = null;
    step = "restart";
    const loaded = await startTimed(kind, cfg, dir);
    server = loaded.server;
    r.startSeconds = loaded.seconds;
    step = "check after restart";
    await check(server, cfg.keys);
    console.error(`  ${kind}: ready on its file after ${r.startSeconds.toFixed(2)} s`);
  } catch (e) {
    r.error = `${step}: ${message(e)}`.slice(0, 300);
    console.error(`  ${kind}: ${r.error}`);
  } finally {
    await server?.stop();
  }
  return r;
}

export interface CrossLoad {
  seconds: number;
  error?: string;
}

/** Both cycles, then respd started on the file Redis wrote (the format is the spec). */
export async function persistenceWorkload(cfg: PersistenceConfig): Promise<{ results: PersistenceResult[]; cross: CrossLoad }> {
  const dirs = { redis: "", respd: "" };
  try {
    const results: PersistenceResult[] = [];
    for (const kind of ["redis", "respd"] as const) {
      dirs[kind] = mkdtempSync(join(tmpdir(), `bench-persist-${kind}-`));
      results.push(await cycle(kind, cfg, dirs[kind]));
    }
    let cross: CrossLoad = { seconds: Number.NaN, error: "redis did not save" };
    if (Number.isFinite(results[0]!.fileBytes)) {
      let server: BenchServer | null = null;
      try {
        const started = await startTimed("respd", cfg, dirs.redis);
        server = started.server;
        cross = { seconds: started.seconds };
        await check(server, cfg.keys);
        console.error(`  respd: ready on redis's file after ${started.seconds.toFixed(2)} s`);
      } catch (e) {
        cross = { ...cross, error: message(e).slice(0, 300) };
        console.error(`  respd on redis's file: ${cross.error}`);
      } finally {
        await server?.stop();
      }
    }
    return { results, cross };
  } finally {
    for (const d of Object.values(dirs)) if (d) rmSync(d, { recursive: true, force: true });
  }
}
