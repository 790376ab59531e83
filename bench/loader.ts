/**
 * Loads exactly `count` keys (`key:%012d` -> a 16-byte value) with pipelined
 * SETs over one raw socket. redis-benchmark's `-r` picks random keys, so it
 * cannot produce an exact key count; this can.
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
export async function rawCommand(port: number, line: string): Promise<string> {
  const sock = await open(port);
  try {
    sock.write(`${line}\r\n`);
    const got = await readExactly(sock, (b) => {
      const eol = b.indexOf("\r\n");
      if (eol < 0) return 0;
      const len = b[0] === 0x24 ? Number(b.subarray(1, eol).toString("latin1")) : -1;
      return len >= 0 ? eol + 2 + len + 2 : eol + 2;
    });
    return got.toString("latin1");
  } finally {
    sock.destroy();
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect({ port, host: "127.0.0.1" }, () => res(s));
    s.once("error", rej);
  });
}

/**
 * Resolves once `need(buffer)` bytes have arrived (`need` returns 0 for "not
 * known yet"). Bounded by a 60 s timeout.
 */
function readExactly(sock: Socket, need: (b: Buffer) => number): Promise<Buffer> {
  return new Promise((res, rej) => {
    let buf: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error("timeout waiting for replies")), 60_000);
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

/** Loads the keys in batches of 10,000 pipelined SETs; every reply must be +OK. */
export async function loadKeys(port: number, count: number): Promise<void> {
  const sock = await open(port);
  try {
    for (let from = 0; from < count; from += BATCH) {
      const to = Math.min(count, from + BATCH);
      sock.write(setCommands(from, to));
      const expected = (to - from) * OK.length;
      const got = await readExactly(sock, () => expected);
      if (got.length !== expected || got.toString("latin1") !== OK.repeat(to - from)) {
        throw new Error(`unexpected reply while loading keys ${from}..${to}: ${JSON.stringify(got.subarray(0, 80).toString("latin1"))}`);
      }
    }
  } finally {
    sock.destroy();
  }
}
