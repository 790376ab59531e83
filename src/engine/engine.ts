import type { Config } from "../config/config.ts";
import { cString } from "../resp/bytes.ts";
import type { Outgoing } from "../resp/encoder.ts";
import { ErrorReply, type Reply, Status } from "../resp/reply.ts";
import type { Companion, Connection } from "../runtime/types.ts";
import { AccessClock } from "../store/access-clock.ts";
import { Database, type KeyspaceHooks } from "../store/database.ts";
import { Blocked, BlockingRegistry, type Waiter } from "./blocking.ts";
import { Client, type Transport } from "./client.ts";
import { FLAG_BITS, type HandlerResult, NO_REPLY } from "./command.ts";
import { Ctx } from "./context.ts";
import { cstr128, Errors, RedisError } from "./errors.ts";
import { Evictor } from "./evict.ts";
import { LatencyMonitor } from "./latency.ts";
import { discardTransaction, flagTransaction, NOT_IN_MULTI, refusedInMulti } from "./multi.ts";
import { PROPAGATE_ALL } from "./propagation.ts";
import { quoteArg } from "./quote.ts";
import { Slowlog } from "./slowlog.ts";
import { Stats } from "./stats.ts";
import type { CommandTable, TableEntry } from "./table.ts";

/**
 * Receives every change in its propagated form (AOF and replicas hook in here);
 * `targets` says who it is for (PROPAGATE_AOF / PROPAGATE_REPL bits).
 */
export type PropagationListener = (db: number, commands: string[][], targets: number) => void;

/**
 * A check run before a command executes (MULTI queueing, pub/sub mode,
 * read-only replica...). Returning a result short-circuits the command.
 */
export type Gate = (ctx: Ctx) => HandlerResult | undefined;

export interface ShutdownOptions {
  save: boolean | null;
  now: boolean;
  force: boolean;
  abort: boolean;
}

/** Why the server is crashing (the bug report says it; src/server/crash.ts). */
export type CrashCause =
  | { kind: "signal"; signal: "SIGABRT" | "SIGSEGV" }
  | { kind: "panic"; message: string }
  | { kind: "assert"; expression: string };

/** Facts the engine reports but does not own (INFO server, memory, cpu). */
export interface HostInfo {
  readonly runtimeName: string;
  readonly runtimeVersion: string;
  readonly pid: number;
  readonly executable: string;
  readonly platform: string;
  readonly arch: string;
  tcpPort(): number;
  cpuUsage(): { user: number; system: number };
  rss(): number;
  heapUsed(): number;
  /** Full collections started by the idle-time collector (src/server/idle-gc.ts). */
  idleCollections(): number;
  /** MEMORY PURGE: asks the runtime for a full collection now; false when it offers none. */
  collectGarbage(): boolean;
  /**
   * SHUTDOWN from `client` (src/server/shutdown.ts): the reply (an error when
   * refused, OK for ABORT), Blocked while waiting for replicas, or null when
   * the process is exiting (no reply).
   */
  shutdown(options: ShutdownOptions, client: Client): Reply | Blocked | null;
  /** INFO's shutdown_in_milliseconds: time left waiting for replicas before exiting. */
  shutdownInMs(): number;
  /** Logs Redis's bug report for `cause` (with the command `current` was running) and ends the process. */
  crash(cause: CrashCause, current: Ctx | null): never;
  /** Outgoing TCP connections (MIGRATE's to its target instance). */
  connectTcp?(host: string, port: number): Promise<Connection>;
  /** The stand-in for a forked child while a background job runs (src/persistence/companion.ts). */
  spawnCompanion?(): Companion | null;
}

const WRITE = FLAG_BITS.write;
const MAY_REPLICATE = FLAG_BITS.may_replicate;
const NO_AUTH = FLAG_BITS.no_auth;
const SKIP_MONITOR = FLAG_BITS.skip_monitor | FLAG_BITS.admin;
const SKIP_SLOWLOG = FLAG_BITS.skip_slowlog;
const FAST = FLAG_BITS.fast;
const DENYOOM = FLAG_BITS.denyoom;
/** Commands a client in MULTI may still send when out of memory (Redis's processCommand). */
const OOM_EXEMPT_IN_MULTI = new Set(["exec", "discard", "quit", "reset"]);
const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

