/**
 * The Redis 7 multi-part AOF: a manifest naming one base file (RDB or
 * commands) and the incr files written since, in `appenddirname`.
 *
 * Every write reaches `engine.onPropagate` in its propagated form; it is
 * buffered here as RESP (with SELECT when the db changes) and written:
 *  - appendfsync always: write + fsync before the batch's replies leave
 *    (the sink's beforeReply hook), one per batch (group commit);
 *  - everysec: written at the end of the turn, fsynced once a second;
 *  - no: written at the end of the turn, the OS decides.
 * Rewrites (BGREWRITEAOF, automatic, CONFIG SET appendonly yes) run
 * incrementally (rewrite.ts) and switch the manifest atomically at the end.
 */
import type { Config } from "../../config/config.ts";
import type { Engine } from "../../engine/engine.ts";
import { PROPAGATE_AOF } from "../../engine/propagation.ts";
import { sleepSync } from "../../engine/sleep.ts";
import { WalkPacer } from "../../engine/turns.ts";
import { fromLatin1, latin1 } from "../../resp/bytes.ts";
import { BackgroundChild, type ChildEnd, SIGUSR1 } from "../companion.ts";
import { KeySaveDelay } from "../key-delay.ts";
import type { AofFile, AofIo } from "./fs.ts";
import { AofLoader, type Between, type FileStatus } from "./loader.ts";
import { cloneManifest, emptyManifest, formatManifest, type Manifest, ManifestError, parseManifest } from "./manifest.ts";
import { encodeCommand } from "./resp.ts";
import { Rewrite, type RewriteOptions, timestampAnnotation } from "./rewrite.ts";

export type { AofIo } from "./fs.ts";

/** The command sink's hook slot (src/engine/sink.ts). */
export interface ReplyHookHost {
  beforeReply: (() => void) | null;
}

export type AofState = "off" | "on" | "wait-rewrite";

export interface LoadResult {
  keysLoaded: number;
  keysExpired: number;
  commands: number;
  truncated: boolean;
}

/** BGREWRITEAOF's outcomes (Redis's replies). */
export type RewriteStart = "started" | "scheduled" | "in-progress" | "error";

interface RunningRewrite {
  rw: Rewrite;
  tmpName: string;
  out: AofFile;
  timer: ReturnType<typeof setTimeout> | null;
  /** Stops the key-touched listener the rewrite needs while it runs. */
  untouch: () => void;
  /** The process standing in for Redis's rewrite child (null when none could be started). */
  child: BackgroundChild | null;
}

const managers = new WeakMap<Engine, AofManager>();

/** The manager serving an engine (INFO and BGREWRITEAOF find it here). */
export function aofOf(engine: Engine): AofManager | undefined {
  return managers.get(engine);
}

/** Time slice per event-loop turn for the rewrite walk. */
const REWRITE_SLICE_MS = 4;

export class AofManager {
  state: AofState = "off";
  #manifest: Manifest = emptyManifest();
  #file: AofFile | null = null;
  #buf = "";
  #selectedDb = -1;
  /** The second of the last `#TS:` annotation written (aof-timestamp-enabled). */
  #lastTimestamp = 0;
  #flushScheduled = false;
  #unsynced = false;
  #lastFsync = Date.now();
  #rewrite: RunningRewrite | null = null;
  #cron: ReturnType<typeof setInterval> | null = null;
  #attached = false;
  #lastLoad: LoadResult | null = null;
  /** Set by whoever runs BGSAVE: while it runs, a rewrite is only scheduled (hasActiveChildProcess). */
  otherChildActive: () => boolean = () => false;
  /** Time the rewrite walk may take per event-loop turn (tests shrink it to force interleaving). */
  sliceMs = REWRITE_SLICE_MS;
  stepDelayMs = 0;
  /** DEBUG AOF-FLUSH-SLEEP: a pause before each write of buffered commands (Redis's aof_flush_sleep). */
  flushSleepMs = 0;
  readonly #pacer = new WalkPacer(() => this.engine.stats.totalCommandsProcessed);
  // INFO persistence
  rewriteScheduled = false;
  lastWriteOk = true;
  lastRewriteOk = true;
  rewrites = 0;
  consecutiveFailures = 0;
  lastRewriteTimeSec = -1;
  /** aof_current_size / aof_base_size (aof_rewrite_base_size). */
  currentSize = 0;
  baseSize = 0;

