/**
 * Loading the dataset at startup (Redis's loadDataFromDisk): dump.rdb when
 * appendonly is no, the AOF otherwise. The listener is already up, so the
 * load runs a slice per event-loop turn and clients meanwhile get
 * `-LOADING` for every command not flagged `loading`. A truncated or
 * corrupt file stops the server (exit 1) before anything can overwrite it.
 */

import { extendInfo } from "../commands/info.ts";
import { FLAG_BITS } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import { turn } from "../engine/turns.ts";
import { restoreReplication } from "../replication/rdb-info.ts";
import { ErrorReply } from "../resp/reply.ts";
import type { Database } from "../store/database.ts";
import { KeyDelay } from "./key-delay.ts";
import { RdbError, SHORT_READ } from "./rdb/constants.ts";
import { limitsFrom } from "./rdb/decode.ts";
import { RdbLoader, type RdbSink } from "./rdb/file.ts";
import { type SaveLog, type Saver, saverOf } from "./saver.ts";

export const LOADING_ERROR = "LOADING Redis is loading the dataset in memory";

/**
 * What the AOF helper provides: loads the AOF (manifest, base and incr
 * files) into the engine. It may be async; while it runs clients get LOADING.
 */
export interface AofStartup {
  /** `between` is to run between slices of the load (progress, key-load-delay, serving clients). */
  load(between: (loadedBytes: number, totalBytes: number, commands: number) => Promise<void>): Promise<void> | void;
}

export interface StartupHost {
  readFile(path: string): Uint8Array | null;
  log: SaveLog;
  exit(code: number): never;
  /** Set by the AOF helper; used when appendonly is yes. */
  aof?: AofStartup | null;
}

interface LoadingState {
  active: boolean;
  /** A swapdb load in the background: the old data is served meanwhile. */
  async: boolean;
  startedAt: number;
  totalBytes: number;
  loadedBytes: number;
  rdbUsedMem: number;
  keysLoaded: number;
  keysExpired: number;
}

const states = new WeakMap<Engine, LoadingState>();
const LOADING = FLAG_BITS.loading;

function stateOf(engine: Engine): LoadingState {
  let s = states.get(engine);
  if (!s) {
    s = { active: false, async: false, startedAt: 0, totalBytes: 0, loadedBytes: 0, rdbUsedMem: 0, keysLoaded: 0, keysExpired: 0 };
    states.set(engine, s);
    const state = s;
    // Redis's processCommand: while loading, only commands flagged `loading` run (EXEC: all its queue must be).
    engine.gates.unshift((ctx: Ctx) => {
      if (!state.active) return undefined;
      const c = ctx.cmd;
      const denied =
        (c.bits & LOADING) === 0 || (c.spec.name === "exec" && ctx.client.multiCommands.some(([q]) => (q.bits & LOADING) === 0));
      return denied ? new ErrorReply(LOADING_ERROR) : undefined;
    });
  }
  return s;
}

/** A load is under way: at startup, or a replica's (including a swapdb load that serves the old data meanwhile). */
export function isLoading(engine: Engine): boolean {
  const s = states.get(engine);
  return s !== undefined && (s.active || s.async);
}

extendInfo("persistence", (engine) => {
  const s = states.get(engine);
  if (!s) return [];
  const fields: [string, string | number][] = [
    ["loading", s.active ? 1 : 0],
    ["async_loading", s.async ? 1 : 0],
    ["rdb_last_load_keys_expired", s.keysExpired],
    ["rdb_last_load_keys_loaded", s.keysLoaded],
  ];
  if (s.active) {
    // Redis's formulas, including their +1s (and a negative ETA when the size was unknown).
    const elapsed = Math.floor((Date.now() - s.startedAt) / 1000);
    const perc = (s.loadedBytes / (s.totalBytes + 1)) * 100;
    const eta = elapsed === 0 ? 1 : Math.floor((elapsed * (s.totalBytes - s.loadedBytes)) / (s.loadedBytes + 1));
    fields.push(
      ["loading_start_time", Math.floor(s.startedAt / 1000)],
      ["loading_total_bytes", s.totalBytes],
      ["loading_rdb_used_mem", s.rdbUsedMem],
      ["loading_loaded_bytes", s.loadedBytes],
      ["loading_loaded_perc", perc.toFixed(2)],
      ["loading_eta_seconds", eta],
    );
  }
  return fields;
});

