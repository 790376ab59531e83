/**
 * The servers and ioredis clients a test file starts: registered here, they
 * are closed and stopped after the file (resumed first, in case a test
 * SIGSTOPped one).
 */
import { afterAll } from "bun:test";
import Redis, { type RedisOptions } from "ioredis";
import type { ServerProcess } from "./server.ts";

export function fleet(): {
  started: ServerProcess[];
  clients: Redis[];
  client: (s: ServerProcess, db?: number, options?: RedisOptions) => Redis;
} {
  const started: ServerProcess[] = [];
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    for (const s of started) s.proc.kill("SIGCONT");
    await Promise.all(started.map((s) => s.stop()));
  });
  const client = (s: ServerProcess, db = 0, options: RedisOptions = {}): Redis => {
    const c = new Redis({ port: s.port, host: "127.0.0.1", db, maxRetriesPerRequest: 1, ...options });
    clients.push(c);
    return c;
  };
  return { started, clients, client };
}
