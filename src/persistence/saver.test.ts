import { expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { concat } from "../resp/bytes.ts";
import type { AppendFile } from "../runtime/types.ts";
import { loadRdb } from "./rdb/file.ts";
import { Saver } from "./saver.ts";

/** Files in memory whose background fsyncs settle only when the test says so. */
function memoryFiles() {
  const files = new Map<string, Uint8Array[]>();
  const fsyncs: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const renames: string[] = [];
  return {
    files,
    fsyncs,
    renames,
    saveFiles: {
      create(path: string): AppendFile {
        const parts: Uint8Array[] = [];
        files.set(path, parts);
        return {
          write: (b) => void parts.push(b.slice()),
          fsync() {},
          fsyncInBackground: () => new Promise<void>((resolve, reject) => fsyncs.push({ resolve, reject })),
          close() {},
        };
      },
      rename(from: string, to: string) {
        files.set(to, files.get(from) ?? []);
        files.delete(from);
        renames.push(`${from}->${to}`);
      },
      remove(path: string) {
        files.delete(path);
      },
      cwd: () => "/mem",
    },
  };
}

const log = { notice() {}, warning() {} };
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
};

test("a BGSAVE ends only once its fsync, run off the event loop, has finished; commands run meanwhile", async () => {
  const t = createTestEngine();
  for (let i = 0; i < 2000; i++) t.exec("SET", `k${i}`, `v${i}`);
  const mem = memoryFiles();
  const saver = new Saver(t.engine, mem.saveFiles, log, 42);
  expect(saver.bgsave()).toBeNull();
  await until(() => mem.fsyncs.length === 1);
  // The walk is done and its fsync is pending: the save is still in progress and the server serves.
  expect(saver.bgsaveInProgress).toBe(true);
  expect(t.exec("SET", "during", "fsync")).toEqual(expect.objectContaining({ text: "OK" }));
  expect(mem.renames).toEqual([]);
  mem.fsyncs[0]?.resolve();
  await until(() => !saver.bgsaveInProgress);
  expect(saver.lastBgsaveOk).toBe(true);
  expect(mem.renames).toEqual(["temp-42.rdb->dump.rdb"]);
  let keys = 0;
  loadRdb(concat(mem.files.get("dump.rdb") ?? []), {
    aux() {},
    key() {
      keys++;
    },
  } as never);
  expect(keys).toBe(2000);
});

test("a failed background fsync fails the BGSAVE and leaves no file", async () => {
  const t = createTestEngine();
  t.exec("SET", "k", "v");
  const mem = memoryFiles();
  const saver = new Saver(t.engine, mem.saveFiles, log, 7);
  expect(saver.bgsave()).toBeNull();
  await until(() => mem.fsyncs.length === 1);
  mem.fsyncs[0]?.reject(new Error("EIO"));
  await until(() => !saver.bgsaveInProgress);
  expect(saver.lastBgsaveOk).toBe(false);
  expect(mem.renames).toEqual([]);
  expect([...mem.files.keys()]).toEqual([]);
});
