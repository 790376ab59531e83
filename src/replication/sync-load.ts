/**
 * The replica's side of a full sync (Redis's readSyncBulkPayload): receive
 * the master's snapshot after `$<len>` or `$EOF:<mark>` and load it, the way
 * `repl-diskless-load` asks:
 *
 * - `disabled`: the bytes go to `temp-<unixtime>.<pid>.rdb` as they arrive
 *   while the old data is still served; at the end the file is fsynced,
 *   renamed over `dbfilename`, the dataset flushed and the file loaded from
 *   disk a chunk at a time (clients get -LOADING meanwhile).
 * - `on-empty-db`: with no keys, loaded straight from the socket; else as disabled.
 * - `swapdb`: loaded from the socket into fresh databases; they replace the old
 *   ones only once the load succeeded. When the master continues our own
 *   history the old data keeps being served meanwhile (async loading).
 *
 * Nothing holds the whole snapshot: RdbStreamLoader keeps about one key, and
 * the work runs in slices of a few ms so the server keeps answering.
 */
import type { Engine } from "../engine/engine.ts";
import { turn } from "../engine/turns.ts";
import { aofOf } from "../persistence/aof/index.ts";
import { limitsFrom } from "../persistence/rdb/decode.ts";
import { RdbStreamLoader } from "../persistence/rdb/stream-load.ts";
import { saverOf } from "../persistence/saver.ts";
import { beginLoading, datasetSink, endLoading, logLoadDone, setLoadedBytes } from "../persistence/startup.ts";
import { concat, fromLatin1 } from "../resp/bytes.ts";
import type { FileSystem } from "../runtime/types.ts";
import { Database } from "../store/database.ts";
import type { LinkReader } from "./reader.ts";
import { ChunkReader, TransferFile } from "./transfer-file.ts";

/** Work per slice before other clients get their turn. */
const SLICE_MS = 5;
const MARK_BYTES = 40;
/** Silence on the link after which the loader's held-back bytes are tried anyway. */
const QUIET_MS = 20;

/** A sync that failed and was logged already (the link just retries). */
export class SyncFailed extends Error {}

/** What the load needs from the master link. */
export interface SyncLink {
  readonly engine: Engine;
  /** Where a disk-based load writes the transfer file. */
  readonly fs: FileSystem;
  readonly reader: LinkReader;
  /** The master's replication id from +FULLRESYNC, and ours now. */
  readonly masterId: string;
  readonly ourId: string;
  log(level: "notice" | "warning", text: string): void;
  /** master_sync_total_bytes (0 for an `$EOF:` transfer, as Redis). */
  setTotal(n: number): void;
  /** True while bytes are being received (the repl-timeout check for the transfer). */
  setReceiving(on: boolean): void;
  /** replicationAttachToNewMaster: the cached master and our sub-replicas' streams are history now. */
  attachToNewMaster(): void;
}

/** The payload's bytes as they arrive: exactly `$<len>` of them, or up to the end mark. */
class Payload {
  /** The last 40 bytes seen (mark mode): when they equal the mark the transfer ended (Redis's lastbytes). */
  readonly #last = new Uint8Array(MARK_BYTES);
  #left: number;
  ended = false;

  constructor(
    readonly reader: LinkReader,
    readonly mark: Uint8Array | null,
    size: number,
  ) {
    this.#left = size;
  }

