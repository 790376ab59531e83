import type { Engine } from "../engine/engine.ts";
import { replicationOf } from "./state.ts";

/**
 * INFO memory's replication figures, as Redis 7.0 splits its shared
 * replication buffer: mem_total_replication_buffers is all of it; the
 * backlog is charged up to repl-backlog-size while replicas are attached and
 * the rest to them (mem_clients_slaves), else all to the backlog.
 */
export function replicationMemory(engine: Engine): { total: number; backlog: number; replicas: number } {
  const state = replicationOf(engine);
  const total = state.backlog?.memory ?? 0;
  const size = engine.config.num("repl-backlog-size");
  if (state.replicas.length > 0 && total > size) return { total, backlog: size, replicas: total - size };
  return { total, backlog: total, replicas: 0 };
}
