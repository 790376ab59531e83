/**
 * Loading the AOF at start (loadAppendOnlyFiles): the base (an RDB file or
 * commands), then each incr file in manifest order, replayed through the
 * engine by a fake client, so SELECT switches its db and MULTI ... EXEC
 * blocks apply whole. A file cut short inside its last command is truncated
 * at the last complete command (aof-load-truncated yes) or refused.
 */
import { Client } from "../../engine/client.ts";
import { Ctx } from "../../engine/context.ts";
import type { Engine } from "../../engine/engine.ts";
import type { TableEntry } from "../../engine/table.ts";
import { latin1 } from "../../resp/bytes.ts";
import { RdbError } from "../rdb/constants.ts";
import { limitsFrom } from "../rdb/decode.ts";
import { RdbLoader, type RdbSink } from "../rdb/file.ts";
import type { AofIo } from "./fs.ts";
import type { Manifest } from "./manifest.ts";
import { parseCommands } from "./resp.ts";

export type FileStatus = "ok" | "truncated" | "empty" | "not-exist" | "open-error" | "failed";

/** Redis's loadSingleAppendOnlyFile serves clients once every 1024 commands. */
const COMMANDS_PER_SLICE = 1024;

/** Called between slices of a load: the bytes read so far of all the files, and their total. */
export type Between = (loadedBytes: number, totalBytes: number, commands: number) => Promise<void>;

export interface LoadStats {
  /** Keys loaded from an RDB base, and those skipped because their TTL had passed. */
  keysLoaded: number;
  keysExpired: number;
  /** Commands replayed. */
  commands: number;
}

/** A client that replays commands and whose replies go nowhere. */
function fakeClient(): Client {
  const noop = () => {};
  return new Client(
    0,
    "",
    "",
    -1,
    { write: noop, backpressure: undefined, pendingBytes: 0, closeAfterFlush: noop, destroy: noop },
    Date.now(),
    true,
  );
}

export class AofLoader {
  readonly stats: LoadStats = { keysLoaded: 0, keysExpired: 0, commands: 0 };

  constructor(
    readonly engine: Engine,
    readonly io: AofIo,
    readonly dir: string,
    readonly loadTruncated: boolean,
  ) {}

  /**
   * Loads every file the manifest lists. Returns "not-exist" when it lists
   * none, "empty" when they hold nothing, "failed" (already logged) on error.
   */
  loadAll(m: Manifest): FileStatus {
    for (const db of this.engine.dbs) db.ignoreExpiry = true;
    try {
      const steps = this.#allSteps(m);
      for (;;) {
        const r = steps.next();
        if (r.done) return r.value;
      }
    } finally {
      for (const db of this.engine.dbs) db.ignoreExpiry = false;
    }
  }

  /**
   * loadAll a slice at a time: `between` runs after every 1024 commands
   * (clients are served meanwhile, and get -LOADING).
   */
  async loadAllAsync(m: Manifest, between: Between): Promise<FileStatus> {
    for (const db of this.engine.dbs) db.ignoreExpiry = true;
    try {
      const steps = this.#allSteps(m);
      for (;;) {
        const r = steps.next();
        if (r.done) return r.value;
        // Nothing expires until the load is over (a client's lookup meanwhile included).
        await between(r.value[0], r.value[1], this.stats.commands);
      }
    } finally {
      for (const db of this.engine.dbs) db.ignoreExpiry = false;
    }
  }

