/**
 * DEBUG RELOAD and DEBUG LOADAOF: the dataset really goes through the
 * persistence code and back (save dump.rdb, empty memory, load it; or flush
 * the AOF, empty memory, replay it), so a test sees exactly what a restart
 * would have loaded.
 */
import type { Ctx } from "../../engine/context.ts";
import type { Engine } from "../../engine/engine.ts";
import { fail } from "../../engine/errors.ts";
import { asciiLower } from "../../engine/table.ts";
import { aofOf } from "../../persistence/aof/index.ts";
import { RdbError } from "../../persistence/rdb/constants.ts";
import { limitsFrom } from "../../persistence/rdb/decode.ts";
import { loadRdb } from "../../persistence/rdb/file.ts";
import { saverOf } from "../../persistence/saver.ts";
import { beginLoading, datasetSink, endLoading, logLoadDone } from "../../persistence/startup.ts";
import { OK, type Reply } from "../../resp/reply.ts";

/** Redis's emptyData(-1): WATCH and client tracking learn of it as of a FLUSHALL. */
function emptyAll(engine: Engine): void {
  engine.flushing(engine.dbs.map((db) => db.id));
  for (const db of engine.dbs) db.flush();
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] */
export function debugReload(ctx: Ctx): Reply {
  const { engine, argv } = ctx;
  let merge = false;
  let flush = true;
  let save = true;
  for (let j = 2; j < argv.length; j++) {
    const opt = asciiLower(argv[j] as string);
    if (opt === "merge") merge = true;
    else if (opt === "noflush") flush = false;
    else if (opt === "nosave") save = false;
    else fail("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
  }
  const saver = saverOf(engine);
  // An engine without a server around it (in-process tests) has no file to go through.
  if (saver === undefined) fail("ERR");
  // rdbSave's failure: Redis answers its bare shared.err.
  if (save && !saver.save()) fail("ERR");
  if (flush) emptyAll(engine);
  const path = engine.config.get("dbfilename");
  const data = saver.files.read?.(path) ?? null;
  if (data === null) fail("ERR Error trying to load the RDB dump");
  const log = saver.log;
  const now = Date.now();
  // A master drops keys whose TTL passed while on disk; a replica keeps them for its master's DEL.
  const { sink, stats } = datasetSink(engine.dbs, log, { dropExpired: engine.config.get("replicaof") === "", now });
  if (merge) {
    // RDBFLAGS_ALLOW_DUP: a key in the file replaces the one in memory.
    const add = sink.key;
    sink.key = (id, key, value, expireAt, meta) => {
      engine.dbs[id]?.delete(key);
      add(id, key, value, expireAt, meta);
    };
  }
  beginLoading(engine, data.length);
  let keys = 0;
  try {
    const config = engine.config;
    keys = loadRdb(
      data,
      sink,
      limitsFrom((n) => config.num(n)),
      config.bool("rdbchecksum") && !engine.skipChecksumValidation,
    ).keys;
  } catch (e) {
    endLoading(engine, null);
    // Redis stops the server on a corrupt file or a duplicate key; respd reports it and keeps what loaded.
    const msg = e instanceof Error ? e.message : String(e);
    log.warning(`${e instanceof RdbError ? "Internal error in RDB reading" : "Error loading the RDB"}: ${msg}`);
    fail("ERR Error trying to load the RDB dump");
  }
  logLoadDone(log, keys, stats);
  endLoading(engine, { keys, expired: stats.expired });
  log.warning("DB reloaded by DEBUG RELOAD");
  return OK;
}

/** DEBUG LOADAOF: flush the AOF to disk, then replace the dataset with what the AOF files replay. */
export function debugLoadAof(ctx: Ctx): Reply {
  const { engine } = ctx;
  const aof = aofOf(engine);
  if (aof === undefined) fail("ERR");
  if (aof.state !== "off") aof.flush(true);
  emptyAll(engine);
  const dirty = engine.dirty;
  const status = aof.reloadFromDisk();
  if (status !== "ok" && status !== "empty") {
    // As Redis: a missing, truncated or broken AOF ends the server here (already logged).
    aof.io.exit(1);
  }
  // The replayed commands are not new changes (Redis zeroes dirty: nothing to save or propagate).
  engine.dirty = dirty;
  aof.io.log("warning", "Append Only File loaded by DEBUG LOADAOF");
  return OK;
}
