/** SLOWLOG's entries: commands slower than slowlog-log-slower-than microseconds. */

export interface SlowlogEntry {
  id: number;
  /** Unix time in seconds. */
  time: number;
  micros: number;
  argv: string[];
  addr: string;
  name: string;
}

/** Redis keeps at most 32 arguments, each at most 128 bytes, in an entry. */
const MAX_ARGC = 32;
const MAX_ARG_LEN = 128;

export class Slowlog {
  entries: SlowlogEntry[] = [];
  #nextId = 0;

  record(argv: string[], micros: number, addr: string, name: string, maxLen: number): void {
    const kept: string[] = [];
    const argc = Math.min(argv.length, MAX_ARGC);
    for (let i = 0; i < argc; i++) {
      if (argc !== argv.length && i === argc - 1) {
        kept.push(`... (${argv.length - argc + 1} more arguments)`);
      } else {
        const a = argv[i] as string;
        kept.push(a.length > MAX_ARG_LEN ? `${a.slice(0, MAX_ARG_LEN)}... (${a.length - MAX_ARG_LEN} more bytes)` : a);
      }
    }
    this.entries.unshift({ id: this.#nextId++, time: Math.floor(Date.now() / 1000), micros, argv: kept, addr, name });
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
