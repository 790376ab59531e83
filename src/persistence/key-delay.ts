/**
 * Per-key delays of Redis's test-support configs (`key-load-delay` for a
 * load, `rdb-key-save-delay` for a save or an AOF rewrite): Redis sleeps
 * that many microseconds after each key (a negative -N: 1 µs once in N
 * keys, its debugDelay), so tests can watch the work in progress. respd
 * works in slices, so it owes the sleep of a slice's keys and pays it
 * between slices, whole milliseconds at a time, with clients served meanwhile.
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
