import { describe, expect, test } from "bun:test";
import { fromLatin1 } from "./bytes.ts";
import { type Batch, type Command, DEFAULT_LIMITS, ProtocolError, RespDecoder, RespDecoderStream, splitInlineArgs } from "./decoder.ts";

function bytes(s: string): Uint8Array {
  return fromLatin1(s);
}

function mb(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}`;
}

/** Feeds `chunks` and returns everything decoded, flattened. */
function decodeChunks(chunks: Uint8Array[], decoder = new RespDecoder()): (Command | ProtocolError)[] {
  const out: (Command | ProtocolError)[] = [];
  for (const c of chunks) out.push(...decoder.decode(c));
  return out;
}

const SAMPLES: [string, Command[]][] = [
  [mb("SET", "key", "value"), [["SET", "key", "value"]]],
  [mb("GET", ""), [["GET", ""]]],
  [mb("SET", "k", "a\r\nb\x00\xff"), [["SET", "k", "a\r\nb\x00\xff"]]],
  ["PING\r\n", [["PING"]]],
  ["PING\n", [["PING"]]],
  ["SET \"a b\" 'c d'\r\n", [["SET", "a b", "c d"]]],
  ['ECHO "\\x41\\n\\t"\r\n', [["ECHO", "A\n\t"]]],
  ["*0\r\n*-1\r\nPING\r\n", [["PING"]]],
  ["\r\n\r\nPING\r\n", [["PING"]]],
  [`${mb("A") + mb("B", "C")}INLINE x\r\n`, [["A"], ["B", "C"], ["INLINE", "x"]]],
];

describe("RespDecoder", () => {
  test("decodes whole messages", () => {
    for (const [input, want] of SAMPLES) expect(decodeChunks([bytes(input)])).toEqual(want);
  });

  test("gives the same result when split at every byte offset", () => {
    for (const [input, want] of SAMPLES) {
      for (let cut = 0; cut <= input.length; cut++) {
        const got = decodeChunks([bytes(input.slice(0, cut)), bytes(input.slice(cut))]);
        expect({ input, cut, got }).toEqual({ input, cut, got: want });
      }
    }
  });

  test("gives the same result fed one byte at a time", () => {
    for (const [input, want] of SAMPLES) {
      expect(decodeChunks(Array.from(input, (ch) => bytes(ch)))).toEqual(want);
    }
  });

  test("emits one batch per chunk with every complete command in it", () => {
    const d = new RespDecoder();
    const batch = d.decode(bytes(mb("A") + mb("B") + mb("C").slice(0, 5)));
    expect(batch).toEqual([["A"], ["B"]]);
    expect(d.decode(bytes(mb("C").slice(5)))).toEqual([["C"]]);
  });

  test("collects a large bulk across many chunks", () => {
    const big = "x".repeat(200_000);
    const msg = bytes(mb("SET", "k", big));
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < msg.length; i += 1000) chunks.push(msg.subarray(i, i + 1000));
    expect(decodeChunks(chunks)).toEqual([["SET", "k", big]]);
  });

  const errors: [string, string][] = [
    ["*abc\r\n", "Protocol error: invalid multibulk length"],
    ["*3000000000\r\n", "Protocol error: invalid multibulk length"],
    ["*1\r\n$-1\r\n", "Protocol error: invalid bulk length"],
    ["*1\r\n$abc\r\n", "Protocol error: invalid bulk length"],
    ["*1\r\n$600000000\r\n", "Protocol error: invalid bulk length"],
    ["*1\r\nxyz\r\n", "Protocol error: expected '$', got 'x'"],
    ['SET "abc\r\n', "Protocol error: unbalanced quotes in request"],
    ["SET 'a'b\r\n", "Protocol error: unbalanced quotes in request"],
  ];

  test("reports Redis's protocol errors after the commands before them", () => {
    for (const [input, message] of errors) {
      const got = decodeChunks([bytes(`PING\r\n${input}PING\r\n`)]);
      expect(got).toEqual([["PING"], new ProtocolError(message)]);
    }
  });

  test("limits header and inline lines to 64 KiB without a newline", () => {
    expect(decodeChunks([bytes("A".repeat(70_000))])).toEqual([new ProtocolError("Protocol error: too big inline request")]);
    expect(decodeChunks([bytes(`*${"1".repeat(70_000)}`)])).toEqual([new ProtocolError("Protocol error: too big mbulk count string")]);
  });

  test("applies the unauthenticated limits only while AUTH is required", () => {
    const locked = { ...DEFAULT_LIMITS, authRequired: () => true };
    expect(decodeChunks([bytes("*11\r\n")], new RespDecoder(locked))).toEqual([
      new ProtocolError("Protocol error: unauthenticated multibulk length"),
    ]);
    expect(decodeChunks([bytes("*1\r\n$20000\r\n")], new RespDecoder(locked))).toEqual([
      new ProtocolError("Protocol error: unauthenticated bulk length"),
    ]);
    expect(decodeChunks([bytes("*11\r\n")])).toEqual([]);
  });

  test("closes without a reply past client-query-buffer-limit", () => {
    const small = { ...DEFAULT_LIMITS, queryBufferLimit: 1000 };
    const got = decodeChunks([bytes("*1\r\n$5000\r\n"), bytes("x".repeat(2000))], new RespDecoder(small));
    expect(got).toEqual([new ProtocolError("closing client that reached max query buffer length", false)]);
  });

  test("random input never throws and always terminates", () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = "*$\r\n0123456789-abcPING \"'\\x";
    for (let i = 0; i < 3000; i++) {
      const d = new RespDecoder();
      const chunks: Uint8Array[] = [];
      for (let c = 0; c < 4; c++) {
        let s = "";
        const len = Math.floor(rand() * 40);
        for (let j = 0; j < len; j++) {
          s += rand() < 0.8 ? alphabet[Math.floor(rand() * alphabet.length)] : String.fromCharCode(Math.floor(rand() * 256));
        }
        chunks.push(bytes(s));
      }
      expect(() => decodeChunks(chunks, d)).not.toThrow();
    }
  });

  test("works as a TransformStream, one batch per chunk", async () => {
    const stream = new RespDecoderStream();
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    void writer.write(bytes(mb("A") + mb("B")));
    const first = (await reader.read()).value as Batch;
    expect(first).toEqual([["A"], ["B"]]);
    void writer.write(bytes("*1\r\nz\r\n"));
    expect((await reader.read()).value).toEqual([new ProtocolError("Protocol error: expected '$', got 'z'")]);
    expect((await reader.read()).done).toBe(true);
  });
});

describe("splitInlineArgs", () => {
  const split = (s: string) => splitInlineArgs(bytes(s), 0, s.length);
  test("follows sdssplitargs", () => {
    expect(split("  a   b  ")).toEqual(["a", "b"]);
    expect(split('"a\\"b"')).toEqual(['a"b']);
    expect(split("'it\\'s'")).toEqual(["it's"]);
    expect(split('"\\x4G"')).toEqual(["x4G"]);
    expect(split('""')).toEqual([""]);
    expect(split('"a"b')).toBeNull();
    expect(split("'a")).toBeNull();
  });
});
