import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestEngine, type TestEngine } from "../../engine/testing.ts";
import { nodeFileSystem } from "../../runtime/shared.ts";
import type { AofIo } from "./fs.ts";
import { AofManager } from "./index.ts";
import { formatManifest, parseManifest, splitArgs } from "./manifest.ts";
import { encodeCommand, parseCommands } from "./resp.ts";

test("manifest: Redis's format round-trips, errors as aofLoadManifestFromFile", () => {
  const text = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
  const m = parseManifest(text);
  expect(m.base).toEqual({ name: "appendonly.aof.1.base.rdb", seq: 1, type: "b" });
  expect(m.incrs.length).toBe(1);
  expect(formatManifest(m)).toBe(text);
  expect(formatManifest({ ...m, base: { name: "a b", seq: 2, type: "b" } })).toStartWith('file "a b" seq 2 type b\n');
  expect(() => parseManifest("")).toThrow("Found an empty AOF manifest");
  expect(() => parseManifest("file a seq 1\n")).toThrow("Invalid AOF manifest file format");
  expect(() => parseManifest("file a seq 2 type i\nfile b seq 1 type i\n")).toThrow("Found a non-monotonic sequence number");
  expect(() => parseManifest("file a seq 1 type b\nfile b seq 2 type b\n")).toThrow("Found duplicate base file information");
  expect(() => parseManifest("file a/b seq 1 type b\n")).toThrow("File can't be a path, just a filename");
  expect(() => parseManifest("file a seq 1 type x\n")).toThrow("Unknown AOF file type");
  expect(parseManifest("# comment\nfile a seq 1 type i\n").incrs[0]?.name).toBe("a");
  expect(splitArgs('file "a\\x41 b" seq 1')).toEqual(["file", "aA b", "seq", "1"]);
});

test("commands: truncation vs format errors", () => {
  const cmds = encodeCommand(["SET", "k", "v\r\n"]) + encodeCommand(["DEL", "k"]);
  const bytes = Uint8Array.from(cmds, (c) => c.charCodeAt(0));
  const seen: string[][] = [];
  expect(parseCommands(bytes, 0, (a) => void seen.push(a))).toEqual({ kind: "ok" });
  expect(seen).toEqual([
    ["SET", "k", "v\r\n"],
    ["DEL", "k"],
  ]);
  const first = encodeCommand(["SET", "k", "v\r\n"]).length;
  for (let cut = first + 1; cut < bytes.length; cut++) {
    expect(parseCommands(bytes.subarray(0, cut), 0, () => true)).toEqual({ kind: "truncated", validUpTo: first });
  }
  const bad = Uint8Array.from("*1\r\n$3\r\nFOO\r\nxyz\r\n", (c) => c.charCodeAt(0));
  expect(parseCommands(bad, 0, () => true)).toEqual({ kind: "format" });
});

function setup(dir: string, configure?: (t: TestEngine) => void): { t: TestEngine; aof: AofManager; logs: string[] } {
  const logs: string[] = [];
  const t = createTestEngine((c) => {
    c.set("appendonly", "yes");
    c.set("appenddirname", join(dir, "appendonlydir"));
  });
  configure?.(t);
  const io: AofIo = {
    ...nodeFileSystem(),
    log: (_l, text) => void logs.push(text),
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
  };
  const aof = new AofManager(t.engine, io, t.engine.config);
  return { t, aof, logs };
}

/** Canonical contents: db, key, type, and its DUMP-independent rendering. */
function contents(t: TestEngine): string[] {
  const out: string[] = [];
  for (const db of t.engine.dbs) {
    for (const s of db.table.slots()) {
      const key = db.table.keys[s] as string;
      t.exec("SELECT", String(db.id));
      const type = String(t.exec("TYPE", key));
      let v: unknown;
      if (type === "string") v = t.exec("GET", key);
      else if (type === "list") v = t.exec("LRANGE", key, "0", "-1");
      else if (type === "set") v = (t.exec("SMEMBERS", key) as string[]).sort();
      else if (type === "hash") v = (t.exec("HGETALL", key) as string[]).join(",");
      else v = t.exec("ZRANGE", key, "0", "-1", "WITHSCORES");
      out.push(`${db.id}/${key}/${type}/${JSON.stringify(v)}/${(db.table.expireAt[s] as number) > 0}`);
    }
  }
  t.exec("SELECT", "0");
  return out.sort();
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(cond()).toBe(true);
}

