/**
 * SAVE / BGSAVE orchestration (Redis's rdb.c + the save part of serverCron):
 * writing dump.rdb through a temp file, fsync and rename; save points; the
 * MISCONF gate after a failed background save; copy-on-write for the
 * incremental BGSAVE; the final save at shutdown; INFO persistence fields.
 *
 * One Saver per engine, found with `saverOf(engine)`.
 */

import { extendInfo } from "../commands/info.ts";
import { FLAG_BITS } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import type { Engine, ShutdownOptions } from "../engine/engine.ts";
import { nextTurn, WalkPacer } from "../engine/turns.ts";
import { replicationSnapshotRunning, replSaveAux, withReplAux } from "../replication/rdb-info.ts";
import { ErrorReply } from "../resp/reply.ts";
import type { AppendFile } from "../runtime/types.ts";
import { BackgroundChild, type ChildEnd, SIGUSR1 } from "./companion.ts";
import { preserveForCommand, RUN_IN_MULTI } from "./cow.ts";
import { KeySaveDelay } from "./key-delay.ts";
import { defaultAux } from "./rdb/file.ts";
import { Snapshot } from "./snapshot.ts";

/** The file operations saving needs (the runtime's, plumbed by src/server/server.ts). */
export interface SaveFiles {
  /** Opens `path` for writing, truncated. */
  create(path: string): AppendFile;
  rename(from: string, to: string): void;
  remove(path: string): void;
  cwd(): string;
  /** Reads a whole file (null when it cannot be read): DEBUG RELOAD loads dbfilename with it. */
  read?(path: string): Uint8Array | null;
}

export interface SaveLog {
  notice(m: string): void;
  warning(m: string): void;
  verbose?(m: string): void;
}

export const MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/** CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long before retrying. */
const RETRY_DELAY_S = 5;
/** Work per slice while a BGSAVE runs: short enough to keep command latency low. */
const STEP_MS = 1;
/** REDIS_AUTOSYNC_BYTES: with rdb-save-incremental-fsync, fsync every 4 MB so the final fsync is short. */
const AUTOSYNC_BYTES = 4 * 1024 * 1024;

const WRITE = FLAG_BITS.write;

const savers = new WeakMap<Engine, Saver>();

export function saverOf(engine: Engine): Saver | undefined {
  return savers.get(engine);
}

interface Background {
  snapshot: Snapshot;
  file: AppendFile;
  tmp: string;
  startedAt: number;
  dirtyAtStart: number;
  unsynced: number;
  aborted: boolean;
  pacer: WalkPacer;
  /** An incremental fsync running in the background, and the first error one had. */
  syncing: Promise<void> | null;
  syncError: unknown;
  /** The process standing in for Redis's forked child (null when none could be started). */
  child: BackgroundChild | null;
}

export class Saver {
  /** Unix seconds of the last successful save (LASTSAVE); the start time until then, as Redis. */
  lastSave: number;
  lastBgsaveOk = true;
  #lastBgsaveTry = 0;
  #dirtyAtSave = 0;
  saves = 0;
  #lastBgsaveSeconds = -1;
  #bg: Background | null = null;
  #scheduled = false;
  #cron: ReturnType<typeof setInterval> | null = null;
  /** True while the dataset is being loaded at startup: no saving, no save points. */
  loading = false;
  /** Set by another background job (AOF rewrite) while it runs: BGSAVE then needs SCHEDULE. */
  otherChildActive: () => boolean = () => false;

