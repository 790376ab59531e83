/**
 * key-load-delay (a test-support config): Redis sleeps that many
 * microseconds after each key it loads (a negative -N: 1 µs once in N keys,
 * its debugDelay), so tests can watch a load in progress. respd loads in
 * slices, so it owes the sleep of a slice's keys and pays it between slices
 * with a timer, whole milliseconds at a time, keeping clients served.
 */
export class KeyLoadDelay {
  #owedMicros = 0;

  /** Adds the delay of `keys` loaded keys and waits for whatever reaches a whole millisecond. */
  async after(keys: number, perKeyMicros: number): Promise<void> {
    if (perKeyMicros === 0 || keys <= 0) return;
    if (perKeyMicros > 0) this.#owedMicros += keys * perKeyMicros;
    else for (let i = 0; i < keys; i++) if (Math.floor(Math.random() * -perKeyMicros) === 0) this.#owedMicros += 1;
    const ms = Math.floor(this.#owedMicros / 1000);
    if (ms === 0) return;
    this.#owedMicros -= ms * 1000;
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
