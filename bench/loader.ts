/**
 * Loads exact data sets with pipelined commands over one raw socket:
 * `count` keys (`key:%012d` -> a 16-byte value), or `count` members in one
 * sorted set. redis-benchmark's `-r` picks random keys, so it cannot produce
 * an exact count; this can.
 */
import { connect, type Socket } from "node:net";

const BATCH = 10_000;
const OK = "+OK\r\n";

/** `SET key:<i> val:<i>` for i in [from, to), as one RESP buffer. Keys and values are both 16 bytes. */
export function setCommands(from: number, to: number): Buffer {
  let s = "";
  for (let i = from; i < to; i++) {
    const n = String(i).padStart(12, "0");
    s += `*3\r\n$3\r\nSET\r\n$16\r\nkey:${n}\r\n$16\r\nval:${n}\r\n`;
  }
  return Buffer.from(s, "latin1");
}

/** Sends one inline command and returns its raw reply (a single-line reply or one bulk string). */
export async function rawCommand(port: number, line: string, timeoutMs = 60_000): Promise<string> {
  const sock = await open(port);
  try {
    sock.write(`${line}\r\n`);
    const got = await readExactly(
      sock,
      (b) => {
        const eol = b.indexOf("\r\n");
        if (eol < 0) return 0;
        const len = b[0] === 0x24 ? Number(b.subarray(1, eol).toString("latin1")) : -1;
        return len >= 0 ? eol + 2 + len + 2 : eol + 2;
      },
      timeoutMs,
    );
    return got.toString("latin1");
  } finally {
    sock.destroy();
  }
}

export function open(port: number): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect({ port, host: "127.0.0.1" }, () => res(s));
    s.once("error", rej);
  });
}

/**
 * Resolves once `need(buffer)` bytes have arrived (`need` returns 0 for "not
 * known yet"). Bounded by a timeout (60 s unless told).
 */
export function readExactly(sock: Socket, need: (b: Buffer) => number, timeoutMs = 60_000): Promise<Buffer> {
  return new Promise((res, rej) => {
    let buf: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error("timeout waiting for replies")), timeoutMs);
    const onData = (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      const n = need(buf);
      if (n > 0 && buf.length >= n) finish(null);
    };
    const onClose = () => finish(new Error("connection closed"));
    function finish(err: Error | null) {
      clearTimeout(timer);
      sock.off("data", onData);
      sock.off("close", onClose);
      if (err) rej(err);
      else res(buf);
    }
    sock.on("data", onData);
    sock.on("close", onClose);
  });
}

/**
 * Sends `count` commands in batches of 10,000 (`build(from, to)` makes one
 * batch) and checks that the replies are exactly `reply` for each command
 * (or, as a function, `reply(from, to)` for the whole batch). Gives up once
 * `budgetMs` have passed (checked between batches).
 */
export async function pipelineLoad(
  port: number,
  count: number,
  build: (from: number, to: number) => Buffer,
  reply: string | ((from: number, to: number) => string),
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<void> {
  const sock = await open(port);
  const deadline = performance.now() + budgetMs;
  try {
    for (let from = 0; from < count; from += BATCH) {
      if (performance.now() > deadline) throw new Error(`only ${from} of ${count} loaded after ${budgetMs / 1000} s`);
      const to = Math.min(count, from + BATCH);
      sock.write(build(from, to));
      const want = typeof reply === "string" ? reply.repeat(to - from) : reply(from, to);
      const got = await readExactly(sock, () => want.length);
      if (got.length !== want.length || got.toString("latin1") !== want) {
        throw new Error(`unexpected reply while loading ${from}..${to}: ${JSON.stringify(got.subarray(0, 80).toString("latin1"))}`);
      }
    }
  } finally {
    sock.destroy();
  }
}

/** Loads the keys in batches of 10,000 pipelined SETs; every reply must be +OK. */
export function loadKeys(port: number, count: number): Promise<void> {
  return pipelineLoad(port, count, setCommands, OK);
}

/**
 * Score of member i: a permutation of 0..members-1 whenever `members` is
 * coprime with 618,033 (any power of ten is), so inserts land all over the
 * set rather than always at its end.
 */
export function zsetScore(i: number, members: number): number {
  return (i * 618_033) % members;
}

/** `ZADD <key> <score> member:%012d` for i in [from, to), as one RESP buffer. */
export function zaddCommands(key: string, members: number, from: number, to: number): Buffer {
  let s = "";
  const head = `*4\r\n$4\r\nZADD\r\n$${key.length}\r\n${key}\r\n`;
  for (let i = from; i < to; i++) {
    const score = String(zsetScore(i, members));
    s += `${head}$${score.length}\r\n${score}\r\n$19\r\nmember:${String(i).padStart(12, "0")}\r\n`;
  }
  return Buffer.from(s, "latin1");
}

/** Loads `members` members into the sorted set `key` with one ZADD each; every reply must be :1. */
export function loadZset(port: number, key: string, members: number, budgetMs?: number): Promise<void> {
  return pipelineLoad(port, members, (from, to) => zaddCommands(key, members, from, to), ":1\r\n", budgetMs);
}