  /** The load as steps: yields [bytes read so far, total bytes] between slices. */
  *#allSteps(m: Manifest): Generator<[number, number], FileStatus> {
    const files = [...(m.base ? [m.base] : []), ...m.incrs];
    if (files.length === 0) return "not-exist";
    let total = 0;
    for (const f of files) {
      const path = `${this.dir}/${f.name}`;
      if (!this.io.exists(path)) {
        this.io.log("warning", `The append log file ${f.name} doesn't exist: No such file or directory`);
        return "failed";
      }
      total += this.io.size(path);
    }
    if (total === 0) return "empty";
    let status: FileStatus = "ok";
    let done = 0;
    for (let i = 0; i < files.length; i++) {
      const f = files[i] as (typeof files)[number];
      const last = i === files.length - 1;
      const t0 = performance.now();
      const steps = this.#fileSteps(f.name);
      for (;;) {
        const r = steps.next();
        if (r.done) {
          status = r.value;
          break;
        }
        yield [done + r.value, total];
      }
      done += this.io.size(`${this.dir}/${f.name}`);
      if (status === "ok" || (status === "truncated" && last)) {
        const secs = ((performance.now() - t0) / 1000).toFixed(3);
        this.io.log("notice", `DB loaded from ${f === m.base ? "base" : "incr"} file ${f.name}: ${secs} seconds`);
      }
      if (status === "empty") status = "ok";
      if (status === "truncated" && !last) {
        this.io.log("warning", "Fatal error: the truncated file is not the last file");
        return "failed";
      }
      if (status === "failed" || status === "open-error") return status;
    }
    return status;
  }

  /** loadSingleAppendOnlyFile. */
  loadFile(name: string): FileStatus {
    const steps = this.#fileSteps(name);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /** loadFile as steps: yields the offset reached after each slice of commands. */
  *#fileSteps(name: string): Generator<number, FileStatus> {
    const path = `${this.dir}/${name}`;
    const data = this.io.read(path);
    if (data === null) {
      this.io.log("warning", `Fatal error: can't open the append log file ${name} for reading`);
      return "open-error";
    }
    if (data.length === 0) return "empty";
    let start = 0;
    if (data.length >= 5 && latin1(data, 0, 5) === "REDIS") {
      this.io.log("notice", "Reading RDB base file on AOF loading...");
      try {
        start = yield* this.#rdbSteps(data);
      } catch (e) {
        const why = e instanceof RdbError ? e.message : String(e);
        this.io.log("warning", `${why}`);
        this.io.log("warning", `Error reading the RDB base file ${name}, AOF loading aborted`);
        return "failed";
      }
      // An RDB-preamble AOF of Redis < 7.0 goes on with commands after the RDB: they are loaded too.
    }
    const client = fakeClient();
    let validBeforeMulti = start;
    let lastEnd = start;
    let unknown: string | null = null;
    /** The commands of an open MULTI, applied whole at its EXEC. */
    let queue: [TableEntry, string[]][] | null = null;
    let pos = start;
    let end: ReturnType<typeof parseCommands>;
    for (;;) {
      let n = 0;
      let paused = false;
      end = parseCommands(data, pos, (argv, endPos) => {
        const cmd = this.#lookup(argv);
        if (cmd === undefined) {
          unknown = argv[0] as string;
          return false;
        }
        const cmdName = cmd.spec.name;
        if (cmdName === "multi") {
          validBeforeMulti = lastEnd;
          queue = [];
        } else if (cmdName === "exec" && queue !== null) {
          for (const [c, a] of queue) this.#run(client, c, a);
          queue = null;
        } else if (cmdName === "discard" && queue !== null) queue = null;
        else if (queue !== null) queue.push([cmd, argv]);
        else this.#run(client, cmd, argv);
        lastEnd = endPos;
        if (++n < COMMANDS_PER_SLICE) return true;
        paused = true;
        pos = endPos;
        return false;
      });
      if (unknown !== null || !paused) break;
      yield pos;
    }
    if (unknown !== null) {
      this.io.log("warning", `Unknown command '${unknown}' reading the append only file ${name}`);
      return "failed";
    }
    const inMulti = queue !== null;
    let validUpTo: number;
    if (end.kind === "format") {
      this.io.log(
        "warning",
        `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
      );
      return "failed";
    }
    if (end.kind === "ok") {
      if (!inMulti) return "ok";
      this.io.log("warning", `Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
      validUpTo = validBeforeMulti;
    } else {
      // The queued tail of an unfinished transaction is dropped, never applied.
      validUpTo = inMulti ? validBeforeMulti : end.validUpTo;
    }
    return this.#truncated(name, path, validUpTo);
  }

  #lookup(argv: string[]): TableEntry | undefined {
    const cmd = this.engine.commands.lookup(argv[0] as string);
    if (cmd === undefined || cmd.subcommands === null || argv.length < 2) return cmd;
    return this.engine.commands.lookupSub(cmd, argv[1] as string);
  }

  /**
   * Runs one command as Redis's AOF client does (cmd->proc): no gates (LOADING,
   * read-only replica, MISCONF), never blocking, reply dropped.
   */
  #run(client: Client, cmd: TableEntry, argv: string[]): void {
    const arity = cmd.spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) return;
    client.inExec = true;
    this.engine.call(new Ctx(this.engine, client, argv, cmd, Date.now()));
    client.inExec = false;
    this.stats.commands++;
  }

  #truncated(name: string, path: string, validUpTo: number): FileStatus {
    if (this.loadTruncated) {
      this.io.log("warning", `!!! Warning: short read while loading the AOF file ${name}!!!`);
      this.io.log("warning", `!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
      try {
        this.io.truncate(path, validUpTo);
        this.io.log("warning", `AOF ${name} loaded anyway because aof-load-truncated is enabled`);
        return "truncated";
      } catch (e) {
        this.io.log("warning", `Error truncating the AOF file ${name}: ${(e as Error).message}`);
      }
    }
    this.io.log(
      "warning",
      `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
    );
    return "failed";
  }

  /**
   * Loads the RDB at the start of `data` a slice at a time (yielding the
   * offset reached); returns where it ended. Keys past their TTL are kept,
   * as Redis keeps them in an AOF's RDB preamble: the commands after it may
   * still touch them, and they expire once the load is over.
   */
  *#rdbSteps(data: Uint8Array): Generator<number, number> {
    const now = Date.now();
    const dbs = this.engine.dbs;
    const config = this.engine.config;
    let loaded = 0;
    const log = (level: "notice" | "warning", text: string) => this.io.log(level, text);
    const sink: RdbSink = {
      aux(k, v) {
        if (k === "redis-ver") log("notice", `Loading RDB produced by version ${v}`);
        else if (k === "ctime") log("notice", `RDB age ${Math.max(0, Math.floor(now / 1000) - Number(v))} seconds`);
        else if (k === "used-mem") log("notice", `RDB memory usage when created ${(Number(v) / 1024 / 1024).toFixed(2)} Mb`);
        else if (k === "aof-base" && v === "1") log("notice", "RDB is base AOF");
      },
      selectDb(id) {
        if (id >= dbs.length) {
          throw new RdbError(
            `FATAL: Data file was created with a Redis server configured to handle more than ${dbs.length} databases. Exiting`,
          );
        }
      },
      key(db, key, value, expireAt) {
        const d = dbs[db];
        if (!d) throw new RdbError(`Bad db id ${db}`);
        if (!d.add(key, value, now, expireAt)) throw new RdbError(`RDB has duplicated key '${key}' in DB ${db}`);
        loaded++;
      },
    };
    const loader = new RdbLoader(
      data,
      sink,
      limitsFrom((n) => config.num(n)),
      config.bool("rdbchecksum"),
    );
    while (!loader.step(8, config.num("loading-process-events-interval-bytes"))) yield loader.pos;
    this.stats.keysLoaded += loaded;
    log("notice", `Done loading RDB, keys loaded: ${loaded}, keys expired: 0.`);
    return loader.pos;
  }
}
