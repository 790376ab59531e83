import { expect, test } from "bun:test";
import type { Client, Transport } from "../engine/client.ts";
import type { Engine } from "../engine/engine.ts";
import { createTestEngine } from "../engine/testing.ts";
import { latin1 } from "../resp/bytes.ts";
import { type Outgoing, RespEncoder, SharedPush } from "../resp/encoder.ts";
import { MapReply, Push, SwitchProtocol } from "../resp/reply.ts";
import { pubsubOf } from "./registry.ts";

/** A subscriber whose connection queues pushes like the server's (writeSoon) and whose backlog a test sets. */
function subscriber(engine: Engine) {
  const got: Outgoing[] = [];
  const state = { pending: 0, killed: false };
  const transport: Transport = {
    write: (b) => got.push(...b),
    // Copies, as the contract asks: the caller may reuse the array.
    writeSoon: (b) => got.push(...b),
    backpressure: undefined,
    get pendingBytes() {
      return state.pending;
    },
    closeAfterFlush: () => {},
    destroy: () => {
      state.killed = true;
    },
  };
  const client = engine.createClient("127.0.0.1:1", "127.0.0.1:6379", transport) as Client;
  const exec = (...argv: string[]) => {
    const r = engine.execute(client, argv);
    client.afterCommand();
    return r;
  };
  return { client, got, state, exec };
}

const encode = (protocol: 2 | 3, r: Outgoing) => {
  const e = new RespEncoder();
  e.protocol = protocol;
  return latin1(e.encodeBatch([r]));
};

test("a shared push encodes exactly like a plain one, once per protocol", () => {
  const items = ["message", "ch", "\x00\xff bytes"];
  const shared = new SharedPush(items);
  for (const p of [2, 3] as const) expect(encode(p, shared)).toBe(encode(p, new Push(items)));
  expect(encode(3, shared).startsWith(">3\r\n")).toBe(true);
  // Cached: every receiver copies the same bytes.
  expect(shared.encoded(2)).toBe(shared.encoded(2));
  expect(shared.encoded(3)).not.toBe(shared.encoded(2));
});

test("a shared push takes the protocol its connection has when it is written (HELLO switches in-band)", () => {
  const shared = new SharedPush(["message", "c", "m"]);
  const e = new RespEncoder();
  const out = latin1(e.encodeBatch([shared, new SwitchProtocol(3, new MapReply([]), true), shared]));
  expect(out).toBe("*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
});

test("RESP2 and RESP3 subscribers and pattern subscribers share one message each; lone receivers get a plain push", () => {
  const t = createTestEngine();
  const subs = [subscriber(t.engine), subscriber(t.engine), subscriber(t.engine)];
  (subs[1] as ReturnType<typeof subscriber>).client.protocol = 3;
  for (const s of subs) s.exec("SUBSCRIBE", "news");
  for (const s of subs) s.exec("PSUBSCRIBE", "n*");
  const lone = subscriber(t.engine);
  lone.exec("PSUBSCRIBE", "ne*");
  for (const s of [...subs, lone]) s.got.length = 0;
  expect(t.exec("PUBLISH", "news", "hi")).toBe(7);
  const [direct, pattern] = (subs[0] as ReturnType<typeof subscriber>).got as [Push, Push];
  expect(direct).toBeInstanceOf(SharedPush);
  expect(direct.items).toEqual(["message", "news", "hi"]);
  expect(pattern).toBeInstanceOf(SharedPush);
  expect(pattern.items).toEqual(["pmessage", "n*", "news", "hi"]);
  for (const s of subs) expect(s.got).toEqual([direct, pattern]);
  for (const s of subs) expect(s.got[0]).toBe(direct);
  expect(lone.got.length).toBe(1);
  expect(lone.got[0]).not.toBeInstanceOf(SharedPush);
  expect((lone.got[0] as Push).items).toEqual(["pmessage", "ne*", "news", "hi"]);
});

test("a message to a subscriber in the middle of its own batch lands among its replies", () => {
  const t = createTestEngine();
  const a = subscriber(t.engine);
  const b = subscriber(t.engine);
  a.exec("SUBSCRIBE", "c");
  b.exec("SUBSCRIBE", "c");
  a.got.length = 0;
  const outbox: Outgoing[] = ["earlier reply"];
  a.client.outbox = outbox;
  expect(t.exec("PUBLISH", "c", "m")).toBe(2);
  a.client.outbox = null;
  expect(a.got).toEqual([]);
  expect(outbox.length).toBe(2);
  expect((outbox[1] as Push).items).toEqual(["message", "c", "m"]);
});

test("a subscriber over its output limit is closed and no longer counted; others keep receiving", async () => {
  const t = createTestEngine((c) => c.set("client-output-buffer-limit", "pubsub 1000 0 0"));
  const ok = subscriber(t.engine);
  const slow = subscriber(t.engine);
  ok.exec("SUBSCRIBE", "c");
  slow.exec("SUBSCRIBE", "c");
  slow.state.pending = 5000;
  // Delivered to both (Redis counts it too), then the slow one is closed.
  expect(t.exec("PUBLISH", "c", "m1")).toBe(2);
  expect(slow.state.killed).toBe(true);
  expect(slow.client.closing).toBe(true);
  expect(t.exec("PUBLISH", "c", "m2")).toBe(1);
  expect(ok.got.filter((m) => m instanceof Push && m.items[0] === "message").length).toBe(2);
  expect(pubsubOf(t.engine).channel.get("c")?.size).toBe(1);
  // A backlog that builds up later is caught by the next turn's delivery.
  ok.state.pending = 5000;
  await new Promise((r) => setTimeout(r, 0));
  expect(t.exec("PUBLISH", "c", "m3")).toBe(1);
  expect(ok.state.killed).toBe(true);
  expect(t.exec("PUBLISH", "c", "m4")).toBe(0);
});

test("normal clients pushed to (tracking redirects) are held to the normal class's limit", () => {
  const t = createTestEngine((c) => c.set("client-output-buffer-limit", "normal 1000 0 0 pubsub 0 0 0"));
  const sub = subscriber(t.engine);
  sub.exec("SUBSCRIBE", "c");
  sub.state.pending = 5000;
  expect(t.exec("PUBLISH", "c", "m")).toBe(1);
  expect(sub.state.killed).toBe(false);
  const plain = subscriber(t.engine);
  plain.state.pending = 5000;
  pubsubOf(t.engine).deliver(plain.client, new Push(["invalidate", ["k"]]));
  expect(plain.state.killed).toBe(true);
});
