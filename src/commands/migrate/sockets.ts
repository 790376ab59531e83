/**
 * MIGRATE's connections to target instances (Redis's migrate_cached_sockets):
 * one per "host:port", reused by later MIGRATEs and closed once unused for
 * more than 10 seconds, at most 64 at a time. A socket here is driven like
 * Redis's blocking connSyncWrite / connSyncReadLine: whole writes and single
 * reply lines, each with a deadline.
 */
import type { Engine } from "../../engine/engine.ts";
import type { Connection } from "../../runtime/types.ts";

/** MIGRATE_SOCKET_CACHE_ITEMS and MIGRATE_SOCKET_CACHE_TTL (seconds). */
const CACHE_ITEMS = 64;
const CACHE_TTL_S = 10;

/** Why a socket operation failed: a deadline passed, or the connection broke. */
export class SocketFailure extends Error {
  constructor(readonly timedOut: boolean) {
    super(timedOut ? "timeout" : "connection error");
  }
}

/** Resolves `p`, or rejects with a timeout after `ms`. */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SocketFailure(true)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

export class MigrateSocket {
  /** The db the target has selected on this connection; -1 = unknown (SELECT next time). */
  lastDbid = -1;
  lastUse: number;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Bytes read but not consumed as lines yet. */
  #pending: Uint8Array = new Uint8Array(0);
  #broken = false;

  constructor(
    readonly conn: Connection,
    now: number,
  ) {
    this.lastUse = now;
    this.#reader = conn.readable.getReader();
    this.#writer = conn.writable.getWriter();
  }

  async write(bytes: Uint8Array, timeoutMs: number): Promise<void> {
    try {
      await withDeadline(this.#writer.write(bytes), timeoutMs);
    } catch (e) {
      this.#broken = true;
      throw e instanceof SocketFailure ? e : new SocketFailure(false);
    }
  }

  /** One reply line without its CRLF (Redis's connSyncReadLine). */
  async readLine(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.#pending.indexOf(10);
      if (nl !== -1) {
        const end = nl > 0 && this.#pending[nl - 1] === 13 ? nl - 1 : nl;
        let line = "";
        for (let i = 0; i < end; i++) line += String.fromCharCode(this.#pending[i] as number);
        this.#pending = this.#pending.subarray(nl + 1);
        return line;
      }
      let chunk: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
      try {
        chunk = await withDeadline(this.#reader.read(), Math.max(1, deadline - Date.now()));
      } catch (e) {
        this.#broken = true;
        throw e instanceof SocketFailure ? e : new SocketFailure(false);
      }
      if (chunk.done) {
        this.#broken = true;
        throw new SocketFailure(false);
      }
      const joined = new Uint8Array(this.#pending.length + chunk.value.length);
      joined.set(this.#pending);
      joined.set(chunk.value, this.#pending.length);
      this.#pending = joined;
    }
  }

  get broken(): boolean {
    return this.#broken;
  }

  close(): void {
    // A read still pending after a timeout makes releaseLock throw on some runtimes; the socket goes anyway.
    try {
      this.#reader.releaseLock();
      this.#writer.releaseLock();
    } catch {}
    this.conn.destroy();
  }
}

/** One engine's cache of target connections. */
export class MigrateSockets {
  readonly #cache = new Map<string, MigrateSocket>();
  #sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly connect: ((host: string, port: number) => Promise<Connection>) | null) {}

  get size(): number {
    return this.#cache.size;
  }

  /**
   * The cached socket for host:port, or a new one (migrateGetSocket).
   * Rejects with SocketFailure when it cannot connect within the timeout.
   */
  async get(host: string, port: string, timeoutMs: number): Promise<MigrateSocket> {
    const name = `${host}:${port}`;
    const now = Date.now();
    const cached = this.#cache.get(name);
    if (cached !== undefined) {
      cached.lastUse = now;
      return cached;
    }
    if (this.#cache.size >= CACHE_ITEMS) {
      // Too many: drop one at random, as Redis does.
      const names = [...this.#cache.keys()];
      this.close(names[Math.floor(Math.random() * names.length)] as string);
    }
    if (this.connect === null) throw new SocketFailure(false);
    // atoi: a port that is not a number is port 0, which fails to connect.
    const connecting = this.connect(host, Number.parseInt(port, 10) || 0);
    let conn: Connection;
    try {
      conn = await withDeadline(connecting, timeoutMs);
    } catch (e) {
      // A connection that completes after the deadline is not kept.
      void connecting.then((c) => c.destroy()).catch(() => {});
      throw e instanceof SocketFailure ? e : new SocketFailure(false);
    }
    const socket = new MigrateSocket(conn, Date.now());
    this.#cache.set(name, socket);
    this.#startSweeper();
    return socket;
  }

  /** migrateCloseSocket: forgets and closes the connection to host:port, if any. */
  close(name: string): void {
    const s = this.#cache.get(name);
    if (s === undefined) return;
    this.#cache.delete(name);
    s.close();
    if (this.#cache.size === 0) this.#stopSweeper();
  }

  /** migrateCloseTimedoutSockets, run once a second while anything is cached (Redis's serverCron). */
  #startSweeper(): void {
    if (this.#sweeper !== null) return;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const [name, s] of this.#cache) if (Math.floor((now - s.lastUse) / 1000) > CACHE_TTL_S) this.close(name);
    }, 1000);
  }

  #stopSweeper(): void {
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
  }
}

const caches = new WeakMap<Engine, MigrateSockets>();

/** The engine's MIGRATE socket cache (INFO's migrate_cached_sockets counts it). */
export function migrateSocketsOf(engine: Engine): MigrateSockets {
  let c = caches.get(engine);
  if (c === undefined) {
    const connect = engine.host?.connectTcp;
    c = new MigrateSockets(connect ? (h, p) => connect(h, p) : null);
    caches.set(engine, c);
  }
  return c;
}

/** INFO's migrate_cached_sockets. */
export function migrateCachedSockets(engine: Engine): number {
  return caches.get(engine)?.size ?? 0;
}
