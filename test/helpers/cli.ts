/** Runs the real redis-cli against a server. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export function redisCliPath(): string | null {
  for (const p of ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"]) if (existsSync(p)) return p;
  if (process.env.CI) throw new Error("redis-cli is required in CI (apt-get install redis-tools)");
  return null;
}

/** Runs `redis-cli -p port args...`; returns stdout (trailing newline trimmed). */
export function cli(port: number, args: string[], input?: string): string {
  const bin = redisCliPath();
  if (!bin) throw new Error("redis-cli not installed");
  const r = spawnSync(bin, ["-p", String(port), ...args], { input, encoding: "latin1", timeout: 30000 });
  if (r.error) throw r.error;
  return (r.stdout ?? "").replace(/\n$/, "");
}
