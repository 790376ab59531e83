/**
 * Server-assisted client-side caching (CLIENT TRACKING), after Redis's
 * tracking.c: a table of keys read by tracking clients (key -> client ids),
 * invalidated when the key changes; BCAST clients get every change under
 * their prefixes instead, batched until the current batch of commands ends.
 */
import { Client } from "../engine/client.ts";
import { FLAG_BITS, keyPositions } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import { Push, type Reply } from "../resp/reply.ts";
import { pubsubOf } from "./registry.ts";

/** One client's CLIENT TRACKING settings (Redis's CLIENT_TRACKING_* flags). */
export interface TrackingState {
  /** Client id invalidations go to; 0 = this connection. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (optin) / NO (optout), for the next command only. */
  caching: boolean;
  brokenRedirect: boolean;
  /** BCAST prefixes ("" = every key). */
  prefixes: Set<string>;
}

/** The channel RESP2 redirect targets get invalidations on. */
export const INVALIDATE_CHANNEL = "__redis__:invalidate";

const READONLY = FLAG_BITS.readonly;
const PUBSUB = FLAG_BITS.pubsub;

interface Broadcast {
  clients: Set<Client>;
  /** Keys changed since the last broadcast, with the client that changed each last (for NOLOOP). */
  keys: Map<string, Client | null>;
}

export class Tracking {
  readonly #states = new Map<Client, TrackingState>();
  /** Key -> ids of the clients that read it (Redis's TrackingTable; key names only, not per db). */
  readonly table = new Map<string, Set<number>>();
  readonly prefixes = new Map<string, Broadcast>();
  /** The client whose command is running: its own invalidations wait until its reply is out. */
  #current: Client | null = null;
  /** Set while FLUSHALL/FLUSHDB runs: one null invalidation replaces the per-key ones. */
  #flushing = false;
  #pending: [Client, Reply][] = [];
  #scheduled = false;
  /** Rounds in a row the table stayed over tracking-table-max-keys: each round evicts 100 keys more. */
  #overLimitRounds = 0;

