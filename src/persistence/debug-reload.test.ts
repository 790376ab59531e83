import { expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { concat } from "../resp/bytes.ts";
import type { AppendFile } from "../runtime/types.ts";
import { debugReload } from "./debug-reload.ts";
import { Saver } from "./saver.ts";

/** A Saver over files held in memory. */
function setup() {
  const t = createTestEngine();
  const files = new Map<string, Uint8Array[]>();
  const logs: string[] = [];
  const log = { notice: (m: string) => logs.push(m), warning: (m: string) => logs.push(m) };
  const saver = new Saver(
    t.engine,
    {
      create(path: string): AppendFile {
        const parts: Uint8Array[] = [];
        files.set(path, parts);
        return { write: (b) => void parts.push(b.slice()), fsync() {}, fsyncInBackground: async () => {}, close() {} };
      },
      rename(from: string, to: string) {
        files.set(to, files.get(from) ?? []);
        files.delete(from);
      },
      remove: (path: string) => void files.delete(path),
      cwd: () => "/mem",
      read: (path: string) => {
        const parts = files.get(path);
        return parts ? concat(parts) : null;
      },
    },
    log,
    1,
  );
  return { t, saver, files, logs };
}

test("DEBUG RELOAD's persistence side: save, empty, load back the same data", () => {
  const { t, logs } = setup();
  t.exec("SET", "a", "1");
  t.exec("RPUSH", "l", "x", "y");
  expect(debugReload(t.engine, { save: true, flush: true, merge: false })).toBeNull();
  expect(t.exec("MGET", "a")).toEqual(["1"]);
  expect(t.exec("LRANGE", "l", "0", "-1")).toEqual(["x", "y"]);
  expect(logs).toContain("DB reloaded by DEBUG RELOAD");
});

test("NOSAVE NOFLUSH MERGE: the file's keys replace those present, the rest stay", () => {
  const { t } = setup();
  t.exec("SET", "a", "old");
  expect(debugReload(t.engine, { save: true, flush: true, merge: false })).toBeNull();
  t.exec("SET", "a", "new");
  t.exec("SET", "b", "kept");
  expect(debugReload(t.engine, { save: false, flush: false, merge: true })).toBeNull();
  expect(t.exec("MGET", "a", "b")).toEqual(["old", "kept"]);
  // Without MERGE a duplicate fails the load.
  expect(debugReload(t.engine, { save: false, flush: false, merge: false })).toBe("ERR Error trying to load the RDB dump");
});

test("no file to load: Redis's error", () => {
  const { t } = setup();
  expect(debugReload(t.engine, { save: false, flush: true, merge: false })).toBe("ERR Error trying to load the RDB dump");
});
