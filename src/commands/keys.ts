/**
 * The generic keyspace family (Redis's db.c and expire.c): deletion,
 * existence, renaming, moving and copying keys, iteration (KEYS, SCAN,
 * RANDOMKEY), TTLs, OBJECT introspection and whole-database operations.
 */
import type { CommandSpec } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { swapWatchedKeys } from "../engine/multi.ts";
import { int64Arg, intArg } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { saverOf } from "../persistence/saver.ts";
import { cString } from "../resp/bytes.ts";
import { OK, type Reply, Status } from "../resp/reply.ts";
import type { Database } from "../store/database.ts";
import { globMatch } from "../store/glob.ts";
import { copyValue, encodingOf, typeOf, type Value } from "../store/values.ts";
import { rowsOf } from "./rows.ts";

const row = rowsOf("generic", "keyspace");
const dangerousRow = rowsOf("generic", "keyspace", "dangerous");
const containerRow = rowsOf("generic");
const dbRow = rowsOf("server", "keyspace");
const dangerousDbRow = rowsOf("server", "keyspace", "dangerous");

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const UINT64_MAX = 18446744073709551615n;
/** Redis's OBJ_SHARED_REFCOUNT: what OBJECT REFCOUNT shows for shared integers. */
const SHARED_REFCOUNT = 2147483647;
/** OBJ_SHARED_INTEGERS: values 0..9999 are shared objects. */
const SHARED_INTEGERS = 10000;

const LFU_ERROR =
  "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
const LRU_ERROR =
  "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
].map((line) => new Status(line));

/**
 * lookupKeyReadWithFlags(LOOKUP_NOTOUCH): expires the key if due and counts
 * hits/misses, but leaves the access clock alone (EXISTS, TYPE, TTL...).
 * `notifyMiss` false is LOOKUP_NONOTIFY (OBJECT).
 */
function peek(ctx: Ctx, key: string, notifyMiss = true): Value | undefined {
  const v = ctx.db.lookup(key, ctx.now, false);
  if (v === undefined) {
    ctx.engine.stats.keyspaceMisses++;
    if (notifyMiss) ctx.notify("m", "keymiss", key);
  } else ctx.engine.stats.keyspaceHits++;
  return v;
}

/** getIntFromObjectOrReply: a 32-bit signed integer; `error`, when given, replaces both failure texts. */
function int32Arg(s: string, error?: string): number {
  const n = intArg(s, error ?? Errors.notInteger);
  if (n < -2147483648 || n > 2147483647) {
    fail(error ?? "ERR value is out of range, value must between -2147483648 and 2147483647");
  }
  return n;
}

