/** One key as comparable text (type, value in a fixed order, TTL present or not): the canonical dumps compare these. */
import type Redis from "ioredis";

export async function canonicalKey(c: Redis, db: number, k: string): Promise<string> {
  const type = await c.type(k);
  let value: unknown;
  if (type === "string") value = await c.get(k);
  else if (type === "list") value = await c.lrange(k, 0, -1);
  else if (type === "hash") value = Object.entries(await c.hgetall(k)).sort();
  else if (type === "set") value = (await c.smembers(k)).sort();
  else if (type === "zset") value = await c.zrange(k, "0", "-1", "WITHSCORES");
  const ttl = await c.pttl(k);
  return JSON.stringify([db, k, type, value, ttl > 0 ? "ttl" : ttl]);
}
