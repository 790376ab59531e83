import type { Engine } from "../engine/engine.ts";
import { watchMinReplicas } from "./min-replicas.ts";
import { becomeReplica } from "./role.ts";
import { type ReplicationHost, replicationOf } from "./state.ts";

/**
 * Gives replication its way out of the engine (sockets, log) and starts the
 * replica link when `replicaof` is configured. A server without replicas and
 * without `replicaof` gets nothing else: no listener, no timer, no gate.
 */
export function setupReplication(engine: Engine, host: ReplicationHost): void {
  const state = replicationOf(engine);
  state.host = host;
  watchMinReplicas(state);
  const conf = engine.config.get("replicaof");
  if (conf !== "") {
    const [masterHost, port] = conf.split(" ") as [string, string];
    host.notice(`REPLICAOF ${masterHost}:${port} enabled (from configuration)`);
    becomeReplica(state, masterHost, Number(port), true);
  }
}
