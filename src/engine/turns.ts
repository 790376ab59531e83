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