  constructor(
    readonly engine: Engine,
    readonly files: SaveFiles,
    readonly log: SaveLog,
    readonly pid: number,
  ) {
    this.lastSave = Math.floor(engine.startedAt / 1000);
    savers.set(engine, this);
    engine.gates.push((ctx) => this.#misconfGate(ctx));
    engine.gates.push((ctx) => this.#copyOnWriteGate(ctx));
  }

  /** FLUSHALL with save points saves at once, as Redis 7 (flushAllDataAndResetRDB); not while loading. */
  flushedAll(): void {
    if (this.loading || this.saveParams().length === 0) return;
    this.#save();
  }

  /** Starts the save-point timer. */
  start(): void {
    this.#cron = setInterval(() => this.cron(), 100);
  }

  stop(): void {
    if (this.#cron !== null) clearInterval(this.#cron);
    this.#cron = null;
    this.abortBackground();
  }

  get changesSinceSave(): number {
    return this.engine.dirty - this.#dirtyAtSave;
  }

  get bgsaveInProgress(): boolean {
    return this.#bg !== null;
  }

  /** The `save` config as [seconds, changes] pairs. */
  saveParams(): [number, number][] {
    const words = this.engine.config
      .get("save")
      .split(" ")
      .filter((w) => w !== "");
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < words.length; i += 2) out.push([Number(words[i]), Number(words[i + 1])]);
    return out;
  }

  #path(): string {
    return this.engine.config.get("dbfilename");
  }

  #options() {
    const config = this.engine.config;
    const usedMemory = this.engine.host?.heapUsed() ?? 0;
    const now = Date.now();
    // rdbPopulateSaveInfo: a replica's (or a master's with a backlog) file names its place in the stream, for PSYNC after a restart.
    const aux = withReplAux(defaultAux(usedMemory, now), replSaveAux(this.engine));
    const encode = { listFill: config.num("list-max-listpack-size"), packedThreshold: this.engine.quicklistPackedThreshold };
    return { compress: config.bool("rdbcompression"), checksum: config.bool("rdbchecksum"), usedMemory, now, aux, encode };
  }

  /** SAVE: the whole snapshot now, blocking. */
  save(): boolean {
    this.saves++;
    return this.#save();
  }

