/**
 * Switching between master and replica (REPLICAOF host port / NO ONE, the
 * `replicaof` config), and what being a replica changes in the engine: writes
 * refused unless they come from the master, keys never expired locally.
 */
import { FLAG_BITS, keyPositions } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors } from "../engine/errors.ts";
import { ErrorReply } from "../resp/reply.ts";
import type { Database } from "../store/database.ts";
import type { Value } from "../store/values.ts";
import { startReplicationCron } from "./master.ts";
import { MasterLink } from "./replica.ts";
import type { ReplicationState } from "./state.ts";

const WRITE = FLAG_BITS.write;
const STALE = FLAG_BITS.stale;

/** Redis's is_write_command: a write, or an EXEC whose queue holds one. */
function isWrite(ctx: Ctx): boolean {
  if ((ctx.cmd.bits & WRITE) !== 0) return true;
  return ctx.cmd.spec.name === "exec" && ctx.client.multiQueued >= 0 && (ctx.client.multiFlags & WRITE) !== 0;
}

const MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

/** Commands without the `stale` flag (or an EXEC queueing one) wait for the link when replica-serve-stale-data is no. */
function denyStale(ctx: Ctx): boolean {
  if ((ctx.cmd.bits & STALE) === 0) return true;
  if (ctx.cmd.spec.name !== "exec" || ctx.client.multiQueued < 0) return false;
  return ctx.client.multiCommands.some(([cmd]) => (cmd.bits & STALE) === 0);
}

/** Installed the first time this server becomes a replica; inert again once it is a master. */
function installReplicaHooks(state: ReplicationState): void {
  if (state.replicaHooksInstalled) return;
  state.replicaHooksInstalled = true;
  const engine = state.engine;
  // First, so a write is refused before MULTI would queue it (the transaction is then doomed, as in Redis).
  engine.gates.unshift((ctx) => {
    const link = state.link;
    if (link === null || ctx.client === link.client) return undefined;
    const write = isWrite(ctx);
    if (write && engine.config.bool("replica-read-only")) return new ErrorReply(Errors.readonlyReplica);
    if (link.state !== "connected" && !engine.config.bool("replica-serve-stale-data") && denyStale(ctx)) {
      return new ErrorReply(MASTERDOWN);
    }
    // A write on a writable replica sees its keys past their TTL as gone and deletes them first
    // (Redis's lookupKeyWrite forces the expiry even on a replica): INCR on one starts from 0.
    if (write && (ctx.cmd.bits & WRITE) !== 0) {
      let positions: number[] = [];
      try {
        positions = keyPositions(ctx.cmd.spec, ctx.argv);
      } catch {}
      const db = ctx.db;
      for (const i of positions) lookups.get(db)?.(ctx.argv[i] as string, ctx.now, false, false);
    }
    return undefined;
  });
  // Keys a writable replica's own clients give a TTL are expired by the replica itself, since its
  // master will never send their DEL (Redis's rememberSlaveKeyWithExpire / expireSlaveKeys).
  const lookups = new Map<Database, Database["lookup"]>();
  for (const db of engine.dbs) {
    const lookup = db.lookup.bind(db);
    lookups.set(db, lookup);
    const setExpire = db.setExpire.bind(db);
    db.setExpire = (key: string, at: number): void => {
      setExpire(key, at);
      const link = state.link;
      if (link !== null && !link.applying) state.localExpires(db.id).add(key);
    };
    const randomKey = db.randomKey.bind(db);
    // A replica answers as if a key past its TTL were gone but deletes it only on the master's DEL;
    // for the master's own commands such a key still exists (Redis's expireIfNeeded on a replica).
    db.lookup = (key: string, now: number, touch = true, keepExpired = false): Value | undefined => {
      const link = state.link;
      if (link === null) return lookup(key, now, touch, keepExpired);
      // One lookup either way: a missing key (most of a write stream) must not be looked up twice.
      if (link.client !== null && link.applying) return db.lookupIgnoringExpiry(key, now, touch);
      return lookup(key, now, touch, true);
    };
    db.randomKey = (now: number, keepExpired = false) => randomKey(now, keepExpired || state.link !== null);
    // Nor does a replica run the active expire cycle on its master's keys (whatever DEBUG SET-ACTIVE-EXPIRE says).
    const expireSample = db.expireSample.bind(db);
    db.expireSample = (now: number, sample: number): [number, number] => {
      if (state.link === null) return expireSample(now, sample);
      const local = state.localExpires(db.id);
      let expired = 0;
      for (const key of local) {
        const at = db.getExpire(key);
        if (at === -1) local.delete(key);
        else if (at <= now) {
          local.delete(key);
          lookup(key, now, false, false);
          expired++;
        }
      }
      return [local.size + expired, expired];
    };
  }
}

/** REPLICAOF host port: start (or restart) replicating. */
export function becomeReplica(state: ReplicationState, host: string, port: number, atStartup = false): void {
  const engine = state.engine;
  const old = state.link;
  if (old !== null) old.stop();
  installReplicaHooks(state);
  const link = new MasterLink(state, host, port);
  if (old !== null) {
    // Same history, new address: try to continue where we are, in the db the stream had selected.
    link.continueFrom(old);
  } else {
    // A master turning replica offers its own history, so its new master may continue it (Redis's
    // replicationCacheMasterUsingMyself). Its own replicas must resync from the new stream.
    link.cachedReplid = atStartup ? null : state.replid;
    for (const r of [...state.replicas]) r.client.kill();
  }
  state.link = link;
  state.wasReplica = true;
  engine.config.set("replicaof", `${host} ${port}`);
  state.host?.setRole?.("S");
  startReplicationCron(state);
  link.start();
}

/** REPLICAOF NO ONE: keep the data, start a new history (the master's id becomes replid2). */
export function becomeMaster(state: ReplicationState): void {
  const link = state.link;
  if (link === null) return;
  link.stop();
  state.link = null;
  state.shiftReplId();
  state.host?.notice(
    `Setting secondary replication ID to ${state.replid2}, valid up to offset: ${state.secondOffset}. New replication ID is ${state.replid}`,
  );
  // Our replicas must learn the new id: they reconnect and continue partially (as Redis's disconnectSlaves).
  for (const r of [...state.replicas]) r.client.kill();
  // The next streamed command must SELECT its db.
  state.seldb = -1;
  state.engine.config.set("replicaof", "no one");
  state.host?.setRole?.("M");
}
