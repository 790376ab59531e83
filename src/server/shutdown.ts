/**
 * Redis 7.0's shutdown (server.c: prepareForShutdown, finishShutdown,
 * abortShutdown, sigShutdownHandler; shutdownCommand):
 *
 * - SIGTERM/SIGINT only schedule it (shutdown-on-sigterm/-sigint flags); the
 *   cron starts it, so SHUTDOWN ABORT can still cancel. A second SIGINT while
 *   one is scheduled exits at once ("You insist...").
 * - Unless NOW, with shutdown-timeout > 0 and a replica behind
 *   master_repl_offset, the master first asks its replicas for an ACK and
 *   waits (the SHUTDOWN callers stay blocked, INFO shows
 *   shutdown_in_milliseconds) until they are in sync or the timeout passes.
 * - Then: lagging replicas are logged, the AOF checked, the final RDB saved;
 *   an error (without FORCE) cancels, and every blocked SHUTDOWN gets
 *   "Errors trying to SHUTDOWN. Check logs.".
 */
import { Blocked } from "../engine/blocking.ts";
import type { Client } from "../engine/client.ts";
import type { Engine, ShutdownOptions } from "../engine/engine.ts";
import { replicaName, streamWriteCommand } from "../replication/master.ts";
import { replicationOf } from "../replication/state.ts";
import { ErrorReply, OK, type Reply } from "../resp/reply.ts";
import type { Logger } from "./log.ts";

export const SHUTDOWN_ERROR = "ERR Errors trying to SHUTDOWN. Check logs.";

/** What finishing needs from the rest of the server. */
export interface ShutdownSteps {
  /** True while the dataset loads (no final save then). */
  loading(): boolean;
  /** AOF state: "wait-rewrite" = its first rewrite has not finished, the AOF is not usable yet. */
  aofState(): string;
  aofRewriting(): boolean;
  /** Kills a BGSAVE, saves when asked to (or save points exist); false = could not save. */
  saveBeforeExit(opts: ShutdownOptions): boolean;
  /** Flushes the AOF, closes listeners and clients, logs the last line and ends the process. */
  exit(): void;
  /** "You insist": removes this process's temp RDB and exits with 1. */
  exitNow(): void;
}