  #save(): boolean {
    const tmp = `temp-${this.pid}.rdb`;
    let file: AppendFile;
    try {
      file = this.files.create(tmp);
    } catch (e) {
      this.log.warning(`Failed opening the temp RDB file ${tmp} (in server root dir ${this.files.cwd()}) for saving: ${reason(e)}`);
      return false;
    }
    try {
      const snapshot = new Snapshot(this.engine.dbs, { ...this.#options(), out: (c) => file.write(c) });
      snapshot.finish();
      file.fsync();
      file.close();
      this.files.rename(tmp, this.#path());
    } catch (e) {
      this.log.warning(`Write error saving DB on disk(${this.#path()}): ${reason(e)}`);
      try {
        file.close();
      } catch {}
      this.files.remove(tmp);
      return false;
    }
    this.log.notice("DB saved on disk");
    this.#dirtyAtSave = this.engine.dirty;
    this.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
    return true;
  }

  /**
   * BGSAVE: starts the incremental snapshot. Returns null when started,
   * else the error text (already running, or the temp file cannot be opened).
   */
  bgsave(): string | null {
    if (this.#bg !== null) return "ERR Background save already in progress";
    this.#lastBgsaveTry = Math.floor(Date.now() / 1000);
    this.saves++;
    let bg: Background | null = null;
    const child = BackgroundChild.start(this.engine, (end) => {
      if (bg !== null) this.#childDied(bg, end);
    });
    // Redis's temp file and log line name the child's pid.
    const childPid = child?.pid ?? this.pid;
    const tmp = `temp-${childPid}.rdb`;
    let file: AppendFile;
    try {
      file = this.files.create(tmp);
    } catch (e) {
      child?.stop();
      // Redis's child fails here after the fork: the command still says "started".
      this.log.notice(`Background saving started by pid ${childPid}`);
      this.log.warning(`Failed opening the temp RDB file ${tmp} (in server root dir ${this.files.cwd()}) for saving: ${reason(e)}`);
      this.log.warning("Background saving error");
      this.lastBgsaveOk = false;
      this.#lastBgsaveSeconds = 0;
      return null;
    }
    bg = {
      snapshot: null as unknown as Snapshot,
      file,
      tmp,
      startedAt: Date.now(),
      dirtyAtStart: this.engine.dirty,
      unsynced: 0,
      aborted: false,
      pacer: new WalkPacer(() => this.engine.stats.totalCommandsProcessed),
      syncing: null,
      syncError: undefined,
      child,
    };
    const started: Background = bg;
    const incrementalFsync = this.engine.config.bool("rdb-save-incremental-fsync");
    bg.snapshot = new Snapshot(this.engine.dbs, {
      ...this.#options(),
      keyDelay: new KeySaveDelay(() => this.engine.config.num("rdb-key-save-delay")),
      out: (c) => {
        file.write(c);
        started.unsynced += c.length;
        // One at a time; the next covers what was written meanwhile.
        if (incrementalFsync && started.unsynced >= AUTOSYNC_BYTES && started.syncing === null) {
          const syncing = file.fsyncInBackground().then(
            () => {},
            (e) => {
              started.syncError ??= e;
            },
          );
          started.syncing = syncing;
          syncing.then(() => {
            if (started.syncing === syncing) started.syncing = null;
          });
          started.unsynced = 0;
        }
      },
    });
    this.#bg = started;
    this.log.notice(`Background saving started by pid ${childPid}`);
    this.#continue(started);
    return null;
  }

  /**
   * The companion ended while the save ran (someone killed it): the save is
   * aborted as Redis's backgroundSaveDoneHandlerDisk handles its child's end.
   */
  #childDied(bg: Background, end: ChildEnd): void {
    if (this.#bg !== bg || bg.aborted) return;
    bg.aborted = true;
    bg.child?.stop();
    bg.snapshot.abort();
    this.#bg = null;
    try {
      bg.file.close();
    } catch {}
    this.files.remove(bg.tmp);
    this.#lastBgsaveSeconds = Math.floor((Date.now() - bg.startedAt) / 1000);
    if (end.signal !== null) {
      this.log.warning(`Background saving terminated by signal ${end.signal}`);
      // SIGUSR1 is Redis's way to stop a child without an error.
      if (end.signal !== SIGUSR1) this.lastBgsaveOk = false;
    } else {
      this.log.warning("Background saving error");
      this.lastBgsaveOk = false;
    }
  }

  /** One slice of the walk per event-loop turn (sockets are served between slices), paced by WalkPacer. */
  #continue(bg: Background): void {
    const delay = Math.max(bg.pacer.delayMs(STEP_MS), bg.snapshot.waitMs());
    const schedule = delay > 0 ? (f: () => void) => setTimeout(f, delay) : nextTurn;
    schedule(() => {
      if (bg.aborted) return;
      let finished: boolean;
      try {
        finished = bg.snapshot.step(STEP_MS);
      } catch (e) {
        this.#failBackground(bg, e);
        return;
      }
      if (finished) void this.#finishBackground(bg);
      else this.#continue(bg);
    });
  }

  /** The walk is done: fsync (on another thread; clients are served meanwhile), close and rename. */
  async #finishBackground(bg: Background): Promise<void> {
    try {
      await bg.syncing;
      if (bg.syncError !== undefined) throw bg.syncError;
      await bg.file.fsyncInBackground();
      if (bg.aborted) return;
      bg.file.close();
      this.files.rename(bg.tmp, this.#path());
    } catch (e) {
      if (!bg.aborted) this.#failBackground(bg, e);
      return;
    }
    this.log.notice("DB saved on disk");
    this.#endBackground(bg, true);
  }

  #failBackground(bg: Background, e: unknown): void {
    this.log.warning(`Write error saving DB on disk(${this.#path()}): ${reason(e)}`);
    this.#endBackground(bg, false);
  }

  #endBackground(bg: Background, ok: boolean): void {
    this.#bg = null;
    bg.child?.stop();
    // A snapshot left behind would stay registered on the tables it walks.
    bg.snapshot.abort();
    this.#lastBgsaveSeconds = Math.floor((Date.now() - bg.startedAt) / 1000);
    if (ok) {
      // Changes made while saving still count for the next save point.
      this.#dirtyAtSave = bg.dirtyAtStart;
      this.lastSave = Math.floor(Date.now() / 1000);
      this.lastBgsaveOk = true;
      this.log.notice("Background saving terminated with success");
    } else {
      try {
        bg.file.close();
      } catch {}
      this.files.remove(bg.tmp);
      this.lastBgsaveOk = false;
      this.log.warning("Background saving error");
    }
  }

  /** A full sync's snapshot (a BGSAVE in Redis) lost its child: the status says so, as after a failed BGSAVE. */
  childFailed(): void {
    this.lastBgsaveOk = false;
  }

  /** Stops a running BGSAVE without marking it failed (Redis kills the child with SIGUSR1). */
  abortBackground(): boolean {
    const bg = this.#bg;
    if (bg === null) return false;
    bg.aborted = true;
    bg.child?.stop();
    bg.snapshot.abort();
    this.#bg = null;
    try {
      bg.file.close();
    } catch {}
    this.files.remove(bg.tmp);
    this.log.warning("Background saving terminated by signal 10");
    return true;
  }

