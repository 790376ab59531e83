/** A raw TCP client: send exact bytes, read exact reply bytes. */
import { connect, type Socket } from "node:net";

export class RawClient {
  #socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  #closed = false;
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#wake();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on("error", () => {});
  }

  static connect(port: number, host = "127.0.0.1"): Promise<RawClient> {
    return new Promise((res, rej) => {
      const s = connect({ port, host }, () => res(new RawClient(s)));
      s.once("error", rej);
    });
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(data: string | Uint8Array): void {
    this.#socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  /** Waits until at least `n` bytes arrived (or the peer closed, or timeout); returns and consumes them. */
  async readBytes(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buf.length < n && !this.#closed && Date.now() < deadline) {
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
    const out = this.#buf.subarray(0, Math.min(n, this.#buf.length));
    this.#buf = this.#buf.subarray(out.length);
    return out;
  }

  /** Reads exactly one complete RESP reply (any type, RESP2 or RESP3) and returns its raw text. */
  async readReply(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = replyEnd(this.#buf, 0);
      if (end > 0) {
        const out = this.#buf.subarray(0, end).toString("latin1");
        this.#buf = this.#buf.subarray(end);
        return out;
      }
      if (this.#closed) throw new Error(`connection closed; pending ${JSON.stringify(this.#buf.toString("latin1"))}`);
      if (Date.now() > deadline) throw new Error(`timeout waiting for reply; pending ${JSON.stringify(this.#buf.toString("latin1"))}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
  }

  /** Waits for the server to close the connection; true if it did within the timeout. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.#closed;
  }

  /** Everything received and not consumed yet. */
  pending(): string {
    return this.#buf.toString("latin1");
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** Encodes a command as a RESP multibulk, byte-exact (strings are latin1). */
export function encodeCommand(args: (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === "string" ? Buffer.from(a, "latin1") : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Index just past one complete RESP value starting at `at`, or -1 if incomplete. */
export function replyEnd(buf: Buffer, at: number): number {
  if (at >= buf.length) return -1;
  const nl = buf.indexOf("\r\n", at);
  if (nl === -1) return -1;
  const type = String.fromCharCode(buf[at] as number);
  const line = buf.subarray(at + 1, nl).toString("latin1");
  const next = nl + 2;
  switch (type) {
    case "+":
    case "-":
    case ":":
    case "_":
    case ",":
    case "#":
    case "(":
      return next;
    case "$":
    case "=":
    case "!": {
      const n = Number(line);
      if (n < 0) return next;
      return buf.length >= next + n + 2 ? next + n + 2 : -1;
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      let n = Number(line);
      if (n < 0) return next;
      if (type === "%" || type === "|") n *= 2;
      let p = next;
      for (let i = 0; i < n; i++) {
        p = replyEnd(buf, p);
        if (p < 0) return -1;
      }
      if (type === "|") return replyEnd(buf, p);
      return p;
    }
    default:
      throw new Error(`bad RESP type byte ${JSON.stringify(type)} in ${JSON.stringify(buf.toString("latin1"))}`);
  }
}

/** Sends one command and returns the raw reply. */
export async function call(client: RawClient, ...args: (string | Uint8Array)[]): Promise<string> {
  client.write(encodeCommand(args));
  return client.readReply();
}
