import { describe, expect, test } from "bun:test";
import { latin1 } from "../resp/bytes.ts";
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
      for await (const chunk of r.stream()) rest.push(latin1(chunk));
      expect(rest.join("")).toBe("*1\r\n$4\r\nPING\r\n");
    }
  });

  test("the master closing the link is an error", async () => {
    const r = new LinkReader(streamOf(["+PON"]));
    await expect(r.line()).rejects.toBeInstanceOf(LinkClosed);
  });
});