  constructor(
    readonly engine: Engine,
    readonly io: AofIo,
    readonly config: Config,
  ) {
    managers.set(engine, this);
  }

  get dir(): string {
    return this.config.get("appenddirname");
  }

  get rewriting(): boolean {
    return this.#rewrite !== null;
  }

  get rewriteStartedAt(): number {
    return this.#rewrite?.rw.startedAt ?? 0;
  }

  get bufferLength(): number {
    return this.#buf.length;
  }

  get manifest(): Manifest {
    return this.#manifest;
  }

  #path(name: string): string {
    return `${this.dir}/${name}`;
  }

  /**
   * Loads the AOF at start (appendonly yes): manifest, base, incr files.
   * Returns null when there was none. Exits the process on a fatal error, as Redis does.
   */
  load(): LoadResult | null {
    this.#manifest = this.#readManifest();
    this.#upgradeOldStyle();
    const t0 = performance.now();
    const loader = new AofLoader(this.engine, this.io, this.dir, this.config.bool("aof-load-truncated"));
    return this.#loaded(loader, loader.loadAll(this.#manifest), t0);
  }

  /** `load` a slice at a time (the server's start): `between` runs every 1024 commands, clients served meanwhile. */
  async loadAsync(between: Between): Promise<LoadResult | null> {
    this.#manifest = this.#readManifest();
    this.#upgradeOldStyle();
    const t0 = performance.now();
    const loader = new AofLoader(this.engine, this.io, this.dir, this.config.bool("aof-load-truncated"));
    return this.#loaded(loader, await loader.loadAllAsync(this.#manifest, between), t0);
  }

  #loaded(loader: AofLoader, status: FileStatus, t0: number): LoadResult | null {
    if (status === "failed" || status === "open-error") this.io.exit(1);
    // Replayed commands are not client commands: INFO commandstats starts clean, as in Redis.
    this.engine.stats.reset();
    this.#measure();
    if (status === "not-exist") return null;
    this.io.log("notice", `DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
    this.#lastLoad = { ...loader.stats, truncated: status === "truncated" };
    return this.#lastLoad;
  }

  /**
   * DEBUG LOADAOF's load (after the caller flushed this AOF's buffer and
   * emptied the dataset): the manifest read again, history files removed, every
   * file replayed. What the replay writes is not propagated: it came from here.
   */
  reloadFromDisk(): FileStatus {
    this.#manifest = this.#readManifest();
    this.#upgradeOldStyle();
    this.#deleteHistory();
    const loader = new AofLoader(this.engine, this.io, this.dir, this.config.bool("aof-load-truncated"));
    const endCapture = this.engine.capturePropagation();
    let status: FileStatus;
    try {
      status = loader.loadAll(this.#manifest);
    } finally {
      endCapture();
    }
    this.#measure();
    return status;
  }

  #readManifest(): Manifest {
    const name = `${this.config.get("appendfilename")}.manifest`;
    const path = this.#path(name);
    if (!this.io.isDir(this.dir) || !this.io.exists(path)) return emptyManifest();
    const bytes = this.io.read(path);
    if (bytes === null) {
      this.io.log("warning", `Fatal error: can't open the AOF manifest file ${path} for reading`);
      this.io.exit(1);
    }
    try {
      return parseManifest(latin1(bytes));
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
      this.io.log("warning", "\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
      if (e.line !== null) {
        this.io.log("warning", `Reading the manifest file, at line ${e.lineNo}\n`);
        this.io.log("warning", `>>> '${e.line}'\n`);
      }
      this.io.log("warning", `${e.message}\n`);
      this.io.exit(1);
    }
  }

  /**
   * A pre-7.0 single appendonly.aof in `dir` becomes the base of a new
   * manifest (aofUpgradePrepare), when there is no AOF dir, or its manifest
   * lists nothing, or it lists only that file as its base and the file is
   * not in the AOF dir yet (an upgrade interrupted before the rename).
   */
  #upgradeOldStyle(): void {
    const old = this.config.get("appendfilename");
    const m = this.#manifest;
    if (!this.io.exists(old)) return;
    const interrupted = m.base !== null && m.base.name === old && m.incrs.length === 0 && !this.io.exists(this.#path(old));
    if (this.io.isDir(this.dir) && !(m.base === null && m.incrs.length === 0) && !interrupted) return;
    this.io.mkdir(this.dir);
    const next = emptyManifest();
    next.base = { name: old, seq: 1, type: "b" };
    next.baseSeq = 1;
    this.#persist(next);
    this.io.rename(old, this.#path(old));
    this.#manifest = next;
    this.io.log("notice", `Successfully migrated an old-style AOF file (${old}) into the AOF directory (${this.dir}).`);
  }

  #measure(): void {
    const m = this.#manifest;
    let total = 0;
    for (const f of [...(m.base ? [m.base] : []), ...m.incrs]) {
      const p = this.#path(f.name);
      if (this.io.exists(p)) total += this.io.size(p);
    }
    this.currentSize = total;
    this.baseSize = m.base && this.io.exists(this.#path(m.base.name)) ? this.io.size(this.#path(m.base.name)) : 0;
  }

  /**
   * Hooks into the engine (propagation, touched keys, config changes) and,
   * with appendonly yes, opens the last incr file (creating the base first
   * when there is nothing: aofOpenIfNeededOnServerStart).
   */
  attach(sink?: ReplyHookHost): void {
    if (this.#attached) return;
    this.#attached = true;
    this.#sink = sink ?? null;
    this.engine.onPropagate((db, cmds, targets) => {
      if ((targets & PROPAGATE_AOF) !== 0) this.#feed(db, cmds);
    });
    this.config.onChange((name, value) => {
      if (name === "appendonly") {
        if (value === "yes") this.start();
        else this.stop();
      }
      if (name === "appendfsync") this.#updateHook();
    });
    this.#cron = setInterval(() => this.#tick(), 100);
    (this.#cron as { unref?: () => void }).unref?.();
    if (this.config.bool("appendonly")) this.#openOnStart();
  }

  #sink: ReplyHookHost | null = null;
  readonly #hook = () => this.beforeReply();

  /**
   * With the AOF on, a batch's writes reach the file (write(2), fsynced only
   * under always) before its replies leave, as Redis's beforeSleep writes the
   * AOF buffer before it sends replies: an acknowledged write survives a
   * crash of the process whatever appendfsync says, and is in the file when
   * the client reads it.
   */
  #updateHook(): void {
    if (this.#sink === null) return;
    this.#sink.beforeReply = this.state === "on" ? this.#hook : null;
  }

  #openOnStart(): void {
    const m = cloneManifest(this.#manifest);
    try {
      this.io.mkdir(this.dir);
    } catch (e) {
      this.io.log("warning", `Can't open or create append-only dir ${this.dir}: ${(e as Error).message}`);
      this.io.exit(1);
    }
    if (m.base === null && m.incrs.length === 0) {
      const name = this.#newBaseName(m);
      this.#writeBaseNow(name);
      this.io.log("notice", `Creating AOF base file ${name} on server start`);
    }
    const creating = m.incrs.length === 0;
    const incr = creating ? this.#newIncr(m) : (m.incrs[m.incrs.length - 1] as { name: string }).name;
    this.#file = this.io.open(this.#path(incr));
    this.#persist(m);
    this.#manifest = m;
    this.#deleteHistory();
    this.#measure();
    this.state = "on";
    this.#updateHook();
    this.io.log("notice", `${creating ? "Creating" : "Opening"} AOF incr file ${incr} on server start`);
  }

  #newBaseName(m: Manifest): string {
    if (m.base) m.history.unshift({ ...m.base, type: "h" });
    const seq = ++m.baseSeq;
    const name = `${this.config.get("appendfilename")}.${seq}.base.${this.config.bool("aof-use-rdb-preamble") ? "rdb" : "aof"}`;
    m.base = { name, seq, type: "b" };
    return name;
  }

  #newIncr(m: Manifest): string {
    const seq = ++m.incrSeq;
    const name = `${this.config.get("appendfilename")}.${seq}.incr.aof`;
    m.incrs.push({ name, seq, type: "i" });
    return name;
  }

  /** A whole base written synchronously (server start: the dataset is empty or small). */
  #writeBaseNow(name: string): void {
    const rw = new Rewrite(this.engine, this.#rewriteOptions());
    while (!rw.step(1e9));
    const f = this.io.open(this.#path(name), true);
    f.write(rw.take());
    f.write(rw.end());
    const fix = rw.fixups();
    if (fix) f.write(fromLatin1(fix));
    f.fsync();
    f.close();
  }

  #rewriteOptions(): RewriteOptions {
    return {
      preamble: this.config.bool("aof-use-rdb-preamble"),
      compress: this.config.bool("rdbcompression"),
      checksum: this.config.bool("rdbchecksum"),
      encode: { listFill: this.config.num("list-max-listpack-size") },
      timestamp: this.config.bool("aof-timestamp-enabled"),
    };
  }

  /** Writes the manifest atomically: temp file, fsync, rename, fsync of the dir (writeAofManifestFile). */
  #persist(m: Manifest): void {
    const name = `${this.config.get("appendfilename")}.manifest`;
    const tmp = this.#path(`temp-${name}`);
    const f = this.io.open(tmp, true);
    try {
      f.write(fromLatin1(formatManifest(m)));
      f.fsync();
    } finally {
      f.close();
    }
    this.io.rename(tmp, this.#path(name));
    this.io.syncDir(this.dir);
  }

  #deleteHistory(): void {
    const m = this.#manifest;
    if (m.history.length === 0 || this.config.bool("aof-disable-auto-gc")) return;
    for (const h of m.history) {
      this.io.log("notice", `Removing the history file ${h.name} in the background`);
      this.io.remove(this.#path(h.name));
    }
    m.history = [];
    this.#persist(m);
  }

  // ---- writing ----

  #feed(db: number, cmds: string[][]): void {
    if (this.state !== "on") return;
    let text = "";
    if (this.config.bool("aof-timestamp-enabled")) {
      // One annotation per second that has writes, before them (Redis's genAofTimestampAnnotationIfNeeded).
      const now = Math.floor(Date.now() / 1000);
      if (now > this.#lastTimestamp) {
        text = timestampAnnotation(now);
        this.#lastTimestamp = now;
      }
    }
    if (db !== this.#selectedDb) {
      text += encodeCommand(["SELECT", String(db)]);
      this.#selectedDb = db;
    }
    for (const c of cmds) text += encodeCommand(c);
    this.#buf += text;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setTimeout(() => {
        this.#flushScheduled = false;
        this.flush();
      }, 0);
    }
  }

  /** The sink's hook: the batch's writes are written (and under appendfsync always, fsynced) before its replies leave. */
  beforeReply(): void {
    if (this.#buf.length > 0) this.flush();
  }

  /** Writes the buffer (flushAppendOnlyFile); fsyncs under always, or when `sync`. */
  flush(sync = false): void {
    const f = this.#file;
    if (f === null) return;
    if (this.#buf.length > 0) {
      if (this.flushSleepMs > 0) sleepSync(this.flushSleepMs);
      const bytes = fromLatin1(this.#buf);
      this.#buf = "";
      try {
        f.write(bytes);
        this.currentSize += bytes.length;
        if (!this.lastWriteOk) this.io.log("warning", "AOF write error looks solved, Redis can write again.");
        this.lastWriteOk = true;
        this.#unsynced = true;
      } catch (e) {
        this.lastWriteOk = false;
        this.io.log("warning", `Error writing to the AOF file: ${(e as Error).message}`);
        if (this.config.get("appendfsync") === "always") {
          this.io.log("warning", "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
          this.io.exit(1);
        }
        return;
      }
    }
    if (this.#unsynced && (sync || this.config.get("appendfsync") === "always")) this.#fsync();
  }

  #fsync(): void {
    try {
      this.#file?.fsync();
      this.#unsynced = false;
      this.#lastFsync = Date.now();
    } catch (e) {
      this.io.log(
        "warning",
        `Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${(e as Error).message}. Exiting...`,
      );
      if (this.config.get("appendfsync") === "always") this.io.exit(1);
    }
  }

  /** An everysec fsync running in the runtime's thread pool (Redis's bio fsync job), or null. */
  #syncing: Promise<void> | null = null;

  /** aof_pending_bio_fsync. */
  get pendingFsync(): boolean {
    return this.#syncing !== null;
  }

  /**
   * appendfsync everysec: the fsync runs off the event loop, one at a time
   * (what is written meanwhile is covered by the next), as Redis's bio
   * thread does it, so the disk never stalls clients.
   */
  #fsyncInBackground(): void {
    const f = this.#file;
    if (f === null || this.#syncing !== null) return;
    this.#unsynced = false;
    this.#lastFsync = Date.now();
    const syncing: Promise<void> = f.fsyncInBackground().then(
      () => {
        if (this.#syncing === syncing) this.#syncing = null;
      },
      (e: Error) => {
        if (this.#syncing === syncing) this.#syncing = null;
        // A file closed meanwhile (a rewrite switched files, appendonly no) has nothing left to sync: Redis ignores EBADF too.
        if (this.#file !== f) return;
        this.#unsynced = true;
        this.io.log("warning", `Fail to fsync the AOF file: ${e.message}`);
      },
    );
    this.#syncing = syncing;
  }

  /** serverCron's part: everysec fsync, scheduled and automatic rewrites. */
  #tick(): void {
    if (this.state === "on") {
      this.flush();
      if (this.#unsynced && this.config.get("appendfsync") === "everysec" && Date.now() - this.#lastFsync >= 1000) {
        this.#fsyncInBackground();
      }
    }
    if (this.#rewrite !== null) return;
    if (this.rewriteScheduled) {
      if (!this.otherChildActive() && !this.#limited()) this.rewrite();
      return;
    }
    const perc = this.config.num("auto-aof-rewrite-percentage");
    if (this.state === "on" && perc > 0 && this.currentSize > this.config.num("auto-aof-rewrite-min-size")) {
      const base = this.baseSize > 0 ? this.baseSize : 1;
      const growth = Math.floor((this.currentSize * 100) / base) - 100;
      if (growth >= perc && !this.#limited()) {
        this.io.log("notice", `Starting automatic rewriting of AOF on ${growth}% growth`);
        this.rewrite();
      }
    }
  }

  #nextTry = 0;
  #delayMinutes = 0;
  /** aofRewriteLimited: after 3 failures in a row, automatic rewrites back off 1, 2, 4 ... 60 minutes. */
  #limited(): boolean {
    if (this.consecutiveFailures < 3) {
      this.#nextTry = 0;
      this.#delayMinutes = 0;
      return false;
    }
    const now = Date.now();
    if (this.#nextTry !== 0) {
      if (now < this.#nextTry) return true;
      this.#nextTry = 0;
      return false;
    }
    this.#delayMinutes = Math.min(60, this.#delayMinutes === 0 ? 1 : this.#delayMinutes * 2);
    this.#nextTry = now + this.#delayMinutes * 60000;
    this.io.log(
      "warning",
      `Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.#delayMinutes} minutes`,
    );
    return true;
  }

  // ---- rewriting ----

  /** Starts a background rewrite (rewriteAppendOnlyFileBackground). */
  rewrite(): RewriteStart {
    if (this.#rewrite !== null) return "in-progress";
    this.rewriteScheduled = false;
    try {
      this.io.mkdir(this.dir);
    } catch (e) {
      this.io.log("warning", `Can't open or create append-only dir ${this.dir}: ${(e as Error).message}`);
      this.lastRewriteOk = false;
      return "error";
    }
    this.flush(true);
    let running: RunningRewrite | null = null;
    const child = BackgroundChild.start(this.engine, (end) => {
      if (running !== null) this.#childDied(running, end);
    });
    // Redis's temp file names its child's pid.
    const tmpName = `temp-rewriteaof-bg-${child?.pid ?? this.engine.host?.pid ?? 0}.aof`;
    let out: AofFile;
    try {
      out = this.io.open(this.#path(tmpName), true);
    } catch (e) {
      child?.stop();
      this.io.log("warning", `Can't open the temporary AOF base file ${tmpName}: ${(e as Error).message}`);
      this.lastRewriteOk = false;
      this.consecutiveFailures++;
      return "error";
    }
    this.rewrites++;
    const keyDelay = new KeySaveDelay(() => this.engine.config.num("rdb-key-save-delay"));
    const rw = new Rewrite(this.engine, { ...this.#rewriteOptions(), keyDelay });
    // Keys touched while it runs are re-emitted at its end; only then does every write pay for the listener.
    const untouch = this.engine.onKeyTouched((db, key) => rw.touched(db, key));
    running = { rw, tmpName, out, timer: null, untouch, child };
    this.#rewrite = running;
    this.io.log("notice", "Background append only file rewriting started");
    this.#schedule();
    return "started";
  }

  #schedule(): void {
    const r = this.#rewrite;
    if (r === null) return;
    r.timer = setTimeout(() => this.#stepRewrite(), Math.max(this.stepDelayMs, this.#pacer.delayMs(this.sliceMs), r.rw.waitMs()));
  }

  #stepRewrite(): void {
    const r = this.#rewrite;
    if (r === null) return;
    r.timer = null;
    try {
      const done = r.rw.step(this.sliceMs);
      r.out.write(r.rw.take());
      if (!done) return this.#schedule();
      r.out.write(r.rw.end());
      r.out.fsync();
      r.out.close();
      this.io.log("notice", `Successfully created the temporary AOF base file ${r.tmpName}`);
      this.#finishRewrite(r);
    } catch (e) {
      this.io.log("warning", `Background AOF rewrite failed: ${(e as Error).message}`);
      this.#failRewrite(r);
    }
  }

  /** The switch (backgroundRewriteDoneHandler), all in one turn so no command slips between. */
  #finishRewrite(r: RunningRewrite): void {
    const m = cloneManifest(this.#manifest);
    const baseName = this.#newBaseName(m);
    const fixups = r.rw.fixups();
    const aofOn = this.state !== "off";
    // Everything up to now is in the base + fixups; writes from now go to the new incr file.
    for (const i of m.incrs) m.history.push({ ...i, type: "h" });
    m.incrs = [];
    let incr: AofFile | null = null;
    let incrName = "";
    if (aofOn || fixups.length > 0) {
      incrName = this.#newIncr(m);
      incr = this.io.open(this.#path(incrName), true);
      if (fixups.length > 0) {
        incr.write(fromLatin1(fixups));
        incr.fsync();
      }
    }
    this.flush(true);
    this.io.rename(this.#path(r.tmpName), this.#path(baseName));
    this.io.log("notice", `Successfully renamed the temporary AOF base file ${r.tmpName} into ${baseName}`);
    try {
      this.#persist(m);
    } catch (e) {
      this.io.log("warning", `Can't persist the AOF manifest: ${(e as Error).message}`);
      incr?.close();
      this.#failRewrite(r, false);
      return;
    }
    this.#file?.close();
    this.#file = null;
    if (aofOn) {
      this.#file = incr;
      this.#selectedDb = -1;
      if (this.state === "wait-rewrite") this.io.log("notice", "Background AOF rewrite terminated with success");
      this.state = "on";
      this.#updateHook();
    } else incr?.close();
    this.#manifest = m;
    r.untouch();
    r.child?.stop();
    this.#rewrite = null;
    this.#deleteHistory();
    this.#measure();
    this.baseSize = this.currentSize;
    this.lastRewriteOk = true;
    this.consecutiveFailures = 0;
    this.lastRewriteTimeSec = Math.floor((Date.now() - r.rw.startedAt) / 1000);
    this.io.log("notice", "Background AOF rewrite finished successfully");
  }

  #failRewrite(r: RunningRewrite, closeOut = true): void {
    if (r.timer !== null) clearTimeout(r.timer);
    if (closeOut) {
      try {
        r.out.close();
      } catch {}
    }
    this.io.remove(this.#path(r.tmpName));
    r.untouch();
    r.child?.stop();
    this.#rewrite = null;
    this.lastRewriteOk = false;
    this.consecutiveFailures++;
    // Enabling the AOF waits on a rewrite: try again from the cron.
    if (this.state === "wait-rewrite") this.rewriteScheduled = true;
  }

  /**
   * The companion ended while the rewrite ran (someone killed it): the
   * rewrite is aborted as Redis's backgroundRewriteDoneHandler handles its
   * child's end; a rewrite that enables the AOF is tried again by the cron.
   */
  #childDied(r: RunningRewrite, end: ChildEnd): void {
    if (this.#rewrite !== r) return;
    if (r.timer !== null) clearTimeout(r.timer);
    try {
      r.out.close();
    } catch {}
    this.io.remove(this.#path(r.tmpName));
    r.untouch();
    this.#rewrite = null;
    // SIGUSR1 is Redis's way to stop a child without an error.
    if (end.signal !== SIGUSR1) {
      this.lastRewriteOk = false;
      this.consecutiveFailures++;
    }
    this.io.log(
      "warning",
      end.signal !== null ? `Background AOF rewrite terminated by signal ${end.signal}` : "Background AOF rewrite terminated with error",
    );
    this.lastRewriteTimeSec = Math.floor((Date.now() - r.rw.startedAt) / 1000);
    if (this.state === "wait-rewrite") this.rewriteScheduled = true;
  }

  /** Stops a running rewrite and removes its temp file (killAppendOnlyChild). */
  #abortRewrite(): void {
    const r = this.#rewrite;
    if (r === null) return;
    this.io.log("notice", "Killing running AOF rewrite child");
    if (r.timer !== null) clearTimeout(r.timer);
    try {
      r.out.close();
    } catch {}
    this.io.remove(this.#path(r.tmpName));
    r.untouch();
    r.child?.stop();
    this.#rewrite = null;
  }

  /** CONFIG SET appendonly yes (startAppendOnly): the base is made by a rewrite, then writes flow. */
  start(): void {
    if (this.state !== "off") return;
    if (this.#rewrite !== null) {
      this.io.log(
        "warning",
        "AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.",
      );
      this.#abortRewrite();
    }
    this.state = "wait-rewrite";
    if (this.rewrite() === "error") {
      this.state = "off";
      this.io.log("warning", "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation.");
    }
  }

  /** CONFIG SET appendonly no (stopAppendOnly). */
  stop(): void {
    if (this.state === "off") return;
    this.flush(true);
    this.#file?.close();
    this.#file = null;
    this.#abortRewrite();
    this.state = "off";
    this.#updateHook();
    this.rewriteScheduled = false;
    this.#selectedDb = -1;
    this.#buf = "";
  }

  /** At shutdown: stop a rewrite, write and fsync what is buffered (prepareForShutdown). */
  shutdown(): void {
    if (this.#rewrite !== null) {
      this.io.log("warning", "There is a child rewriting the AOF. Killing it!");
      this.#abortRewrite();
    }
    if (this.state === "on" && this.#file !== null) {
      this.io.log("notice", "Calling fsync() on the AOF file.");
      this.flush(true);
    }
    this.close();
  }

  /** Stops the timers (tests). */
  close(): void {
    if (this.#cron !== null) clearInterval(this.#cron);
    this.#cron = null;
  }
}
