/**
 * `key-load-delay` (test support): Redis sleeps that many microseconds after
 * each key a load reads (a negative -N: 1 µs once in N keys, its debugDelay),
 * so tests can watch a load in progress. respd loads in slices, so it owes
 * the sleep of a slice's keys and pays it between slices, whole milliseconds
 * at a time, with clients served meanwhile.
 */
export class KeyDelay {
  #owedMicros = 0;

  /** Adds the delay of `keys` keys; returns the whole milliseconds to wait now (the rest stays owed). */
  owe(keys: number, perKeyMicros: number): number {
    if (perKeyMicros === 0 || keys <= 0) return 0;
    if (perKeyMicros > 0) this.#owedMicros += keys * perKeyMicros;
    else for (let i = 0; i < keys; i++) if (Math.floor(Math.random() * -perKeyMicros) === 0) this.#owedMicros += 1;
    const ms = Math.floor(this.#owedMicros / 1000);
    this.#owedMicros -= ms * 1000;
    return ms;
  }

  /** `owe`, then waits for it. */
  async after(keys: number, perKeyMicros: number): Promise<void> {
    const ms = this.owe(keys, perKeyMicros);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/**
 * How many keys a slice may handle so that its delay stays about `sliceMs`
 * (at least one): without a cap, one slice would do thousands of keys and
 * then owe their whole sleep at once.
 */
export function keysPerSlice(perKeyMicros: number, sliceMs: number): number {
  if (perKeyMicros <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.floor((sliceMs * 1000) / perKeyMicros));
}

/**
 * `rdb-key-save-delay` (test support): Redis sleeps that many microseconds
 * after each key its snapshot writes (rdbSaveKeyValuePair → debugDelay), in a
 * forked child, so a BGSAVE, a full sync or an AOF rewrite can be made to last
 * as long as a test needs. respd's walks run in slices on the event loop, so
 * instead of sleeping, a walk stops after a key until that key's delay has
 * passed and its caller schedules the next slice for then (`waitMs`): the
 * save is just as slow and clients are served meanwhile.
 *
 * A negative value is Redis's statistical delay: 1 µs with probability 1/|n|.
 * The value is read once per slice, so a CONFIG SET takes effect on the next.
 */
export class KeySaveDelay {
  /** When the next key may be written (performance.now() ms). */
  #nextAt = 0;
  /** Microseconds per key for the current slice. */
  #usec = 0;

  constructor(readonly delayUs: () => number) {}

  /** Starts a slice: false when the walk must not write a key yet (call waitMs). */
  begin(): boolean {
    this.#usec = this.delayUs();
    if (this.#usec === 0) return true;
    return performance.now() >= this.#nextAt;
  }

  /** After a key: true when the walk must stop here until waitMs() has passed. */
  afterKey(): boolean {
    let usec = this.#usec;
    if (usec === 0) return false;
    if (usec < 0) usec = Math.random() * -usec < 1 ? 1 : 0;
    const now = performance.now();
    // A late slice catches up on its keys, but not on time it spent with no delay configured.
    this.#nextAt = Math.max(this.#nextAt, now - 2) + usec / 1000;
    return now < this.#nextAt;
  }

  /**
   * A key written out of turn (copy-on-write before a command changes it): it is not held back,
   * but it takes its delay like any other, so the snapshot still lasts a delay per key, as Redis's
   * forked child does whatever the parent writes meanwhile.
   */
  charge(): void {
    const usec = this.delayUs();
    if (usec <= 0) return;
    this.#nextAt = Math.max(this.#nextAt, performance.now() - 2) + usec / 1000;
  }

  /** Milliseconds until the walk may write its next key (0: now). */
  waitMs(): number {
    if (this.delayUs() === 0) return 0;
    return Math.max(0, Math.ceil(this.#nextAt - performance.now()));
  }
}
