/**
 * INFO memory's replication fields (object.c, getMemoryOverheadData). Redis
 * keeps one replication buffer shared by the backlog and the replicas' output:
 * its size (mem_total_replication_buffers) is what the backlog holds, or more
 * while a replica still has older bytes unsent; the part past
 * repl-backlog-size counts as the replicas' (mem_clients_slaves). respd's
 * replicas hold their unsent stream in their sockets' queues and, during a
 * full sync, in `held`: the newest bytes of the stream, overlapping the
 * backlog's tail, so the shared buffer is the larger of the two.
 */
import type { ReplicationState } from "./state.ts";

export interface ReplicationMemory {
  backlog: number;
  total: number;
  replicas: number;
}

export function replicationMemory(state: ReplicationState, backlogSize: number): ReplicationMemory {
  let total = state.backlog?.histlen ?? 0;
  for (const r of state.replicas) {
    const unsent = r.heldBytes + (r.online ? r.client.transport.pendingBytes : 0);
    if (unsent > total) total = unsent;
  }
  if (state.replicas.length > 0 && total > backlogSize) {
    return { backlog: backlogSize, total, replicas: total - backlogSize };
  }
  return { backlog: total, total, replicas: 0 };
}
