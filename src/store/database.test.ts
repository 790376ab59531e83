import { expect, test } from "bun:test";
import { Database } from "./database.ts";

test("expiry and access time follow their keys when the table compacts", () => {
  const expired: string[] = [];
  const db = new Database(0, { expired: (_db, key) => expired.push(key) });
  const now = 1_000_000;
  for (let i = 0; i < 5000; i++) {
    db.set(`k${i}`, "v", now);
    db.setExpire(`k${i}`, now + 10_000 + i);
  }
  for (let i = 0; i < 5000; i++) if (i % 50 !== 0) db.delete(`k${i}`);
  for (let i = 0; i < 5000; i += 50) expect(db.getExpire(`k${i}`)).toBe(now + 10_000 + i);
  expect(db.volatile.size).toBe(100);
  // Past every deadline, lookups expire them all lazily.
  for (let i = 0; i < 5000; i += 50) expect(db.lookup(`k${i}`, now + 20_000)).toBeUndefined();
  expect(expired.length).toBe(100);
  expect(db.size).toBe(0);
});
