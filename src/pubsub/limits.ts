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
  /** The two classes a pushed-to client can be in; null when that class has no limit (checks skip reading the backlog). */
  #pubsub: ClassLimit | null = null;
  #normal: ClassLimit | null = null;
  /** When each client first went over its soft limit (ms), cleared once it is back under. */
  readonly #softSince = new WeakMap<Client, number>();
  /** Entries in #softSince (an upper bound: collected clients are not subtracted), so the usual case skips the delete. */
  #softCount = 0;
  /**
   * Numbers the turns (synchronous runs, ended by a microtask) in which
   * clients were checked: one check per client per turn is enough, because
   * what a turn pushes waits in the connection unencoded and uncounted until
   * the turn ends, so a client's backlog cannot grow between its deliveries
   * of one turn; reading it per delivery was a fifth of a fan-out's time.
   */
  #turn = 1;
  #turnEnding = false;
  readonly #nextTurn = () => {
    this.#turn++;
    this.#turnEnding = false;
  };

  constructor(readonly engine: Engine) {
    const name = "client-output-buffer-limit";
    this.#load(engine.config.get(name));
    engine.config.onChange((changed) => {
      if (changed === name) this.#load(engine.config.get(name));
    });
    // clientsCron: a client over its soft limit is closed once the time is up, even if nothing more is sent to it.
    engine.cronHooks.push(() => this.#cron());
  }

  #load(value: string): void {
    const limits = parseOutputLimits(value);
    const active = (l: ClassLimit | undefined) => (l === undefined || (l.hard === 0 && l.soft === 0) ? null : l);
    this.#pubsub = active(limits.get("pubsub"));
    this.#normal = active(limits.get("normal"));
    // Replies are checked as the sink gathers them only while a class has a limit: the default has none for normal clients.
    this.engine.replyLimit = this.#pubsub === null && this.#normal === null ? null : (c, bytes) => this.#checkReplies(c, bytes);
  }

  #classOf(client: Client): ClassLimit | null {
    // The class as Redis's getClientType picks it: subscribed (the "P" flag, kept in step with these counts) or normal.
    return client.sub + client.psub + client.ssub > 0 ? this.#pubsub : this.#normal;
  }

  /** Closes `client` if its pending output broke its limit; true if it did. */
  check(client: Client): boolean {
    const limit = this.#classOf(client);
    if (limit === null || client.outputCheckTurn === this.#turn) return false;
    client.outputCheckTurn = this.#turn;
    if (!this.#turnEnding) {
      this.#turnEnding = true;
      queueMicrotask(this.#nextTurn);
    }
    return this.#judge(client, limit, client.transport.pendingBytes);
  }

  /**
   * The sink, as a batch's replies pile up (`bytes` so far, not yet written):
   * Redis checks the limit as each reply is added, so a client whose reply
   * breaks it is closed without receiving any of it.
   */
  #checkReplies(client: Client, bytes: number): boolean {
    const limit = this.#classOf(client);
    // The master's link and replicas are never "normal" clients here (their output goes elsewhere).
    if (limit === null || client.extraFlags.includes("M")) return false;
    return this.#judge(client, limit, client.transport.pendingBytes + bytes);
  }

  #cron(): void {
    if (this.#pubsub === null && this.#normal === null) return;
    for (const c of this.engine.clients.values()) {
      if (c.closing || c.monitor || c.extraFlags.includes("S") || c.extraFlags.includes("M")) continue;
      if (c.transport.pendingBytes > 0 || this.#softCount > 0) this.check(c);
    }
  }

  #judge(client: Client, limit: ClassLimit, used: number): boolean {
    const hard = limit.hard > 0 && used >= limit.hard;
    let soft = limit.soft > 0 && used >= limit.soft;
    if (soft) {
      const now = Date.now();
      const since = this.#softSince.get(client);
      if (since === undefined) {
        this.#softSince.set(client, now);
        this.#softCount++;
        soft = false;
      } else if (Math.floor(now / 1000) - Math.floor(since / 1000) <= limit.seconds) {
        soft = false;
      }
    } else if (this.#softCount > 0 && this.#softSince.delete(client)) {
      this.#softCount--;
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

const instances = new WeakMap<Engine, OutputLimits>();

/** The engine's output limits, created on first use (at startup, so replies are checked from the first command). */
export function outputLimitsOf(engine: Engine): OutputLimits {
  let l = instances.get(engine);
  if (l === undefined) {
    l = new OutputLimits(engine);
    instances.set(engine, l);
  }
  return l;
}

/** The client as CLIENT LIST prints it (Redis logs catClientInfoString). */
function describe(engine: Engine, client: Client): string {
  const entry = { fullName: client.lastCommand } as TableEntry;
  return clientInfoLine(client, new Ctx(engine, client, [], entry, Date.now()));
}
