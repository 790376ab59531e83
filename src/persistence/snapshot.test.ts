import { expect, test } from "bun:test";
import { Database } from "../store/database.ts";
import type { Value } from "../store/values.ts";
import { loadRdb } from "./rdb/file.ts";
import { Snapshot } from "./snapshot.ts";

const hooks = { expired() {} };

/** Loads `bytes` into a map "db:key" -> value. */
function contents(bytes: Uint8Array): Map<string, Value> {
  const out = new Map<string, Value>();
  loadRdb(bytes, { key: (db, key, value) => out.set(`${db}:${key}`, value) });
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

test("a snapshot keeps the keys as they were when it began, whatever changes during the walk", () => {
  const now = Date.now();
  const dbs = [new Database(0, hooks), new Database(1, hooks)];
  const [d0, d1] = dbs as [Database, Database];
  for (let i = 0; i < 5000; i++) d0.set(`k${i}`, `v${i}`, now);
  d1.set("other", "x", now);
  d1.set("gone", "y", now);
  d0.set("expired", "z", now);
  d0.setExpire("expired", now - 1);
  const chunks: Uint8Array[] = [];
  const snap = new Snapshot(dbs, { compress: true, checksum: true, out: (c) => chunks.push(c) });
  let steps = 0;
  let i = 0;
  while (!snap.step(0.05)) {
    steps++;
    // Between slices, as the copy-on-write gate does: preserve, then change.
    for (let n = 0; n < 50 && i < 5000; n++, i += 3) {
      snap.preserve(0, `k${i}`);
      d0.set(`k${i}`, "changed", now);
      snap.preserve(0, `new${i}`);
      d0.set(`new${i}`, "new", now);
    }
    if (steps === 2) {
      snap.preserveDb(1);
      d1.flush();
      d1.set("after-flush", "a", now);
    }
  }
  expect(steps).toBeGreaterThan(2);
  const loaded = contents(concat(chunks));
  // A key past its TTL is written too (Redis's rdbSaveRio): the load drops and counts it.
  expect(loaded.size).toBe(5003);
  for (let k = 0; k < 5000; k++) expect(loaded.get(`0:k${k}`)).toBe(`v${k}`);
  expect(loaded.get("1:other")).toBe("x");
  expect(loaded.get("1:gone")).toBe("y");
  expect(loaded.has("1:after-flush")).toBe(false);
  expect(loaded.get("0:expired")).toBe("z");
  expect(snap.keysProcessed).toBe(5003);
});

test("preserveAll finishes every db at once; the file ends with a valid checksum", () => {
  const dbs = [new Database(0, hooks), new Database(1, hooks), new Database(2, hooks)];
  (dbs[2] as Database).set("a", "1", Date.now());
  const chunks: Uint8Array[] = [];
  const snap = new Snapshot(dbs, { compress: false, checksum: true, out: (c) => chunks.push(c) });
  snap.preserveAll();
  (dbs[2] as Database).set("b", "2", Date.now());
  snap.finish();
  expect(snap.done).toBe(true);
  expect([...contents(concat(chunks)).keys()]).toEqual(["2:a"]);
});

test("a table that shrinks and compacts during the walk still yields exactly the keys of the start", () => {
  const now = Date.now();
  const dbs = [new Database(0, hooks)];
  const d0 = dbs[0] as Database;
  for (let i = 0; i < 4000; i++) d0.set(`k${i}`, `v${i}`, now);
  const chunks: Uint8Array[] = [];
  const snap = new Snapshot(dbs, { compress: false, checksum: true, out: (c) => chunks.push(c) });
  // Walk part of the table, then delete nearly everything (compaction moves the survivors to lower slots).
  snap.step(0);
  const before = d0.table.buckets;
  for (let i = 0; i < 3990; i++) {
    snap.preserve(0, `k${i}`);
    d0.delete(`k${i}`);
  }
  expect(d0.table.buckets).toBeLessThan(before);
  for (let i = 0; i < 50; i++) {
    snap.preserve(0, `late${i}`);
    d0.set(`late${i}`, "new", now);
  }
  snap.finish();
  const loaded = contents(concat(chunks));
  expect(loaded.size).toBe(4000);
  for (let k = 0; k < 4000; k++) expect(loaded.get(`0:k${k}`)).toBe(`v${k}`);
  expect(snap.keysProcessed).toBe(4000);
});

test("keys changed while the walk is past them are not written twice", () => {
  const now = Date.now();
  const dbs = [new Database(0, hooks)];
  const d0 = dbs[0] as Database;
  for (let i = 0; i < 3000; i++) d0.set(`k${i}`, `v${i}`, now);
  const chunks: Uint8Array[] = [];
  const snap = new Snapshot(dbs, { compress: false, checksum: true, out: (c) => chunks.push(c) });
  let round = 0;
  while (!snap.step(0)) {
    // Every key, walked or not, changed again and again, deleted and re-created.
    for (let i = round % 7; i < 3000; i += 7) {
      snap.preserve(0, `k${i}`);
      d0.delete(`k${i}`);
      snap.preserve(0, `k${i}`);
      d0.set(`k${i}`, `again${round}`, now);
    }
    round++;
  }
  const keys: string[] = [];
  loadRdb(concat(chunks), { key: (_db, key) => keys.push(key) });
  expect(keys.length).toBe(3000);
  expect(new Set(keys).size).toBe(3000);
  const loaded = contents(concat(chunks));
  for (let k = 0; k < 3000; k++) expect(loaded.get(`0:k${k}`)).toBe(`v${k}`);
});
