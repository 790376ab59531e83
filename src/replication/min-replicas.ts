import { FLAG_BITS } from "../engine/command.ts";
import { ErrorReply } from "../resp/reply.ts";
import type { ReplicationState } from "./state.ts";

const WRITE = FLAG_BITS.write;
const NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";

/** Replicas online whose last ACK is at most min-replicas-max-lag seconds old (Redis's good slaves). */
export function goodReplicas(state: ReplicationState, now = Date.now()): number {
  const maxLag = state.engine.config.num("min-replicas-max-lag") * 1000;
  let n = 0;
  for (const r of state.replicas) if (r.online && now - r.ackTime <= maxLag) n++;
  return n;
}

/**
 * min-replicas-to-write: a master refuses writes while fewer good replicas
 * are attached. The gate is installed only once the option is set, so a
 * server that never sets it pays nothing.
 */
export function watchMinReplicas(state: ReplicationState): void {
  const config = state.engine.config;
  let installed = false;
  const install = () => {
    if (installed || config.num("min-replicas-to-write") === 0) return;
    installed = true;
    state.engine.gates.unshift((ctx) => {
      const need = config.num("min-replicas-to-write");
      if (need === 0 || config.num("min-replicas-max-lag") === 0 || state.link !== null) return undefined;
      if (ctx.client.extraFlags.includes("M")) return undefined;
      const write =
        (ctx.cmd.bits & WRITE) !== 0 ||
        (ctx.cmd.spec.name === "exec" && ctx.client.multiQueued >= 0 && (ctx.client.multiFlags & WRITE) !== 0);
      return write && goodReplicas(state) < need ? new ErrorReply(NOREPLICAS) : undefined;
    });
  };
  install();
  config.onChange((name) => {
    if (name === "min-replicas-to-write") install();
  });
}
