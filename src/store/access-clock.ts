/**
 * What a key's access column holds, by maxmemory-policy, as Redis's 24-bit
 * `lru` field: under an LFU policy, the minute of the last decrement (16
 * bits) and a logarithmic access counter (8 bits); otherwise the second of
 * the last access (OBJECT IDLETIME). Switching policies reinterprets the
 * column, as in Redis ("LRU and LFU data will take some time to adjust").
 *
 * The counter (Redis's evict.c): a new key starts at 5; an access first
 * takes one off per lfu-decay-time minutes elapsed since the last access,
 * then adds one with probability 1 / ((counter - 5) * lfu-log-factor + 1),
 * saturating at 255.
 */

/** LFU_INIT_VAL. */
export const LFU_INIT = 5;

/** Per engine, shared by its databases; the engine updates it when the config changes. */
/** A key's access facts as RDB files and RESTORE carry them (IDLE seconds, FREQ counter). */
export interface AccessMeta {
  idleSeconds?: number;
  freq?: number;
}

export class AccessClock {
  lfu = false;
  /** An LRU maxmemory-policy: saves write each key's idle time (Redis's savelru). */
  lru = false;
  logFactor = 10;
  decayTime = 1;
  /** Math.random unless a test pins it. */
  random: () => number = Math.random;

  /** The column value for a key created now. */
  initial(now: number): number {
    return this.lfu ? (minutes(now) << 8) | LFU_INIT : now / 1000;
  }

  /** The column value after an access now (Redis's updateLFU, or the LRU clock). */
  accessed(word: number, now: number): number {
    if (!this.lfu) return now / 1000;
    let counter = this.frequency(word, now);
    if (counter < 255) {
      const base = Math.max(0, counter - LFU_INIT);
      if (this.random() < 1 / (base * this.logFactor + 1)) counter++;
    }
    return (minutes(now) << 8) | counter;
  }

  /** OBJECT FREQ: the counter with the decay due by now applied (LFUDecrAndReturn). */
  frequency(word: number, now: number): number {
    const counter = word & 255;
    if (this.decayTime === 0) return counter;
    const last = (word >>> 8) & 65535;
    const current = minutes(now);
    const elapsed = current >= last ? current - last : 65535 - last + current;
    const periods = Math.floor(elapsed / this.decayTime);
    return periods > counter ? 0 : counter - periods;
  }

  /** RESTORE ... FREQ n: the counter as given, dated now. */
  withFrequency(freq: number, now: number): number {
    return (minutes(now) << 8) | (freq & 255);
  }

  /** What a save writes for a key (rdbSaveKeyValuePair): IDLE under an LRU policy, FREQ under LFU, else nothing. */
  saved(word: number, now: number): AccessMeta | undefined {
    if (this.lfu) return { freq: this.frequency(word, now) };
    if (this.lru) return { idleSeconds: Math.max(0, Math.floor(now / 1000 - word)) };
    return undefined;
  }

  /**
   * The column value for a key loaded or restored with `meta` (Redis's
   * objectSetLRUOrLFU): FREQ counts under an LFU policy, IDLE under any
   * other; -1 when neither applies and the key keeps what it was given.
   */
  restored(meta: AccessMeta, now: number): number {
    if (this.lfu) return meta.freq !== undefined ? this.withFrequency(meta.freq, now) : -1;
    return meta.idleSeconds !== undefined ? Math.max(0, now / 1000 - meta.idleSeconds) : -1;
  }
}

function minutes(now: number): number {
  return Math.floor(now / 60000) & 65535;
}
