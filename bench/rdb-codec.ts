/**
 * In-process RDB codec benchmark: the persistence benchmark's key mix
 * (bench/dataset.ts) built in an Engine, then SAVE's path (Snapshot.finish)
 * and startup's path (RdbLoader into fresh databases) timed with no I/O.
 * Usage: bun bench/rdb-codec.ts [keys=1000000] [runs=3]
 * Env: ONLY=save skips the loads; OUT=<path> keeps the SAVE file; SLOTS=<path>
 * writes writeRdb's file (slot order, fixed ctime/TTLs: compare builds byte for byte).
 */
import { createTestEngine } from "../src/engine/testing.ts";
import { DEFAULT_LIMITS } from "../src/persistence/rdb/decode.ts";
import { RdbLoader, writeRdb } from "../src/persistence/rdb/file.ts";
import { Snapshot } from "../src/persistence/snapshot.ts";
import { installLatin1Codec, latin1 } from "../src/resp/bytes.ts";
import type { Database } from "../src/store/database.ts";
import { mixedBatch } from "./dataset.ts";

installLatin1Codec({
  decode: (bytes, start, end) => Buffer.prototype.latin1Slice.call(bytes, start, end),
  encodeInto: (s, target, offset) => Buffer.prototype.latin1Write.call(target, s, offset, s.length),
});

const keys = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 3);
const NOW = Math.floor(Date.now() / 86400000) * 86400000 + 3600000;

/** The RESP commands of mixedBatch back as argv arrays, each arg a fresh string as the server's parser makes them. */
function parse(buf: Buffer): string[][] {
  const out: string[][] = [];
  const num = (from: number, to: number) => Number(latin1(buf, from, to));
  let p = 0;
  while (p < buf.length) {
    let nl = buf.indexOf(13, p);
    const n = num(p + 1, nl);
    p = nl + 2;
    const argv: string[] = [];
    for (let i = 0; i < n; i++) {
      nl = buf.indexOf(13, p);
      const len = num(p + 1, nl);
      argv.push(latin1(buf, nl + 2, nl + 2 + len));
      p = nl + 4 + len;
    }
    out.push(argv);
  }
  return out;
}

const t = createTestEngine();
for (let from = 0; from < keys; from += 50_000) {
  for (const argv of parse(mixedBatch(from, Math.min(keys, from + 50_000)).commands)) t.exec(...argv);
}
const dbs = t.engine.dbs as readonly Database[];
// Fixed TTLs (SET EX counts from the wall clock), so files compare byte for byte across builds.
for (const db of dbs) for (const s of db.table.slots()) if ((db.table.expireAt[s] as number) !== 0) db.table.expireAt[s] = NOW + 86_400_000;
console.log(`keys: ${dbs[0]?.size}`);

function save(): Uint8Array {
  const chunks: Uint8Array[] = [];
  new Snapshot(dbs, { compress: true, checksum: true, now: NOW, out: (c) => chunks.push(c) }).finish();
  return Buffer.concat(chunks);
}

function load(data: Uint8Array): number {
  const target = createTestEngine().engine.dbs as Database[];
  const now = Date.now();
  const loader = new RdbLoader(
    data,
    {
      key(id, key, value, expireAt) {
        const db = target[id] as Database;
        if (db.table.has(key)) throw new Error("dup");
        db.set(key, value, now);
        if (expireAt !== -1) db.setExpire(key, expireAt);
      },
    },
    DEFAULT_LIMITS,
    true,
  );
  while (!loader.step(1000));
  return target[0]?.size ?? 0;
}

let file: Uint8Array = new Uint8Array(0);
const saveTimes: number[] = [];
const loadTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  file = save();
  saveTimes.push(performance.now() - t0);
}
const mode = process.env.ONLY;
for (let i = 0; i < runs && mode !== "save"; i++) {
  const t0 = performance.now();
  const n = load(file);
  loadTimes.push(performance.now() - t0);
  if (n !== keys) throw new Error(`loaded ${n} keys`);
}
const mb = file.length / (1024 * 1024);
const fmt = (ms: number[]) => {
  const m = Math.min(...ms);
  return `min ${m.toFixed(0)} ms (${(mb / (m / 1000)).toFixed(1)} MB/s) runs ${ms.map((x) => x.toFixed(0)).join(" ")}`;
};
console.log(`file: ${mb.toFixed(1)} MB, crc tail ${Buffer.from(file.subarray(file.length - 8)).toString("hex")}`);
console.log(`save: ${fmt(saveTimes)}`);
if (loadTimes.length) console.log(`load: ${fmt(loadTimes)}`);
if (process.env.OUT) await Bun.write(process.env.OUT, file);
if (process.env.SLOTS) await Bun.write(process.env.SLOTS, writeRdb(dbs, { now: NOW }));