  /** BGSAVE [SCHEDULE] as the command sees it: the reply text, or an error. */
  bgsaveCommand(schedule: boolean, inExec: boolean): { status: string } | { error: string } {
    if (this.#bg !== null) return { error: "ERR Background save already in progress" };
    if (this.otherChildActive() || inExec) {
      if (schedule || inExec) {
        this.#scheduled = true;
        return { status: "Background saving scheduled" };
      }
      return {
        error:
          "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
      };
    }
    const err = this.bgsave();
    return err === null ? { status: "Background saving started" } : { error: err };
  }

  /** Save points and scheduled BGSAVEs, checked a few times a second (serverCron). */
  cron(): void {
    if (this.loading || this.#bg !== null || this.otherChildActive() || this.engine.cronPaused) return;
    const now = Math.floor(Date.now() / 1000);
    const mayRetry = now - this.#lastBgsaveTry > RETRY_DELAY_S || this.lastBgsaveOk;
    if (this.#scheduled && mayRetry) {
      this.#scheduled = false;
      this.bgsave();
      return;
    }
    const changes = this.changesSinceSave;
    for (const [seconds, need] of this.saveParams()) {
      if (changes >= need && now - this.lastSave > seconds && mayRetry) {
        this.log.notice(`${need} changes in ${seconds} seconds. Saving...`);
        this.bgsave();
        return;
      }
    }
  }

  /**
   * The save part of Redis's prepareForShutdown: stops a BGSAVE, then saves
   * when asked to or when save points are configured. False = refuse to exit.
   */
  beforeShutdown(opts: ShutdownOptions): boolean {
    if (this.#bg !== null) {
      this.log.warning("There is a child saving an .rdb. Killing it!");
      this.abortBackground();
    }
    const wanted = opts.save === true || (opts.save === null && this.saveParams().length > 0);
    if (!wanted || this.loading) return true;
    this.log.notice("Saving the final RDB snapshot before exiting.");
    if (this.#save()) return true;
    if (opts.force) {
      this.log.warning("Error trying to save the DB. Exit anyway.");
      return true;
    }
    this.log.warning("Error trying to save the DB, can't exit.");
    return false;
  }

  /** After a failed background save, writes (and PING) get MISCONF until a save succeeds. */
  #misconfGate(ctx: Ctx): ErrorReply | undefined {
    if (this.lastBgsaveOk || !this.engine.config.bool("stop-writes-on-bgsave-error")) return undefined;
    if (this.saveParams().length === 0) return undefined;
    const c = ctx.cmd;
    const isWrite =
      (c.bits & WRITE) !== 0 || (c.spec.name === "exec" && ctx.client.multiQueued >= 0 && (ctx.client.multiFlags & WRITE) !== 0);
    if (!isWrite && c.spec.name !== "ping") return undefined;
    return new ErrorReply(MISCONF);
  }

  /** Copy-on-write: before a command changes keys the running BGSAVE has not written, write them first. */
  #copyOnWriteGate(ctx: Ctx): undefined {
    const bg = this.#bg;
    if (bg === null) return undefined;
    // Queued commands are handled when EXEC runs them.
    if (ctx.client.multiQueued >= 0 && !RUN_IN_MULTI.has(ctx.cmd.spec.name)) return undefined;
    if (ctx.cmd.spec.name === "flushall") {
      // Redis's flushAllDataAndResetRDB kills the RDB child (SIGUSR1: no error), save points or not.
      this.abortBackground();
      return undefined;
    }
    preserveForCommand(this.engine, bg.snapshot, ctx);
    return undefined;
  }

  /** INFO persistence's RDB fields. */
  info(): [string, string | number][] {
    const bg = this.#bg;
    const now = Date.now();
    const processed = bg?.snapshot.keysProcessed ?? 0;
    const total = bg?.snapshot.keysTotal ?? 0;
    return [
      ["current_fork_perc", total > 0 ? ((processed / total) * 100).toFixed(2) : "0.00"],
      ["current_save_keys_processed", processed],
      ["current_save_keys_total", total],
      ["rdb_changes_since_last_save", this.changesSinceSave],
      // A full sync's snapshot is a BGSAVE too in Redis (an RDB child, disk or socket target).
      ["rdb_bgsave_in_progress", bg || replicationSnapshotRunning(this.engine) ? 1 : 0],
      ["rdb_last_save_time", this.lastSave],
      ["rdb_last_bgsave_status", this.lastBgsaveOk ? "ok" : "err"],
      ["rdb_last_bgsave_time_sec", this.#lastBgsaveSeconds],
      ["rdb_current_bgsave_time_sec", bg ? Math.floor((now - bg.startedAt) / 1000) : -1],
      ["rdb_saves", this.saves],
    ];
  }
}

extendInfo("persistence", (engine) => saverOf(engine)?.info() ?? []);

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
