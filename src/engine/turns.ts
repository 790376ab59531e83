/**
 * The event-loop hop long-running work (a snapshot walk, a sync load) takes
 * between slices, so sockets are served in between. The runtime adapter
 * installs the best one it has: setImmediate runs right after the loop polled
 * I/O, without the ~1 ms a timer waits on Bun and Node; Deno's setImmediate
 * starves socket I/O when chained, so Deno keeps the timer.
 */
let hop: (f: () => void) => void = (f) => setTimeout(f, 0);

/** Called once by a runtime adapter. */
export function installTurnHop(next: (f: () => void) => void): void {
  hop = next;
}

/** Runs `f` on a later event-loop turn, after pending I/O. */
export function nextTurn(f: () => void): void {
  hop(f);
}

/** nextTurn as a promise. */
export function turn(): Promise<void> {
  return new Promise<void>((resolve) => hop(resolve));
}

/**
 * Paces a background walk that runs in slices between client turns (BGSAVE,
 * AOF rewrite, a replica's snapshot). While commands ran since its last
 * slice, the next one waits twice the slice's length, so clients keep two
 * thirds of the time (Redis's forked child runs on another core and leaves
 * the server alone); on a quiet server the walk runs flat out. A slice after
 * every turn had given a BGSAVE most of the CPU: GET during one fell to
 * 0.38x Redis's.
 */
export class WalkPacer {
  #seen = -1;

  constructor(readonly commandsProcessed: () => number) {}

  /** The wait before the next slice of `sliceMs`: 0 means the next turn. */
  delayMs(sliceMs: number): number {
    const n = this.commandsProcessed();
    const serving = n !== this.#seen;
    this.#seen = n;
    return serving ? 2 * sliceMs : 0;
  }
}
