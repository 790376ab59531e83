/**
 * Per-chunk cost of the stream machinery with one command per chunk (the
 * redis-benchmark -P 1 shape), in-process: source -> decoder -> sink ->
 * encoder stream -> discarding writable (standing in for the socket). Usage: bun run bench/streams.ts
 */
import { ALL_COMMANDS } from "../src/commands/index.ts";
import { Config } from "../src/config/config.ts";
import { Engine } from "../src/engine/engine.ts";
import { CommandSink } from "../src/engine/sink.ts";
import { CommandTable } from "../src/engine/table.ts";
import { fromLatin1 } from "../src/resp/bytes.ts";
import { RespDecoderStream } from "../src/resp/decoder.ts";
import { type Outgoing, RespEncoderStream } from "../src/resp/encoder.ts";
import { loadRuntime } from "../src/runtime/index.ts";

await loadRuntime();
const N = 200_000;
const engine = new Engine(new Config(), new CommandTable(ALL_COMMANDS));
const sink = new CommandSink(engine);
const chunk = fromLatin1("*1\r\n$4\r\nPING\r\n");

let outChunks = 0;
let done: () => void = () => {};
const finished = new Promise<void>((r) => {
  done = r;
});
const encoder = new RespEncoderStream(
  new WritableStream<Uint8Array>({
    write() {
      if (++outChunks === N) done();
    },
  }),
);
const writer = encoder.getWriter();
const client = engine.createClient("127.0.0.1:1", "127.0.0.1:6379", {
  write: (b: Outgoing[]) => void writer.write(b),
  get backpressure() {
    const d = writer.desiredSize;
    return d !== null && d <= 0 ? writer.ready : undefined;
  },
  pendingBytes: 0,
  closeAfterFlush: () => {},
  destroy: () => {},
});
if (!client) throw new Error("no client");
let sent = 0;
// A pull source like the adapters': it produces when the pipe asks, as a socket would.
const source = new ReadableStream<Uint8Array>(
  {
    pull(c) {
      c.enqueue(chunk);
      if (++sent === N) c.close();
    },
  },
  { highWaterMark: 2 },
);
const t0 = performance.now();
void source.pipeThrough(new RespDecoderStream()).pipeTo(new WritableStream(sink.forClient(client)));
await finished;
console.log(`streams: ${(((performance.now() - t0) * 1e6) / N).toFixed(0)} ns per request (one command per chunk)`);
