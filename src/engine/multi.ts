/**
 * MULTI/EXEC and WATCH state (Redis's multi.c): the per-client queue and
 * flags live on Client; the per-engine index of watched keys lives here,
 * created on the first WATCH so an engine nobody WATCHes pays nothing.
 */
import { QUEUED } from "../resp/reply.ts";
import type { Client } from "./client.ts";
import { FLAG_BITS, type HandlerResult } from "./command.ts";
import type { Ctx } from "./context.ts";
import type { Engine } from "./engine.ts";
import type { TableEntry } from "./table.ts";

export type QueuedCommand = readonly [cmd: TableEntry, argv: string[]];

export interface WatchedKey {
  readonly db: number;
  readonly key: string;
  /** The key was already logically expired at WATCH time: its deletion alone is no change (Redis 7.0). */
  expired: boolean;
}

export const EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
export const NOT_IN_MULTI = "ERR Command not allowed inside a transaction";

/** Commands MULTI runs at once instead of queueing, as Redis's processCommand. */
const RUN_IN_MULTI = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);
const NO_MULTI = FLAG_BITS.no_multi;

export function inMulti(c: Client): boolean {
  return c.multiQueued >= 0;
}

/** CLIENT LIST flag letters ('x' in MULTI, 'd' dirty CAS) kept in extraFlags. */
function setFlag(c: Client, letter: string, on: boolean): void {
  const has = c.extraFlags.includes(letter);
  if (on && !has) c.extraFlags += letter;
  else if (!on && has) c.extraFlags = c.extraFlags.replace(letter, "");
}

function markDirtyCas(c: Client): void {
  c.watchDirty = true;
  setFlag(c, "d", true);
}

/** Redis's flagTransaction: a command rejected while queueing makes EXEC fail with EXECABORT. */
export function flagTransaction(c: Client): void {
  if (c.multiQueued >= 0) c.multiAborted = true;
}

export function beginMulti(engine: Engine, c: Client): void {
  c.multiQueued = 0;
  c.multiCommands = [];
  c.multiFlags = 0;
  setFlag(c, "x", true);
  installGate(engine);
}

/** Redis's discardTransaction: leaves MULTI, forgets the queue, the dirty flags and the watches. */
export function discardTransaction(engine: Engine, c: Client): void {
  c.multiQueued = -1;
  c.multiCommands = [];
  c.multiFlags = 0;
  c.multiAborted = false;
  c.watchDirty = false;
  setFlag(c, "x", false);
  setFlag(c, "d", false);
  unwatchAll(engine, c);
}

// ---------------------------------------------------------------- queueing

const gated = new WeakSet<Engine>();

/** Queues every command of a client in MULTI except those Redis runs at once. */
function queueGate(ctx: Ctx): HandlerResult | undefined {
  const c = ctx.client;
  if (c.multiQueued < 0 || RUN_IN_MULTI.has(ctx.cmd.fullName)) return undefined;
  // An aborted or doomed transaction keeps answering QUEUED but stores nothing, as Redis 7.0.
  if (!c.multiAborted && !c.watchDirty) {
    c.multiCommands.push([ctx.cmd, ctx.argv]);
    c.multiQueued++;
    c.multiFlags |= ctx.cmd.bits;
  }
  c.lastCommand = ctx.cmd.fullName;
  return QUEUED;
}

function installGate(engine: Engine): void {
  if (gated.has(engine)) return;
  gated.add(engine);
  engine.gates.push(queueGate);
}

/** True when `cmd` may not be queued (no_multi flag, e.g. SHUTDOWN): rejected with NOT_IN_MULTI. */
export function refusedInMulti(c: Client, cmd: TableEntry): boolean {
  return c.multiQueued >= 0 && (cmd.bits & NO_MULTI) !== 0;
}

// ---------------------------------------------------------------- WATCH

/** db+key -> the watchers of that key. */
type WatchIndex = Map<string, Map<Client, WatchedKey>>;

const indexes = new WeakMap<Engine, WatchIndex>();
const slot = (db: number, key: string) => `${db}\u0000${key}`;

function indexOf(engine: Engine): WatchIndex {
  let index = indexes.get(engine);
  if (index === undefined) {
    const created: WatchIndex = new Map();
    index = created;
    indexes.set(engine, created);
    // SWAPDB's effect on watches is judged once per swap (swapWatchedKeys).
    engine.onKeyTouched((db, key, swap) => {
      if (created.size > 0 && !swap) touchWatchedKey(engine, created, db, key);
    });
    engine.onFlush((dbs) => {
      if (created.size > 0) touchFlushedKeys(engine, created, dbs);
    });
    engine.onClientGone((c) => unwatchAll(engine, c));
  }
  return index;
}

/** Physically present but past its TTL (Redis's keyIsExpired): not deleted yet. */
function keyIsExpired(engine: Engine, db: number, key: string, now: number): boolean {
  const at = (engine.dbs[db] as Engine["dbs"][number]).getExpire(key);
  return at !== -1 && at <= now;
}

/**
 * Redis's touchAllWatchedKeysInDb for an emptied db: a watched key that is
 * there (even past its TTL) is modified, unless it was already expired when
 * watched (deleting it then changes nothing logically).
 */
