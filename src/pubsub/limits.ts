import { clientInfoLine } from "../commands/client.ts";
import type { Client } from "../engine/client.ts";
import { Ctx } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import type { TableEntry } from "../engine/table.ts";

/** Hard limit, soft limit (bytes; 0 = none) and how long the soft limit may be exceeded (seconds). */
export interface ClassLimit {
  hard: number;
  soft: number;
  seconds: number;
}

/** Parses the canonical `client-output-buffer-limit` value ("normal 0 0 0 slave ... pubsub ..."). */
export function parseOutputLimits(value: string): Map<string, ClassLimit> {
  const w = value.split(" ");
  const out = new Map<string, ClassLimit>();
  for (let i = 0; i + 3 < w.length; i += 4) {
    out.set(w[i] as string, { hard: Number(w[i + 1]), soft: Number(w[i + 2]), seconds: Number(w[i + 3]) });
  }
  return out;
}

/**
 * Where warnings go: the server wires its logger in; an engine without one
 * (unit tests) stays quiet.
 */
const warners = new WeakMap<Engine, (message: string) => void>();
export function setWarningLog(engine: Engine, log: (message: string) => void): void {
  warners.set(engine, log);
}

/**
 * client-output-buffer-limit for the clients we push to: over the hard
 * limit, or over the soft limit for longer than its seconds, the client is
 * closed, as Redis's checkClientOutputBufferLimits does. Without it a
 * subscriber that never reads would make the server queue without bound.
 */
export class OutputLimits {
  #limits: Map<string, ClassLimit>;
  /** When each client first went over its soft limit (ms), cleared once it is back under. */
  readonly #softSince = new WeakMap<Client, number>();

  constructor(readonly engine: Engine) {
    const name = "client-output-buffer-limit";
    this.#limits = parseOutputLimits(engine.config.get(name));
    engine.config.onChange((changed) => {
      if (changed === name) this.#limits = parseOutputLimits(engine.config.get(name));
    });
  }

  /** The limit class as Redis's getClientType picks it for a pushed-to client. */
  #limitFor(client: Client): ClassLimit | undefined {
    return this.#limits.get(client.extraFlags.includes("P") ? "pubsub" : "normal");
  }

  /** Closes `client` if its pending output broke its limit; true if it did. */
  check(client: Client): boolean {
    const limit = this.#limitFor(client);
    if (limit === undefined || (limit.hard === 0 && limit.soft === 0)) return false;
    const used = client.transport.pendingBytes;
    const hard = limit.hard > 0 && used >= limit.hard;
    let soft = limit.soft > 0 && used >= limit.soft;
    if (soft) {
      const now = Date.now();
      const since = this.#softSince.get(client);
      if (since === undefined) {
        this.#softSince.set(client, now);
        soft = false;
      } else if (Math.floor(now / 1000) - Math.floor(since / 1000) <= limit.seconds) {
        soft = false;
      }
    } else {
      this.#softSince.delete(client);
    }
    if (!hard && !soft) return false;
    this.#close(client);
    return true;
  }

  #close(client: Client): void {
    const warn = warners.get(this.engine);
    if (warn !== undefined) {
      warn(`Client ${describe(this.engine, client)} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    }
    client.kill();
    if (this.engine.clients.has(client.id)) this.engine.removeClient(client);
  }
}

/** The client as CLIENT LIST prints it (Redis logs catClientInfoString). */
function describe(engine: Engine, client: Client): string {
  const entry = { fullName: client.lastCommand } as TableEntry;
  return clientInfoLine(client, new Ctx(engine, client, [], entry, Date.now()));
}
