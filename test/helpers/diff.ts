/**
 * Differential testing: the same commands go to the real redis-server and to
 * respd over raw connections, and the raw reply bytes must be identical.
 */
import { expect } from "bun:test";
import { call, RawClient } from "./raw.ts";
import { type ServerProcess, type StartOptions, startRedis, startRespd } from "./server.ts";

export class Differential {
  private constructor(
    readonly redis: ServerProcess,
    readonly respd: ServerProcess,
    readonly redisClient: RawClient,
    readonly respdClient: RawClient,
  ) {}

  /** Starts both servers (same extra flags); null when redis-server is not installed. */
  static async start(args: string[] = [], opts: StartOptions = {}): Promise<Differential | null> {
    const redis = await startRedis(args);
    if (!redis) return null;
    const respd = await startRespd({ ...opts, args: [...args, ...(opts.args ?? [])] });
    return new Differential(redis, respd, await RawClient.connect(redis.port), await RawClient.connect(respd.port));
  }

  /** A second pair of connections, for multi-client scenarios. */
  async connectPair(): Promise<[RawClient, RawClient]> {
    return [await RawClient.connect(this.redis.port), await RawClient.connect(this.respd.port)];
  }

  async both(...args: string[]): Promise<[string, string]> {
    return [await call(this.redisClient, ...args), await call(this.respdClient, ...args)];
  }

  /** Sends one command to both; the raw replies must be byte-identical. Returns the reply. */
  async same(...args: string[]): Promise<string> {
    const [a, b] = await this.both(...args);
    expect({ cmd: args, reply: b }).toEqual({ cmd: args, reply: a });
    return a;
  }

  /** Like `same`, for replies whose element order is unspecified (KEYS, SMEMBERS...): compares sorted lines. */
  async sameUnordered(...args: string[]): Promise<string> {
    const [a, b] = await this.both(...args);
    const norm = (s: string) => s.split("\r\n").sort().join("\r\n");
    expect({ cmd: args, reply: norm(b) }).toEqual({ cmd: args, reply: norm(a) });
    return a;
  }

  /** Runs many commands, each compared. */
  async sequence(commands: string[][]): Promise<void> {
    for (const c of commands) await this.same(...c);
  }

  async stop(): Promise<void> {
    this.redisClient.close();
    this.respdClient.close();
    await Promise.all([this.redis.stop(), this.respd.stop()]);
  }
}

/** A small seeded PRNG (mulberry32) so failing random sequences can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