export class Shutdown {
  /** Set by a signal, acted upon by the cron (Redis's shutdown_asap). */
  #asap: "SIGINT" | "SIGTERM" | null = null;
  /** When waiting for replicas: the deadline (Redis's shutdown_mstime); 0 = not initiated. */
  #deadline = 0;
  #opts: ShutdownOptions = { save: null, now: false, force: false, abort: false };
  /** SHUTDOWN callers blocked until it finishes or fails. */
  readonly #blocked = new Set<Client>();
  #exiting = false;
  /** A CLIENT PAUSE that was on when the wait paused writes, restored if the shutdown is cancelled. */
  #userPause: { until: number; writesOnly: boolean } | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly log: Logger,
    private readonly steps: ShutdownSteps,
  ) {}

  /** INFO's shutdown_in_milliseconds. */
  remainingMs(): number {
    return this.#deadline === 0 ? 0 : Math.max(0, this.#deadline - Date.now());
  }

  /** SIGINT / SIGTERM. */
  signal(name: "SIGINT" | "SIGTERM"): void {
    if (this.#asap !== null && name === "SIGINT") {
      this.log.warning("You insist... exiting now.");
      this.steps.exitNow();
      return;
    }
    this.log.warning(
      this.steps.loading() ? "Received shutdown signal during loading, scheduling shutdown." : `Received ${name} scheduling shutdown...`,
    );
    this.#asap = name;
  }

  /** Run on every cron tick: starts a shutdown a signal scheduled, or finishes one waiting for replicas. */
  cron(): void {
    if (this.#exiting) return;
    const signal = this.#asap;
    if (signal !== null && this.#deadline === 0) {
      const words = this.engine.config.get(signal === "SIGINT" ? "shutdown-on-sigint" : "shutdown-on-sigterm").split(" ");
      const save = words.includes("save") ? true : words.includes("nosave") ? false : null;
      // A failure was logged and cancelled the shutdown: the server goes on, as Redis's.
      this.#prepare({ save, now: words.includes("now"), force: words.includes("force"), abort: false });
    } else if (this.#deadline !== 0 && (Date.now() >= this.#deadline || this.#replicasInSync())) {
      this.#finish();
    }
  }

  /**
   * SHUTDOWN from `client`: an error text, a Blocked value while it waits for
   * replicas, or null when the process is exiting (no reply, as in Redis).
   */
  command(opts: ShutdownOptions, client: Client): Reply | Blocked | null {
    if (opts.abort) return this.#abort() ? OK : new ErrorReply("ERR No shutdown in progress.");
    const result = this.#prepare(opts);
    if (result === "failed") return new ErrorReply(SHUTDOWN_ERROR);
    if (result === "exiting") return null;
    this.#blocked.add(client);
    return new Blocked(
      [],
      0,
      () => undefined,
      () => new ErrorReply(SHUTDOWN_ERROR),
    );
  }

  #prepare(requested: ShutdownOptions): "exiting" | "waiting" | "failed" {
    if (this.#exiting) return "exiting";
    if (this.#deadline !== 0) return "waiting";
    const opts = this.steps.loading() ? { ...requested, save: false } : requested;
    this.#opts = opts;
    this.log.warning("User requested shutdown...");
    const timeout = this.engine.config.num("shutdown-timeout");
    if (!opts.now && timeout !== 0 && !this.#replicasInSync()) {
      const now = Date.now();
      this.#deadline = now + timeout * 1000;
      const state = replicationOf(this.engine);
      const engine = this.engine;
      const paused = engine.pausedUntil > now;
      this.#userPause = paused ? { until: engine.pausedUntil, writesOnly: engine.pauseWritesOnly } : null;
      if (!paused) streamWriteCommand(state, ["REPLCONF", "GETACK", "*"]);
      // Writes wait meanwhile, so the replicas can catch up with an offset that stays put.
      // (A timer cannot be set beyond 2^31-1 ms: the pause ends there for absurd timeouts.)
      engine.pause(Math.min(this.#deadline, now + 2 ** 31 - 1), true);
      this.log.notice("Waiting for replicas before shutting down.");
      return "waiting";
    }
    return this.#finish() ? "exiting" : "failed";
  }

  /** Redis's isReadyToShutdown: every replica acknowledged the whole stream. */
  #replicasInSync(): boolean {
    const state = replicationOf(this.engine);
    return state.replicas.every((r) => r.ackOffset === state.offset);
  }

  #finish(): boolean {
    const state = replicationOf(this.engine);
    let lagging = 0;
    for (const r of state.replicas) {
      if (r.ackOffset === state.offset) continue;
      lagging++;
      const lag = r.online ? Math.floor((Date.now() - r.ackTime) / 1000) : 0;
      this.log.warning(
        `Lagging replica ${replicaName(r)} reported offset ${state.offset - r.ackOffset} behind master, lag=${lag}, state=${r.online ? "online" : "wait_bgsave"}.`,
      );
    }
    const n = state.replicas.length;
    if (n > 0) this.log.notice(`${n - lagging} of ${n} replicas are in sync when shutting down.`);
    const opts = this.#opts;
    if (this.steps.aofState() === "wait-rewrite" && this.steps.aofRewriting()) {
      if (!opts.force) {
        this.log.warning("Writing initial AOF, can't exit.");
        return this.#fail();
      }
      this.log.warning("Writing initial AOF. Exit anyway.");
    }
    if (!this.steps.saveBeforeExit(opts)) return this.#fail();
    this.#exiting = true;
    this.#deadline = 0;
    this.steps.exit();
    return true;
  }

  #fail(): false {
    this.log.warning("Errors trying to shut down the server. Check the logs for more information.");
    this.#cancel();
    return false;
  }

  /** SHUTDOWN ABORT: true if there was something to abort. */
  #abort(): boolean {
    if (this.#exiting) return false;
    if (this.#deadline !== 0) this.#cancel();
    else if (this.#asap !== null) this.#asap = null;
    else return false;
    this.log.warning("Shutdown manually aborted.");
    return true;
  }

  /** Redis's cancelShutdown: back to normal, blocked SHUTDOWN callers get the error. */
  #cancel(): void {
    this.#asap = null;
    if (this.#deadline !== 0) {
      this.engine.unpause();
      const prev = this.#userPause;
      if (prev !== null && prev.until > Date.now()) this.engine.pause(prev.until, prev.writesOnly);
      this.#userPause = null;
    }
    this.#deadline = 0;
    for (const c of this.#blocked) {
      const waiter = this.engine.blocking.waiterOf(c);
      if (waiter === undefined) continue;
      this.engine.blocking.remove(waiter);
      waiter.resolve(new ErrorReply(SHUTDOWN_ERROR));
    }
    this.#blocked.clear();
  }
}