function touchFlushedKeys(engine: Engine, index: WatchIndex, dbs: readonly number[]): void {
  const dirty: Client[] = [];
  for (const watchers of index.values()) {
    for (const [c, wk] of watchers) {
      if (!dbs.includes(wk.db)) break;
      if (!(engine.dbs[wk.db] as Engine["dbs"][number]).table.has(wk.key)) break;
      if (wk.expired) wk.expired = false;
      else dirty.push(c);
    }
  }
  for (const c of dirty) {
    markDirtyCas(c);
    unwatchAll(engine, c);
  }
}

/**
 * SWAPDB, before the swap (Redis 7.0's touchAllWatchedKeysInDb both ways): a
 * watched key changes if it is on either side, except that an expired key
 * replaced by nothing or by another expired key, and a missing key replaced
 * by an expired one, are no logical change (the latter is remembered as
 * expired, like a key that was expired when watched).
 */
export function swapWatchedKeys(engine: Engine, id1: number, id2: number): void {
  const index = indexes.get(engine);
  if (index === undefined || index.size === 0) return;
  const now = Date.now();
  const dirty: Client[] = [];
  for (const watchers of index.values()) {
    for (const [c, wk] of watchers) {
      if (wk.db !== id1 && wk.db !== id2) break;
      const other = wk.db === id1 ? id2 : id1;
      const inEmptied = (engine.dbs[wk.db] as Engine["dbs"][number]).table.has(wk.key);
      const inReplacement = (engine.dbs[other] as Engine["dbs"][number]).table.has(wk.key);
      if (!inEmptied && !inReplacement) continue;
      if (wk.expired) {
        if (!inReplacement) {
          wk.expired = false;
          continue;
        }
        if (keyIsExpired(engine, other, wk.key, now)) continue;
      } else if (!inEmptied && keyIsExpired(engine, other, wk.key, now)) {
        wk.expired = true;
        continue;
      }
      dirty.push(c);
    }
  }
  for (const c of dirty) {
    markDirtyCas(c);
    unwatchAll(engine, c);
  }
}

function logicallyExists(engine: Engine, db: number, key: string, now: number): boolean {
  return (engine.dbs[db] as Engine["dbs"][number]).lookup(key, now, false, true) !== undefined;
}

export function watchKey(engine: Engine, c: Client, key: string, now: number): void {
  const db = c.db;
  for (const wk of c.watched) if (wk.db === db && wk.key === key) return;
  const index = indexOf(engine);
  const s = slot(db, key);
  let watchers = index.get(s);
  if (watchers === undefined) {
    watchers = new Map();
    index.set(s, watchers);
  }
  const wk: WatchedKey = { db, key, expired: keyIsExpired(engine, db, key, now) };
  watchers.set(c, wk);
  c.watched.push(wk);
}

export function unwatchAll(engine: Engine, c: Client): void {
  if (c.watched.length === 0) return;
  const index = indexes.get(engine);
  for (const wk of c.watched) {
    const s = slot(wk.db, wk.key);
    const watchers = index?.get(s);
    if (watchers === undefined) continue;
    watchers.delete(c);
    if (watchers.size === 0) index?.delete(s);
  }
  c.watched = [];
}

/**
 * A key changed (every write, expiry, FLUSH*, SWAPDB, RENAME touches it):
 * its watchers' EXEC will fail. A key that was already expired at WATCH time
 * and is now (logically) gone has not changed for its watcher, as in Redis 7.0.
 */
function touchWatchedKey(engine: Engine, index: WatchIndex, db: number, key: string): void {
  const watchers = index.get(slot(db, key));
  if (watchers === undefined) return;
  const now = Date.now();
  for (const [c, wk] of watchers) {
    if (wk.expired && !logicallyExists(engine, db, key, now)) {
      wk.expired = false;
      continue;
    }
    markDirtyCas(c);
    // Nothing can undo the dirty flag but UNWATCH/EXEC/DISCARD, so stop watching now.
    unwatchAll(engine, c);
  }
}

/** Redis's isWatchedKeyExpired, checked by EXEC: a watched key whose TTL passed counts as changed. */
export function watchedKeyExpired(engine: Engine, c: Client, now: number): boolean {
  for (const wk of c.watched) if (!wk.expired && keyIsExpired(engine, wk.db, wk.key, now)) return true;
  return false;
}

/** UNWATCH: forgets the watches and their verdict. */
export function unwatchCommand(engine: Engine, c: Client): void {
  unwatchAll(engine, c);
  c.watchDirty = false;
  setFlag(c, "d", false);
}

// ---------------------------------------------------------------- EXEC propagation

/**
 * Propagates what EXEC's commands propagated as Redis 7.0's
 * propagatePendingCommands does: one command as is, several wrapped in
 * MULTI ... EXEC. Consecutive commands of one db go in one call; MULTI takes
 * the first command's db and EXEC the last's, so listeners emit no SELECT
 * for them.
 */
export function propagateBlock(engine: Engine, ops: [number, string[]][]): void {
  if (ops.length === 0) return;
  if (ops.length === 1) {
    const [db, argv] = ops[0] as [number, string[]];
    engine.propagate(db, [argv]);
    return;
  }
  let db = (ops[0] as [number, string[]])[0];
  let group: string[][] = [["MULTI"]];
  for (const [opDb, argv] of ops) {
    if (opDb !== db) {
      engine.propagate(db, group);
      db = opDb;
      group = [];
    }
    group.push(argv);
  }
  group.push(["EXEC"]);
  engine.propagate(db, group);
}