export const VERSION = "7.0.15";

/** Returned by execute() when CLIENT PAUSE holds the command: the sink retries it after unpause. */
export const POSTPONED: unique symbol = Symbol("postponed");
export const RESPD_VERSION = "0.1.0";

/**
 * The single-threaded heart of respd: all databases, all clients, and the
 * dispatcher every command of every connection goes through, strictly in
 * arrival order. Everything here is synchronous; nothing needs a lock.
 */
export class Engine implements KeyspaceHooks {
  readonly dbs: Database[];
  readonly clients = new Map<number, Client>();
  readonly stats = new Stats();
  readonly slowlog = new Slowlog();
  readonly latency = new LatencyMonitor();
  /** DEBUG SET-ACTIVE-EXPIRE 0 turns the cron's expire cycle off (keys then expire only on access). */
  activeExpire = true;
  /** DEBUG SET-SKIP-CHECKSUM-VALIDATION 1: RESTORE payloads and RDB loads skip their CRC check. */
  skipChecksumValidation = false;
  /** DEBUG PAUSE-CRON 1: the periodic work (expire cycle, client timeouts, save points) stops. */
  cronPaused = false;
  /** DEBUG QUICKLIST-PACKED-THRESHOLD: list elements at least this long get their own PLAIN node in RDB files. */
  quicklistPackedThreshold = 1 << 30;
  readonly startedAt = Date.now();
  readonly runId: string;
  /** Changes since start (Redis's server.dirty): drives propagation and, later, save points. */
  dirty = 0;
  /** Until this time (ms) CLIENT PAUSE holds clients' commands; `pauseWritesOnly` limits it to writes. */
  pausedUntil = 0;
  pauseWritesOnly = false;
  /**
   * Pauses by purpose (Redis 7.0's PAUSE_BY_CLIENT_COMMAND, PAUSE_DURING_FAILOVER...): each
   * ends on its own, CLIENT UNPAUSE ends only its own, and the strictest one in force applies.
   */
  readonly #pauses = new Map<string, { until: number; writesOnly: boolean }>();
  #pauseTimer: ReturnType<typeof setTimeout> | null = null;
  #unpauseWaiters: (() => void)[] = [];
  readonly gates: Gate[] = [];
  /** Run after every executed command, including each one inside EXEC (client tracking remembers keys here). */
  readonly afterCall: ((ctx: Ctx) => void)[] = [];
  /**
   * client-output-buffer-limit for replies (src/pubsub/limits.ts sets it
   * while a limit is set): the sink passes the bytes of replies it has
   * gathered for the client; true means the client was closed for it.
   */
  replyLimit: ((client: Client, gatheredBytes: number) => boolean) | null = null;
  /**
   * Reply buffer resizing (Redis's reply_buffer_resizing_enabled and
   * reply_buffer_peak_reset_time, which DEBUG REPLYBUFFER sets; -1 = never).
   */
  readonly replyBuffer = { resizing: true, peakResetMs: 5000 };
  /** Run on every cron tick, after the expire cycle. */
  readonly cronHooks: (() => void)[] = [];
  /** Clients parked by blocking commands, per key. */
  readonly blocking = new BlockingRegistry();
  readonly evictor = new Evictor(this);
  readonly #propagation: PropagationListener[] = [];
  readonly #keyTouched: ((db: number, key: string, swap: boolean) => void)[] = [];
  #nextClientId = 1;
  #nextFd = 8;
  host: HostInfo | null = null;
  /** Read on every command, so kept out of the config map. */
  #slowlogThreshold: number;
  #latencyThreshold: number;
  /** latency-tracking: per-command latency histograms. */
  #latencyTracking: boolean;
  #maxmemory: number;
  /**
   * Wall clock minus the monotonic clock, re-measured by the cron, so a
   * command's absolute time comes from the same performance.now() read that
   * times it, without drifting from Date.now().
   */
  #clockOffset = performance.timeOrigin;
  /**
   * Inside a batch, the clock reading that ended the previous command: it
   * starts the next one, so a pipelined command costs one clock read (40 ns
   * on Bun), not two. -1 outside a batch.
   */
  #batchClock = -1;