/** The database with index `id`, or Redis's selectDb failure. */
function dbAt(ctx: Ctx, id: number): Database {
  const db = ctx.engine.dbs[id];
  if (id < 0 || db === undefined) fail(Errors.dbIndexOutOfRange);
  return db;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * A SCAN cursor as Redis parses it (strtoul): a leading sign is allowed and
 * a negative value wraps, an empty string is 0, anything after an embedded
 * NUL is ignored, but leading space, trailing junk or overflow are errors.
 * The reverse-binary cursor only uses the bits below the table mask, so the
 * low 32 bits are all the dict needs.
 */
export function parseCursor(s: string): number {
  const invalid = "ERR invalid cursor";
  if (s.length > 0 && isSpace(s.charCodeAt(0))) fail(invalid);
  const t = cString(s);
  if (t.length === 0) return 0;
  let i = 0;
  const sign = t.charCodeAt(0);
  if (sign === 43 || sign === 45) i = 1;
  if (i === t.length) fail(invalid);
  for (let j = i; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (c < 48 || c > 57) fail(invalid);
  }
  let v = BigInt(t.slice(i));
  if (v > UINT64_MAX) fail(invalid);
  if (sign === 45) v = (UINT64_MAX + 1n - v) & UINT64_MAX;
  return Number(v & 0xffffffffn);
}

/** A key was removed by a command (not by expiry): what Redis does after dbDelete. */
function deleted(ctx: Ctx, key: string, db = ctx.client.db): void {
  ctx.touched(key, db);
  ctx.notify("g", "del", key, db);
  ctx.dirty();
}

function del(ctx: Ctx): Reply {
  const db = ctx.db;
  let n = 0;
  for (let i = 1; i < ctx.argv.length; i++) {
    const key = ctx.arg(i);
    // expireIfNeeded first, so an expired key counts as absent (and propagates its own DEL).
    ctx.write(key);
    if (db.delete(key)) {
      deleted(ctx, key);
      n++;
    }
  }
  return n;
}

function scan(ctx: Ctx): Reply {
  let cursor = parseCursor(ctx.arg(1));
  let count = 10;
  let pattern: string | null = null;
  let type: string | null = null;
  const argc = ctx.argv.length;
  for (let i = 2; i < argc; ) {
    const opt = asciiLower(ctx.arg(i));
    const left = argc - i;
    if (opt === "count" && left >= 2) {
      count = intArg(ctx.arg(i + 1));
      if (count < 1) fail(Errors.syntax);
    } else if (opt === "match" && left >= 2) {
      const p = ctx.arg(i + 1);
      pattern = p === "*" ? null : p;
    } else if (opt === "type" && left >= 2) {
      type = asciiLower(ctx.arg(i + 1));
    } else fail(Errors.syntax);
    i += 2;
  }
  const db = ctx.db;
  const table = db.table;
  const found: string[] = [];
  if (table.size === 0) cursor = 0;
  else {
    // COUNT is a hint in buckets' worth of keys; the guard bounds the work on a sparse table.
    let guard = count * 10;
    const collect = (slot: number) => found.push(table.keys[slot] as string);
    do cursor = table.scan(cursor, collect);
    while (cursor !== 0 && guard-- !== 0 && found.length < count);
  }
  const keys: string[] = [];
  for (const key of found) {
    if (pattern !== null && !globMatch(pattern, key)) continue;
    if (type !== null) {
      const v = peek(ctx, key);
      if (type !== (v === undefined ? "none" : typeOf(v))) continue;
    }
    // expireIfNeeded: a key still present but past its TTL is deleted and skipped.
    // (One already removed by the TYPE lookup is not "expired" any more, so TYPE none lists it, as in Redis.)
    const at = db.getExpire(key);
    if (at !== -1 && at <= ctx.now) {
      ctx.write(key);
      continue;
    }
    keys.push(key);
  }
  return [String(cursor), keys];
}

function keysCommand(ctx: Ctx): Reply {
  const pattern = ctx.arg(1);
  const all = pattern === "*";
  const table = ctx.db.table;
  const out: string[] = [];
  for (const s of table.slots()) {
    const key = table.keys[s] as string;
    if (!all && !globMatch(pattern, key)) continue;
    // KEYS only skips expired keys (keyIsExpired); it does not delete them.
    const at = table.expireAt[s] as number;
    if (at !== 0 && at <= ctx.now) continue;
    out.push(key);
  }
  return out;
}

function rename(ctx: Ctx, nx: boolean): Reply {
  const src = ctx.arg(1);
  const dst = ctx.arg(2);
  const db = ctx.db;
  const v = ctx.write(src);
  if (v === undefined) fail(Errors.noSuchKey);
  if (src === dst) return nx ? 0 : OK;
  const expire = db.getExpire(src);
  if (ctx.write(dst) !== undefined) {
    if (nx) return 0;
    db.delete(dst);
  }
  db.set(dst, v, ctx.now);
  if (expire !== -1) db.setExpire(dst, expire);
  db.delete(src);
  ctx.touched(src);
  ctx.touched(dst);
  ctx.notify("g", "rename_from", src);
  ctx.notify("g", "rename_to", dst);
  ctx.dirty();
  return nx ? 1 : OK;
}

function move(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const src = ctx.db;
  const dst = dbAt(ctx, int32Arg(ctx.arg(2)));
  if (src === dst) fail(Errors.sameObject);
  const v = ctx.write(key);
  if (v === undefined) return 0;
  const expire = src.getExpire(key);
  if (ctx.write(key, dst) !== undefined) return 0;
  dst.set(key, v, ctx.now);
  if (expire !== -1) dst.setExpire(key, expire);
  src.delete(key);
  ctx.touched(key, src.id);
  ctx.touched(key, dst.id);
  ctx.notify("g", "move_from", key, src.id);
  ctx.notify("g", "move_to", key, dst.id);
  ctx.dirty();
  return 1;
}

function copy(ctx: Ctx): Reply {
  const src = ctx.db;
  let dst = src;
  let replace = false;
  for (let j = 3; j < ctx.argv.length; j++) {
    const opt = asciiLower(ctx.arg(j));
    if (opt === "replace") replace = true;
    else if (opt === "db" && j + 1 < ctx.argv.length) {
      dst = dbAt(ctx, int32Arg(ctx.arg(j + 1)));
      j++;
    } else fail(Errors.syntax);
  }
  const key = ctx.arg(1);
  const newKey = ctx.arg(2);
  if (src === dst && key === newKey) fail(Errors.sameObject);
  const v = ctx.read(key);
  if (v === undefined) return 0;
  const expire = src.getExpire(key);
  if (ctx.write(newKey, dst) !== undefined) {
    if (!replace) return 0;
    dst.delete(newKey);
  }
  dst.set(newKey, copyValue(v), ctx.now);
  if (expire !== -1) dst.setExpire(newKey, expire);
  ctx.touched(newKey, dst.id);
  ctx.notify("g", "copy_to", newKey, dst.id);
  ctx.dirty();
  return 1;
}

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

function expireFlags(ctx: Ctx): number {
  let flags = 0;
  for (let j = 3; j < ctx.argv.length; j++) {
    const opt = asciiLower(ctx.arg(j));
    if (opt === "nx") flags |= EXPIRE_NX;
    else if (opt === "xx") flags |= EXPIRE_XX;
    else if (opt === "gt") flags |= EXPIRE_GT;
    else if (opt === "lt") flags |= EXPIRE_LT;
    else {
      // Redis prints the option with %s, which stops at a NUL byte.
      const nul = ctx.arg(j).indexOf("\0");
      fail(`ERR Unsupported option ${nul === -1 ? ctx.arg(j) : ctx.arg(j).slice(0, nul)}`);
    }
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) {
    fail("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) fail("ERR GT and LT options at the same time are not compatible");
  return flags;
}

/**
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT. `basetime` is 0 for absolute forms.
 * Propagates as PEXPIREAT <abs ms> (options kept), or as DEL when the time
 * is already past and the key gets deleted here.
 */
function expireGeneric(ctx: Ctx, relative: boolean, seconds: boolean): Reply {
  const key = ctx.arg(1);
  const flags = expireFlags(ctx);
  let when = int64Arg(ctx.arg(2));
  const basetime = relative ? BigInt(ctx.now) : 0n;
  const invalid = Errors.invalidExpire(ctx.cmd.fullName);
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) fail(invalid);
    when *= 1000n;
  }
  if (when > INT64_MAX - basetime) fail(invalid);
  when += basetime;
  const db = ctx.db;
  if (ctx.write(key) === undefined) return 0;
  const at = Number(when);
  if (flags !== 0) {
    const current = db.getExpire(key);
    if (flags & EXPIRE_NX && current !== -1) return 0;
    if (flags & EXPIRE_XX && current === -1) return 0;
    // No TTL counts as infinite: GT always fails on it, LT always passes.
    if (flags & EXPIRE_GT && (current === -1 || at <= current)) return 0;
    if (flags & EXPIRE_LT && current !== -1 && at >= current) return 0;
  }
  // checkAlreadyExpired: a time in the past deletes the key, except while an AOF is replayed (the TTL is set
  // and the key goes once the load is over, so the commands after it in the file still find it).
  if (at <= ctx.now && !db.ignoreExpiry) {
    db.delete(key);
    ctx.dirty();
    ctx.propagate([ctx.engine.config.bool("lazyfree-lazy-expire") ? "UNLINK" : "DEL", key]);
    ctx.touched(key);
    ctx.notify("g", "del", key);
    return 1;
  }
  db.setExpire(key, at);
  if (ctx.cmd.spec.name !== "pexpireat") {
    const argv = ctx.argv.slice();
    argv[0] = "PEXPIREAT";
    argv[2] = String(when);
    ctx.propagate(argv);
  }
  ctx.touched(key);
  ctx.notify("g", "expire", key);
  ctx.dirty();
  return 1;
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME. */
function ttlGeneric(ctx: Ctx, ms: boolean, absolute: boolean): Reply {
  const key = ctx.arg(1);
  if (peek(ctx, key) === undefined) return -2;
  const at = ctx.db.getExpire(key);
  if (at === -1) return -1;
  const ttl = Math.max(0, absolute ? at : at - ctx.now);
  return ms ? ttl : Math.floor((ttl + 500) / 1000);
}

/** LRU and LFU policies make Redis stop sharing integer objects (MAXMEMORY_FLAG_NO_SHARED_INTEGERS). */
function sharesIntegers(ctx: Ctx): boolean {
  const policy = ctx.engine.config.get("maxmemory-policy");
  return ctx.engine.config.num("maxmemory") === 0 || !(policy.endsWith("-lru") || policy.endsWith("-lfu"));
}

function isLfu(ctx: Ctx): boolean {
  return ctx.engine.config.get("maxmemory-policy").endsWith("-lfu");
}

function objectLookup(ctx: Ctx): Value | undefined {
  return peek(ctx, ctx.arg(2), false);
}

export function refcount(ctx: Ctx, v: Value): number {
  if (!sharesIntegers(ctx)) return 1;
  // A counter's number, or a string set whole that reads as a small integer: Redis shares both.
  let n = -1;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && v.length <= 4 && encodingOf(v) === "int") n = Number(v);
  return n >= 0 && n < SHARED_INTEGERS ? SHARED_REFCOUNT : 1;
}

// In the order Redis 7.0.15 lists them (its dict order), so COMMAND output matches.
const objectSubcommands: CommandSpec[] = [
  row("freq", 3, ["readonly"], [2, 2, 1], "Get the logarithmic access frequency counter of a Redis object", "4.0.0", "O(1)", (ctx) => {
    const v = objectLookup(ctx);
    if (v === undefined) return null;
    if (!isLfu(ctx)) fail(LFU_ERROR);
    return ctx.db.frequency(ctx.arg(2), ctx.now);
  }),
  row("encoding", 3, ["readonly"], [2, 2, 1], "Inspect the internal encoding of a Redis object", "2.2.3", "O(1)", (ctx) => {
    const v = objectLookup(ctx);
    return v === undefined ? null : encodingOf(v);
  }),
  row("refcount", 3, ["readonly"], [2, 2, 1], "Get the number of references to the value of the key", "2.2.3", "O(1)", (ctx) => {
    const v = objectLookup(ctx);
    return v === undefined ? null : refcount(ctx, v);
  }),
  row("help", 2, ["loading", "stale"], [0, 0, 0], "Show helpful text about the different subcommands", "6.2.0", "O(1)", () => OBJECT_HELP),
  row("idletime", 3, ["readonly"], [2, 2, 1], "Get the time since a Redis object was last accessed", "2.2.3", "O(1)", (ctx) => {
    const key = ctx.arg(2);
    if (objectLookup(ctx) === undefined) return null;
    if (isLfu(ctx)) fail(LRU_ERROR);
    return Math.floor(Math.max(0, ctx.db.idleMs(key, ctx.now)) / 1000);
  }),
];

/** Touches every key of `db` under each of `ids` (WATCH: a flushed or swapped key counts as modified). */
function touchAll(ctx: Ctx, db: Database, ids: number[]): void {
  const table = db.table;
  for (const s of table.slots()) {
    const key = table.keys[s] as string;
    for (const id of ids) ctx.engine.keyTouched(id, key, true);
  }
}

/** FLUSHDB/FLUSHALL's optional SYNC|ASYNC (both free synchronously here). */
function flushArgs(ctx: Ctx): void {
  if (ctx.argv.length === 1) return;
  const opt = asciiLower(ctx.arg(1));
  if (ctx.argv.length !== 2 || (opt !== "sync" && opt !== "async")) fail(Errors.syntax);
}

function flush(ctx: Ctx, db: Database): void {
  ctx.dirty(db.size);
  db.flush();
}

export const keysCommands: CommandSpec[] = [
  row(
    "del",
    -2,
    ["write"],
    [1, -1, 1],
    "Delete a key",
    "1.0.0",
    "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
    del,
  ),
  row(
    "unlink",
    -2,
    ["write", "fast"],
    [1, -1, 1],
    "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
    "4.0.0",
    "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
    del,
  ),
  row(
    "exists",
    -2,
    ["readonly", "fast"],
    [1, -1, 1],
    "Determine if a key exists",
    "1.0.0",
    "O(N) where N is the number of keys to check.",
    (ctx) => {
      let n = 0;
      for (let i = 1; i < ctx.argv.length; i++) if (peek(ctx, ctx.arg(i)) !== undefined) n++;
      return n;
    },
  ),
  row("type", 2, ["readonly", "fast"], [1, 1, 1], "Determine the type stored at key", "1.0.0", "O(1)", (ctx) => {
    const v = peek(ctx, ctx.arg(1));
    return new Status(v === undefined ? "none" : typeOf(v));
  }),
  dangerousRow(
    "keys",
    2,
    ["readonly"],
    [0, 0, 0],
    "Find all keys matching the given pattern",
    "1.0.0",
    "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
    keysCommand,
  ),
  row(
    "scan",
    -2,
    ["readonly"],
    [0, 0, 0],
    "Incrementally iterate the keys space",
    "2.8.0",
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    scan,
  ),
  row("randomkey", 1, ["readonly"], [0, 0, 0], "Return a random key from the keyspace", "1.0.0", "O(1)", (ctx) =>
    ctx.db.randomKey(ctx.now),
  ),
  row("rename", 3, ["write"], [1, 2, 1], "Rename a key", "1.0.0", "O(1)", (ctx) => rename(ctx, false)),
  row("renamenx", 3, ["write", "fast"], [1, 2, 1], "Rename a key, only if the new key does not exist", "1.0.0", "O(1)", (ctx) =>
    rename(ctx, true),
  ),
  row("move", 3, ["write", "fast"], [1, 1, 1], "Move a key to another database", "1.0.0", "O(1)", move),
  row(
    "copy",
    -3,
    ["write", "denyoom"],
    [1, 2, 1],
    "Copy a key",
    "6.2.0",
    "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
    copy,
  ),
  row("expire", -3, ["write", "fast"], [1, 1, 1], "Set a key's time to live in seconds", "1.0.0", "O(1)", (ctx) =>
    expireGeneric(ctx, true, true),
  ),
  row("pexpire", -3, ["write", "fast"], [1, 1, 1], "Set a key's time to live in milliseconds", "2.6.0", "O(1)", (ctx) =>
    expireGeneric(ctx, true, false),
  ),
  row("expireat", -3, ["write", "fast"], [1, 1, 1], "Set the expiration for a key as a UNIX timestamp", "1.2.0", "O(1)", (ctx) =>
    expireGeneric(ctx, false, true),
  ),
  row(
    "pexpireat",
    -3,
    ["write", "fast"],
    [1, 1, 1],
    "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
    "2.6.0",
    "O(1)",
    (ctx) => expireGeneric(ctx, false, false),
  ),
  row("ttl", 2, ["readonly", "fast"], [1, 1, 1], "Get the time to live for a key in seconds", "1.0.0", "O(1)", (ctx) =>
    ttlGeneric(ctx, false, false),
  ),
  row("pttl", 2, ["readonly", "fast"], [1, 1, 1], "Get the time to live for a key in milliseconds", "2.6.0", "O(1)", (ctx) =>
    ttlGeneric(ctx, true, false),
  ),
  row("expiretime", 2, ["readonly", "fast"], [1, 1, 1], "Get the expiration Unix timestamp for a key", "7.0.0", "O(1)", (ctx) =>
    ttlGeneric(ctx, false, true),
  ),
  row(
    "pexpiretime",
    2,
    ["readonly", "fast"],
    [1, 1, 1],
    "Get the expiration Unix timestamp for a key in milliseconds",
    "7.0.0",
    "O(1)",
    (ctx) => ttlGeneric(ctx, true, true),
  ),
  row("persist", 2, ["write", "fast"], [1, 1, 1], "Remove the expiration from a key", "2.2.0", "O(1)", (ctx) => {
    const key = ctx.arg(1);
    if (ctx.write(key) === undefined || !ctx.db.persist(key)) return 0;
    ctx.touched(key);
    ctx.notify("g", "persist", key);
    ctx.dirty();
    return 1;
  }),
  row(
    "touch",
    -2,
    ["readonly", "fast"],
    [1, -1, 1],
    "Alters the last access time of a key(s). Returns the number of existing keys specified.",
    "3.2.1",
    "O(N) where N is the number of keys that will be touched.",
    (ctx) => {
      let n = 0;
      for (let i = 1; i < ctx.argv.length; i++) if (ctx.read(ctx.arg(i)) !== undefined) n++;
      return n;
    },
  ),
  containerRow(
    "object",
    -2,
    [],
    [0, 0, 0],
    "A container for object introspection commands",
    "2.2.3",
    "Depends on subcommand.",
    () => fail(Errors.syntax),
    { subcommands: objectSubcommands },
  ),
  dbRow(
    "dbsize",
    1,
    ["readonly", "fast"],
    [0, 0, 0],
    "Return the number of keys in the selected database",
    "1.0.0",
    "O(1)",
    (ctx) => ctx.db.size,
  ),
  dangerousDbRow(
    "flushdb",
    -1,
    ["write"],
    [0, 0, 0],
    "Remove all keys from the current database",
    "1.0.0",
    "O(N) where N is the number of keys in the selected database",
    (ctx) => {
      flushArgs(ctx);
      ctx.engine.flushing([ctx.db.id]);
      flush(ctx, ctx.db);
      // Propagated even when nothing was there (forceCommandPropagation).
      ctx.propagate(ctx.argv);
      return OK;
    },
  ),
  dangerousDbRow(
    "flushall",
    -1,
    ["write"],
    [0, 0, 0],
    "Remove all keys from all databases",
    "1.0.0",
    "O(N) where N is the total number of keys in all databases",
    (ctx) => {
      flushArgs(ctx);
      ctx.engine.flushing(ctx.engine.dbs.map((db) => db.id));
      for (const db of ctx.engine.dbs) flush(ctx, db);
      ctx.dirty();
      // After counting the change: the save leaves rdb_changes_since_last_save at 0, as in Redis 7.0.
      saverOf(ctx.engine)?.flushedAll();
      ctx.propagate(ctx.argv);
      return OK;
    },
  ),
  dangerousDbRow(
    "swapdb",
    3,
    ["write", "fast"],
    [0, 0, 0],
    "Swaps two Redis databases",
    "4.0.0",
    "O(N) where N is the count of clients watching or blocking on keys from both databases.",
    (ctx) => {
      const id1 = int32Arg(ctx.arg(1), "ERR invalid first DB index");
      const id2 = int32Arg(ctx.arg(2), "ERR invalid second DB index");
      const a = dbAt(ctx, id1);
      const b = dbAt(ctx, id2);
      if (a !== b) {
        swapWatchedKeys(ctx.engine, id1, id2);
        // Blocked clients and the AOF rewrite learn of every key on either side.
        touchAll(ctx, a, [id1, id2]);
        touchAll(ctx, b, [id1, id2]);
        a.swapWith(b);
      }
      ctx.dirty();
      return OK;
    },
  ),
];
