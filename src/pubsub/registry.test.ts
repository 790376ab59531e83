import { expect, test } from "bun:test";
import { NO_REPLY } from "../engine/command.ts";
import { createTestEngine } from "../engine/testing.ts";
import { Push } from "../resp/reply.ts";
import { pubsubOf } from "./registry.ts";

test("10,000 subscribers all receive one publish, sharing one message object", () => {
  const t = createTestEngine((c) => c.set("maxclients", "20000"));
  const subs = Array.from({ length: 10_000 }, () => t.newClient());
  for (const s of subs) expect(s.exec("SUBSCRIBE", "news")).toBe(NO_REPLY);
  for (const s of subs) s.sent.length = 0;
  expect(t.exec("PUBLISH", "news", "hello")).toBe(10_000);
  const first = subs[0]?.sent[0]?.[0];
  expect(first).toBeInstanceOf(Push);
  expect((first as Push).items).toEqual(["message", "news", "hello"]);
  for (const s of subs) {
    expect(s.sent.length).toBe(1);
    expect(s.sent[0]?.[0]).toBe(first as Push);
  }
  expect(pubsubOf(t.engine).channel.get("news")?.size).toBe(10_000);
});

test("subscription counts, the P flag and cleanup on disconnect", () => {
  const t = createTestEngine();
  const a = t.newClient();
  a.exec("SUBSCRIBE", "x", "y");
  a.exec("PSUBSCRIBE", "x*");
  a.exec("SSUBSCRIBE", "s");
  expect([a.client.sub, a.client.psub, a.client.ssub]).toEqual([2, 1, 1]);
  expect(a.client.extraFlags).toContain("P");
  // Pattern and channel both match: the client counts twice, as in Redis.
  expect(t.exec("PUBLISH", "x", "m")).toBe(2);
  expect(t.exec("SPUBLISH", "s", "m")).toBe(1);
  t.engine.removeClient(a.client);
  expect(t.exec("PUBLISH", "x", "m")).toBe(0);
  expect(t.exec("PUBSUB", "NUMPAT")).toBe(0);
  expect(a.client.extraFlags).not.toContain("P");
});

test("RESET leaves subscribed mode", () => {
  const t = createTestEngine();
  t.exec("SUBSCRIBE", "x");
  expect(t.client.extraFlags).toContain("P");
  t.exec("RESET");
  expect(t.client.sub).toBe(0);
  expect(t.client.extraFlags).not.toContain("P");
  expect(t.exec("PUBLISH", "x", "m")).toBe(0);
});