  constructor(readonly engine: Engine) {
    engine.gates.push((ctx) => this.#beforeCommand(ctx));
    engine.afterCall.push((ctx) => this.#afterCall(ctx));
    engine.cronHooks.push(() => this.limitTable());
    // SWAPDB changes no key's value as tracking sees keys (by name, in no db): Redis sends nothing.
    engine.onKeyTouched((_db, key, swap) => {
      if (!swap) this.invalidate(key);
    });
    // Any flush drops every tracked key (trackingInvalidateKeysOnFlush).
    engine.onFlush(() => this.#flushed());
    engine.onClientGone((c) => this.disable(c));
  }

  stateOf(client: Client): TrackingState | undefined {
    return this.#states.get(client);
  }

  get clients(): number {
    return this.#states.size;
  }

  /** Total client ids over all tracked keys (INFO tracking_total_items). */
  get items(): number {
    let n = 0;
    for (const ids of this.table.values()) n += ids.size;
    return n;
  }

  /** enableTracking: a second ON replaces redirect and modes and adds prefixes. */
  enable(
    client: Client,
    redirect: number,
    opts: { bcast: boolean; optin: boolean; optout: boolean; noloop: boolean },
    prefixes: string[],
  ): void {
    let st = this.#states.get(client);
    if (st === undefined) {
      st = {
        redirect: 0,
        bcast: false,
        optin: false,
        optout: false,
        noloop: false,
        caching: false,
        brokenRedirect: false,
        prefixes: new Set(),
      };
      this.#states.set(client, st);
    }
    st.redirect = redirect;
    st.brokenRedirect = false;
    st.bcast = opts.bcast;
    st.optin = opts.optin;
    st.optout = opts.optout;
    st.noloop = opts.noloop;
    if (opts.bcast) {
      if (prefixes.length === 0) prefixes = [""];
      for (const p of prefixes) {
        st.prefixes.add(p);
        let b = this.prefixes.get(p);
        if (b === undefined) {
          b = { clients: new Set(), keys: new Map() };
          this.prefixes.set(p, b);
        }
        b.clients.add(client);
      }
    }
    this.#syncFlags(client, st);
  }

  /** disableTracking: keys it read stay in the table and are skipped when they change. */
  disable(client: Client): void {
    const st = this.#states.get(client);
    if (st === undefined) return;
    for (const p of st.prefixes) {
      const b = this.prefixes.get(p);
      if (b === undefined) continue;
      b.clients.delete(client);
      if (b.clients.size === 0) this.prefixes.delete(p);
    }
    this.#states.delete(client);
    client.extraFlags = client.extraFlags.replace(/[tRB]/g, "");
  }

  #syncFlags(client: Client, st: TrackingState): void {
    let f = client.extraFlags.replace(/[tRB]/g, "");
    f += "t";
    if (st.brokenRedirect) f += "R";
    if (st.bcast) f += "B";
    client.extraFlags = f;
  }

  /** Runs before every command: notes whose command runs, so its own invalidations follow its reply. */
  #beforeCommand(ctx: Ctx): undefined {
    // Nobody tracks anything: nothing to defer.
    if (this.#states.size === 0 && this.#pending.length === 0) return undefined;
    const client = ctx.client;
    // The previous command's reply is queued by now: its pending invalidations may follow it.
    if (this.#pending.length > 0) this.#flushPending();
    // Redis trims the table before each command, so the command's own keys fit.
    this.limitTable();
    this.#current = client;
    this.#flushing = ctx.cmd.fullName === "flushall" || ctx.cmd.fullName === "flushdb";
    this.#schedule();
    return undefined;
  }

  /**
   * After each executed command, EXEC's own included (Redis's call()): a
   * tracking client's readonly command leaves its keys in the table. Keys are
   * remembered when the command runs, not when MULTI queues it.
   */
  #afterCall(ctx: Ctx): void {
    if (this.#states.size === 0) return;
    const client = ctx.client;
    const st = this.#states.get(client);
    if (st === undefined) return;
    // Shard channels are keys to COMMAND but never cached values.
    if (!st.bcast && (ctx.cmd.bits & READONLY) !== 0 && (ctx.cmd.bits & PUBSUB) === 0) {
      const track = st.optin ? st.caching : st.optout ? !st.caching : true;
      if (track) {
        for (const i of keyPositions(ctx.cmd.spec, ctx.argv)) {
          const key = ctx.argv[i] as string;
          let ids = this.table.get(key);
          if (ids === undefined) {
            ids = new Set();
            this.table.set(key, ids);
          }
          ids.add(client.id);
        }
      }
    }
    // CLIENT CACHING lasts one command; CLIENT itself, MULTI's queue and EXEC's commands keep it.
    const top = ctx.cmd.parent ?? ctx.cmd;
    if (top.spec.name !== "client" && client.multiQueued < 0 && !client.inExec) st.caching = false;
  }

  /**
   * trackingLimitUsedSlots: past tracking-table-max-keys, keys are dropped
   * from the table and their readers told, as if the keys had changed.
   */
  limitTable(): void {
    const max = this.engine.config.num("tracking-table-max-keys");
    if (max === 0 || this.table.size <= max) {
      this.#overLimitRounds = 0;
      return;
    }
    let effort = 100 * (this.#overLimitRounds + 1);
    for (const key of this.table.keys()) {
      if (effort-- <= 0) break;
      this.#invalidateReaders(key, null);
      if (this.table.size <= max) {
        this.#overLimitRounds = 0;
        return;
      }
    }
    this.#overLimitRounds++;
  }

  /** A key changed: tell whoever read it (once), and note it for BCAST prefixes. */
  invalidate(key: string): void {
    // Every write lands here: with nobody tracking, there is nothing to look up.
    if (this.#flushing || (this.table.size === 0 && this.prefixes.size === 0)) return;
    if (this.prefixes.size > 0) {
      for (const [p, b] of this.prefixes) if (key.startsWith(p)) b.keys.set(key, this.#current);
      this.#schedule();
    }
    this.#invalidateReaders(key, this.#current);
  }

  /** Tells the clients that read `key` (not BCAST ones), and forgets them; `by` is whoever changed it. */
  #invalidateReaders(key: string, by: Client | null): void {
    const ids = this.table.get(key);
    if (ids === undefined) return;
    this.table.delete(key);
    for (const id of ids) {
      const c = this.engine.clients.get(id);
      if (c === undefined) continue;
      const st = this.#states.get(c);
      if (st === undefined || st.bcast) continue;
      if (st.noloop && c === by) continue;
      if (c === by) {
        this.#pending.push([c, [key]]);
        this.#schedule();
      } else this.send(c, [key]);
    }
  }

  /** FLUSHALL / FLUSHDB: every tracking client is told to drop everything (a null key list). */
  #flushed(): void {
    for (const c of this.#states.keys()) this.#sendOrDefer(c, null);
    this.table.clear();
  }

  #sendOrDefer(c: Client, keys: Reply): void {
    if (c === this.#current) {
      this.#pending.push([c, keys]);
      this.#schedule();
    } else {
      this.send(c, keys);
    }
  }

  /** Redis's sendTrackingMessage: to the client itself (RESP3) or its redirect target. */
  send(c: Client, keys: Reply): void {
    const st = this.#states.get(c);
    if (st === undefined) return;
    const pubsub = pubsubOf(this.engine);
    let target = c;
    if (st.redirect !== 0) {
      const r = this.engine.clients.get(st.redirect);
      if (r === undefined || r.closing) {
        st.brokenRedirect = true;
        this.#syncFlags(c, st);
        if (c.protocol === 3) pubsub.deliver(c, new Push(["tracking-redir-broken", st.redirect]));
        return;
      }
      target = r;
    }
    if (target.protocol === 3) pubsub.deliver(target, new Push(["invalidate", keys]));
    // RESP2 has no push type: only a redirect target in subscribed mode can be told, as a message.
    else if (target !== c && target.extraFlags.includes("P")) pubsub.deliver(target, new Push(["message", INVALIDATE_CHANNEL, keys]));
  }

  /** Once the current batch of commands is done: deferred invalidations, then BCAST batches. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#flushPending();
      this.#current = null;
      this.#flushing = false;
      this.#broadcast();
    });
  }

  #flushPending(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const [c, keys] of pending) this.send(c, keys);
  }

  /** trackingBroadcastInvalidationMessages: per prefix, the changed keys in byte order. */
  #broadcast(): void {
    for (const b of this.prefixes.values()) {
      if (b.keys.size === 0) continue;
      const changed = [...b.keys.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
      b.keys.clear();
      for (const c of b.clients) {
        const st = this.#states.get(c);
        const keys = st?.noloop ? changed.filter(([, by]) => by !== c) : changed;
        if (keys.length > 0)
          this.send(
            c,
            keys.map(([k]) => k),
          );
      }
    }
  }
}

const registries = new WeakMap<Engine, Tracking>();

/** The engine's tracking state, created (and hooked in) on first CLIENT TRACKING. */
export function trackingOf(engine: Engine): Tracking {
  let t = registries.get(engine);
  if (t === undefined) {
    t = new Tracking(engine);
    registries.set(engine, t);
  }
  return t;
}

export function existingTracking(engine: Engine): Tracking | undefined {
  return registries.get(engine);
}

// RESET turns tracking off and drops subscriptions, as Redis's clearClientConnectionState does.
Client.resetHooks.push((client, engine) => {
  existingTracking(engine)?.disable(client);
});
