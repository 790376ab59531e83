import { ErrorReply, type Reply } from "../resp/reply.ts";
import type { Client } from "./client.ts";
import type { Ctx } from "./context.ts";

/**
 * Returned by a blocking command's handler (BLPOP, BZPOPMIN...) when nothing
 * can be served yet. The sink parks the client: it reads no more of its input
 * until the command is served, times out, or is unblocked.
 *
 * `attempt` is called again (with a fresh Ctx for the same client and argv)
 * right after any command that touched one of `keys`, in FIFO order among the
 * clients blocked on that key; it returns the reply when it could serve (and
 * does its own propagation, as the non-blocking equivalent), or undefined to
 * keep waiting.
 */
export class Blocked {
  constructor(
    readonly keys: string[],
    /** Milliseconds to wait; 0 = forever. */
    readonly timeoutMs: number,
    /** `readyKey` is the key whose change triggered this attempt: Redis 7.0 serves from it first. */
    readonly attempt: (ctx: Ctx, readyKey?: string) => Reply | undefined,
    /** The reply on timeout (a null array for BLPOP, null for BLMOVE...). */
    readonly onTimeout: () => Reply,
  ) {}

  /**
   * True when a waiter that cannot be served means no later one can be
   * (lists, sorted sets: the key is empty). Streams set it false: each XREAD
   * waits for its own ID.
   */
  servesInOrder = true;

  /** Set by the engine when it parks the client: resolves with the reply to send. */
  promise: Promise<Reply> | null = null;
}

export interface Waiter {
  client: Client;
  db: number;
  blocked: Blocked;
  /** The ctx of the original call: its argv and table entry are reused for attempts. */
  origin: Ctx;
  timer: ReturnType<typeof setTimeout> | null;
  resolve: (reply: Reply) => void;
  /** How long the call that served it took (µs): what the slowlog records at the unblock. */
  serveMicros?: number;
}

const UNBLOCKED_ERROR = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

/**
 * Who waits on which key. Keys are identified per database; each key keeps
 * its waiters in arrival order, which is the order they are served.
 */
export class BlockingRegistry {
  readonly #byKey = new Map<string, Waiter[]>();
  readonly #byClient = new Map<Client, Waiter>();
  /** Keys touched since the last serving pass that someone waits on. */
  #ready: string[] = [];
  #readySet = new Set<string>();

  get size(): number {
    return this.#byClient.size;
  }

  isBlocked(client: Client): boolean {
    return this.#byClient.has(client);
  }

  static slot(db: number, key: string): string {
    return `${db}\u0000${key}`;
  }

  add(waiter: Waiter): void {
    this.#byClient.set(waiter.client, waiter);
    for (const key of new Set(waiter.blocked.keys)) {
      const slot = BlockingRegistry.slot(waiter.db, key);
      let queue = this.#byKey.get(slot);
      if (!queue) {
        queue = [];
        this.#byKey.set(slot, queue);
      }
      queue.push(waiter);
    }
  }

  remove(waiter: Waiter): void {
    if (this.#byClient.get(waiter.client) !== waiter) return;
    this.#byClient.delete(waiter.client);
    if (waiter.timer !== null) clearTimeout(waiter.timer);
    for (const key of new Set(waiter.blocked.keys)) {
      const slot = BlockingRegistry.slot(waiter.db, key);
      const queue = this.#byKey.get(slot);
      if (!queue) continue;
      const i = queue.indexOf(waiter);
      if (i >= 0) queue.splice(i, 1);
      if (queue.length === 0) this.#byKey.delete(slot);
    }
  }

  /** Notes that `key` changed; cheap when nobody waits on it. */
  touched(db: number, key: string): void {
    if (this.#byKey.size === 0) return;
    const slot = BlockingRegistry.slot(db, key);
    if (!this.#byKey.has(slot) || this.#readySet.has(slot)) return;
    this.#readySet.add(slot);
    this.#ready.push(slot);
  }

  get hasReady(): boolean {
    return this.#ready.length > 0;
  }

  /** Takes the keys that became ready, in the order they did. */
  takeReady(): string[] {
    const r = this.#ready;
    this.#ready = [];
    this.#readySet = new Set();
    return r;
  }

  /** Current waiters on a slot, oldest first (a copy: serving removes from the queue). */
  waitersOn(slot: string): Waiter[] {
    return [...(this.#byKey.get(slot) ?? [])];
  }

  waiterOf(client: Client): Waiter | undefined {
    return this.#byClient.get(client);
  }

  /** All waiters, for FLUSHALL/SWAPDB style "every key may have changed" events. */
  allSlots(): string[] {
    return [...this.#byKey.keys()];
  }

  /** CLIENT UNBLOCK: the timeout reply, or Redis's UNBLOCKED error. */
  unblockReply(waiter: Waiter, withError: boolean): Reply {
    return withError ? new ErrorReply(UNBLOCKED_ERROR) : waiter.blocked.onTimeout();
  }
}
