import { expect, test } from "bun:test";
import { fromLatin1 } from "./bytes.ts";
import { type Batch, RespDecoder } from "./decoder.ts";
import { PipeTerminated, transformInto } from "./sync-pipe.ts";

test("the decoder's batches reach the sink synchronously, one per chunk", () => {
  const batches: Batch[] = [];
  const pipe = transformInto(new RespDecoder(), { write: (b) => void batches.push(b) });
  expect(pipe.write(fromLatin1("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk"))).toBeUndefined();
  expect(batches).toEqual([[["PING"]]]);
  pipe.write(fromLatin1("\r\n"));
  expect(batches).toEqual([[["PING"]], [["GET", "k"]]]);
});

test("a chunk with no complete command writes nothing", () => {
  let writes = 0;
  const pipe = transformInto(new RespDecoder(), { write: () => void writes++ });
  pipe.write(fromLatin1("*1\r\n$4\r\nPI"));
  expect(writes).toBe(0);
});

test("the sink's promise is handed back, so the source waits for it", async () => {
  let release: () => void = () => {};
  const pipe = transformInto(new RespDecoder(), { write: () => new Promise<void>((r) => (release = r)) });
  const pending = pipe.write(fromLatin1("PING\r\n"));
  expect(pending).toBeInstanceOf(Promise);
  let settled = false;
  pending?.then(() => (settled = true));
  await Bun.sleep(1);
  expect(settled).toBe(false);
  release();
  await pending;
  expect(settled).toBe(true);
});

test("a protocol error terminates: the batch with the error is written, the sink closed, the pipe stops", () => {
  const batches: Batch[] = [];
  let closed = false;
  const pipe = transformInto(new RespDecoder(), { write: (b) => void batches.push(b), close: () => void (closed = true) });
  expect(() => pipe.write(fromLatin1("PING\r\n*x\r\n"))).toThrow(PipeTerminated);
  expect(batches.length).toBe(1);
  expect(batches[0]?.[0]).toEqual(["PING"]);
  expect(closed).toBe(true);
  expect(() => pipe.write(fromLatin1("PING\r\n"))).toThrow(PipeTerminated);
});
