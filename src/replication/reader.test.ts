import { describe, expect, test } from "bun:test";
import { latin1 } from "../resp/bytes.ts";
import { RespDecoder } from "../resp/decoder.ts";
import { DirectReader } from "../runtime/direct.ts";
import type { DirectIo } from "../runtime/types.ts";
import { LinkClosed, LinkReader } from "./reader.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(bytes(ch));
      c.close();
    },
  });
}

/** A direct lane fed by hand, recording the socket's pauses. */
function directOf(): { io: DirectIo; socket: DirectReader; events: string[] } {
  const events: string[] = [];
  const socket = new DirectReader(
    () => events.push("pause"),
    () => events.push("resume"),
  );
  const io: DirectIo = { pipeTo: (sink) => socket.pipeTo(sink), write: () => undefined, end() {} };
  return { io, socket, events };
}

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("LinkReader", () => {
  test("lines, keepalive newlines and an exact-length payload without trailing CRLF", async () => {
    const r = new LinkReader(streamOf(["+FULLRESYNC abc 0\r", "\n\n\n$5\r\nRE", "DIS*1\r\n$4\r\nPING\r\n"]));
    expect(await r.line()).toBe("+FULLRESYNC abc 0");
    expect(await r.line()).toBe("");
    expect(await r.line()).toBe("");
    expect(await r.line()).toBe("$5");
    expect(latin1(await r.bytes(5))).toBe("REDIS");
    expect(latin1(r.rest())).toBe("*1\r\n$4\r\nPING\r\n");
  });

  test("a diskless payload ends at its mark, wherever the reads split it", async () => {
    const mark = `${"m".repeat(39)}Z`;
    const payload = `REDIS0010${"x".repeat(100)}`;
    const all = `${payload}${mark}*1\r\n$4\r\nPING\r\n`;
    for (const cut of [1, 7, 39, 40, 105, 109, 120, 140]) {
      const r = new LinkReader(streamOf([all.slice(0, cut), all.slice(cut, cut + 3), all.slice(cut + 3)]));
      expect(latin1(await r.untilMark(bytes(mark)))).toBe(payload);
      const rest: string[] = [];
      await r.pipeTo({ write: (chunk) => void rest.push(latin1(chunk)) });
      expect(rest.join("")).toBe("*1\r\n$4\r\nPING\r\n");
    }
  });

  test("the master closing the link is an error", async () => {
    const r = new LinkReader(streamOf(["+PON"]));
    await expect(r.line()).rejects.toBeInstanceOf(LinkClosed);
  });

  test("direct lane: handshake reads from a small queue, then the stream goes to the sink in order", async () => {
    const { io, socket, events } = directOf();
    const seen: number[] = [];
    const r = new LinkReader(io, (n) => seen.push(n));
    const line = r.line();
    socket.push(bytes("+CONTINUE\r"));
    socket.push(bytes("\n*1\r\n$4"));
    expect(await line).toBe("+CONTINUE");
    // Reads nobody asks for wait in the queue; the socket pauses once it is full.
    socket.push(bytes("\r\nPING\r\n"));
    socket.push(bytes("*1\r\n"));
    socket.push(bytes("$4\r\nPONG"));
    expect(events).not.toContain("pause");
    socket.push(bytes("\r\n"));
    expect(events).toContain("pause");
    const got: string[] = [];
    let release: () => void = () => {};
    const done = r.pipeTo({
      write(c) {
        got.push(latin1(c));
        // A write that waits holds the next ones (a paused engine).
        if (got.length === 1) return new Promise<void>((res) => (release = res));
      },
    });
    await tick();
    expect(got).toEqual(["*1\r\n$4"]);
    release();
    await tick();
    socket.push(bytes("+last"));
    socket.end();
    await done;
    expect(got.join("|")).toBe("*1\r\n$4|\r\nPING\r\n|*1\r\n|$4\r\nPONG|\r\n|+last");
    expect(seen.reduce((a, b) => a + b, 0)).toBe(got.join("").length + "+CONTINUE\r\n".length);
  });

  test("direct lane: a snapshot split across reads, then the rest", async () => {
    const { io, socket } = directOf();
    const r = new LinkReader(io);
    const all = "$5\r\nREDIS*1\r\n$4\r\nPING\r\n";
    for (let i = 0; i < all.length; i += 3) socket.push(bytes(all.slice(i, i + 3)));
    socket.end();
    expect(await r.line()).toBe("$5");
    expect(latin1(await r.bytes(5))).toBe("REDIS");
    const rest: string[] = [];
    await r.pipeTo({ write: (c) => void rest.push(latin1(c)) });
    expect(rest.join("")).toBe("*1\r\n$4\r\nPING\r\n");
  });

  test("direct lane: the master closing or a cancel ends waiting reads with LinkClosed", async () => {
    const a = directOf();
    const ra = new LinkReader(a.io);
    const pending = ra.line();
    a.socket.push(bytes("+PON"));
    a.socket.end();
    await expect(pending).rejects.toBeInstanceOf(LinkClosed);
    const b = directOf();
    const rb = new LinkReader(b.io);
    const waiting = rb.line();
    rb.cancel();
    await expect(waiting).rejects.toBeInstanceOf(LinkClosed);
  });

  test("direct lane: what the sink throws rejects pipeTo", async () => {
    const { io, socket } = directOf();
    const r = new LinkReader(io);
    const done = r.pipeTo({
      write() {
        throw new Error("bad stream");
      },
    });
    await tick();
    socket.push(bytes("x"));
    await expect(done).rejects.toThrow("bad stream");
  });
});

