import { describe, expect, test } from "bun:test";
import { ByteWriter, latin1 } from "./bytes.ts";
import { RespEncoder } from "./encoder.ts";
import {
  BigNumber,
  Bool,
  Double,
  ErrorReply,
  formatDouble,
  MapReply,
  NULL_ARRAY,
  OK,
  Push,
  type Reply,
  SetReply,
  SwitchProtocol,
  Verbatim,
} from "./reply.ts";

function enc(r: Reply, protocol: 2 | 3 = 2): string {
  const e = new RespEncoder();
  e.protocol = protocol;
  return latin1(e.encode(r));
}

describe("RespEncoder", () => {
  test("RESP2 forms", () => {
    expect(enc(OK)).toBe("+OK\r\n");
    expect(enc("a\r\n\xff")).toBe("$4\r\na\r\n\xff\r\n");
    expect(enc(new Uint8Array([0, 1]))).toBe("$2\r\n\x00\x01\r\n");
    expect(enc(42)).toBe(":42\r\n");
    expect(enc(9223372036854775807n)).toBe(":9223372036854775807\r\n");
    expect(enc(null)).toBe("$-1\r\n");
    expect(enc(NULL_ARRAY)).toBe("*-1\r\n");
    expect(enc(["a", 1, null])).toBe("*3\r\n$1\r\na\r\n:1\r\n$-1\r\n");
    expect(enc(new ErrorReply("ERR bad\r\nthing"))).toBe("-ERR bad  thing\r\n");
    expect(enc(new Double(1.5))).toBe("$3\r\n1.5\r\n");
    expect(enc(new MapReply(["k", 1]))).toBe("*2\r\n$1\r\nk\r\n:1\r\n");
    expect(enc(new SetReply(["x"]))).toBe("*1\r\n$1\r\nx\r\n");
    expect(enc(new Push(["message"]))).toBe("*1\r\n$7\r\nmessage\r\n");
    expect(enc(new Verbatim("txt", "hi"))).toBe("$2\r\nhi\r\n");
    expect(enc(new BigNumber("123"))).toBe("$3\r\n123\r\n");
    expect(enc(new Bool(true))).toBe(":1\r\n");
  });

  test("RESP3 forms", () => {
    expect(enc(null, 3)).toBe("_\r\n");
    expect(enc(NULL_ARRAY, 3)).toBe("_\r\n");
    expect(enc(new Double(1.5), 3)).toBe(",1.5\r\n");
    expect(enc(new Double(Number.POSITIVE_INFINITY), 3)).toBe(",inf\r\n");
    expect(enc(new MapReply(["k", 1]), 3)).toBe("%1\r\n$1\r\nk\r\n:1\r\n");
    expect(enc(new SetReply(["x"]), 3)).toBe("~1\r\n$1\r\nx\r\n");
    expect(enc(new Push(["message"]), 3)).toBe(">1\r\n$7\r\nmessage\r\n");
    expect(enc(new Verbatim("txt", "hi"), 3)).toBe("=6\r\ntxt:hi\r\n");
    expect(enc(new BigNumber("123"), 3)).toBe("(123\r\n");
    expect(enc(new Bool(false), 3)).toBe("#f\r\n");
  });

  test("switches protocol in-band, after the replies queued before it", () => {
    const e = new RespEncoder();
    const out = latin1(e.encodeBatch([null, new SwitchProtocol(3, new MapReply(["proto", 3])), null]));
    expect(out).toBe("$-1\r\n%1\r\n$5\r\nproto\r\n:3\r\n_\r\n");
  });

  test("encodeBatchInto appends to a socket's gathered output, counts it, and leaves its own buffer alone", () => {
    const counted: number[] = [];
    const e = new RespEncoder((n) => counted.push(n));
    const gathered = new ByteWriter(4);
    gathered.str("+earlier\r\n");
    e.encodeBatchInto([OK, new SwitchProtocol(3, new MapReply(["proto", 3])), null], gathered);
    expect(latin1(gathered.take())).toBe("+earlier\r\n+OK\r\n%1\r\n$5\r\nproto\r\n:3\r\n_\r\n");
    expect(counted).toEqual([27]);
    // The switch holds for later batches, and nothing leaked into the encoder's own buffer.
    expect(latin1(e.encodeBatch([null]))).toBe("_\r\n");
  });
});

describe("formatDouble (Redis 7.0 %.17g)", () => {
  test("matches C's output", () => {
    expect(formatDouble(1)).toBe("1");
    expect(formatDouble(1.5)).toBe("1.5");
    expect(formatDouble(0.1)).toBe("0.10000000000000001");
    expect(formatDouble(1e20)).toBe("1e+20");
    expect(formatDouble(1.5e-7)).toBe("1.4999999999999999e-07");
    expect(formatDouble(123456789012345680000)).toBe("1.2345678901234568e+20");
    expect(formatDouble(-0)).toBe("-0");
    expect(formatDouble(Number.NEGATIVE_INFINITY)).toBe("-inf");
    expect(formatDouble(0.0001)).toBe("0.0001");
    expect(formatDouble(1e16)).toBe("10000000000000000");
    expect(formatDouble(1e17)).toBe("1e+17");
  });
});