/** Replication facts an RDB carries (Redis's rdbSaveInfo): -1 / null when absent. */
export interface RdbReplInfo {
  replid: string | null;
  offset: number;
  streamDb: number;
}

export interface LoadStats {
  expired: number;
  /** With `keepExpiredNames`: the keys dropped as expired, [db, key] (a master's startup feeds their DELs to its backlog). */
  expiredKeys: [number, string][];
  empty: number;
  repl: RdbReplInfo;
}

/**
 * The sink rdbLoad feeds: keys into `dbs` (refusing duplicates and dbs past
 * `databases`), the AUX fields Redis logs, the replication AUX fields noted.
 * A master drops keys whose TTL passed (`dropExpired`); a replica keeps them
 * for its master's DEL.
 */
export function datasetSink(
  dbs: readonly Database[],
  log: SaveLog,
  opts: { dropExpired: boolean; now: number; replace?: boolean; keepExpiredNames?: boolean },
): { sink: RdbSink; stats: LoadStats } {
  const { now, dropExpired } = opts;
  const replace = opts.replace === true;
  const stats: LoadStats = { expired: 0, expiredKeys: [], empty: 0, repl: { replid: null, offset: -1, streamDb: -1 } };
  const sink: RdbSink = {
    aux(k, v) {
      if (k === "redis-ver") log.notice(`Loading RDB produced by version ${v}`);
      else if (k === "ctime") log.notice(`RDB age ${Math.floor(now / 1000) - Number(v)} seconds`);
      else if (k === "used-mem") log.notice(`RDB memory usage when created ${(Number(v) / (1024 * 1024)).toFixed(2)} Mb`);
      else if (k === "repl-stream-db") stats.repl.streamDb = Number.parseInt(v, 10) || 0;
      else if (k === "repl-id") stats.repl.replid = v.length === 40 ? v : null;
      else if (k === "repl-offset") stats.repl.offset = Number.parseInt(v, 10);
    },
    key(id, key, value, expireAt, meta) {
      const db = dbs[id] as Database | undefined;
      if (db === undefined) {
        throw new RdbError(
          `FATAL: Data file was created with a Redis server configured to handle more than ${dbs.length} databases. Exiting`,
        );
      }
      if (dropExpired && expireAt !== -1 && expireAt < now) {
        stats.expired++;
        if (opts.keepExpiredNames === true) stats.expiredKeys.push([id, key]);
        return;
      }
      if (replace) {
        // DEBUG RELOAD MERGE (Redis's RDBFLAGS_ALLOW_DUP): the loaded key wins.
        db.delete(key);
        db.add(key, value, now, expireAt);
      } else if (!db.add(key, value, now, expireAt)) throw new RdbError(`RDB has duplicated key '${key}' in DB ${id}`);
      if (meta.idleSeconds !== undefined || meta.freq !== undefined) db.restoreAccess(key, meta, now);
    },
    emptyKeySkipped(_db, key) {
      // Redis names the first ten.
      if (stats.empty++ < 10) log.warning(`rdbLoadObject skipping empty key: ${key}`);
    },
  };
  return { sink, stats };
}

/** rdbLoad's last line. */
export function logLoadDone(log: SaveLog, keys: number, stats: LoadStats): void {
  const loaded = keys - stats.expired;
  log.notice(
    stats.empty > 0
      ? `Done loading RDB, keys loaded: ${loaded}, keys expired: ${stats.expired}, empty keys skipped: ${stats.empty}.`
      : `Done loading RDB, keys loaded: ${loaded}, keys expired: ${stats.expired}.`,
  );
}

/**
 * Redis's startLoading: INFO shows `loading:1` (or `async_loading:1` for a
 * swapdb load that keeps serving the old data) and, unless async, commands
 * not flagged `loading` get -LOADING.
 */
export function beginLoading(engine: Engine, totalBytes: number, asyncLoading = false): void {
  const state = stateOf(engine);
  state.startedAt = Date.now();
  state.totalBytes = totalBytes;
  state.loadedBytes = 0;
  state.rdbUsedMem = 0;
  if (asyncLoading) state.async = true;
  else {
    state.active = true;
    const saver = saverOf(engine);
    if (saver) saver.loading = true;
  }
}

export function setLoadedBytes(engine: Engine, n: number): void {
  stateOf(engine).loadedBytes = n;
}

/** stopLoading; on success the counts go to rdb_last_load_keys_*. */
export function endLoading(engine: Engine, result: { keys: number; expired: number } | null): void {
  const state = stateOf(engine);
  state.active = state.async = false;
  const saver = saverOf(engine);
  if (saver) saver.loading = false;
  if (result !== null) {
    state.keysLoaded = result.keys - result.expired;
    state.keysExpired = result.expired;
  }
}

