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
import { ErrorReply } from "../resp/reply.ts";
import type { Database } from "../store/database.ts";
import { RdbError } from "./rdb/constants.ts";
import { limitsFrom } from "./rdb/decode.ts";
import { RdbLoader, type RdbSink } from "./rdb/file.ts";
import type { SaveLog, Saver } from "./saver.ts";

export const LOADING_ERROR = "LOADING Redis is loading the dataset in memory";

/**
 * What the AOF helper provides: loads the AOF (manifest, base and incr
 * files) into the engine. It may be async; while it runs clients get LOADING.
 */
export interface AofStartup {
  load(): Promise<void> | void;
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
    s = { active: false, startedAt: 0, totalBytes: 0, loadedBytes: 0, rdbUsedMem: 0, keysLoaded: 0, keysExpired: 0 };
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

export function isLoading(engine: Engine): boolean {
  return states.get(engine)?.active ?? false;
}

extendInfo("persistence", (engine) => {
  const s = states.get(engine);
  if (!s) return [];
  const fields: [string, string | number][] = [
    ["loading", s.active ? 1 : 0],
    ["rdb_last_load_keys_expired", s.keysExpired],
    ["rdb_last_load_keys_loaded", s.keysLoaded],
  ];
  if (s.active) {
    const elapsed = (Date.now() - s.startedAt) / 1000;
    const perc = s.totalBytes > 0 ? (s.loadedBytes / s.totalBytes) * 100 : 0;
    const eta = s.loadedBytes > 0 ? Math.round((elapsed * (s.totalBytes - s.loadedBytes)) / s.loadedBytes) : 1;
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

/** Loads the dataset the config asks for; exits the process on a broken file. */
export async function loadAtStartup(engine: Engine, saver: Saver, host: StartupHost): Promise<void> {
  const state = stateOf(engine);
  const config = engine.config;
  if (config.bool("appendonly")) {
    // AOF: loaded by AofManager when appendonly is yes
    if (host.aof) {
      state.active = saver.loading = true;
      try {
        await host.aof.load();
      } finally {
        state.active = saver.loading = false;
      }
    }
    return;
  }
  const path = config.get("dbfilename");
  const data = host.readFile(path);
  if (data === null) return;
  state.active = saver.loading = true;
  state.startedAt = Date.now();
  state.totalBytes = data.length;
  state.loadedBytes = 0;
  const t0 = performance.now();
  const log = host.log;
  let lastProgress = t0;
  const now = Date.now();
  let expired = 0;
  let empty = 0;
  const sink: RdbSink = {
    aux(k, v) {
      if (k === "redis-ver") log.notice(`Loading RDB produced by version ${v}`);
      else if (k === "ctime") log.notice(`RDB age ${Math.floor(now / 1000) - Number(v)} seconds`);
      else if (k === "used-mem") {
        state.rdbUsedMem = Number(v);
        log.notice(`RDB memory usage when created ${(Number(v) / (1024 * 1024)).toFixed(2)} Mb`);
      }
    },
    key(id, key, value, expireAt) {
      const db = engine.dbs[id] as Database | undefined;
      if (db === undefined) {
        throw new RdbError(
          `FATAL: Data file was created with a Redis server configured to handle more than ${engine.dbs.length} databases. Exiting`,
        );
      }
      // As a master, Redis drops keys whose TTL passed while the file sat on disk.
      if (expireAt !== -1 && expireAt < now) {
        expired++;
        return;
      }
      if (db.table.has(key)) throw new RdbError(`RDB has duplicated key '${key}' in DB ${id}`);
      db.set(key, value, now);
      if (expireAt !== -1) db.setExpire(key, expireAt);
    },
    emptyKeySkipped() {
      empty++;
    },
  };
  let loader: RdbLoader | null = null;
  try {
    loader = new RdbLoader(
      data,
      sink,
      limitsFrom((n) => config.num(n)),
      config.bool("rdbchecksum"),
    );
    for (;;) {
      const done = loader.step(8);
      state.loadedBytes = loader.pos;
      if (done) break;
      if (performance.now() - lastProgress >= 1000) {
        lastProgress = performance.now();
        log.notice(`Loading RDB: ${((loader.pos / data.length) * 100).toFixed(0)}% (${loader.keys} keys)`);
      }
      // Yield so clients connected meanwhile get their LOADING replies.
      await new Promise((r) => setTimeout(r, 0));
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (msg === "Unexpected EOF reading RDB file") log.warning("Short read or OOM loading DB. Unrecoverable error, aborting now.");
    log.warning(`Internal error in RDB reading offset ${loader?.pos ?? 0} -> ${msg}`);
    log.warning(`Fatal error loading the DB (${path}): ${msg}. Exiting.`);
    host.exit(1);
  }
  state.keysExpired = expired;
  state.active = saver.loading = false;
  log.notice(
    empty > 0
      ? `Done loading RDB, keys loaded: ${loader.keys - expired}, keys expired: ${expired}, empty keys skipped: ${empty}.`
      : `Done loading RDB, keys loaded: ${loader.keys - expired}, keys expired: ${expired}.`,
  );
  state.keysLoaded = loader.keys - expired;
  log.notice(`DB loaded from disk: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
}
