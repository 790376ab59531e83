/**
 * Whole RDB files: an incremental snapshot writer (header, then keys one at a
 * time, then EOF + CRC64; `take()` drains the bytes so far so a BGSAVE can
 * stream to disk while it walks the keyspace) and a loader that walks a file
 * and hands every key to a sink.
 */
import { latin1 } from "../../resp/bytes.ts";
import type { Database } from "../../store/database.ts";
import type { Value } from "../../store/values.ts";
import { isObjectType, Opcode, RDB_VERSION, RdbError, RdbType } from "./constants.ts";
import { Crc64 } from "./crc64.ts";
import { DEFAULT_LIMITS, EmptyKeyError, type LoadLimits, readValue } from "./decode.ts";
import { DEFAULT_ENCODE_OPTIONS, type EncodeOptions, rdbTypeOf, writeValue } from "./encode.ts";
import { RdbReader, RdbWriter } from "./io.ts";

export interface WriterOptions extends Partial<EncodeOptions> {
  /** rdbcompression */
  compress?: boolean;
  /** rdbchecksum: when false the trailer is 8 zero bytes, as Redis writes. */
  checksum?: boolean;
}

/** The AUX fields Redis 7.0 writes first (rdbSaveInfoAuxFields), in its order. */
export function defaultAux(usedMemory = 0, now = Date.now()): [string, string][] {
  return [
    ["redis-ver", "7.0.15"],
    ["redis-bits", "64"],
    ["ctime", String(Math.floor(now / 1000))],
    ["used-mem", String(usedMemory)],
    ["aof-base", "0"],
  ];
}

/** Extra per-key attributes written before a key (IDLE under an LRU policy, FREQ under LFU). */
export interface KeyMeta {
  idleSeconds?: number;
  freq?: number;
}

/** The default for `key`: shared, so writing a key allocates nothing for it. */
const NO_META: KeyMeta = Object.freeze({});

export class RdbFileWriter {
  readonly #w: RdbWriter;
  readonly #crc = new Crc64();
  readonly #checksum: boolean;
  readonly #enc: EncodeOptions;
  #ended = false;

  constructor(opts: WriterOptions = {}) {
    this.#w = new RdbWriter(opts.compress ?? true, 64 * 1024);
    this.#checksum = opts.checksum ?? true;
    this.#enc = { ...DEFAULT_ENCODE_OPTIONS, ...opts };
  }

  /** `REDIS0010` and the AUX fields. */
  header(aux: [string, string][] = defaultAux()): this {
    const w = this.#w;
    for (const c of `REDIS${String(RDB_VERSION).padStart(4, "0")}`) w.byte(c.charCodeAt(0));
    for (const [k, v] of aux) {
      w.byte(Opcode.AUX);
      w.string(k);
      w.string(v);
    }
    return this;
  }

  /** A function library (FUNCTION2), for when respd has functions. */
  functionLibrary(code: string): this {
    this.#w.byte(Opcode.FUNCTION2);
    this.#w.string(code);
    return this;
  }

  /** SELECTDB + RESIZEDB: starts the keys of database `id`. */
  selectDb(id: number, size: number, expires: number): this {
    const w = this.#w;
    w.byte(Opcode.SELECTDB);
    w.length(id);
    w.byte(Opcode.RESIZEDB);
    w.length(size);
    w.length(expires);
    return this;
  }