  constructor(
    readonly config: Config,
    readonly commands: CommandTable,
  ) {
    const n = config.num("databases");
    this.dbs = Array.from({ length: n }, (_, i) => new Database(i, this, this.accessClock));
    this.#configureAccessClock();
    this.#slowlogThreshold = config.num("slowlog-log-slower-than");
    this.#latencyThreshold = config.num("latency-monitor-threshold");
    this.#latencyTracking = config.bool("latency-tracking");
    this.#maxmemory = config.num("maxmemory");
    config.onChange((name) => {
      if (name === "latency-tracking") this.#latencyTracking = config.bool(name);
      if (name === "maxmemory") {
        this.#maxmemory = config.num(name);
        // A lower limit is enforced from a timer, not inside the CONFIG SET (nor the EXEC around it), as Redis's.
        if (this.#maxmemory > 0) this.evictor.soon();
      }
      if (name === "maxmemory-policy" || name === "lfu-log-factor" || name === "lfu-decay-time") this.#configureAccessClock();
      if (name === "slowlog-log-slower-than") this.#slowlogThreshold = config.num(name);
      if (name === "latency-monitor-threshold") this.#latencyThreshold = config.num(name);
    });
    let id = "";
    for (let i = 0; i < 40; i++) id += "0123456789abcdef"[(Math.random() * 16) | 0];
    this.runId = id;
  }

  /** The access column's meaning for every db: LRU seconds, or LFU counters under an LFU maxmemory-policy. */
  readonly accessClock = new AccessClock();

  #configureAccessClock(): void {
    const clock = this.accessClock;
    const policy = this.config.get("maxmemory-policy");
    clock.lfu = policy.endsWith("-lfu");
    clock.lru = policy.endsWith("-lru");
    clock.logFactor = this.config.num("lfu-log-factor");
    clock.decayTime = this.config.num("lfu-decay-time");
  }

  get monitors(): Client[] {
    const out: Client[] = [];
    for (const c of this.clients.values()) if (c.monitor) out.push(c);
    return out;
  }

  /** CLIENT PAUSE (or another `purpose`): hold commands (all, or only writes) until `until` (ms) or unpause(). */
  pause(until: number, writesOnly: boolean, purpose = "client"): void {
    const old = this.#pauses.get(purpose);
    // A second PAUSE can only extend the pause or widen it to all commands, as in Redis.
    if (old !== undefined && old.until > Date.now()) {
      old.writesOnly = old.writesOnly && writesOnly;
      old.until = Math.max(old.until, until);
    } else this.#pauses.set(purpose, { until, writesOnly });
    this.#updatePause();
  }

  /** CLIENT UNPAUSE (or the end of another purpose's pause): postponed clients carry on in order. */
  unpause(purpose = "client"): void {
    this.#pauses.delete(purpose);
    this.#updatePause();
  }

  /** Recomputes the pause in force from the purposes still running; releases what it no longer holds. */
  #updatePause(): void {
    const now = Date.now();
    let until = 0;
    let writesOnly = true;
    let next = Number.POSITIVE_INFINITY;
    for (const [purpose, p] of this.#pauses) {
      if (p.until <= now) {
        this.#pauses.delete(purpose);
        continue;
      }
      until = Math.max(until, p.until);
      writesOnly &&= p.writesOnly;
      next = Math.min(next, p.until);
    }
    const eased = until < this.pausedUntil || (writesOnly && !this.pauseWritesOnly);
    this.pausedUntil = until;
    this.pauseWritesOnly = writesOnly;
    if (this.#pauseTimer !== null) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = null;
    // setTimeout cannot wait longer than 2^31-1 ms; a longer pause re-arms when that fires.
    if (next !== Number.POSITIVE_INFINITY) {
      this.#pauseTimer = setTimeout(() => this.#updatePause(), Math.min(2 ** 31 - 1, Math.max(0, next - now)));
    }
    if (!eased && until > 0) return;
    // Postponed clients retry: what is still paused waits again.
    const waiters = this.#unpauseWaiters;
    this.#unpauseWaiters = [];
    for (const w of waiters) w();
  }

  /** Clients whose command CLIENT PAUSE holds (Redis counts them in blocked_clients, as BLOCKED_PAUSE). */
  get pausedClients(): number {
    return this.#unpauseWaiters.length;
  }

