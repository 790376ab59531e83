/**
 * Blocking XREAD and XREADGROUP over several raw connections. Each scenario
 * runs against the real redis-server and respd, and the transcripts (every
 * reply, byte for byte, in the order the scenario reads them) must match.
 */
import { expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call, encodeCommand, RawClient } from "./helpers/raw.ts";
import { withDifferential } from "./helpers/suite.ts";

let d: Differential;
withDifferential((started) => {
  d = started;
});

type Scenario = (open: () => Promise<RawClient>, ctl: RawClient, log: (s: string) => void) => Promise<void>;

/** Waits until `n` clients are blocked (CLIENT LIST flags contain b), so arrival order is fixed. */
async function waitBlocked(ctl: RawClient, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const list = await call(ctl, "CLIENT", "LIST");
    const blocked = list.split("\n").filter((l) => / flags=\w*b/.test(l)).length;
    if (blocked === n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} blocked clients, have ${blocked}:\n${list}`);
    await Bun.sleep(5);
  }
}

function send(c: RawClient, ...args: string[]): void {
  c.write(encodeCommand(args));
}

async function same(scenario: Scenario): Promise<string[]> {
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
  expect(results[1]).toEqual(results[0] as string[]);
  return results[0] as string[];
}

test("XREAD BLOCK: waiters on $ are all served by one XADD, in the order they blocked", async () => {
  const log = await same(async (open, ctl, log) => {
    log(await call(ctl, "XADD", "s", "1-0", "f", "v"));
    const waiters = [await open(), await open(), await open()];
    for (const [i, w] of waiters.entries()) {
      send(w, "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
      await waitBlocked(ctl, i + 1);
    }
    log(await call(ctl, "XADD", "s", "2-0", "f", "new"));
    for (const w of waiters) log(await w.readReply());
  });
  expect(log[2]).toBe("*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$3\r\nnew\r\n");
});

test("XREAD BLOCK: a waiter for a later ID does not hold back the ones after it", async () => {
  await same(async (open, ctl, log) => {
    const far = await open();
    const near = await open();
    send(far, "XREAD", "BLOCK", "0", "STREAMS", "s", "100-0");
    await waitBlocked(ctl, 1);
    send(near, "XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "other", "s", "0", "0");
    await waitBlocked(ctl, 2);
    log(await call(ctl, "XADD", "s", "5-0", "a", "1"));
    log(await near.readReply());
    await waitBlocked(ctl, 1);
    log(await call(ctl, "XADD", "s", "101-0", "b", "2"));
    log(await far.readReply());
    // Not a stream, or deleted: a plain XREAD keeps waiting.
    send(far, "XREAD", "BLOCK", "0", "STREAMS", "k", "$");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "SET", "k", "x"));
    log(await call(ctl, "DEL", "k"));
    await waitBlocked(ctl, 1);
    log(await call(ctl, "XADD", "k", "1-0", "c", "3"));
    log(await far.readReply());
  });
});

test("XREAD BLOCK times out with a null array; inside MULTI it does not block", async () => {
  await same(async (open, _ctl, log) => {
    const c = await open();
    const t0 = Date.now();
    log(await call(c, "XREAD", "BLOCK", "50", "STREAMS", "s", "$"));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
    log(await call(c, "XREAD", "BLOCK", "-1", "STREAMS", "s", "$"));
    log(await call(c, "XREAD", "BLOCK", "abc", "STREAMS", "s", "$"));
    log(await call(c, "MULTI"));
    log(await call(c, "XREAD", "BLOCK", "0", "STREAMS", "s", "$"));
    log(await call(c, "EXEC"));
    log(await call(c, "HELLO", "3").then((r) => r.slice(0, 1)));
    log(await call(c, "XREAD", "BLOCK", "10", "STREAMS", "s", "$"));
    log(await call(c, "XADD", "s", "1-0", "f", "v"));
    log(await call(c, "XREAD", "STREAMS", "s", "0"));
  });
});

test("XREADGROUP BLOCK: consumers share new entries; history is served at once", async () => {
  await same(async (open, ctl, log) => {
    log(await call(ctl, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"));
    const a = await open();
    const b = await open();
    send(a, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
    await waitBlocked(ctl, 1);
    send(b, "XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">");
    await waitBlocked(ctl, 2);
    log(await call(ctl, "XADD", "s", "1-0", "f", "1"));
    log(await a.readReply());
    await waitBlocked(ctl, 1);
    log(await call(ctl, "XADD", "s", "2-0", "f", "2"));
    log(await b.readReply());
    log(await call(a, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", "0"));
    log(await call(ctl, "XPENDING", "s", "g"));
    // NOACK: delivered, not pending.
    send(a, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "NOACK", "STREAMS", "s", ">");
    await waitBlocked(ctl, 1);
    log(await call(ctl, "XADD", "s", "3-0", "f", "3"));
    log(await a.readReply());
    log(await call(ctl, "XPENDING", "s", "g"));
    log(await call(ctl, "XINFO", "GROUPS", "s"));
  });
});

test("a waiting XREADGROUP learns that its group or its key went away", async () => {
  await same(async (open, ctl, log) => {
    const w = await open();
    const reader = await open();
    const wait = async () => {
      log(await call(ctl, "DEL", "s"));
      log(await call(ctl, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"));
      send(w, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
      send(reader, "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
      await waitBlocked(ctl, 2);
    };
    await wait();
    log(await call(ctl, "XGROUP", "DESTROY", "s", "g"));
    log(await w.readReply());
    log(await call(ctl, "XADD", "s", "1-0", "f", "v"));
    log(await reader.readReply());
    await wait();
    log(await call(ctl, "DEL", "s"));
    log(await w.readReply());
    log(await call(ctl, "XADD", "s", "1-0", "f", "v"));
    log(await reader.readReply());
    await wait();
    log(await call(ctl, "SET", "s", "string"));
    log(await w.readReply());
    log(await call(ctl, "DEL", "s"));
    log(await call(ctl, "XADD", "s", "1-0", "f", "v"));
    log(await reader.readReply());
    await wait();
    log(await call(ctl, "FLUSHALL"));
    log(await w.readReply());
    log(await call(ctl, "XADD", "s", "1-0", "f", "v"));
    log(await reader.readReply());
    log(
      await call(ctl, "INFO", "errorstats").then((s) =>
        s
          .split("\r\n")
          .filter((l) => l.startsWith("errorstat_"))
          .join(","),
      ),
    );
  });
});

test("keyspace notifications of the stream commands", async () => {
  await same(async (open, ctl, log) => {
    log(await call(ctl, "CONFIG", "SET", "notify-keyspace-events", "KEA"));
    const sub = await open();
    log(await call(sub, "PSUBSCRIBE", "__keyevent@0__:*"));
    const commands: string[][] = [
      ["XADD", "s", "1-0", "f", "v"],
      ["XADD", "s", "MAXLEN", "1", "2-0", "f", "v"],
      ["XDEL", "s", "2-0"],
      ["XADD", "s", "3-0", "f", "v"],
      ["XTRIM", "s", "MAXLEN", "0"],
      ["XSETID", "s", "5-0"],
      ["XGROUP", "CREATE", "s", "g", "0"],
      ["XGROUP", "CREATE", "m", "g", "$", "MKSTREAM"],
      ["XGROUP", "CREATECONSUMER", "s", "g", "c"],
      ["XGROUP", "SETID", "s", "g", "0"],
      ["XADD", "s", "6-0", "f", "v"],
      ["XREADGROUP", "GROUP", "g", "d", "STREAMS", "s", ">"],
      ["XCLAIM", "s", "g", "e", "0", "6-0"],
      ["XAUTOCLAIM", "s", "g", "f", "0", "0"],
      ["XGROUP", "DELCONSUMER", "s", "g", "c"],
      ["XGROUP", "DESTROY", "s", "g"],
      ["DEL", "s"],
    ];
    for (const c of commands) log(await call(ctl, ...c));
    log(await call(ctl, "CONFIG", "SET", "notify-keyspace-events", ""));
    // Every event published, in order (the pattern subscriber sees each once).
    let events = "";
    while (!events.includes("__keyevent@0__:del")) events += (await sub.readReply()).replace(/\r\n/g, " ");
    log(events);
  });
});
