/**
 * MIGRATE (Redis's cluster.c migrateCommand): sends keys to another instance
 * as RESTORE commands over a cached connection, and deletes them here once
 * the target acknowledged each (unless COPY), propagating that as DEL.
 *
 * Redis does the transfer with blocking socket calls, so nothing else runs
 * meanwhile. respd cannot block its event loop on a socket: the payloads are
 * serialized when the command runs (the point in time Redis also uses), the
 * calling client waits as if blocked, and the deletions happen when the
 * target's replies arrive; other clients' commands may run in between.
 */
import { Blocked } from "../engine/blocking.ts";
import type { CommandSpec, HandlerResult } from "../engine/command.ts";
import { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { intArg } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { createDumpPayload } from "../persistence/rdb/dump.ts";
import { ByteWriter } from "../resp/bytes.ts";
import { ErrorReply, OK, type Reply, Status } from "../resp/reply.ts";
import { type MigrateSocket, migrateSocketsOf, SocketFailure } from "./migrate/sockets.ts";
import { rowsOf } from "./rows.ts";

interface MigrateArgs {
  host: string;
  port: string;
  dbid: number;
  timeoutMs: number;
  copy: boolean;
  replace: boolean;
  username: string | null;
  password: string | null;
  /** Indexes of the key arguments. */
  firstKey: number;
  numKeys: number;
}

function parseArgs(ctx: Ctx): MigrateArgs {
  const argc = ctx.argv.length;
  const a: MigrateArgs = {
    host: ctx.arg(1),
    port: ctx.arg(2),
    dbid: 0,
    timeoutMs: 0,
    copy: false,
    replace: false,
    username: null,
    password: null,
    firstKey: 3,
    numKeys: 1,
  };
  for (let j = 6; j < argc; j++) {
    const more = argc - 1 - j;
    const opt = asciiLower(ctx.arg(j));
    if (opt === "copy") a.copy = true;
    else if (opt === "replace") a.replace = true;
    else if (opt === "auth") {
      if (more < 1) fail(Errors.syntax);
      a.password = ctx.arg(++j);
    } else if (opt === "auth2") {
      if (more < 2) fail(Errors.syntax);
      a.username = ctx.arg(++j);
      a.password = ctx.arg(++j);
    } else if (opt === "keys") {
      if (ctx.arg(3).length !== 0) fail("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
      a.firstKey = j + 1;
      a.numKeys = argc - j - 1;
      break;
    } else fail(Errors.syntax);
  }
  const timeout = intArg(ctx.arg(5));
  a.dbid = intArg(ctx.arg(4));
  a.timeoutMs = timeout <= 0 ? 1000 : timeout;
  return a;
}

/** The RESP command stream: [AUTH], [SELECT], then one RESTORE per key. */
function buildCommands(a: MigrateArgs, select: boolean, restores: Restore[]): Uint8Array {
  const w = new ByteWriter();
  const cmd = (...parts: (string | Uint8Array)[]) => {
    w.header(42, parts.length);
    for (const p of parts) {
      if (typeof p === "string") w.bulk(p);
      else {
        w.header(36, p.length);
        w.bytes(p);
        w.str("\r\n");
      }
    }
  };
  if (a.password !== null) {
    if (a.username !== null) cmd("AUTH", a.username, a.password);
    else cmd("AUTH", a.password);
  }
  if (select) cmd("SELECT", String(a.dbid));
  for (const r of restores) {
    if (a.replace) cmd("RESTORE", r.key, String(r.ttl), r.payload, "REPLACE");
    else cmd("RESTORE", r.key, String(r.ttl), r.payload);
  }
  return w.take();
}

/** What one attempt at the transfer ended with. */
interface Outcome {
  /** Keys the target acknowledged, in order. */
  acked: string[];
  /** The target's first error line, without its '-'. */
  targetError: string | null;
  /** A socket failure, and whether it happened while writing. */
  failure: SocketFailure | null;
  writing: boolean;
  /** Replies read before a failure (a retry is only safe when none were). */
  repliesRead: number;
}

interface Restore {
  key: string;
  ttl: number;
  payload: Uint8Array;
}

/**
 * The RESTORE arguments of every key still there, serialized now: the
 * command's point in time. A key whose TTL ran out is left out; a TTL
 * is sent relative to now, at least 1 ms.
 */
function snapshot(ctx: Ctx, keys: string[]): Restore[] {
  const db = ctx.db;
  const now = Date.now();
  const config = ctx.engine.config;
  const restores: Restore[] = [];
  for (const key of keys) {
    const v = db.lookupIgnoringExpiry(key, now, false);
    if (v === undefined) continue;
    let ttl = 0;
    const at = db.getExpire(key);
    if (at !== -1) {
      ttl = at - now;
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    const payload = createDumpPayload(v, config.bool("rdbcompression"), { listFill: config.num("list-max-listpack-size") });
    restores.push({ key, ttl, payload });
  }
  return restores;
}

async function transfer(a: MigrateArgs, socket: MigrateSocket, restores: Restore[]): Promise<Outcome> {
  const out: Outcome = { acked: [], targetError: null, failure: null, writing: false, repliesRead: 0 };
  const select = socket.lastDbid !== a.dbid;
  try {
    out.writing = true;
    await socket.write(buildCommands(a, select, restores), a.timeoutMs);
    out.writing = false;
    const authReply = a.password !== null ? await socket.readLine(a.timeoutMs) : "";
    const selectReply = select ? await socket.readLine(a.timeoutMs) : "";
    for (const r of restores) {
      const line = await socket.readLine(a.timeoutMs);
      out.repliesRead++;
      const bad = authReply.startsWith("-") ? authReply : selectReply.startsWith("-") ? selectReply : line.startsWith("-") ? line : null;
      if (bad !== null) {
        if (out.targetError === null) {
          socket.lastDbid = -1;
          out.targetError = bad.slice(1);
        }
      } else out.acked.push(r.key);
    }
  } catch (e) {
    if (!(e instanceof SocketFailure)) throw e;
    out.failure = e;
  }
  return out;
}

/** Deletes the acknowledged keys here, as Redis does after each +OK, and propagates them as one DEL. */
function deleteAcked(origin: Ctx, dbIndex: number, acked: string[]): void {
  if (acked.length === 0) return;
  const ctx = new Ctx(origin.engine, origin.client, origin.argv, origin.cmd, Date.now());
  const db = ctx.engine.dbs[dbIndex];
  if (db === undefined) return;
  for (const key of acked) {
    db.delete(key);
    ctx.touched(key, dbIndex);
    ctx.notify("g", "del", key, dbIndex);
    ctx.dirty();
  }
  ctx.engine.propagate(dbIndex, [["DEL", ...acked]]);
}

async function migrate(ctx: Ctx, a: MigrateArgs, restores: Restore[]): Promise<Reply> {
  const sockets = migrateSocketsOf(ctx.engine);
  const name = `${a.host}:${a.port}`;
  const dbIndex = ctx.client.db;
  for (let mayRetry = true; ; mayRetry = false) {
    let socket: MigrateSocket | null = null;
    let out: Outcome;
    try {
      socket = await sockets.get(a.host, a.port, a.timeoutMs);
      out = await transfer(a, socket, restores);
    } catch (e) {
      if (!(e instanceof SocketFailure) || e.timedOut) return new ErrorReply("IOERR error or timeout connecting to the client");
      // A refused connection: Redis's non-blocking connect "succeeds" and its first write fails.
      out = { acked: [], targetError: null, failure: e, writing: true, repliesRead: 0 };
    }
    if (!a.copy) deleteAcked(ctx, dbIndex, out.acked);
    if (out.failure !== null) sockets.close(name);
    if (out.targetError !== null) return new ErrorReply(`ERR Target instance replied with error: ${out.targetError}`);
    if (out.failure === null && socket !== null) {
      socket.lastDbid = a.dbid;
      return OK;
    }
    // A cached connection the target closed: retry once on a new one, if nothing was processed yet.
    if (mayRetry && !out.failure?.timedOut && out.repliesRead === 0) continue;
    return new ErrorReply(`IOERR error or timeout ${out.writing ? "writing" : "reading"} to target instance`);
  }
}

/** MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS key...] */
function migrateCommand(ctx: Ctx): HandlerResult {
  const a = parseArgs(ctx);
  const keys: string[] = [];
  for (let j = 0; j < a.numKeys; j++) {
    const key = ctx.arg(a.firstKey + j);
    if (ctx.read(key) !== undefined) keys.push(key);
  }
  if (keys.length === 0) return new Status("NOKEY");
  // The transfer is asynchronous here; a transaction cannot wait for it.
  if (ctx.client.inExec || ctx.client.multiQueued >= 0) fail("ERR MIGRATE is not supported inside MULTI/EXEC by respd");
  const engine = ctx.engine;
  const client = ctx.client;
  void migrate(ctx, a, snapshot(ctx, keys))
    .catch((e: unknown) => new ErrorReply(`ERR ${(e as Error).message}`))
    .then((reply) => {
      const waiter = engine.blocking.waiterOf(client);
      if (waiter === undefined) return;
      engine.blocking.remove(waiter);
      waiter.resolve(reply);
    });
  return new Blocked(
    [],
    0,
    () => undefined,
    () => new ErrorReply("ERR MIGRATE is not supported inside MULTI/EXEC by respd"),
  );
}

/** migrateGetKeys: the key argument, or everything after KEYS (skipping the AUTH/AUTH2 arguments before it). */
function migrateKeys(argv: string[]): number[] {
  const skips: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
  for (let i = 6; i < argv.length; i++) {
    const opt = asciiLower(argv[i] as string);
    if (opt === "keys") {
      if ((argv[3] as string).length > 0) return [];
      return Array.from({ length: argv.length - i - 1 }, (_, k) => i + 1 + k);
    }
    i += skips[opt] ?? 0;
  }
  return [3];
}

const row = rowsOf("generic", "keyspace", "dangerous");

export const migrateCommands: CommandSpec[] = [
  row(
    "migrate",
    -6,
    ["write"],
    [3, 3, 1],
    "Atomically transfer a key from a Redis instance to another one.",
    "2.6.0",
    "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.",
    migrateCommand,
    { getKeys: migrateKeys },
  ),
];
