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

  test("a replica's pin keeps older history than the size; released, it is trimmed back", () => {
    const b = new Backlog(10, 0);
    let pin = 3;
    b.pin = () => pin;
    b.append(bytes("abcdefghijklmnopqrst"));
    // Kept from offset 3 on although the size is 10: repl_backlog_histlen outgrows the config, as in 7.0.
    expect([b.histlen, b.firstByteOffset]).toEqual([18, 3]);
    expect(b.covers(3)).toBe(true);
    expect(latin1(b.since(3))).toBe("cdefghijklmnopqrst");
    pin = Number.POSITIVE_INFINITY;
    b.trim();
    expect([b.histlen, b.firstByteOffset]).toEqual([10, 11]);
  });

  test("views span the 16 KB blocks without copying; memory counts whole blocks", () => {
    const b = new Backlog(1 << 20, 0);
    const big = new Uint8Array(40000).map((_, i) => i & 0xff);
    b.append(big);
    expect(b.memory).toBe(3 * 16384);
    const views = b.viewsSince(100);
    expect(views.map((v) => v.length)).toEqual([16384 - 99, 16384, 40000 - 2 * 16384]);
    expect(views.reduce((n, v) => n + v.length, 0)).toBe(40000 - 99);
    expect(views[1]?.[0]).toBe(16384 & 0xff);
    // Trimmed to a smaller size: whole blocks before the history are released.
    b.resize(100);
    expect(b.memory).toBe(16384);
    expect(latin1(b.since(39901))).toBe(latin1(big.subarray(39900)));
  });
});