  /** Resolves when the current pause ends. */
  whenUnpaused(): Promise<void> {
    return new Promise((resolve) => this.#unpauseWaiters.push(resolve));
  }

  onPropagate(listener: PropagationListener): void {
    this.#propagation.push(listener);
  }

  /** Returns a function that removes the listener (subsystems listen only while they need to: every write pays). */
  onKeyTouched(listener: (db: number, key: string, swap: boolean) => void): () => void {
    this.#keyTouched.push(listener);
    return () => removeItem(this.#keyTouched, listener);
  }

  readonly #flushListeners: ((dbs: readonly number[]) => void)[] = [];
  /** Told before databases are emptied wholesale (FLUSHDB, FLUSHALL, a replica's full sync). */
  onFlush(listener: (dbs: readonly number[]) => void): void {
    this.#flushListeners.push(listener);
  }

  /**
   * Redis's signalFlushedDb, once per flushing command, before the data goes:
   * WATCHed keys that exist there are modified, tracking clients drop everything.
   */
  flushing(dbs: readonly number[]): void {
    for (const l of this.#flushListeners) l(dbs);
    // Redis's scanDatabaseForDeletedStreams: a waiting XREADGROUP learns its stream is gone.
    for (const slot of this.blocking.allSlots()) {
      const sep = slot.indexOf("\u0000");
      const db = Number(slot.slice(0, sep));
      if (dbs.includes(db)) this.blocking.touched(db, slot.slice(sep + 1));
    }
  }

  /** Registers a new connection's session, or returns null when maxclients is reached. */
  createClient(addr: string, laddr: string, transport: Transport): Client | null {
    this.stats.totalConnectionsReceived++;
    if (this.clients.size >= this.config.num("maxclients")) {
      this.stats.rejectedConnections++;
      return null;
    }
    const client = new Client(
      this.#nextClientId++,
      addr,
      laddr,
      this.#nextFd++,
      transport,
      Date.now(),
      this.config.get("requirepass") === "",
    );
    this.clients.set(client.id, client);
    return client;
  }

  removeClient(client: Client): void {
    client.closing = true;
    client.monitor = false;
    const waiter = this.blocking.waiterOf(client);
    if (waiter) {
      // Releases the parked pipe; its reply goes nowhere since the client is closing.
      this.blocking.remove(waiter);
      waiter.resolve(null);
    }
    this.clients.delete(client.id);
    for (const hook of this.#clientGone) hook(client);
  }

  readonly #clientGone: ((c: Client) => void)[] = [];
  onClientGone(hook: (c: Client) => void): void {
    this.#clientGone.push(hook);
  }

  /**
   * Runs one command for `client` with every check Redis makes first:
   * existence, arity, authentication, then the gates later features add.
   */
  /** The sink brackets each batch it runs with these (see #batchClock). */
  beginBatch(): void {
    this.#batchClock = performance.now();
  }

  endBatch(): void {
    this.#batchClock = -1;
  }

  execute(client: Client, argv: string[]): HandlerResult | typeof POSTPONED {
    // One clock read serves both the command's "now" and its duration.
    const t0 = this.#batchClock >= 0 ? this.#batchClock : performance.now();
    const now = Math.floor(this.#clockOffset + t0);
    client.lastInteraction = now;
    const name = argv[0] as string;
    let cmd = this.commands.lookup(name);
    if (cmd === undefined) return this.#reject(client, null, unknownCommand(argv));
    if (cmd.subcommands !== null && argv.length >= 2) {
      const sub = this.commands.lookupSub(cmd, argv[1] as string);
      if (sub === undefined) {
        return this.#reject(client, null, Errors.unknownSubcommand(argv));
      }
      cmd = sub;
    }
    const arity = cmd.spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      return this.#reject(client, cmd, Errors.wrongArgs(cmd.fullName));
    }
    if (!client.authenticated && (cmd.bits & NO_AUTH) === 0) return this.#reject(client, cmd, Errors.noAuth);
    if (client.multiQueued >= 0 && refusedInMulti(client, cmd)) return this.#reject(client, cmd, NOT_IN_MULTI);
    if (this.pausedUntil > now && (!this.pauseWritesOnly || this.#mayReplicate(client, cmd))) return POSTPONED;
    if (this.#maxmemory > 0 && this.#refusedForMemory(client, cmd, now)) return this.#reject(client, cmd, OOM_ERROR);
    const ctx = new Ctx(this, client, argv, cmd, now);
    for (const gate of this.gates) {
      const r = gate(ctx);
      if (r !== undefined) {
        // A gate's refusal is Redis's rejectCommand: it dooms a MULTI being queued, and aborts an EXEC.
        if (r instanceof ErrorReply) return this.#reject(client, cmd, r.text);
        return r;
      }
    }
    const result = this.call(ctx, t0);
    // Serve clients blocked on keys this command touched before anyone's next command runs, as Redis does.
    if (this.blocking.hasReady) {
      this.serveBlocked();
      // Not the next command's time.
      if (this.#batchClock >= 0) this.#batchClock = performance.now();
    }
    return result;
  }

  /** Executes an already validated command and does the bookkeeping around it. */
  call(ctx: Ctx, t0 = performance.now()): HandlerResult {
    const { cmd, client } = ctx;
    const dirtyBefore = this.dirty;
    let result: HandlerResult;
    try {
      result = cmd.spec.handler(ctx);
    } catch (e) {
      if (e instanceof RedisError) result = e.toReply();
      else {
        // A bug must not take the server down; report it like Redis reports internal errors.
        console.error(e);
        result = new ErrorReply(`ERR internal error in '${cmd.fullName}': ${(e as Error).message}`);
      }
    }
    // Inside EXEC nothing may block (Redis's CLIENT_DENY_BLOCKING): answer as on timeout.
    if (result instanceof Blocked && client.inExec) result = result.onTimeout();
    const end = performance.now();
    if (this.#batchClock >= 0) this.#batchClock = end;
    const micros = Math.round((end - t0) * 1000);
    let stat = cmd.stat;
    if (stat === null || cmd.statGeneration !== this.stats.generation) {
      stat = cmd.stat = this.stats.command(cmd.fullName);
      cmd.statGeneration = this.stats.generation;
    }
    stat.calls++;
    stat.usec += micros;
    // A blocked command is recorded here too, with the time of this call (Redis waits for the unblock and adds
    // the serving call's time; the count is the same).
    if (this.#latencyTracking) this.stats.recordLatency(stat, micros);
    this.stats.totalCommandsProcessed++;
    if (result instanceof ErrorReply) {
      stat.failedCalls++;
      this.stats.error(result.code);
    }
    client.lastCommand = cmd.fullName;
    const after = this.afterCall;
    for (let i = 0; i < after.length; i++) (after[i] as (ctx: Ctx) => void)(ctx);
    if (result instanceof Blocked) this.#park(ctx, result);
    // A command that blocked goes to the slowlog when it is unblocked, as Redis's updateStatsOnUnblock.
    if ((cmd.bits & SKIP_SLOWLOG) === 0 && !(result instanceof Blocked)) {
      const threshold = this.#slowlogThreshold;
      if (threshold >= 0 && micros >= threshold) {
        this.slowlog.record(ctx.argv, micros, client.addr, client.name, this.config.num("slowlog-max-len"));
      }
    }
    const latencyThreshold = this.#latencyThreshold;
    if (latencyThreshold > 0 && micros >= latencyThreshold * 1000) {
      this.latency.add((cmd.bits & FAST) !== 0 ? "fast-command" : "command", Math.floor(micros / 1000));
    }
    if (Client.monitorCount > 0 && (cmd.bits & SKIP_MONITOR) === 0) this.#feedMonitors(client, ctx.argv, ctx.now);
    if (ctx.propagated !== null) this.propagate(client.db, ctx.propagated, ctx.propagateTargets);
    else if (this.dirty !== dirtyBefore && (cmd.bits & (WRITE | MAY_REPLICATE)) !== 0 && this.#propagating()) {
      this.propagate(client.db, [ctx.argv]);
    }
    return result;
  }

  /** Sends commands to the AOF and/or replicas, in their propagated form. */
  propagate(db: number, commands: string[][], targets = PROPAGATE_ALL): void {
    // An empty list is a command that stopped its own propagation (XREAD, XREADGROUP with nothing to say).
    if (commands.length === 0) return;
    const captured = this.#captured;
    if (captured !== null) {
      // Inside EXEC everything joins the block (a PUBLISH there reaches the AOF too).
      for (const c of commands) captured.push([db, c]);
      return;
    }
    for (const l of this.#propagation) l(db, commands, targets);
  }

  /** Whether anything takes propagated commands now (no AOF, no replicas, no EXEC: nothing to build). */
  #propagating(): boolean {
    return this.#captured !== null || this.#propagation.length > 0;
  }

  /** While EXEC runs, what its commands propagate is collected here, to leave as one block. */
  #captured: [number, string[]][] | null = null;

  /** Collects propagation until the returned function is called; it returns what was collected. */
  capturePropagation(): () => [number, string[]][] {
    const outer = this.#captured;
    const mine: [number, string[]][] = [];
    this.#captured = mine;
    return () => {
      this.#captured = outer;
      return mine;
    };
  }

  /**
   * maxmemory (Redis's processCommand): keys are evicted first, as the
   * policy allows; if memory is still over the limit, commands that may grow
   * it (denyoom, or an EXEC whose queue holds one) are refused, and so is
   * anything a MULTI would queue. What the master sends a replica is never
   * refused or made to evict.
   */
  #refusedForMemory(client: Client, cmd: TableEntry, now: number): boolean {
    if (client.extraFlags.includes("M")) return false;
    if (this.evictor.run(this.#maxmemory, now)) return false;
    const queueing = client.multiQueued >= 0;
    const name = (cmd.parent ?? cmd).spec.name;
    if (name === "exec") return queueing && (client.multiFlags & DENYOOM) !== 0;
    return (cmd.bits & DENYOOM) !== 0 || (queueing && !OOM_EXEMPT_IN_MULTI.has(name));
  }

  /** CLIENT PAUSE WRITE holds writes, and an EXEC whose queue holds a write, as Redis 7.0. */
  #mayReplicate(client: Client, cmd: TableEntry): boolean {
    if ((cmd.bits & (WRITE | MAY_REPLICATE)) !== 0) return true;
    return cmd.spec.name === "exec" && client.multiQueued >= 0 && (client.multiFlags & (WRITE | MAY_REPLICATE)) !== 0;
  }

  readonly #notifyListeners: ((cls: string, event: string, key: string, db: number) => void)[] = [];
  /** Returns a function that removes the listener. */
  onNotify(listener: (cls: string, event: string, key: string, db: number) => void): () => void {
    this.#notifyListeners.push(listener);
    return () => removeItem(this.#notifyListeners, listener);
  }

  /** Keyspace events (notify-keyspace-events subscribers attach here). */
  notify(cls: string, event: string, key: string, db: number): void {
    const listeners = this.#notifyListeners;
    for (let i = 0; i < listeners.length; i++) (listeners[i] as (typeof listeners)[number])(cls, event, key, db);
  }

  #park(ctx: Ctx, blocked: Blocked): void {
    blocked.promise = new Promise<Reply>((settle) => {
      // An error ending the wait (CLIENT UNBLOCK ... ERROR) counts as the command's failure, as Redis's updateStatsOnUnblock.
      const resolve = (reply: Reply) => {
        if (reply instanceof ErrorReply) {
          this.stats.command(ctx.cmd.fullName).failedCalls++;
          this.stats.error(reply.code);
        }
        // Served, timed out or unblocked: the slowlog gets the original command with the serving call's time.
        const threshold = this.#slowlogThreshold;
        const micros = waiter.serveMicros ?? 0;
        if ((ctx.cmd.bits & SKIP_SLOWLOG) === 0 && threshold >= 0 && micros >= threshold) {
          this.slowlog.record(ctx.argv, micros, ctx.client.addr, ctx.client.name, this.config.num("slowlog-max-len"));
        }
        settle(reply);
      };
      const waiter: Waiter = { client: ctx.client, db: ctx.client.db, blocked, origin: ctx, timer: null, resolve };
      if (blocked.timeoutMs > 0) {
        const deadline = Date.now() + blocked.timeoutMs;
        // setTimeout overflows past 2^31-1 ms, so long waits re-arm until the deadline.
        const arm = () => {
          waiter.timer = setTimeout(
            () => {
              if (Date.now() < deadline) return arm();
              this.blocking.remove(waiter);
              resolve(blocked.onTimeout());
            },
            Math.min(deadline - Date.now(), 2147483647),
          );
        };
        arm();
      }
      this.blocking.add(waiter);
    });
  }

  /**
   * Gives each key that became ready to its waiters in FIFO order, until one
   * cannot be served. Serving may touch other keys (BLMOVE pushes), so it
   * loops until nothing is ready.
   */
  serveBlocked(): void {
    while (this.blocking.hasReady) {
      for (const slot of this.blocking.takeReady()) {
        const readyKey = slot.slice(slot.indexOf("\u0000") + 1);
        for (const w of this.blocking.waitersOn(slot)) {
          const ctx = new Ctx(this, w.client, w.origin.argv, w.origin.cmd, Date.now());
          let reply: Reply | undefined;
          // What the client is sent meanwhile waits for its reply, which the sink writes later.
          const held: Outgoing[] = [];
          w.client.outbox = held;
          const started = performance.now();
          try {
            reply = w.blocked.attempt(ctx, readyKey);
          } catch (e) {
            reply = e instanceof RedisError ? e.toReply() : new ErrorReply(`ERR ${(e as Error).message}`);
          } finally {
            w.client.outbox = null;
          }
          if (held.length > 0) {
            if (reply === undefined) w.client.send(held);
            else w.client.afterServed = held;
          }
          if (reply === undefined) {
            // A list or zset that cannot serve one waiter serves none; a stream may serve later waiters.
            if (w.blocked.servesInOrder) break;
            continue;
          }
          this.blocking.remove(w);
          if (ctx.propagated !== null) this.propagate(w.db, ctx.propagated);
          w.serveMicros = Math.floor((performance.now() - started) * 1000);
          w.resolve(reply);
        }
      }
    }
  }

  /** CLIENT UNBLOCK: true if the client was blocked. */
  unblock(client: Client, withError: boolean): boolean {
    const w = this.blocking.waiterOf(client);
    if (!w) return false;
    this.blocking.remove(w);
    w.resolve(this.blocking.unblockReply(w, withError));
    return true;
  }

  /** `swap`: SWAPDB moved the key's db under it (WATCH judges that itself; tracking ignores it, as Redis). */
  keyTouched(db: number, key: string, swap = false): void {
    this.blocking.touched(db, key);
    const listeners = this.#keyTouched;
    for (let i = 0; i < listeners.length; i++) (listeners[i] as (typeof listeners)[number])(db, key, swap);
  }

  /** KeyspaceHooks: a key expired (lazily or actively). */
  expired(db: Database, key: string): void {
    // Not counted in `dirty`: the DEL below is propagated on its own, and a command
    // that merely met an expired key (e.g. DEL of it) must not be propagated as well.
    this.stats.expiredKeys++;
    this.keyTouched(db.id, key);
    this.notify("x", "expired", key, db.id);
    this.propagate(db.id, [["DEL", key]]);
  }

  /** Whether a background job (BGSAVE, AOF rewrite, full sync) runs; set by the server. */
  backgroundJobActive: () => boolean = () => false;

  /** KeyspaceHooks: no key-table resizing while a background job runs (Redis: while it has a child). */
  resizeHeld(): boolean {
    return this.backgroundJobActive();
  }

  /**
   * KeyspaceHooks: while CLIENT PAUSE (WRITE or ALL) lasts, expired keys are
   * not deleted (they only read as missing), as Redis 7.0 keeps the dataset
   * constant for a failover; they go, and are propagated, after the pause.
   */
  expiryHeld(): boolean {
    if (this.pausedUntil === 0) return false;
    if (this.pausedUntil > Date.now()) return true;
    // The timer that ends the pause has not fired yet: the pause is over all the same.
    return false;
  }

  /** Refuses a command before it runs (Redis's rejectCommand): counted, and dooms a MULTI being queued. */
  #reject(client: Client, cmd: TableEntry | null, text: string): ErrorReply {
    flagTransaction(client);
    if (cmd) this.stats.command(cmd.fullName).rejectedCalls++;
    // A refused EXEC ends the transaction, and says so (Redis's execCommandAbort), even outside MULTI.
    if (cmd !== null && cmd.parent === null && cmd.spec.name === "exec") {
      discardTransaction(this, client);
      text = `EXECABORT Transaction discarded because of: ${text.startsWith("ERR ") ? text.slice(4) : text}`;
    }
    const reply = new ErrorReply(text);
    this.stats.error(reply.code);
    return reply;
  }

  #feedMonitors(client: Client, argv: string[], now: number): void {
    if (this.clients.size === 0) return;
    let line: Status | null = null;
    for (const m of this.clients.values()) {
      if (!m.monitor || m === client) continue;
      if (line === null) {
        const secs = Math.floor(now / 1000);
        const micros = String((now % 1000) * 1000).padStart(6, "0");
        const who = `${client.db} ${client.addr}`;
        line = new Status(`${secs}.${micros} [${who}] ${argv.map(quoteArg).join(" ")}`);
      }
      m.send([line]);
    }
  }

  /**
   * The active expire cycle: bounded to 25% of the cron period, repeating on
   * a db while more than 25% of the sample was expired. Its duration is a
   * latency event ("expire-cycle"), as in Redis. Off while clients are
   * paused for writes: the dataset stays still.
   */
  #activeExpireCycle(now: number): void {
    if (this.expiryHeld()) return;
    const hz = Math.max(1, this.config.num("hz"));
    const effort = this.config.num("active-expire-effort");
    const budget = (1000 / hz) * (0.25 + (effort - 1) * 0.05);
    const sample = 20 + 5 * (effort - 1);
    const start = performance.now();
    const deadline = start + budget;
    let worked = false;
    scan: for (const db of this.dbs) {
      if (db.volatile.size === 0) continue;
      worked = true;
      for (;;) {
        const [checked, expired] = db.expireSample(now, sample);
        if (checked === 0 || expired * 4 <= checked) break;
        if (performance.now() > deadline) break scan;
      }
    }
    const elapsedMs = Math.floor(performance.now() - start);
    if (worked && this.#latencyThreshold > 0 && elapsedMs >= this.#latencyThreshold) this.latency.add("expire-cycle", elapsedMs);
  }

  /**
   * Periodic work, hz times a second: the active expire cycle (bounded to 25%
   * of the period, repeating on a db while more than 25% of the sample was
   * expired), idle client timeouts and the ops/sec sample.
   */
  cron(): void {
    if (this.cronPaused) return;
    const now = Date.now();
    // Date.now() is the wall clock floored to the ms: keep our estimate within [now, now + 1).
    const estimate = this.#clockOffset + performance.now();
    if (estimate < now) this.#clockOffset += now - estimate;
    else if (estimate >= now + 1) this.#clockOffset -= estimate - now - 0.999;
    if (this.activeExpire) this.#activeExpireCycle(now);
    for (const hook of this.cronHooks) hook();
    const rb = this.replyBuffer;
    for (const c of this.clients.values()) {
      c.resizeQueryBuffer(now);
      if (rb.resizing) {
        const r = c.resizeReplyBuffer(now, rb.peakResetMs);
        if (r > 0) this.stats.replyBufferExpands++;
        else if (r < 0) this.stats.replyBufferShrinks++;
      }
    }
    const timeout = this.config.num("timeout") * 1000;
    if (timeout > 0) {
      for (const c of this.clients.values()) {
        // Redis never times out replicas, masters, MONITORs or pub/sub subscribers.
        if (c.monitor || c.extraFlags.includes("S") || c.extraFlags.includes("M") || c.sub + c.psub + c.ssub > 0) continue;
        if (now - c.lastInteraction > timeout) c.kill();
      }
    }
    this.stats.sample(now);
  }
}

function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i !== -1) list.splice(i, 1);
}

/** Redis's unknown-command text: the name and up to ~128 bytes of quoted args. */
function unknownCommand(argv: string[]): string {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${cString(argv[i] as string).slice(0, 128 - args.length)}' `;
  }
  return `ERR unknown command '${cstr128(argv[0] as string)}', with args beginning with: ${args}`;
}

export { NO_REPLY };
