/**
 * Gives a burst's garbage back to the OS once the server goes quiet.
 *
 * A JS heap keeps the pages a burst of work allocated (a bulk load, a
 * benchmark, loading an RDB) until its collector next runs, and with no
 * allocation going on that can be much later: RSS then stays at the burst's
 * high-water mark (1M small keys: ~300 MB for seconds, ~230 MB after a
 * collection). Redis's allocator has the same problem and a background thread
 * that purges dirty pages (`jemalloc-bg-thread`, which switches this off too).
 *
 * Here: on a cron tick during which no command ran, and no load or background
 * save is under way (work too, which a blocking collection would only pause:
 * 11 of them made a 1M-key startup load 25% slower), if RSS is more than an
 * eighth (and at least 16 MB) above the lowest RSS seen since the last
 * collection, collect. Growth that is live data raises that floor, so an idle
 * server collects once per burst, not once per tick.
 */

const MIN_GROWTH = 16 * 1024 * 1024;

/**
 * Up to this much live JS heap the collection finishes at once: it pauses the
 * loop ~0.7 ms per MB here (1M small keys: ~115 MB, ~80 ms). A bigger heap
 * gets a concurrent collection instead, which returns the memory seconds later
 * but never stalls a client that arrives meanwhile.
 */
export const BLOCKING_HEAP_LIMIT = 256 * 1024 * 1024;

export interface MemoryProbe {
  rss(): number;
  heapUsed(): number;
  /** False when nothing could be done (the runtime has no way to ask). */
  collectGarbage(blocking: boolean): boolean;
}

export class IdleCollector {
  #lastActivity = -1;
  /** The lowest RSS seen since the last collection; starts as RSS before the server loads anything. */
  #floor: number;
  /** Collections started so far (requests the runtime could not act on are not counted). */
  collections = 0;

  constructor(private readonly memory: MemoryProbe) {
    this.#floor = memory.rss();
  }

  /** Called every cron tick with a counter that moves whenever the server works (commands processed). */
  tick(activity: number, enabled: boolean): void {
    const idle = activity === this.#lastActivity;
    this.#lastActivity = activity;
    if (!idle || !enabled) return;
    const rss = this.memory.rss();
    if (rss < this.#floor) this.#floor = rss;
    if (rss - this.#floor < Math.max(MIN_GROWTH, this.#floor / 8)) return;
    if (this.memory.collectGarbage(this.memory.heapUsed() <= BLOCKING_HEAP_LIMIT)) this.collections++;
    // What the collection frees shows now or over the next ticks, and lowers the floor again.
    this.#floor = rss;
  }
}