/**
 * What Redis prints when a file it loads at startup is broken, before it
 * exits: rdbReportError's line, then redis-check-rdb's verdict on the file
 * (run in-process), then, unless the check itself ended it (a CRC
 * mismatch), "Terminating server after rdb file reading failure.".
 */
export function reportLoadFailure(log: SaveLog, path: string, e: unknown, offset: number, keys: number): void {
  const msg = e instanceof Error ? e.message : String(e);
  const crc = e instanceof RdbError ? e.crcMismatch : undefined;
  if (crc) log.warning(`Wrong RDB checksum expected: (${crc.expected.toString(16)}) but got (${crc.got.toString(16)}). Aborting now.`);
  if (msg === SHORT_READ) log.warning("Short read or OOM loading DB. Unrecoverable error, aborting now.");
  const internal = `Internal error in RDB reading offset ${offset} -> ${msg}`;
  log.warning(internal);
  log.warning(`[offset 0] Checking RDB file ${path}`);
  log.warning("--- RDB ERROR DETECTED ---");
  log.warning(`[offset ${offset}] ${crc ? msg : internal}`);
  log.warning(`[additional info] While doing: ${crc ? "check-sum" : "read-object-value"}`);
  log.warning(`[info] ${keys} keys read`);
  log.warning("[info] 0 expires");
  log.warning("[info] 0 already expired");
  if (!crc) log.warning("Terminating server after rdb file reading failure.");
}

/** Loads the dataset the config asks for; exits the process on a broken file. */
export async function loadAtStartup(engine: Engine, saver: Saver, host: StartupHost): Promise<void> {
  const state = stateOf(engine);
  const config = engine.config;
  if (config.bool("appendonly")) {
    // AOF: loaded by AofManager when appendonly is yes
    if (host.aof) {
      beginLoading(engine, 0);
      const delay = new KeyDelay();
      let commandsBefore = 0;
      try {
        await host.aof.load(async (loaded, total, commands) => {
          state.loadedBytes = loaded;
          state.totalBytes = total;
          // Redis's key-load-delay applies per command replayed from an AOF.
          await delay.after(commands - commandsBefore, config.num("key-load-delay"));
          commandsBefore = commands;
          await turn();
        });
      } finally {
        state.active = saver.loading = false;
      }
    }
    return;
  }
  const path = config.get("dbfilename");
  const data = host.readFile(path);
  if (data === null) return;
  beginLoading(engine, data.length);
  const t0 = performance.now();
  const log = host.log;
  let lastProgress = t0;
  // A replica keeps keys past their TTL: its master's DEL removes them (Redis expires on load only as a master).
  const replica = config.get("replicaof") !== "";
  const { sink, stats } = datasetSink(engine.dbs, log, { dropExpired: !replica, now: Date.now(), keepExpiredNames: !replica });
  const baseAux = sink.aux;
  sink.aux = (k, v) => {
    if (k === "used-mem") state.rdbUsedMem = Number(v);
    baseAux?.(k, v);
  };
  let loader: RdbLoader | null = null;
  try {
    loader = new RdbLoader(
      data,
      sink,
      limitsFrom((n) => config.num(n)),
      config.bool("rdbchecksum") && !engine.skipChecksumValidation,
    );
    const delay = new KeyDelay();
    for (;;) {
      const keysBefore = loader.keys;
      const done = loader.step(8, config.num("loading-process-events-interval-bytes"));
      state.loadedBytes = loader.pos;
      await delay.after(loader.keys - keysBefore, config.num("key-load-delay"));
      if (done) break;
      if (performance.now() - lastProgress >= 1000) {
        lastProgress = performance.now();
        log.notice(`Loading RDB: ${((loader.pos / data.length) * 100).toFixed(0)}% (${loader.keys} keys)`);
      }
      // Yield so clients connected meanwhile get their LOADING replies.
      await turn();
    }
  } catch (e) {
    reportLoadFailure(log, path, e, loader?.pos ?? 0, loader?.keys ?? 0);
    host.exit(1);
  }
  logLoadDone(log, loader.keys, stats);
  endLoading(engine, { keys: loader.keys, expired: stats.expired });
  log.notice(`DB loaded from disk: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
  restoreReplication(engine, stats.repl, log, stats.expiredKeys);
}
