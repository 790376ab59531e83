/**
 * Scaffolding the differential test files share: one Differential for the
 * whole file (or describe block), and seeded random runs that say how to
 * replay a failure.
 */
import { afterAll, beforeAll } from "bun:test";
import { Differential } from "./diff.ts";
import type { StartOptions } from "./server.ts";
import { HOOK_TIMEOUT_MS } from "./server.ts";

/**
 * Starts a Differential before the tests of the enclosing file or describe
 * block and stops it after them. `ready` receives it (the file keeps it in
 * its own `d`) and may prepare more (second connections, config).
 */
export function withDifferential(ready: (d: Differential) => void | Promise<void>, args: string[] = [], opts: StartOptions = {}): void {
  let started: Differential | null = null;
  beforeAll(async () => {
    started = await Differential.start(args, opts);
    if (!started) throw new Error("redis-server is not installed");
    await ready(started);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await started?.stop();
  });
}

/** A random run's seed: the environment variable `name` replays one, otherwise the clock picks it (below `range`). */
export function seedFrom(name: string, range = 1e9): number {
  return Number(process.env[name] ?? Date.now() % range);
}

/**
 * Runs `body`; if it fails, the error names the seed to replay (`name=<seed>`)
 * and the last `tail` commands of `log`, followed by the original message.
 */
export async function replayable(name: string, seed: number, log: string[][], tail: number, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    const last = log.slice(-tail).map((c) => JSON.stringify(c));
    throw new Error(`random run failed with ${name}=${seed}; last commands:\n${last.join("\n")}\n${(e as Error).message}`);
  }
}
