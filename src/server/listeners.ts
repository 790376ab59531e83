/**
 * The TCP listeners of `bind` x `port`, opened at startup and again when
 * CONFIG SET changes either (Redis's changeListenPort / changeBindAddr): a
 * set that cannot be bound leaves the previous one listening.
 */
import type { Listener, OnConnection, Runtime } from "../runtime/types.ts";

/** Redis's `bind` words: `*` = all IPv4, `::*` = all IPv6, a leading `-` = optional. */
export function bindHosts(bind: string): { host: string; optional: boolean }[] {
  return bind
    .split(" ")
    .filter((b) => b.length > 0)
    .map((b) => {
      const optional = b.startsWith("-");
      let host = optional ? b.slice(1) : b;
      if (host === "*") host = "0.0.0.0";
      else if (host === "::*") host = "::";
      return { host, optional };
    });
}

/**
 * The addresses to bind, IPv6 wildcard first: where the runtime cannot set
 * IPV6_V6ONLY (Bun) it is dual-stack and already serves IPv4, so the IPv4
 * wildcard's "address in use" is then expected, not an error.
 */
function plan(bind: string): { host: string; optional: boolean }[] {
  return bindHosts(bind).sort((a, b) => Number(b.host === "::") - Number(a.host === "::"));
}

function tolerated(host: string, optional: boolean, dualStack: boolean): boolean {
  return optional || (host === "0.0.0.0" && dualStack);
}

const failure = (host: string, port: number, e: unknown) =>
  `Could not create server TCP listening socket ${host}:${port}: ${(e as Error).message}`;

export class TcpListeners {
  list: Listener[] = [];

  constructor(
    private readonly runtime: Runtime,
    private readonly backlog: () => number,
    private readonly onConnection: OnConnection,
    private readonly warn: (message: string) => void,
  ) {}

  /** Opens every address of `bind` on `port`; the error text when a required one fails (nothing left open). */
  async open(bind: string, port: number): Promise<string | null> {
    if (port === 0) return null;
    const opened: Listener[] = [];
    let dualStack = false;
    for (const { host, optional } of plan(bind)) {
      try {
        opened.push(await this.runtime.listenTcp(host, port, this.backlog(), this.onConnection));
        if (host === "::") dualStack = true;
      } catch (e) {
        if (tolerated(host, optional, dualStack)) continue;
        for (const l of opened) l.close();
        return failure(host, port, e);
      }
    }
    this.list = opened;
    return null;
  }

  /** As open(), bound before returning: the new listeners or the error; false when the runtime cannot (Node). */
  #openNow(bind: string, port: number): Listener[] | string | false {
    const now = this.runtime.listenTcpNow;
    if (now === undefined) return false;
    if (port === 0) return [];
    const opened: Listener[] = [];
    let dualStack = false;
    for (const { host, optional } of plan(bind)) {
      try {
        opened.push(now.call(this.runtime, host, port, this.backlog(), this.onConnection));
        if (host === "::") dualStack = true;
      } catch (e) {
        if (tolerated(host, optional, dualStack)) continue;
        for (const l of opened) l.close();
        return failure(host, port, e);
      }
    }
    return opened;
  }

  /**
   * CONFIG SET port / bind: replaces the listeners with those of `bind` x
   * `port`. False when they could not be bound; the previous ones keep
   * listening. The new set is opened while the old one still listens (Redis
   * does so for a new port; it also keeps a refused set from costing the old
   * one); only when it collides with the old one on the same port is the old
   * one closed first. On Node (no synchronous bind) it happens in the
   * background and a failure is only logged.
   */
  rebind(bind: string, port: number, previous: { bind: string; port: number }): boolean {
    let next = this.#openNow(bind, port);
    if (next === false) {
      this.close();
      void this.open(bind, port).then((e) => {
        if (e === null) return;
        this.warn(`Failed to bind: ${e}`);
        void this.open(previous.bind, previous.port);
      });
      return true;
    }
    if (typeof next === "string" && port === previous.port && /in use/i.test(next)) {
      // Probably our own listener on that address: close, then bind again.
      this.close();
      next = this.#openNow(bind, port);
      if (typeof next === "string") {
        const again = this.#openNow(previous.bind, previous.port);
        if (Array.isArray(again)) this.list = again;
        else {
          // Deno releases a closed listener's port only once its pending accept is cancelled.
          setTimeout(() => {
            void this.open(previous.bind, previous.port).then((e) => {
              if (e !== null) this.warn(`Could not listen again on the previous addresses: ${e}`);
            });
          }, 10);
        }
      }
    }
    if (typeof next === "string" || next === false) {
      if (next) this.warn(next);
      this.warn("Failed to bind");
      return false;
    }
    for (const l of this.list) l.close();
    this.list = next;
    return true;
  }

  close(): void {
    for (const l of this.list) l.close();
    this.list = [];
  }
}
