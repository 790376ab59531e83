/**
 * Blocking list commands over several raw connections. Each scenario runs
 * against the real redis-server and respd and their transcripts (every
 * reply, byte for byte, in the order the scenario reads them) must match;
 * timing checks are on respd alone.
 */
import { expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call, encodeCommand, RawClient } from "./helpers/raw.ts";
import { withDifferential } from "./helpers/suite.ts";

let d: Differential;
withDifferential((started) => {
  d = started;
});

/** A scenario gets a connection factory and a control connection, and logs what it observes. */
type Scenario = (open: () => Promise<RawClient>, ctl: RawClient, log: (s: string) => void) => Promise<void>;

/** Waits until `n` clients are blocked (CLIENT LIST flags contain b), so arrival order is fixed. */
async function waitBlocked(ctl: RawClient, n: number): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const list = await call(ctl, "CLIENT", "LIST");
    const blocked = list.split("\n").filter((l) => / flags=\w*b/.test(l)).length;
    if (blocked === n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} blocked clients, have ${blocked}:\n${list}`);
    await Bun.sleep(5);
  }
}

/** Sends a command without waiting for its reply (it is expected to block). */
function send(c: RawClient, ...args: string[]): void {
  c.write(encodeCommand(args));
}

async function onBoth(scenario: Scenario): Promise<[string[], string[]]> {
  const results: string[][] = [];
  for (const port of [d.redis.port, d.respd.port]) {
    const opened: RawClient[] = [];
    const open = async () => {
      const c = await RawClient.connect(port);
      opened.push(c);
      return c;
    };
    const ctl = await open();
    await call(ctl, "FLUSHALL");
    const log: string[] = [];
    await scenario(open, ctl, (s) => log.push(s));
    for (const c of opened) c.close();
    results.push(log);
  }
  return results as [string[], string[]];
}

async function same(scenario: Scenario): Promise<string[]> {
  const [redis, respd] = await onBoth(scenario);
  expect(respd).toEqual(redis);
  if (process.env.SHOW) console.log(JSON.stringify(redis));
  return redis;
}

test("clients blocked on one key are served oldest first", async () => {
  const log = await same(async (open, ctl, log) => {
    const waiters = [await open(), await open(), await open()];
    for (const [i, w] of waiters.entries()) {
      send(w, "BLPOP", "k", "0");
      await waitBlocked(ctl, i + 1);
    }
    log(await call(ctl, "RPUSH", "k", "a", "b"));
    log(await (waiters[0] as RawClient).readReply());
    log(await (waiters[1] as RawClient).readReply());
    await waitBlocked(ctl, 1);
    log(await call(ctl, "RPUSH", "k", "c", "d"));
    log(await (waiters[2] as RawClient).readReply());
    log(await call(ctl, "LRANGE", "k", "0", "-1"));
  });
  expect(log).toContain("*2\r\n$1\r\nk\r\n$1\r\na\r\n");
});

test("the pusher's next command already sees the list the waiter popped", async () => {
  await same(async (open, ctl, log) => {
    const w = await open();
    send(w, "BLPOP", "k", "0");
    await waitBlocked(ctl, 1);
    // One batch: LLEN runs right after LPUSH, and the waiter was served in between.
    ctl.write(Buffer.concat([encodeCommand(["LPUSH", "k", "x"]), encodeCommand(["LLEN", "k"]), encodeCommand(["EXISTS", "k"])]));
    for (let i = 0; i < 3; i++) log(await ctl.readReply());
    log(await w.readReply());
    // A push of several items to a waited key: the waiter takes one, the rest stays.
    send(w, "BRPOP", "k", "0");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "RPUSH", "k", "1", "2", "3"));
    log(await w.readReply());
    log(await call(ctl, "LRANGE", "k", "0", "-1"));
  });
});

test("a client blocked on several keys is woken by whichever key gets data", async () => {
  await same(async (open, ctl, log) => {
    const w = await open();
    send(w, "BLPOP", "a", "b", "c", "0");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "RPUSH", "b", "x"));
    log(await w.readReply());
    send(w, "BRPOP", "a", "b", "c", "0");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "RPUSH", "c", "1", "2"));
    log(await w.readReply());
    log(await call(ctl, "LRANGE", "c", "0", "-1"));
    // Not a list: the waiter keeps waiting (Redis serves lists only).
    send(w, "BLPOP", "s", "0");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "SET", "s", "str"));
    await waitBlocked(ctl, 1);
    log(await call(ctl, "DEL", "s"));
    log(await call(ctl, "RPUSH", "s", "now"));
    log(await w.readReply());
  });
});

test("timeouts: 0.1 s waits about 100 ms (not 0, not forever) and replies a null array", async () => {
  await same(async (open, _ctl, log) => {
    const c = await open();
    log(await call(c, "BLPOP", "k", "0.05"));
    log(await call(c, "BRPOP", "k", "j", "0.05"));
    log(await call(c, "BLMOVE", "k", "d", "LEFT", "LEFT", "0.05"));
    log(await call(c, "BRPOPLPUSH", "k", "d", "0.05"));
    log(await call(c, "BLMPOP", "0.05", "1", "k", "LEFT"));
    log(await call(c, "HELLO", "3").then((r) => r.slice(0, 1)));
    log(await call(c, "BLPOP", "k", "0.05"));
    log(await call(c, "BLMOVE", "k", "d", "LEFT", "LEFT", "0.05"));
    log(await call(c, "BRPOPLPUSH", "k", "d", "0.05"));
    log(await call(c, "BLMPOP", "0.05", "1", "k", "LEFT", "COUNT", "2"));
  });
  const c = await RawClient.connect(d.respd.port);
  let t0 = performance.now();
  expect(await call(c, "BLPOP", "k", "0.1")).toBe("*-1\r\n");
  const elapsed = performance.now() - t0;
  expect(elapsed).toBeGreaterThanOrEqual(95);
  // Not forever; generous for a loaded machine.
  expect(elapsed).toBeLessThan(2000);
  // 0.0001 s rounds up to 1 ms, as in Redis: returns at once instead of blocking forever.
  t0 = performance.now();
  expect(await call(c, "BLPOP", "k", "0.0001")).toBe("*-1\r\n");
  expect(performance.now() - t0).toBeLessThan(2000);
  c.close();
});

test("BLMOVE and BRPOPLPUSH move atomically and wake a client blocked on the destination", async () => {
  await same(async (open, ctl, log) => {
    const mover = await open();
    const popper = await open();
    const mover2 = await open();
    send(mover, "BLMOVE", "src", "mid", "LEFT", "RIGHT", "0");
    await waitBlocked(ctl, 1);
    send(mover2, "BRPOPLPUSH", "mid", "dst", "0");
    await waitBlocked(ctl, 2);
    send(popper, "BLPOP", "dst", "0");
    await waitBlocked(ctl, 3);
    log(await call(ctl, "RPUSH", "src", "x", "y"));
    log(await mover.readReply());
    log(await mover2.readReply());
    log(await popper.readReply());
    for (const k of ["src", "mid", "dst"]) log(await call(ctl, "LRANGE", k, "0", "-1"));
    // A destination of the wrong type fails the waiter with WRONGTYPE and leaves the source alone.
    log(await call(ctl, "SET", "str", "v"));
    send(mover, "BLMOVE", "q", "str", "RIGHT", "LEFT", "0");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "RPUSH", "q", "1"));
    log(await mover.readReply());
    log(await call(ctl, "LRANGE", "q", "0", "-1"));
    // Rotation of a list onto itself while blocked.
    send(mover, "BLMOVE", "r", "r", "LEFT", "RIGHT", "0");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "RPUSH", "r", "a", "b"));
    log(await mover.readReply());
    log(await call(ctl, "LRANGE", "r", "0", "-1"));
  });
});

test("BLMPOP served later pops up to COUNT from the woken key", async () => {
  await same(async (open, ctl, log) => {
    const w = await open();
    send(w, "BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "RPUSH", "b", "1", "2", "3"));
    log(await w.readReply());
    send(w, "BLMPOP", "0", "1", "a", "LEFT", "COUNT", "5");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "RPUSH", "a", "x"));
    log(await w.readReply());
    log(await call(ctl, "EXISTS", "a", "b"));
  });
});

test("CLIENT UNBLOCK with TIMEOUT and ERROR, and on clients that are not blocked", async () => {
  await same(async (open, ctl, log) => {
    const w = await open();
    const id = (await call(w, "CLIENT", "ID")).slice(1, -2);
    log(await call(ctl, "CLIENT", "UNBLOCK", id));
    send(w, "BLPOP", "k", "0");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "CLIENT", "UNBLOCK", id));
    log(await w.readReply());
    send(w, "BLMOVE", "k", "d", "LEFT", "LEFT", "0");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "CLIENT", "UNBLOCK", id, "timeout"));
    log(await w.readReply());
    send(w, "BRPOP", "k", "0");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "CLIENT", "UNBLOCK", id, "ERROR"));
    log(await w.readReply());
    // The unblocked client carries on normally, and a later push is not consumed by it.
    log(await call(w, "PING"));
    log(await call(ctl, "RPUSH", "k", "v"));
    log(await call(ctl, "LLEN", "k"));
    log(await call(ctl, "CLIENT", "UNBLOCK", id, "bogus"));
    log(await call(ctl, "CLIENT", "UNBLOCK", "x"));
    log(await call(ctl, "CLIENT", "UNBLOCK", "999999"));
    log(await call(ctl, "CLIENT", "UNBLOCK", id, "ERROR", "extra"));
    log(await call(ctl, "CLIENT", "UNBLOCK"));
  });
});

test("a blocked client that disconnects leaves nothing behind", async () => {
  await same(async (open, ctl, log) => {
    const w = await open();
    const id = (await call(w, "CLIENT", "ID")).slice(1, -2);
    send(w, "BLPOP", "k", "0");
    await waitBlocked(ctl, 1);
    w.close();
    const deadline = Date.now() + 3000;
    while ((await call(ctl, "CLIENT", "LIST")).includes(`id=${id} `)) {
      if (Date.now() > deadline) throw new Error("client still listed");
      await Bun.sleep(5);
    }
    log("gone");
    log(await call(ctl, "RPUSH", "k", "v"));
    log(await call(ctl, "LRANGE", "k", "0", "-1"));
  });
});

test("commands pipelined after a blocking command run once it is served", async () => {
  await same(async (open, ctl, log) => {
    const w = await open();
    w.write(Buffer.concat([encodeCommand(["BLPOP", "k", "0"]), encodeCommand(["PING"]), encodeCommand(["LLEN", "k"])]));
    await waitBlocked(ctl, 1);
    log(JSON.stringify(w.pending()));
    log(await call(ctl, "RPUSH", "k", "a", "b"));
    for (let i = 0; i < 3; i++) log(await w.readReply());
  });
});
