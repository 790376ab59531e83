/**
 * The replication facts an RDB file carries (Redis's rdbSaveInfo), so a
 * restarted replica can continue its master's stream with a partial resync:
 * saves write repl-stream-db / repl-id / repl-offset (rdbPopulateSaveInfo),
 * and a file loaded at startup gives a replica its cached master, a master
 * its secondary history (loadDataFromDisk).
 */
import type { Engine } from "../engine/engine.ts";
import type { RdbReplInfo } from "../persistence/startup.ts";
import { flushStream, newBacklog, streamWriteCommand } from "./master.ts";
import { type ReplicationState, replicationOf } from "./state.ts";

/**
 * The repl-* AUX fields for a save now, or none: a master writes them once it
 * has a backlog, a replica once it has a master (connected or cached).
 */
export function replSaveAux(engine: Engine): [string, string][] {
  const rs = replicationOf(engine);
  let db: number | null = null;
  if (rs.link === null) {
    // seldb -1: no write since the last full sync; any db will do, the next write SELECTs.
    if (rs.backlog !== null) db = rs.seldb === -1 ? 0 : rs.seldb;
  } else db = rs.link.streamDbForSave();
  if (db === null) return [];
  return [
    ["repl-stream-db", String(db)],
    ["repl-id", rs.replid],
    ["repl-offset", String(rs.offset)],
  ];
}

/** `aux` with the repl-* fields where Redis writes them: after used-mem, before aof-base. */
export function withReplAux(aux: [string, string][], repl: [string, string][]): [string, string][] {
  if (repl.length === 0) return aux;
  const at = aux.findIndex(([k]) => k === "aof-base");
  return at === -1 ? [...aux, ...repl] : [...aux.slice(0, at), ...repl, ...aux.slice(at)];
}

/** A cached master made from the file loaded at startup, for the link's first PSYNC. */
const startupMasters = new WeakMap<ReplicationState, { replid: string; db: number }>();

export function takeStartupMaster(rs: ReplicationState): { replid: string; db: number } | undefined {
  const m = startupMasters.get(rs);
  startupMasters.delete(rs);
  return m;
}

/** After loading the RDB at startup: restore the replication id and offset it names. */
export function restoreReplication(
  engine: Engine,
  info: RdbReplInfo,
  log: { notice(m: string): void },
  expiredKeys: [number, string][] = [],
): void {
  if (info.replid === null || info.offset === -1 || info.streamDb === -1) return;
  const rs = replicationOf(engine);
  if (engine.config.get("replicaof") !== "") {
    rs.replid = info.replid;
    rs.offset = info.offset;
    log.notice(
      "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.",
    );
    startupMasters.set(rs, { replid: info.replid, db: info.streamDb });
    return;
  }
  // A master keeps the file's history as its secondary one, so replicas of it can continue.
  rs.replid2 = info.replid;
  rs.secondOffset = info.offset + 1;
  rs.offset += info.offset;
  newBacklog(rs);
  // Keys the load dropped as expired were still in the replicas' data: their DELs start the new
  // stream (Redis feeds them to the backlog while loading, RDBFLAGS_FEED_REPL).
  const del = engine.config.bool("lazyfree-lazy-expire") ? "UNLINK" : "DEL";
  for (const [db, key] of expiredKeys) {
    if (db !== rs.seldb) {
      streamWriteCommand(rs, ["SELECT", String(db)]);
      rs.seldb = db;
    }
    streamWriteCommand(rs, [del, key]);
  }
  flushStream(rs);
}

/** A full sync's snapshot is being produced (INFO rdb_bgsave_in_progress counts it, as Redis's RDB child). */
export function replicationSnapshotRunning(engine: Engine): boolean {
  return replicationOf(engine).sync?.started === true;
}
