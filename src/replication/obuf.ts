/**
 * client-output-buffer-limit for replicas (the `slave` class): a replica
 * whose unsent stream passes the hard limit, or stays over the soft limit for
 * longer than its seconds, is dropped, as Redis's
 * checkClientOutputBufferLimits does, so a replica that stopped reading cannot
 * make the master queue without bound. What counts is what the socket has not
 * taken yet plus the stream held back behind a snapshot (not the snapshot
 * itself, which Redis does not keep in the output buffer either).
 */
import { clientInfoLine } from "../commands/client.ts";
import { Ctx } from "../engine/context.ts";
import type { TableEntry } from "../engine/table.ts";
import { parseOutputLimits } from "../pubsub/limits.ts";
import type { AttachedReplica, ReplicationState } from "./state.ts";

/** When each replica first went over its soft limit (ms), cleared once it is back under. */
const softSince = new WeakMap<AttachedReplica, number>();
/** The parsed limits, keyed by the config value they came from. */
let cache: { value: string; hard: number; soft: number; seconds: number } | null = null;

function limitOf(state: ReplicationState): { hard: number; soft: number; seconds: number } {
  const value = state.engine.config.get("client-output-buffer-limit");
  if (cache === null || cache.value !== value) {
    const l = parseOutputLimits(value).get("slave") ?? { hard: 0, soft: 0, seconds: 0 };
    cache = { value, ...l };
  }
  return cache;
}

/** Drops `r` if it broke its limit; true if it did. */
export function checkReplicaLimit(state: ReplicationState, r: AttachedReplica): boolean {
  const limit = limitOf(state);
  if (limit.hard === 0 && limit.soft === 0) return false;
  if (r.client.closing) return false;
  // While its snapshot is sent, the link's own queue holds snapshot bytes, which do not count.
  const used = r.heldFrom !== null ? state.offset + 1 - r.heldFrom : r.online ? r.client.transport.pendingBytes : 0;
  // A replica shares the backlog's memory: a hard limit below repl-backlog-size counts as that size (Redis 7.0).
  const backlogSize = state.engine.config.num("repl-backlog-size");
  const hard = limit.hard > 0 && used >= Math.max(limit.hard, backlogSize);
  let soft = limit.soft > 0 && used >= limit.soft;
  if (soft) {
    const now = Date.now();
    const since = softSince.get(r);
    if (since === undefined) {
      softSince.set(r, now);
      soft = false;
    } else if (Math.floor(now / 1000) - Math.floor(since / 1000) <= limit.seconds) soft = false;
  } else softSince.delete(r);
  if (!hard && !soft) return false;
  const entry = { fullName: r.client.lastCommand } as TableEntry;
  const info = clientInfoLine(r.client, new Ctx(state.engine, r.client, [], entry, Date.now()));
  state.host?.warning(`Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`);
  r.client.kill();
  if (state.engine.clients.has(r.client.id)) state.engine.removeClient(r.client);
  return true;
}