describe("LinkReader.waitReadable", () => {
  /** A stream fed by hand (the no-direct-lane source). */
  function manualStream() {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    return { stream, push: (s: string) => controller.enqueue(bytes(s)), end: () => controller.close() };
  }

  for (const kind of ["stream", "direct lane"] as const) {
    test(`${kind}: waiting for bytes never takes them, whether it times out or not`, async () => {
      let push: (s: string) => void;
      let end: () => void;
      let r: LinkReader;
      if (kind === "stream") {
        const m = manualStream();
        r = new LinkReader(m.stream);
        push = m.push;
        end = m.end;
      } else {
        const d = directOf();
        r = new LinkReader(d.io);
        push = (s) => d.socket.push(bytes(s));
        end = () => d.socket.end();
      }
      // Quiet: false after the wait, and a later read still gets the next bytes.
      expect(await r.waitReadable(5)).toBe(false);
      expect(await r.waitReadable(5)).toBe(false);
      const waiting = r.waitReadable(10_000);
      push("+ab");
      expect(await waiting).toBe(true);
      expect(await r.waitReadable(5)).toBe(true);
      expect(latin1(await r.chunk())).toBe("+ab");
      // Buffered bytes count as readable.
      push("c\r\nrest");
      expect(await r.line()).toBe("c");
      expect(await r.waitReadable(5)).toBe(true);
      expect(latin1(await r.chunk(2))).toBe("re");
      expect(await r.waitReadable(5)).toBe(true);
      expect(latin1(await r.chunk())).toBe("st");
      expect(await r.waitReadable(5)).toBe(false);
      const got: string[] = [];
      const done = r.pipeTo({ write: (c) => void got.push(latin1(c)) });
      push("*1\r\n");
      push("$4\r\nPING\r\n");
      end();
      await done;
      expect(got.join("")).toBe("*1\r\n$4\r\nPING\r\n");
      // The end of the link is readable too (a read would not wait: it fails).
      expect(await r.waitReadable(10_000)).toBe(true);
    });
  }
});

describe("RespDecoder sizes (opt-in)", () => {
  test("each command's bytes in the input, skipped bytes counted with the next, across any split", () => {
    const cmds = [
      "*1\r\n$4\r\nPING\r\n",
      "*0\r\n\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n",
      "PING\r\n",
      `*2\r\n$3\r\nGET\r\n$40000\r\n${"x".repeat(40000)}\r\n`,
    ];
    const all = cmds.join("");
    for (const step of [1, 2, 5, 17, 1000, all.length]) {
      const d = new RespDecoder();
      d.sizes = [];
      const sizes: number[] = [];
      let commands = 0;
      for (let i = 0; i < all.length; i += step) {
        const batch = d.decode(bytes(all.slice(i, i + step)));
        commands += batch.length;
        expect(d.sizes.length).toBe(batch.length);
        sizes.push(...(d.sizes as number[]));
      }
      expect(commands).toBe(4);
      expect(sizes).toEqual(cmds.map((c) => c.length));
    }
    // Off by default: the output is the same, nothing recorded.
    const plain = new RespDecoder();
    expect(plain.decode(bytes(all)).length).toBe(4);
    expect(plain.sizes).toBeNull();
  });
});
