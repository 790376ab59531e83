import { expect, test } from "bun:test";
import type { Push } from "../resp/reply.ts";
import { parseNotifyFlags } from "./notify.ts";
import { createTestEngine } from "./testing.ts";

test("flags: A covers every class but m and n; K and E pick the channels", () => {
  const f = parseNotifyFlags("AKm");
  expect([...f.classes].sort().join("")).toBe("$deghlmstxz");
  expect(f.keyspace).toBe(true);
  expect(f.keyevent).toBe(false);
});

test("events reach __keyspace and __keyevent subscribers only when enabled", () => {
  const t = createTestEngine();
  const sub = t.newClient();
  sub.exec("PSUBSCRIBE", "__key*__:*");
  sub.sent.length = 0;
  t.exec("SET", "k", "v");
  expect(sub.sent.length).toBe(0);
  t.exec("CONFIG", "SET", "notify-keyspace-events", "KE$");
  t.exec("SET", "k", "v");
  const got = sub.sent.map((b) => (b[0] as Push).items);
  expect(got).toEqual([
    ["pmessage", "__key*__:*", "__keyspace@0__:k", "set"],
    ["pmessage", "__key*__:*", "__keyevent@0__:set", "k"],
  ]);
});
