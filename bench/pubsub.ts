/**
 * Pub/sub fan-out (issue 6): N subscriber sockets on one channel, one
 * publisher sending M pipelined PUBLISHes of a fixed-size payload; the run
 * ends when every subscriber has received every message. Every delivery has
 * the same size, so subscribers count bytes instead of parsing; the
 * publisher's replies (`:N`, the number of receivers) show the server counted
 * all of them. Figures: deliveries/s (N×M ÷ wall clock) and server CPU per
 * delivery.
 */
import { connect, type Socket } from "node:net";
import { open } from "./loader.ts";
import { type BenchServer, cpuTimes } from "./procs.ts";

const CHANNEL = "bench:fanout";
/** 32 bytes: a typical small notification. */
const PAYLOAD = "m".padEnd(32, "x");
const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const CONFIRM = `*3\r\n${bulk("subscribe")}${bulk(CHANNEL)}:1\r\n`;
const FRAME = `*3\r\n${bulk("message")}${bulk(CHANNEL)}${bulk(PAYLOAD)}`;
const PUBLISH = `*3\r\n${bulk("PUBLISH")}${bulk(CHANNEL)}${bulk(PAYLOAD)}`;
const SUBSCRIBE = Buffer.from(`*2\r\n${bulk("SUBSCRIBE")}${bulk(CHANNEL)}`, "latin1");

/** PUBLISHes per write. */
const BATCH = 500;
/** Publishes may run at most this far ahead of the average subscriber, so no output buffer nears Redis's pubsub limits. */
const AHEAD = 4 * BATCH;
/** Concurrent connection attempts while subscribing (below the default listen backlog of 511). */
const CONNECT_WAVE = 200;

export interface FanoutResult {
  server: string;
  subscribers: number;
  messages: number;
  seconds: number;
  cpuSeconds: number;
  /** The kernel's part of cpuSeconds. */
  systemSeconds: number;
  error?: string;
}

interface Subscriber {
  sock: Socket;
  got: number;
}

function subscribe(port: number, onMessages: (bytes: number, sub: Subscriber) => void): Promise<Subscriber> {
  return new Promise((res, rej) => {
    const sock = connect({ port, host: "127.0.0.1" });
    const sub: Subscriber = { sock, got: 0 };
    let head = "";
    const fail = (why: string) => {
      sock.destroy();
      rej(new Error(why));
    };
    sock.once("error", (e) => fail(e.message));
    sock.on("data", (d: Buffer) => {
      if (head.length < CONFIRM.length) {
        const take = Math.min(d.length, CONFIRM.length - head.length);
        head += d.toString("latin1", 0, take);
        if (!CONFIRM.startsWith(head)) return fail(`unexpected reply to SUBSCRIBE: ${JSON.stringify(head)}`);
        if (head.length === CONFIRM.length) res(sub);
        if (take < d.length) onMessages(d.length - take, sub);
        return;
      }
      onMessages(d.length, sub);
    });
    sock.write(SUBSCRIBE);
  });
}

/** Opens `n` subscribers in waves; rejects (after closing those opened) when any fails, e.g. at maxclients. */
async function subscribeAll(port: number, n: number, onMessages: (bytes: number, sub: Subscriber) => void): Promise<Subscriber[]> {
  const subs: Subscriber[] = [];
  try {
    for (let i = 0; i < n; i += CONNECT_WAVE) {
      const wave = Array.from({ length: Math.min(CONNECT_WAVE, n - i) }, () => subscribe(port, onMessages));
      const settled = await Promise.allSettled(wave);
      for (const s of settled) if (s.status === "fulfilled") subs.push(s.value);
      const failed = settled.find((s) => s.status === "rejected");
      if (failed) throw new Error(`subscriber ${subs.length + 1} of ${n}: ${(failed as PromiseRejectedResult).reason.message}`);
    }
  } catch (e) {
    for (const s of subs) s.sock.destroy();
    throw e;
  }
  return subs;
}

/**
 * One measured fan-out: `subscribers` sockets, `messages` PUBLISHes, bounded
 * by `timeoutMs` (a timeout is reported as an error with the time it took).
 */
export async function fanout(server: BenchServer, subscribers: number, messages: number, timeoutMs: number): Promise<FanoutResult> {
  const result = { server: server.name, subscribers, messages, seconds: Number.NaN, cpuSeconds: Number.NaN, systemSeconds: Number.NaN };
  const perSubscriber = messages * FRAME.length;
  let delivered = 0; // message bytes over all subscribers
  let complete = 0;
  let overflow = "";
  let pump = () => {};
  const onMessages = (bytes: number, sub: Subscriber) => {
    sub.got += bytes;
    delivered += bytes;
    if (sub.got === perSubscriber) complete++;
    else if (sub.got > perSubscriber) overflow = `a subscriber got ${sub.got - perSubscriber} bytes more than expected`;
    pump();
  };
  let subs: Subscriber[];
  try {
    subs = await subscribeAll(server.port, subscribers, onMessages);
  } catch (e) {
    return { ...result, error: e instanceof Error ? e.message : String(e) };
  }
  const publisher = await open(server.port);
  const reply = `:${subscribers}\r\n`;
  try {
    return await new Promise<FanoutResult>((res) => {
      let sent = 0;
      let replyBytes = 0;
      let badReply = "";
      const t0 = performance.now();
      const cpu0 = cpuTimes(server.pid);
      const finish = (error?: string) => {
        clearTimeout(timer);
        pump = () => {};
        const seconds = (performance.now() - t0) / 1000;
        const cpu = cpuTimes(server.pid);
        const systemSeconds = cpu.system - cpu0.system;
        const out = { ...result, seconds, cpuSeconds: cpu.user - cpu0.user + systemSeconds, systemSeconds };
        res(error ? { ...out, error } : out);
      };
      const timer = setTimeout(() => {
        const pct = ((100 * delivered) / (perSubscriber * subscribers)).toFixed(1);
        finish(`timeout after ${timeoutMs / 1000} s (${pct}% delivered)`);
      }, timeoutMs);
      publisher.on("data", (d: Buffer) => {
        // Every reply is the same `:N\r\n`, but a read may start in the middle of one.
        for (let i = 0; i < d.length && badReply === ""; i++) {
          if (d[i] !== reply.charCodeAt((replyBytes + i) % reply.length)) badReply = d.toString("latin1", i, i + 80);
        }
        replyBytes += d.length;
        pump();
      });
      publisher.once("close", () => finish("publisher connection closed"));
      const batch = Buffer.from(PUBLISH.repeat(BATCH), "latin1");
      pump = () => {
        if (overflow || badReply) return finish(overflow || `unexpected PUBLISH reply ${JSON.stringify(badReply)}`);
        const replied = replyBytes / reply.length;
        if (replied === messages && complete === subscribers) return finish();
        const average = delivered / FRAME.length / subscribers;
        // Keep at most two batches unanswered and stay within AHEAD of the average subscriber.
        while (sent < messages && replied >= sent - BATCH && average >= sent - AHEAD) {
          const n = Math.min(BATCH, messages - sent);
          publisher.write(n === BATCH ? batch : PUBLISH.repeat(n), "latin1");
          sent += n;
        }
      };
      pump();
    });
  } finally {
    publisher.destroy();
    for (const s of subs) s.sock.destroy();
    // Let the server notice the closed sockets before the next run starts its clock.
    await new Promise((r) => setTimeout(r, Math.min(2000, 100 + subscribers / 10)));
  }
}
