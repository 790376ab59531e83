import { expect, test } from "bun:test";
import type { HostInfo } from "../engine/engine.ts";
import { createTestEngine } from "../engine/testing.ts";
import type { AppendFile, Companion } from "../runtime/types.ts";
import { Saver } from "./saver.ts";

/** A companion the test ends by hand, recording how the job stopped it. */
function fakeCompanion(pid: number) {
  let end: (e: { code: number | null; signal: number | null }) => void = () => {};
  const kills: string[] = [];
  const companion: Companion = {
    pid,
    exited: new Promise((resolve) => {
      end = resolve;
    }),
    kill: (signal) => void kills.push(signal),
  };
  return { companion, kills, die: (signal: number) => end({ code: null, signal }) };
}

function setup(pid: number) {
  const { engine, exec } = createTestEngine((c) => c.set("rdb-key-save-delay", "1000000"));
  const fake = fakeCompanion(pid);
  engine.host = { spawnCompanion: () => fake.companion, heapUsed: () => 0 } as unknown as HostInfo;
  exec("SET", "k", "v");
  const files = new Set<string>();
  const warnings: string[] = [];
  const notices: string[] = [];
  const saver = new Saver(
    engine,
    {
      create(path): AppendFile {
        files.add(path);
        return { write() {}, fsync() {}, fsyncInBackground: async () => {}, close() {} };
      },
      rename() {},
      remove: (path) => void files.delete(path),
      cwd: () => "/mem",
    },
    { notice: (m) => notices.push(m), warning: (m) => warnings.push(m) },
    1,
  );
  return { engine, saver, fake, files, warnings, notices };
}

const turn = () => new Promise((r) => setTimeout(r, 10));

test("a killed companion aborts the BGSAVE as Redis's child killed by that signal", async () => {
  const { saver, fake, files, warnings, notices } = setup(4242);
  expect(saver.bgsave()).toBeNull();
  // The temp file and the log line name the child's pid, as Redis's.
  expect([...files]).toEqual(["temp-4242.rdb"]);
  expect(notices).toContain("Background saving started by pid 4242");
  expect(saver.bgsaveInProgress).toBe(true);
  fake.die(9);
  await turn();
  expect(saver.bgsaveInProgress).toBe(false);
  expect(saver.lastBgsaveOk).toBe(false);
  expect(warnings).toContain("Background saving terminated by signal 9");
  expect(files.size).toBe(0);
  expect(fake.kills).toEqual([]);
  saver.stop();
});

test("SIGUSR1 ends it without an error; the server stopping the job stops the companion quietly", async () => {
  const a = setup(4243);
  a.saver.bgsave();
  a.fake.die(10);
  await turn();
  expect(a.saver.bgsaveInProgress).toBe(false);
  expect(a.saver.lastBgsaveOk).toBe(true);
  a.saver.stop();

  const b = setup(4244);
  b.saver.bgsave();
  expect(b.saver.abortBackground()).toBe(true);
  expect(b.fake.kills).toEqual(["SIGKILL"]);
  // Its end afterwards is the job's own doing: nothing more happens.
  b.fake.die(9);
  await turn();
  expect(b.saver.lastBgsaveOk).toBe(true);
  expect(b.warnings.filter((w) => w.includes("signal 9"))).toEqual([]);
  expect(b.engine.stats.totalForks).toBe(1);
  b.saver.stop();
});
