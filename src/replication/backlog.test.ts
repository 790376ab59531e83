import { describe, expect, test } from "bun:test";
import { latin1 } from "../resp/bytes.ts";
import { Backlog, encodeCommand } from "./backlog.ts";
import { commandSize } from "./replica.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("encodeCommand", () => {
  test("writes a RESP multibulk, byte strings kept byte for byte", () => {
    expect(latin1(encodeCommand(["SET", "k", "\x00\xff"]))).toBe("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\x00\xff\r\n");
  });

  test("its length is what the replica counts for the offset", () => {
    for (const argv of [["PING"], ["SET", "key", "x".repeat(12345)], ["RPUSH", "l", ...Array.from({ length: 11 }, String)]]) {
      expect(commandSize(argv)).toBe(encodeCommand(argv).length);
    }
  });
});

describe("Backlog", () => {
  test("keeps the last `size` bytes and serves any offset inside them", () => {
    const b = new Backlog(10, 0);
    b.append(bytes("abcdef"));
    expect([b.offset, b.histlen, b.firstByteOffset]).toEqual([6, 6, 1]);
    b.append(bytes("ghijkl"));
    expect([b.offset, b.histlen, b.firstByteOffset]).toEqual([12, 10, 3]);
    expect(latin1(b.since(3))).toBe("cdefghijkl");
    expect(latin1(b.since(11))).toBe("kl");
    expect(b.since(13).length).toBe(0);
    expect(b.covers(2)).toBe(false);
    expect(b.covers(3)).toBe(true);
    expect(b.covers(13)).toBe(true);
    expect(b.covers(14)).toBe(false);
  });

  test("a write bigger than the buffer keeps its tail", () => {
    const b = new Backlog(4, 100);
    b.append(bytes("0123456789"));
    expect([b.offset, b.histlen, b.firstByteOffset]).toEqual([110, 4, 107]);
    expect(latin1(b.since(107))).toBe("6789");
  });

  test("an empty backlog accepts exactly the next offset", () => {
    const b = new Backlog(4, 50);
    expect(b.covers(51)).toBe(true);
    expect(b.covers(50)).toBe(false);
  });

  test("resizing keeps the most recent history", () => {
    const b = new Backlog(8, 0);
    b.append(bytes("abcdefghij"));
    b.resize(4);
    expect(latin1(b.since(b.firstByteOffset))).toBe("ghij");
    b.resize(16);
    b.append(bytes("kl"));
    expect(latin1(b.since(7))).toBe("ghijkl");
  });
});
