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

test("add: a new key with or without an expiry, and false for one already there", () => {
  const db = new Database(0, { expired() {} });
  const now = 1_000_000;
  expect(db.add("plain", "v", now, -1)).toBe(true);
  expect(db.add("ttl", "w", now, now + 5000)).toBe(true);
  expect(db.add("epoch", "x", now, 0)).toBe(true);
  expect(db.getExpire("plain")).toBe(-1);
  expect(db.getExpire("ttl")).toBe(now + 5000);
  expect(db.getExpire("epoch")).toBe(1);
  expect([...db.volatile].sort()).toEqual(["epoch", "ttl"]);
  expect(db.add("ttl", "other", now, -1)).toBe(false);
  expect(db.lookup("ttl", now)).toBe("w");
  expect(db.getExpire("ttl")).toBe(now + 5000);
  expect(db.size).toBe(3);
});
