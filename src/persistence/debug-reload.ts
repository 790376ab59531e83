/**
 * What DEBUG RELOAD does to the dataset (Redis's debug.c): SAVE, empty
 * every db, load dbfilename again. The debug command parses the options and
 * replies; this holds the persistence side so it stays beside the loader.
 */
import type { Engine } from "../engine/engine.ts";
import { RdbError } from "./rdb/constants.ts";
import { limitsFrom } from "./rdb/decode.ts";
import { loadRdb } from "./rdb/file.ts";
import { saverOf } from "./saver.ts";
import { datasetSink, logLoadDone } from "./startup.ts";

export interface ReloadOptions {
  /** Not NOSAVE: save the dataset first. */
  save: boolean;
  /** Not NOFLUSH: empty every db before loading. */
  flush: boolean;
  /** MERGE: a key already present is replaced instead of failing the load. */
  merge: boolean;
}

/**
 * Returns null once reloaded, else the error to reply: "ERR" when the save
 * failed (Redis replies its generic -ERR), or Redis's load error text.
 */
export function debugReload(engine: Engine, opts: ReloadOptions): string | null {
  const saver = saverOf(engine);
  if (saver === undefined || saver.files.read === undefined) return "ERR Error trying to load the RDB dump";
  if (opts.save && !saver.save()) return "ERR";
  if (opts.flush) {
    engine.flushing(engine.dbs.map((db) => db.id));
    for (const db of engine.dbs) db.flush();
  }
  const path = engine.config.get("dbfilename");
  const data = saver.files.read(path);
  if (data === null) return "ERR Error trying to load the RDB dump";
  const replica = engine.config.get("replicaof") !== "";
  const { sink, stats } = datasetSink(engine.dbs, saver.log, { dropExpired: !replica, now: Date.now(), replace: opts.merge });
  try {
    const { keys } = loadRdb(
      data,
      sink,
      limitsFrom((n) => engine.config.num(n)),
      engine.config.bool("rdbchecksum"),
    );
    logLoadDone(saver.log, keys, stats);
  } catch (e) {
    if (!(e instanceof RdbError)) throw e;
    saver.log.warning(`Internal error in RDB reading offset 0 -> ${e.message}`);
    return "ERR Error trying to load the RDB dump";
  }
  saver.log.notice("DB reloaded by DEBUG RELOAD");
  return null;
}
