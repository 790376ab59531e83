/**
 * An in-process engine for fast unit tests: `exec("SET", "k", "v")` runs a
 * command through the real dispatcher and returns its reply value, and
 * `propagated` collects what would go to the AOF and replicas.
 */
import { ALL_COMMANDS } from "../commands/index.ts";
import { Config } from "../config/config.ts";
import type { Outgoing } from "../resp/encoder.ts";
import type { Client } from "./client.ts";
import type { HandlerResult } from "./command.ts";
import { Engine, type POSTPONED } from "./engine.ts";
import { CommandTable } from "./table.ts";

export interface TestEngine {
  engine: Engine;
  client: Client;
  /** Replies sent outside a batch (MONITOR lines, pushes) to the test client. */
  sent: Outgoing[][];
  /** Every propagated command as [db, argv]. */
  propagated: [number, string[]][];
  exec(...argv: string[]): HandlerResult | typeof POSTPONED;
  /** Another client on the same engine. */
  newClient(): { client: Client; sent: Outgoing[][]; exec(...argv: string[]): HandlerResult | typeof POSTPONED };
}

export function createTestEngine(configure?: (config: Config) => void): TestEngine {
  const config = new Config();
  configure?.(config);
  const engine = new Engine(config, new CommandTable(ALL_COMMANDS));
  const propagated: [number, string[]][] = [];
  engine.onPropagate((db, cmds) => {
    for (const c of cmds) propagated.push([db, c]);
  });
  const newClient = () => {
    const sent: Outgoing[][] = [];
    const client = engine.createClient("127.0.0.1:1", "127.0.0.1:6379", {
      write: (b) => sent.push(b),
      backpressure: undefined,
      pendingBytes: 0,
      closeAfterFlush: () => {},
      destroy: () => {},
    });
    if (!client) throw new Error("maxclients");
    return {
      client,
      sent,
      exec: (...argv: string[]) => {
        const r = engine.execute(client, argv);
        client.afterCommand();
        return r;
      },
    };
  };
  const first = newClient();
  return { engine, client: first.client, sent: first.sent, propagated, exec: first.exec, newClient };
}