  /** Waits up to `ms` until next() would not wait; false when the link stayed quiet. */
  waitReadable(ms: number): Promise<boolean> {
    if (this.ended || (this.mark === null && this.#left === 0)) return Promise.resolve(true);
    return this.reader.waitReadable(ms);
  }

  /** The next chunk, or null once the payload is complete. */
  async next(): Promise<Uint8Array | null> {
    if (this.ended) return null;
    if (this.mark === null) {
      if (this.#left === 0) {
        this.ended = true;
        return null;
      }
      const c = await this.reader.chunk(this.#left);
      this.#left -= c.length;
      return c;
    }
    const c = await this.reader.chunk();
    const last = this.#last;
    if (c.length >= MARK_BYTES) last.set(c.subarray(c.length - MARK_BYTES));
    else {
      last.copyWithin(0, c.length);
      last.set(c, MARK_BYTES - c.length);
    }
    if (equal(last, this.mark)) this.ended = true;
    return c;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function logOf(link: SyncLink) {
  return { notice: (m: string) => link.log("notice", m), warning: (m: string) => link.log("warning", m) };
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function totalKeys(engine: Engine): number {
  let n = 0;
  for (const db of engine.dbs) n += db.size;
  return n;
}

/** Receives and loads the snapshot whose bulk header is `header`; returns the db the stream starts in. */
export async function loadSnapshot(link: SyncLink, header: string): Promise<number> {
  const { engine } = link;
  const config = engine.config;
  const useMark = header.startsWith("$EOF:") && header.length >= 5 + MARK_BYTES;
  const mark = useMark ? fromLatin1(header.slice(5, 5 + MARK_BYTES)) : null;
  const size = useMark ? 0 : Number(header.slice(1));
  const mode = config.get("repl-diskless-load");
  const diskless = mode === "swapdb" || (mode === "on-empty-db" && totalKeys(engine) === 0);
  const to = diskless ? "to parser" : "to disk";
  link.setTotal(size);
  link.log(
    "notice",
    useMark
      ? `MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${to}`
      : `MASTER <-> REPLICA sync: receiving ${size} bytes from master ${to}`,
  );
  const payload = new Payload(link.reader, mark, size);
  try {
    if (diskless) return await loadFromSocket(link, payload, mode === "swapdb", size);
    return await loadViaDisk(link, payload);
  } finally {
    // restartAOFAfterSYNC: the AOF is rebuilt from what is loaded now (or kept, if the load never began).
    if (aofStoppedForLoad.delete(engine)) aofOf(engine)?.start();
  }
}

/** Engines whose AOF was stopped for a load (see stopPersistence). */
const aofStoppedForLoad = new WeakSet<Engine>();

/**
 * Right before loading, as Redis: an RDB child is killed (a save must not mix
 * the old dataset with the new) and the AOF is stopped (it would otherwise
 * keep the old dataset; loadSnapshot restarts it with a rewrite of the new one).
 */
function stopPersistence(link: SyncLink, disk: boolean): void {
  const aof = aofOf(link.engine);
  if (aof !== undefined && aof.state !== "off") {
    aof.stop();
    aofStoppedForLoad.add(link.engine);
  }
  const saver = saverOf(link.engine);
  if (!saver?.bgsaveInProgress) return;
  if (disk) {
    link.log(
      "notice",
      `Replica is about to load the RDB file received from the master, but there is a pending RDB child running. Killing process ${link.engine.host?.pid ?? 0} and removing its temp file to avoid any race`,
    );
  }
  saver.abortBackground();
}

/** No save points and no AOF (Redis's allPersistenceDisabled). */
function allPersistenceDisabled(engine: Engine): boolean {
  return (saverOf(engine)?.saveParams().length ?? 0) === 0 && !engine.config.bool("appendonly");
}

function flushAll(engine: Engine): void {
  // WATCH and client tracking learn of it as of a FLUSHALL (Redis's emptyData -> signalFlushedDb).
  engine.flushing(engine.dbs.map((db) => db.id));
  for (const db of engine.dbs) db.flush();
}

async function loadViaDisk(link: SyncLink, payload: Payload): Promise<number> {
  const { engine } = link;
  const tmp = `temp-${Math.floor(Date.now() / 1000)}.${engine.host?.pid ?? 0}.rdb`;
  let file: TransferFile;
  try {
    file = new TransferFile(link.fs, tmp);
  } catch (e) {
    link.log("warning", `Opening the temp file needed for MASTER <-> REPLICA synchronization: ${reason(e)}`);
    throw new SyncFailed(reason(e));
  }
  // Receive: the old data is still served meanwhile.
  link.setReceiving(true);
  try {
    // With a mark, the last 40 bytes are held back: they are the mark once the transfer ends.
    let held: Uint8Array = new Uint8Array(0);
    for (;;) {
      const c = await payload.next();
      if (c === null) break;
      if (payload.mark === null) {
        file.write(c);
        continue;
      }
      const all = held.length + c.length;
      if (all <= MARK_BYTES) held = concat([held, c]);
      else if (c.length >= MARK_BYTES) {
        file.write(held);
        file.write(c.subarray(0, c.length - MARK_BYTES));
        held = c.slice(c.length - MARK_BYTES);
      } else {
        const joined = concat([held, c]);
        file.write(joined.subarray(0, all - MARK_BYTES));
        held = joined.slice(all - MARK_BYTES);
      }
    }
  } catch (e) {
    file.discard();
    link.log(
      "warning",
      `I/O error trying to sync with MASTER: ${reason(e) === "Connection closed by master" ? "connection lost" : reason(e)}`,
    );
    throw new SyncFailed(reason(e));
  } finally {
    link.setReceiving(false);
  }

  stopPersistence(link, true);
  link.attachToNewMaster();
  link.log("notice", "MASTER <-> REPLICA sync: Flushing old data");
  flushAll(engine);
  link.log("notice", "MASTER <-> REPLICA sync: Loading DB in memory");
  try {
    file.finish();
  } catch (e) {
    file.discard();
    link.log("warning", `Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: ${reason(e)}`);
    throw new SyncFailed(reason(e));
  }
  const path = engine.config.get("dbfilename");
  try {
    link.fs.rename(tmp, path);
  } catch (e) {
    link.fs.remove(tmp);
    link.log("warning", `Failed trying to rename the temp DB into ${path} in MASTER <-> REPLICA synchronization: ${reason(e)}`);
    throw new SyncFailed(reason(e));
  }
  beginLoading(engine, file.written);
  const loader = newLoader(engine, engine.dbs, link);
  let reader: ChunkReader | null = null;
  try {
    const r = new ChunkReader(link.fs, path);
    reader = r;
    await drive(engine, loader.loader, r);
  } catch (e) {
    endLoading(engine, null);
    // Half a dataset is worse than none.
    flushAll(engine);
    link.log("warning", `Failed trying to load the MASTER synchronization DB from disk: ${reason(e)}`);
    throw new SyncFailed(reason(e));
  } finally {
    reader?.close();
  }
  logLoadDone(logOf(link), loader.loader.keys, loader.stats);
  endLoading(engine, { keys: loader.loader.keys, expired: 0 });
  // rdb-del-sync-files: a replica that persists nothing keeps no copy of its master's data on disk.
  if (engine.config.bool("rdb-del-sync-files") && allPersistenceDisabled(engine)) {
    link.log("notice", "Removing the RDB file obtained from the master. This replica has persistence disabled");
    link.fs.remove(path);
  }
  return Math.max(0, loader.stats.repl.streamDb);
}

function newLoader(engine: Engine, dbs: readonly Database[], link: SyncLink) {
  const log = logOf(link);
  // A replica keeps keys past their TTL: its master's DEL removes them.
  const { sink, stats } = datasetSink(dbs, log, { dropExpired: false, now: Date.now() });
  // respd has no functions: a library in the master's file is skipped, as before.
  sink.functionLibrary = () => {};
  const config = engine.config;
  const loader = new RdbStreamLoader(
    sink,
    limitsFrom((n) => config.num(n)),
    config.bool("rdbchecksum") && !engine.skipChecksumValidation,
  );
  return { loader, stats };
}

/** Where a load's bytes come from: a file (complete) or the link (which can go quiet). */
interface ChunkSource {
  next(): Promise<Uint8Array | null> | Uint8Array | null;
  /** Waits up to `ms` for next() to be ready without waiting; false when nothing came. */
  waitReadable?(ms: number): Promise<boolean>;
}

/**
 * Runs the loader over the source's chunks in slices, yielding to other
 * clients between them. When the loader holds untried bytes (its back-off)
 * and the link stays quiet for QUIET_MS, they are tried: they may be the
 * whole rest of the RDB, followed by nothing until the master writes again.
 */
async function drive(engine: Engine, loader: RdbStreamLoader, source: ChunkSource): Promise<void> {
  let sliceStart = performance.now();
  for (;;) {
    const r = loader.step(SLICE_MS);
    setLoadedBytes(engine, loader.pos);
    if (r === "done") return;
    if (r === "paused" || performance.now() - sliceStart >= SLICE_MS) {
      await turn();
      sliceStart = performance.now();
      if (r === "paused") continue;
    }
    if (loader.waiting && source.waitReadable !== undefined && !(await source.waitReadable(QUIET_MS))) {
      loader.retryNow();
      continue;
    }
    const c = await source.next();
    if (c === null) loader.end();
    else loader.push(c);
  }
}

async function loadFromSocket(link: SyncLink, payload: Payload, swap: boolean, size: number): Promise<number> {
  const { engine } = link;
  // Serving the old data meanwhile only makes sense when it is an earlier state of the same history.
  const asyncLoading = swap && link.ourId === link.masterId;
  stopPersistence(link, false);
  let dbs: readonly Database[];
  if (swap) {
    const noHooks = { expired() {} };
    dbs = engine.dbs.map((d, i) => new Database(i, noHooks, d.clock));
  } else {
    link.attachToNewMaster();
    link.log("notice", "MASTER <-> REPLICA sync: Flushing old data");
    flushAll(engine);
    dbs = engine.dbs;
  }
  link.log("notice", "MASTER <-> REPLICA sync: Loading DB in memory");
  beginLoading(engine, size, asyncLoading);
  const { loader, stats } = newLoader(engine, dbs, link);
  let markBroken = false;
  try {
    link.setReceiving(true);
    await drive(engine, loader, payload);
    if (payload.mark !== null) {
      // The mark follows the RDB; whatever follows the mark is the command stream.
      let tail = loader.rest();
      while (tail.length < MARK_BYTES) {
        const c = await payload.next();
        if (c === null) break;
        tail = concat([tail, c]);
      }
      if (tail.length < MARK_BYTES || !equal(tail.subarray(0, MARK_BYTES), payload.mark)) {
        markBroken = true;
        throw new Error("Replication stream EOF marker is broken");
      }
      link.reader.unread(tail.subarray(MARK_BYTES));
    } else {
      // Bytes announced by `$<len>` past the RDB's end are not commands: skip them.
      while ((await payload.next()) !== null) {}
    }
  } catch (e) {
    endLoading(engine, null);
    if (markBroken) link.log("warning", "Replication stream EOF marker is broken");
    else link.log("warning", `Failed trying to load the MASTER synchronization DB from socket: ${reason(e)}`);
    if (swap) link.log("notice", "MASTER <-> REPLICA sync: Discarding temporary DB in background");
    // Remove the half-loaded data (we started empty).
    else flushAll(engine);
    throw new SyncFailed(reason(e));
  } finally {
    link.setReceiving(false);
  }
  logLoadDone(logOf(link), loader.keys, stats);
  if (swap) {
    link.attachToNewMaster();
    link.log("notice", "MASTER <-> REPLICA sync: Swapping active DB with loaded DB");
    engine.flushing(engine.dbs.map((db) => db.id));
    engine.dbs.forEach((db, i) => {
      db.swapWith(dbs[i] as Database);
    });
    link.log("notice", "MASTER <-> REPLICA sync: Discarding old DB in background");
  }
  // The dataset changed without a save (a diskless load leaves no file behind).
  engine.dirty++;
  endLoading(engine, { keys: loader.keys, expired: 0 });
  return Math.max(0, stats.repl.streamDb);
}
