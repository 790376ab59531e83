/**
 * Blocks the thread for `ms`, like Redis's usleep/nanosleep in DEBUG SLEEP and
 * DEBUG AOF-FLUSH-SLEEP: nothing else runs meanwhile, clients included.
 */
export function sleepSync(ms: number): void {
  if (ms <= 0) return;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  } catch {
    // Some embedders forbid Atomics.wait on the main thread: spin instead.
    const end = performance.now() + ms;
    while (performance.now() < end) {}
  }
}