for (const preamble of ["yes", "no"]) {
  test(`rewrite under concurrent writes reloads to the same data (preamble ${preamble})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "aof-unit-"));
    const { t, aof, logs } = setup(dir, (x) => x.engine.config.set("aof-use-rdb-preamble", preamble));
    aof.load();
    aof.attach();
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const op = () => {
      const k = `k${rnd(3000)}`;
      switch (rnd(8)) {
        case 0:
          return t.exec("SET", k, `v${rnd(100)}`);
        case 1:
          return t.exec("DEL", k);
        case 2:
          return t.exec("RPUSH", `l${rnd(50)}`, `e${rnd(10)}`);
        case 3:
          return t.exec("SADD", `s${rnd(50)}`, `m${rnd(20)}`);
        case 4:
          return t.exec("HSET", `h${rnd(50)}`, `f${rnd(5)}`, "x");
        case 5:
          return t.exec("SELECT", String(rnd(3)));
        case 6:
          return t.exec("ZADD", `z${rnd(50)}`, String(rnd(9)), `m${rnd(9)}`);
        default:
          return t.exec("EXPIRE", k, "1000");
      }
    };
    for (let i = 0; i < 20000; i++) op();
    aof.sliceMs = 0;
    aof.stepDelayMs = 1;
    expect(aof.rewrite()).toBe("started");
    expect(aof.rewrite()).toBe("in-progress");
    // Writes (and a FLUSHDB) interleave with the walk.
    let turns = 0;
    while (aof.rewriting) {
      for (let i = 0; i < 200; i++) op();
      turns++;
      // A replaced table (SWAPDB, FLUSHDB) makes the rewrite re-emit that db whole at the end.
      if (turns === 5) t.exec("SWAPDB", "1", "2");
      await new Promise((r) => setTimeout(r, 0));
    }
    // The SWAPDB happened while the walk was under way.
    expect(turns).toBeGreaterThan(5);
    expect(logs).toContain("Background AOF rewrite finished successfully");
    for (let i = 0; i < 500; i++) op();
    aof.flush(true);
    const want = contents(t);
    aof.close();
    const files = readdirSync(join(dir, "appendonlydir")).sort();
    expect(files).toEqual([
      `appendonly.aof.2.base.${preamble === "yes" ? "rdb" : "aof"}`,
      "appendonly.aof.2.incr.aof",
      "appendonly.aof.manifest",
    ]);
    const again = setup(dir);
    again.aof.load();
    expect(contents(again.t)).toEqual(want);
    expect(want.length).toBeGreaterThan(100);
  });
}

test("appendfsync always: the batch hook writes before replies; truncated tail handling", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-unit-"));
  const { t, aof } = setup(dir, (x) => x.engine.config.set("appendfsync", "always"));
  aof.load();
  const host = { beforeReply: null as (() => void) | null };
  aof.attach(host);
  expect(host.beforeReply).not.toBeNull();
  t.exec("SET", "a", "1");
  t.exec("SET", "b", "2");
  const incr = join(dir, "appendonlydir", "appendonly.aof.1.incr.aof");
  expect(readFileSync(incr).length).toBe(0);
  host.beforeReply?.();
  const size = readFileSync(incr).length;
  expect(readFileSync(incr, "latin1")).toBe(
    encodeCommand(["SELECT", "0"]) + encodeCommand(["SET", "a", "1"]) + encodeCommand(["SET", "b", "2"]),
  );
  t.engine.config.set("appendfsync", "everysec");
  // everysec too: written (not fsynced) before the replies, as Redis's beforeSleep does.
  expect(host.beforeReply).not.toBeNull();
  t.exec("SET", "c", "3");
  expect(readFileSync(incr).length).toBe(size);
  host.beforeReply?.();
  expect(readFileSync(incr).length).toBeGreaterThan(size);
  t.engine.config.set("appendonly", "no");
  expect(host.beforeReply).toBeNull();
  aof.close();
  // Cut the last command short: loaded without it and truncated (aof-load-truncated yes)...
  const { truncateSync } = await import("node:fs");
  truncateSync(incr, readFileSync(incr).length - 2);
  const strict = setup(dir, (x) => x.engine.config.set("aof-load-truncated", "no"));
  expect(() => strict.aof.load()).toThrow("exit 1");
  expect(strict.logs.join("\n")).toContain("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof");
  const again = setup(dir);
  expect(again.aof.load()?.truncated).toBe(true);
  expect(again.logs).toContain(`!!! Truncating the AOF appendonly.aof.1.incr.aof at offset ${size} !!!`);
  expect(again.t.exec("MGET", "a", "b", "c")).toEqual(["1", "2", null]);
  expect(readFileSync(incr).length).toBe(size);
});

test("an unfinished MULTI at the end is reverted", () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-unit-"));
  const { t, aof } = setup(dir);
  aof.load();
  aof.attach();
  t.exec("SET", "a", "1");
  t.exec("MULTI");
  t.exec("SET", "a", "2");
  t.exec("INCR", "n");
  t.exec("EXEC");
  aof.flush(true);
  aof.close();
  const incr = join(dir, "appendonlydir", "appendonly.aof.1.incr.aof");
  const text = readFileSync(incr, "latin1");
  expect(text).toContain(encodeCommand(["MULTI"]));
  const { writeFileSync } = require("node:fs");
  writeFileSync(incr, Buffer.from(text.slice(0, text.lastIndexOf(encodeCommand(["EXEC"]))), "latin1"));
  const again = setup(dir);
  again.aof.load();
  expect(again.logs).toContain("Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof");
  expect(again.t.exec("MGET", "a", "n")).toEqual(["1", null]);
});

test("appendfsync everysec: the fsync runs off the event loop, one at a time, and INFO shows it pending", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-unit-"));
  const fsyncs = { sync: 0, background: [] as (() => void)[] };
  const { t, aof } = setup(dir);
  // Every file the manager opens records how it is fsynced; background ones settle when the test says.
  const realOpen = (aof.io as AofIo).open.bind(aof.io);
  (aof.io as AofIo).open = (path, truncate) => {
    const f = realOpen(path, truncate);
    return Object.assign(f, {
      fsync: () => void fsyncs.sync++,
      fsyncInBackground: () => new Promise<void>((resolve) => fsyncs.background.push(resolve)),
    });
  };
  aof.load();
  aof.attach();
  // Creating the first files fsyncs them at once, as Redis does; from here on only everysec's fsyncs count.
  fsyncs.sync = 0;
  const pending = () => /aof_pending_bio_fsync:1/.test((t.exec("INFO", "persistence") as { text: string }).text);
  t.exec("SET", "a", "1");
  await until(() => fsyncs.background.length === 1);
  expect(pending()).toBe(true);
  // More writes while it runs: written, but no second fsync until the first is done.
  t.exec("SET", "b", "2");
  await new Promise((r) => setTimeout(r, 1300));
  expect(fsyncs.background.length).toBe(1);
  fsyncs.background[0]?.();
  await until(() => fsyncs.background.length === 2);
  fsyncs.background[1]?.();
  await until(() => !pending());
  expect(fsyncs.sync).toBe(0);
  aof.close();
});

test("aof-timestamp-enabled: a #TS annotation before each second's writes and atop a command-form base; loads skip them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-unit-"));
  const { t, aof } = setup(dir, (x) => {
    x.engine.config.set("appendfsync", "always");
    x.engine.config.set("aof-timestamp-enabled", "yes");
    x.engine.config.set("aof-use-rdb-preamble", "no");
  });
  aof.load();
  const host = { beforeReply: null as (() => void) | null };
  aof.attach(host);
  const base = join(dir, "appendonlydir", "appendonly.aof.1.base.aof");
  expect(readFileSync(base, "latin1")).toMatch(/^#TS:\d+\r\n/);
  t.exec("SET", "a", "1");
  t.exec("SET", "b", "2");
  host.beforeReply?.();
  const incr = readFileSync(join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"), "latin1");
  // Same second: one annotation, then SELECT, then the commands.
  expect(incr).toMatch(/^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT\r\n/);
  expect(incr.split("#TS:").length).toBe(2);
  aof.close();
  const again = setup(dir);
  again.aof.load();
  expect(again.t.exec("MGET", "a", "b")).toEqual(["1", "2"]);
});

test("reloadFromDisk (DEBUG LOADAOF): same data from the files, nothing replayed is written again", () => {
  const dir = mkdtempSync(join(tmpdir(), "aof-unit-"));
  const { t, aof } = setup(dir, (x) => x.engine.config.set("appendfsync", "always"));
  aof.load();
  const host = { beforeReply: null as (() => void) | null };
  aof.attach(host);
  t.exec("SET", "a", "1");
  t.exec("RPUSH", "l", "x", "y");
  t.exec("SELECT", "2");
  t.exec("SET", "b", "2");
  t.exec("SELECT", "0");
  const incr = join(dir, "appendonlydir", "appendonly.aof.1.incr.aof");
  const before = contents(t);
  // DEBUG LOADAOF's steps: the buffer written out, the dataset emptied, the files replayed.
  aof.flush(true);
  for (const db of t.engine.dbs) db.flush();
  expect(aof.reloadFromDisk()).toBe("ok");
  const size = readFileSync(incr).length;
  host.beforeReply?.();
  expect(readFileSync(incr).length).toBe(size);
  expect(contents(t)).toEqual(before);
  aof.close();
});
