import { Client } from "../engine/client.ts";
import type { Ctx } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import { installNotifications } from "../engine/notify.ts";
import { SharedPush } from "../resp/encoder.ts";
import { ErrorReply, Push, type Reply } from "../resp/reply.ts";
import { globMatch } from "../store/glob.ts";
import { type OutputLimits, outputLimitsOf } from "./limits.ts";

/** The three subscription spaces: SUBSCRIBE channels, PSUBSCRIBE patterns, SSUBSCRIBE shard channels. */
export type Kind = "channel" | "pattern" | "shard";

/** One client's subscriptions, in the order it made them (UNSUBSCRIBE without arguments walks them). */
interface ClientSubs {
  channel: Set<string>;
  pattern: Set<string>;
  shard: Set<string>;
}

/**
 * Who listens to what. Each name maps to its subscribers in subscription
 * order (Redis keeps a list per channel and appends), and each client to its
 * own names, so both PUBLISH and a client's UNSUBSCRIBE are proportional to
 * what they touch.
 */
export class PubSub {
  readonly channel = new Map<string, Set<Client>>();
  readonly pattern = new Map<string, Set<Client>>();
  readonly shard = new Map<string, Set<Client>>();
  readonly #subs = new Map<Client, ClientSubs>();
  readonly limits: OutputLimits;

  constructor(readonly engine: Engine) {
    this.limits = outputLimitsOf(engine);
    engine.onClientGone((c) => this.removeClient(c));
    engine.gates.push(subscribedModeGate);
    installNotifications(engine);
  }

  subsOf(client: Client): ClientSubs | undefined {
    return this.#subs.get(client);
  }

  /** Adds a subscription; false when the client already had it. */
  subscribe(client: Client, kind: Kind, name: string): boolean {
    let mine = this.#subs.get(client);
    if (mine === undefined) {
      mine = { channel: new Set(), pattern: new Set(), shard: new Set() };
      this.#subs.set(client, mine);
    }
    if (mine[kind].has(name)) return false;
    mine[kind].add(name);
    const table = this[kind];
    let clients = table.get(name);
    if (clients === undefined) {
      clients = new Set();
      table.set(name, clients);
    }
    clients.add(client);
    this.#sync(client, mine);
    return true;
  }

  /** Drops a subscription; false when the client did not have it. */
  unsubscribe(client: Client, kind: Kind, name: string): boolean {
    const mine = this.#subs.get(client);
    if (mine === undefined || !mine[kind].delete(name)) return false;
    const table = this[kind];
    const clients = table.get(name);
    if (clients !== undefined) {
      clients.delete(client);
      if (clients.size === 0) table.delete(name);
    }
    this.#sync(client, mine);
    return true;
  }

  /** Forgets every subscription of a client (disconnect, RESET). */
  removeClient(client: Client): void {
    const mine = this.#subs.get(client);
    if (mine === undefined) return;
    for (const kind of ["channel", "pattern", "shard"] as const) {
      for (const name of [...mine[kind]]) this.unsubscribe(client, kind, name);
    }
  }

  /**
   * Delivers a message; returns how many clients received it (a client with
   * several matching patterns counts once per match, as in Redis). Each
   * message (one per channel, one per matching pattern) is built once and
   * shared by its receivers.
   */
  publish(channel: string, message: Reply, shard = false): number {
    let receivers = 0;
    const direct = (shard ? this.shard : this.channel).get(channel);
    if (direct !== undefined) {
      const msg = shared(direct.size, [shard ? "smessage" : "message", channel, message]);
      // Counted as delivered to, like the loop visits them (a client closed by its output limit leaves the set meanwhile).
      for (const c of direct) {
        this.deliver(c, msg);
        receivers++;
      }
    }
    if (shard || this.pattern.size === 0) return receivers;
    for (const [pattern, clients] of this.pattern) {
      if (!globMatch(pattern, channel)) continue;
      const msg = shared(clients.size, ["pmessage", pattern, channel, message]);
      for (const c of clients) {
        this.deliver(c, msg);
        receivers++;
      }
    }
    return receivers;
  }

  /** Sends one out-of-band message, then enforces the client's output buffer limit. */
  deliver(client: Client, msg: Reply): void {
    if (client.closing) return;
    client.push(msg);
    this.limits.check(client);
  }

  /** Keeps CLIENT LIST's sub/psub/ssub and the "P" flag (subscribed mode) in step. */
  #sync(client: Client, mine: ClientSubs): void {
    client.sub = mine.channel.size;
    client.psub = mine.pattern.size;
    client.ssub = mine.shard.size;
    const subscribed = client.sub + client.psub + client.ssub > 0;
    const flagged = client.extraFlags.includes("P");
    if (subscribed && !flagged) client.extraFlags += "P";
    else if (!subscribed && flagged) client.extraFlags = client.extraFlags.replace("P", "");
    if (!subscribed) this.#subs.delete(client);
  }
}

/**
 * The message for `receivers` clients: with several, encoded once per
 * protocol and copied as bytes to each; a lone receiver's encoder writes it
 * directly, which saves encoding it into a buffer of its own first.
 */
function shared(receivers: number, items: Reply[]): Push {
  return receivers > 1 ? new SharedPush(items) : new Push(items);
}

/** What a RESP2 connection in subscribed mode may still run (Redis's processCommand check). */
const SUBSCRIBED_MODE_ALLOWED = new Set([
  "ping",
  "subscribe",
  "ssubscribe",
  "unsubscribe",
  "sunsubscribe",
  "psubscribe",
  "punsubscribe",
  "quit",
  "reset",
]);

/** RESP2 cannot tell replies from messages, so a subscriber may only manage its subscriptions. */
function subscribedModeGate(ctx: Ctx): ErrorReply | undefined {
  const c = ctx.client;
  if (c.protocol !== 2 || c.sub + c.psub + c.ssub === 0) return undefined;
  const top = ctx.cmd.parent ?? ctx.cmd;
  if (SUBSCRIBED_MODE_ALLOWED.has(top.spec.name)) return undefined;
  const text = `ERR Can't execute '${ctx.cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
  // Counted like Redis's rejectCommand: a rejected call and an error reply.
  ctx.engine.stats.command(ctx.cmd.fullName).rejectedCalls++;
  ctx.engine.stats.error("ERR");
  return new ErrorReply(text);
}

// RESET drops every subscription, as Redis's clearClientConnectionState does.
Client.resetHooks.push((client, engine) => {
  existingPubsub(engine)?.removeClient(client);
});

const registries = new WeakMap<Engine, PubSub>();

/** The engine's pub/sub registry, created on first use. */
export function pubsubOf(engine: Engine): PubSub {
  let r = registries.get(engine);
  if (r === undefined) {
    r = new PubSub(engine);
    registries.set(engine, r);
  }
  return r;
}

/** The registry if anyone ever used pub/sub on this engine (cheap check for hot paths). */
export function existingPubsub(engine: Engine): PubSub | undefined {
  return registries.get(engine);
}
