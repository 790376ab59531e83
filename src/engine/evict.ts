/**
 * maxmemory eviction (Redis's performEvictions in evict.c): before a command
 * runs, while used memory is over `maxmemory`, keys chosen by
 * `maxmemory-policy` are deleted (counted in evicted_keys, announced as the
 * `evicted` keyspace event, invalidated for tracking clients, propagated as
 * DEL). Used memory is the JS heap, which only shrinks when the collector
 * runs: an estimate of what was evicted is credited against it until the
 * heap is seen to shrink, so one burst of eviction does not empty the
 * dataset while the collector has not caught up.
 */
import type { Database } from "../store/database.ts";
import { isStringValue, stringOf, type Value } from "../store/values.ts";
import type { Engine } from "./engine.ts";

/** Redis's eviction time limit at the default tenacity (10): 500 µs, then the command runs anyway. */
const TIME_LIMIT_MS = 0.5;
/** Up to this heap size a blocking collection costs tens of ms at most (~0.7 ms per MB). */
const COLLECT_HEAP_LIMIT = 64 * 1024 * 1024;
/** Rough per-key overhead (dict entry, key object, column slots), in bytes. */
const KEY_OVERHEAD = 64;

export class Evictor {
  /** Estimated bytes evicted since the heap last shrank. */
  #credit = 0;
  #lastHeap = 0;
  #heapAt = -1;
  #heap = 0;
  #collectedAt = 0;

  constructor(readonly engine: Engine) {}

  /** Used memory as eviction sees it (the heap, read at most once per ms, minus what was evicted since). */
  used(now: number): number {
    if (now !== this.#heapAt) {
      this.#heapAt = now;
      this.#heap = this.engine.host?.heapUsed() ?? 0;
      // A collection ran: the heap now reflects what was freed.
      if (this.#heap < this.#lastHeap) this.#credit = 0;
      this.#lastHeap = this.#heap;
    }
    return Math.max(0, this.#heap - this.#credit);
  }

  /**
   * Evicts until under `maxmemory`; false when still over and nothing more
   * can go (noeviction, or no candidate key: Redis's EVICT_FAIL), which
   * makes denyoom commands fail with OOM.
   */
  run(maxmemory: number, now: number): boolean {
    let over = this.used(now) - maxmemory;
    if (over <= 0) return true;
    // Much of a small heap may be garbage: collect (at most once a second) before evicting or refusing anything.
    if (this.#heap <= COLLECT_HEAP_LIMIT && now - this.#collectedAt >= 1000 && this.engine.host?.collectGarbage?.()) {
      this.#collectedAt = now;
      this.#heapAt = -1;
      this.#lastHeap = 0;
      this.#credit = 0;
      over = this.used(now) - maxmemory;
      if (over <= 0) return true;
    }
    // A replica leaves its dataset to its master (replica-ignore-maxmemory, on by default).
    const master = this.engine.config.get("replicaof");
    if (master !== "" && master !== "no one" && this.engine.config.get("replica-ignore-maxmemory") === "yes") return true;
    const policy = this.engine.config.get("maxmemory-policy");
    if (policy === "noeviction") return false;
    const samples = this.engine.config.num("maxmemory-samples");
    const deadline = performance.now() + TIME_LIMIT_MS;
    let evicted = 0;
    while (over > 0) {
      const victim = this.#pick(policy, samples, now);
      if (victim === null) return false;
      const [db, key] = victim;
      const freed = estimate(key, db.lookupIgnoringExpiry(key, now, false));
      db.delete(key);
      this.engine.stats.evictedKeys++;
      this.engine.keyTouched(db.id, key);
      this.engine.notify("e", "evicted", key, db.id);
      this.engine.propagate(db.id, [["DEL", key]]);
      this.#credit += freed;
      over -= freed;
      // Past the time limit (looked at every 16 keys, as Redis does) the command is not refused: eviction goes on
      // in a timer, as Redis's evictionTimeProc.
      if (over > 0 && ++evicted % 16 === 0 && performance.now() > deadline) {
        this.soon();
        return true;
      }
    }
    return true;
  }

  #continuing = false;
  /** Evicts from a timer, outside any command (Redis's evictionTimeProc). */
  soon(): void {
    if (this.#continuing) return;
    this.#continuing = true;
    setTimeout(() => {
      this.#continuing = false;
      const max = this.engine.config.num("maxmemory");
      if (max > 0) this.run(max, Date.now());
    }, 0);
  }

  /** The best key to evict over every db's sample, or null when the policy has no candidate. */
  #pick(policy: string, samples: number, now: number): [Database, string] | null {
    const volatile = policy.startsWith("volatile-");
    let best: [Database, string] | null = null;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const db of this.engine.dbs) {
      const pool = volatile ? db.volatile.size : db.size;
      if (pool === 0) continue;
      if (policy.endsWith("-random")) return [db, volatile ? firstOf(db.volatile) : randomKeyOf(db)];
      const candidates = volatile ? takeSome(db.volatile, samples) : Array.from({ length: samples }, () => randomKeyOf(db));
      for (const key of candidates) {
        // volatile-ttl: the nearest expiry; LFU: the lowest decayed counter; LRU: the oldest access.
        const score =
          policy === "volatile-ttl" ? db.getExpire(key) : policy.endsWith("-lfu") ? frequencyOf(db, key, now) : accessedAt(db, key);
        if (score < bestScore) {
          bestScore = score;
          best = [db, key];
        }
      }
    }
    return best;
  }
}

function randomKeyOf(db: Database): string {
  return db.table.keys[db.table.randomSlot()] as string;
}

function firstOf(set: Set<string>): string {
  return set.values().next().value as string;
}

function takeSome(set: Set<string>, n: number): string[] {
  const out: string[] = [];
  for (const k of set) {
    out.push(k);
    if (out.length >= n) break;
  }
  return out;
}

function frequencyOf(db: Database, key: string, now: number): number {
  const s = db.table.slotOf(key);
  return s === -1 ? Number.POSITIVE_INFINITY : db.clock.frequency(db.table.accessedAt[s] as number, now);
}

function accessedAt(db: Database, key: string): number {
  const s = db.table.slotOf(key);
  return s === -1 ? Number.POSITIVE_INFINITY : (db.table.accessedAt[s] as number);
}

/** What deleting the key gives back, roughly: its name, its value's bytes or elements, the entry. */
function estimate(key: string, v: Value | undefined): number {
  if (v === undefined) return KEY_OVERHEAD + key.length;
  if (isStringValue(v)) return KEY_OVERHEAD + key.length + stringOf(v).length;
  const agg = v as unknown as { length?: number; size?: number };
  return KEY_OVERHEAD + key.length + 48 * (agg.length ?? agg.size ?? 1);
}