  /** One key: [EXPIRETIME_MS] [IDLE | FREQ] type key value. `expireAt` -1 = none. */
  key(key: string, value: Value, expireAt = -1, meta: KeyMeta = NO_META): this {
    const w = this.#w;
    if (expireAt !== -1) {
      w.byte(Opcode.EXPIRETIME_MS);
      w.millis(expireAt);
    }
    if (meta.idleSeconds !== undefined) {
      w.byte(Opcode.IDLE);
      w.length(meta.idleSeconds);
    }
    if (meta.freq !== undefined) {
      w.byte(Opcode.FREQ);
      w.byte(meta.freq & 0xff);
    }
    if (typeof value === "string") {
      // Most keys are plain strings: no type dispatch.
      w.byte(RdbType.STRING);
      w.string(key);
      w.string(value);
      return this;
    }
    w.byte(rdbTypeOf(value));
    w.string(key);
    writeValue(w, value, this.#enc);
    return this;
  }

  /** EOF and the CRC64 trailer. */
  end(): this {
    this.#w.byte(Opcode.EOF);
    this.#ended = true;
    return this;
  }

  /** The bytes produced since the last call (the whole file once `end` was called and everything drained). */
  take(): Uint8Array {
    // Checksummed in the writer's long-lived buffer, before `take` copies it out.
    if (this.#checksum) this.#crc.update(this.#w.buf, 0, this.#w.len);
    const chunk = this.#w.take();
    if (!this.#ended) return chunk;
    const trailer = this.#checksum ? this.#crc.bytesLE() : new Uint8Array(8);
    const out = new Uint8Array(chunk.length + 8);
    out.set(chunk);
    out.set(trailer, chunk.length);
    this.#ended = false;
    return out;
  }
}

/** A whole RDB file of `dbs` (keys whose TTL passed at `now` are left out, as a fork would see them). */
export function writeRdb(dbs: readonly Database[], opts: WriterOptions & { aux?: [string, string][]; now?: number } = {}): Uint8Array {
  const now = opts.now ?? Date.now();
  const f = new RdbFileWriter(opts).header(opts.aux ?? defaultAux(0, now));
  const chunks: Uint8Array[] = [];
  for (const db of dbs) {
    const t = db.table;
    if (t.size === 0) continue;
    f.selectDb(db.id, t.size, db.volatile.size);
    for (const s of t.slots()) {
      const at = t.expireAt[s] as number;
      f.key(t.keys[s] as string, t.values[s] as Value, at === 0 ? -1 : at);
    }
    chunks.push(f.take());
  }
  chunks.push(f.end().take());
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const c of chunks) {
    out.set(c, n);
    n += c.length;
  }
  return out;
}

/** What the loader reports, in file order. */
export interface RdbSink {
  aux?(key: string, value: string): void;
  selectDb?(id: number): void;
  resizeDb?(size: number, expires: number): void;
  /** A FUNCTION2 library; without this handler a file holding functions is refused. */
  functionLibrary?(code: string): void;
  /** One key; `expireAt` is absolute ms or -1. */
  key(db: number, key: string, value: Value, expireAt: number, meta: KeyMeta): void;
  /** A key with no elements, which Redis skips with a warning. */
  emptyKeySkipped?(db: number, key: string): void;
}

/** Header facts the loader found. */
export interface LoadResult {
  version: number;
  keys: number;
  checksumVerified: boolean;
  /** Where the RDB ended (after its checksum): an old-style AOF's command tail starts there. */
  end: number;
}

/** rdbLoadRio's header check: `REDIS` and a version we can read; returns the version. */
export function rdbVersionOf(data: Uint8Array): number {
  if (data.length < 9 || latin1(data, 0, 5) !== "REDIS") throw new RdbError("Wrong signature trying to load DB from file");
  const verText = latin1(data, 5, 9);
  const version = /^\d{4}$/.test(verText) ? Number(verText) : 0;
  if (version < 1 || version > RDB_VERSION) throw new RdbError(`Can't handle RDB format version ${verText}`);
  return version;
}

/** The trailer check: `stored` 0 means the writer had rdbchecksum off. */
export function checkTrailer(crc: bigint, stored: bigint): void {
  if (crc === stored) return;
  const e = new RdbError("RDB CRC error");
  e.crcMismatch = { expected: crc, got: stored };
  throw e;
}

/** Reads the 8-byte little-endian CRC64 trailer. */
export function readTrailer(r: RdbReader): bigint {
  const trailer = r.bytes(8);
  return new DataView(trailer.buffer, trailer.byteOffset, 8).getBigUint64(0, true);
}

/**
 * The walk over an RDB body, shared by the whole-file and the streaming
 * loader: `unit` reads one opcode with its payload, or one key, and tells
 * the sink only once that unit was read whole, so a reader that ran out of
 * bytes inside a unit can be rewound to its start and tried again.
 */
export class RdbWalk {
  db = 0;
  keys = 0;
  /** EXPIRETIME / IDLE / FREQ read for the key that follows. */
  #expireAt = -1;
  #meta: KeyMeta = {};

  constructor(
    readonly sink: RdbSink,
    readonly limits: LoadLimits,
  ) {}

  /** True between keys (no EXPIRETIME/IDLE/FREQ pending): a place to pause. */
  get between(): boolean {
    return this.#expireAt === -1 && this.#meta.freq === undefined && this.#meta.idleSeconds === undefined;
  }

  /** Reads one unit; false when it was the EOF opcode. */
  unit(r: RdbReader): boolean {
    const sink = this.sink;
    const type = r.byte();
    switch (type) {
      case Opcode.EOF:
        return false;
      case Opcode.EXPIRETIME:
        this.#expireAt = r.seconds() * 1000;
        return true;
      case Opcode.EXPIRETIME_MS:
        this.#expireAt = r.millis();
        return true;
      case Opcode.FREQ:
        this.#meta.freq = r.byte();
        return true;
      case Opcode.IDLE:
        this.#meta.idleSeconds = r.length();
        return true;
      case Opcode.SELECTDB:
        this.db = r.length();
        sink.selectDb?.(this.db);
        return true;
      case Opcode.RESIZEDB: {
        const size = r.length();
        const expires = r.length();
        sink.resizeDb?.(size, expires);
        return true;
      }
      case Opcode.AUX: {
        const k = r.string();
        const v = r.string();
        sink.aux?.(k, v);
        return true;
      }
      case Opcode.MODULE_AUX:
        throw new RdbError("The RDB file contains AUX module data I can't load: respd has no modules");
      case Opcode.FUNCTION2: {
        const code = r.string();
        if (!sink.functionLibrary) throw new RdbError("The RDB file contains a function library, which respd cannot load");
        sink.functionLibrary(code);
        return true;
      }
      case Opcode.FUNCTION_PRE_GA:
        throw new RdbError("The RDB file contains a pre-release (7.0 rc) function library, which respd cannot load");
    }
    if (!isObjectType(type)) throw new RdbError(`Unknown RDB opcode or value type ${type}`);
    const key = r.string();
    try {
      const value: Value = readValue(r, type, this.limits);
      sink.key(this.db, key, value, this.#expireAt, this.#meta);
      this.keys++;
    } catch (e) {
      if (!(e instanceof EmptyKeyError)) throw e;
      sink.emptyKeySkipped?.(this.db, key);
    }
    this.#expireAt = -1;
    this.#meta = {};
    return true;
  }
}

/**
 * Loads an RDB file (rdbLoadRio): verifies the magic and version, walks the
 * opcodes and keys, and checks the CRC64 trailer (unless it is 0, which
 * means the writer had rdbchecksum off). Throws an RdbError for anything
 * truncated, corrupt or unsupported; the sink sees keys as they are read.
 * Resumable: `step` stops between keys, so startup can load a big file a
 * slice per event-loop turn while clients get LOADING. (The bytes arriving
 * a chunk at a time: RdbStreamLoader in stream-load.ts.)
 */
export class RdbLoader {
  readonly #r: RdbReader;
  readonly version: number;
  checksumVerified = false;
  /** The checksum so far, kept up with each slice so the end needs no pass over the whole file. */
  readonly #crc = new Crc64();
  #crcPos = 0;
  readonly #walk: RdbWalk;
  #finished = false;

  constructor(
    readonly data: Uint8Array,
    readonly sink: RdbSink,
    readonly limits: LoadLimits,
    readonly verifyChecksum = true,
  ) {
    this.version = rdbVersionOf(data);
    this.#r = new RdbReader(data, 9);
    this.#walk = new RdbWalk(sink, limits);
  }

  get pos(): number {
    return this.#r.pos;
  }

  get keys(): number {
    return this.#walk.keys;
  }

  /**
   * Loads for about `budgetMs`, or until `maxBytes` more were read
   * (Redis's loading-process-events-interval-bytes); true when the file is
   * done (EOF and checksum checked).
   */
  step(budgetMs: number, maxBytes = Number.POSITIVE_INFINITY): boolean {
    if (this.#finished) return true;
    const r = this.#r;
    const walk = this.#walk;
    const deadline = performance.now() + budgetMs;
    const byteLimit = r.pos + maxBytes;
    for (let n = 0; ; n++) {
      // Stop only between keys, where no EXPIRETIME/IDLE/FREQ is pending.
      if (walk.between && (r.pos >= byteLimit || ((n & 63) === 63 && performance.now() >= deadline))) {
        this.#crcTo(r.pos);
        return false;
      }
      if (!walk.unit(r)) break;
    }
    if (this.version >= 5) {
      const end = r.pos;
      const stored = readTrailer(r);
      if (this.verifyChecksum && stored !== 0n) {
        this.#crcTo(end);
        checkTrailer(this.#crc.value, stored);
        this.checksumVerified = true;
      }
    }
    this.#finished = true;
    return true;
  }

  #crcTo(end: number): void {
    if (!this.verifyChecksum || end <= this.#crcPos) return;
    this.#crc.update(this.data, this.#crcPos, end);
    this.#crcPos = end;
  }
}

/** Loads a whole RDB file in one go (see RdbLoader). */
export function loadRdb(data: Uint8Array, sink: RdbSink, limits: LoadLimits = DEFAULT_LIMITS, verifyChecksum = true): LoadResult {
  const loader = new RdbLoader(data, sink, limits, verifyChecksum);
  loader.step(Number.POSITIVE_INFINITY);
  return { version: loader.version, keys: loader.keys, checksumVerified: loader.checksumVerified, end: loader.pos };
}
