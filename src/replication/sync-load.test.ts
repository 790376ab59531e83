import { describe, expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { writeRdb } from "../persistence/rdb/file.ts";
import { concat, latin1 } from "../resp/bytes.ts";
import type { FileSystem } from "../runtime/types.ts";
import { LinkReader } from "./reader.ts";
import { loadSnapshot, SyncFailed, type SyncLink } from "./sync-load.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const MARK = "0123456789abcdefghij0123456789ABCDEFGHIJ";

/** A master's snapshot ending in one 100 KB value, so the last unit is big enough for the loader's back-off to matter. */
function snapshot(): Uint8Array {
  const t = createTestEngine();
  for (let i = 0; i < 100; i++) t.exec("SET", `k:${i}`, `v${i}`);
  // Not compressible, so the value is 100 KB in the file too.
  let seed = 7;
  const noise = Array.from({ length: 100_000 }, () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return String.fromCharCode(seed >> 23);
  });
  t.exec("SET", "zz:big", noise.join(""));
  return writeRdb(t.engine.dbs);
}

function replicaLink(reader: LinkReader, mode: string): { link: SyncLink; logs: string[]; exec: (...a: string[]) => unknown } {
  const t = createTestEngine();
  t.exec("CONFIG", "SET", "repl-diskless-load", mode);
  const logs: string[] = [];
  const link: SyncLink = {
    engine: t.engine,
    fs: null as unknown as FileSystem, // a diskless load never touches it
    reader,
    masterId: "a".repeat(40),
    ourId: "b".repeat(40),
    log: (_level, text) => void logs.push(text),
    setTotal() {},
    setReceiving() {},
    attachToNewMaster() {},
  };
  return { link, logs, exec: (...a) => t.exec(...a) };
}

describe("a diskless load from the link", () => {
  // The replica reads the snapshot in two reads: the first ends 90% into the last value, so the
  // loader's back-off then wants about twice that before trying again; the second read brings the
  // rest, the mark and the first command of the stream, and then the master is quiet.
  for (const mode of ["swapdb", "on-empty-db"]) {
    test(`${mode}: the end of the RDB is found when the link goes quiet, and the stream after the mark is kept`, async () => {
      const rdb = snapshot();
      expect(rdb.length).toBeGreaterThan(100_000);
      const cut = rdb.length - 10_000;
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const reader = new LinkReader(
        new ReadableStream<Uint8Array>({
          start(c) {
            controller = c;
          },
        }),
      );
      const { link, exec } = replicaLink(reader, mode);
      controller.enqueue(rdb.slice(0, cut));
      controller.enqueue(concat([rdb.subarray(cut), bytes(MARK), bytes("*1\r\n$4\r\nPING\r\n")]));
      const db = await loadSnapshot(link, `$EOF:${MARK}`);
      expect(db).toBe(0);
      expect(exec("DBSIZE")).toBe(101);
      expect(exec("STRLEN", "zz:big")).toBe(100_000);
      expect(latin1(reader.rest())).toBe("*1\r\n$4\r\nPING\r\n");
    });
  }

  test("a broken mark after a complete RDB fails the load instead of waiting for more bytes", async () => {
    const rdb = snapshot();
    const cut = rdb.length - 10_000;
    const reader = new LinkReader(
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(rdb.slice(0, cut));
          c.enqueue(concat([rdb.subarray(cut), bytes("x".repeat(40))]));
        },
      }),
    );
    const { link, logs, exec } = replicaLink(reader, "swapdb");
    exec("SET", "old", "kept");
    await expect(loadSnapshot(link, `$EOF:${MARK}`)).rejects.toBeInstanceOf(SyncFailed);
    expect(logs).toContain("Replication stream EOF marker is broken");
    // swapdb: the loaded data is discarded, the old kept.
    expect(exec("DBSIZE")).toBe(1);
  });
});
