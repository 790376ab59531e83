/**
 * The process a background job runs "in", as operators see it. Redis forks a
 * child for BGSAVE, BGREWRITEAOF and a full sync's snapshot; respd does that
 * work in slices on its event loop, and keeps a small companion process
 * (Runtime.spawnCompanion) beside it for as long as the job runs. It is what
 * `pgrep -P <server pid>` finds, it carries the bgchild oom-score-adj class,
 * and killing it aborts the job the way Redis handles its child killed by
 * that signal (each job's `died` callback). Without one (no process can be
 * started) the job runs all the same.
 */

import type { Engine } from "../engine/engine.ts";
import type { Companion } from "../runtime/types.ts";

/** How the child ended, as waitpid tells Redis: an exit code, or the signal that killed it. */
export interface ChildEnd {
  code: number | null;
  signal: number | null;
}

/** SIGUSR1: Redis's way to kill a child without flagging an error. */
export const SIGUSR1 = 10;

export class BackgroundChild {
  #stopped = false;

  private constructor(private readonly companion: Companion) {}

  get pid(): number {
    return this.companion.pid;
  }

  /**
   * Starts the companion of a job; `died` runs once if it ends before stop()
   * (someone killed it). Null when none could be started.
   */
  static start(engine: Engine, died: (end: ChildEnd) => void): BackgroundChild | null {
    // INFO's total_forks / latest_fork_usec count the jobs, with or without a companion.
    const t0 = performance.now();
    const companion = engine.host?.spawnCompanion?.() ?? null;
    engine.stats.totalForks++;
    engine.stats.latestForkUsec = Math.round((performance.now() - t0) * 1000);
    if (companion === null) return null;
    const child = new BackgroundChild(companion);
    companion.exited.then(
      (end) => {
        if (child.#stopped) return;
        child.#stopped = true;
        died(end);
      },
      () => {},
    );
    return child;
  }

  /** The job ended (or was stopped by the server): the companion goes quietly. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.companion.kill("SIGKILL");
  }
}
