/**
 * oom-score-adj (server.c, setOOMScoreAdj): with `yes`/`relative` the
 * process's /proc/self/oom_score_adj becomes the value Redis had before it
 * took control plus the class's entry of oom-score-adj-values (master,
 * replica), with `absolute` the entry itself; back to `no` restores the value
 * it had. The third class (bgchild) goes to the companion process that stands
 * in for Redis's forked child (src/persistence/companion.ts).
 */
const PROC_FILE = "/proc/self/oom_score_adj";

export interface OomFile {
  read(path: string): Uint8Array | null;
  write(path: string, data: Uint8Array): void;
}

export class OomScoreAdj {
  /** Whether respd changed the score (so `no` must restore `#base`). */
  #adjusted = false;
  #base = 0;

  constructor(
    private readonly file: OomFile,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * The bgchild class for the process `pid` (Redis's child sets it on itself
   * after the fork); with `no` it keeps what it inherited. Quiet on failure:
   * the companion may already be gone.
   */
  applyToChild(pid: number, mode: string, values: string): void {
    if (mode === "no") return;
    let val = Number(values.split(" ")[2] ?? 0);
    if (mode !== "absolute") val += this.#base;
    val = Math.max(-1000, Math.min(1000, val));
    try {
      this.file.write(`/proc/${pid}/oom_score_adj`, new TextEncoder().encode(`${val}\n`));
    } catch {}
  }

  /**
   * Applies `mode` ("no" | "yes" | "relative" | "absolute") with `values`
   * ("master replica bgchild") for this process's class. False when the file
   * could not be read or written (logged, as Redis does).
   */
  apply(mode: string, values: string, replica: boolean): boolean {
    let val: number;
    if (mode !== "no") {
      if (!this.#adjusted) {
        const bytes = this.file.read(PROC_FILE);
        if (bytes === null) {
          this.warn("Unable to read oom_score_adj: No such file or directory");
          return false;
        }
        this.#adjusted = true;
        this.#base = Number.parseInt(new TextDecoder().decode(bytes), 10) || 0;
      }
      val = Number(values.split(" ")[replica ? 1 : 0] ?? 0);
      if (mode !== "absolute") val += this.#base;
      val = Math.max(-1000, Math.min(1000, val));
    } else if (this.#adjusted) {
      this.#adjusted = false;
      val = this.#base;
    } else {
      return true;
    }
    try {
      this.file.write(PROC_FILE, new TextEncoder().encode(`${val}\n`));
      return true;
    } catch (e) {
      this.warn(`Unable to write oom_score_adj: ${(e as Error).message}`);
      return false;
    }
  }
}
