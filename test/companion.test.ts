/**
 * The companion process standing in for Redis's forked child: while a BGSAVE
 * or BGREWRITEAOF runs, `pgrep -P <server pid>` finds it; kill -9 of it
 * aborts the job with Redis's log line and status; it is gone once the job
 * ends, and soon after the server itself is SIGKILLed. Linux (procfs, pgrep).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { HOOK_TIMEOUT_MS, type ServerProcess, startRespd } from "./helpers/server.ts";

const usable = existsSync("/proc/self/stat") && spawnSync("pgrep", ["-V"]).status === 0;

/** The children of `pid`, as Redis's tests find its fork child. */
function children(pid: number): number[] {
  const out = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).stdout ?? "";
  return out
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map(Number);
}

/** Alive and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function info(r: Redis, field: string): Promise<string> {
  const text = await r.info("persistence");
  return text.match(new RegExp(`^${field}:(.*)\\r?$`, "m"))?.[1]?.trim() ?? "";
}

describe.if(usable)("companion child process", () => {
  let s: ServerProcess;
  let r: Redis;
  let dir: string;
  let pid: number;
  afterAll(async () => {
    r?.disconnect();
    await s?.stop();
  });

  test(
    "BGSAVE shows a child; kill -9 of it aborts the save as Redis; it goes when the save ends",
    async () => {
      dir = mkdtempSync(join(tmpdir(), "respd-companion-"));
      s = await startRespd({ dir, args: ["--enable-debug-command", "yes"] });
      pid = s.proc.pid as number;
      r = new Redis({ port: s.port, host: s.host });
      await r.debug("POPULATE", "1000");
      const forks = async () => Number((await r.info("stats")).match(/^total_forks:(\d+)/m)?.[1]);
      const forksBefore = await forks();
      await r.config("SET", "rdb-key-save-delay", "100000");
      expect(String(await r.bgsave())).toBe("Background saving started");
      await until("a child", () => children(pid).length === 1);
      const child = children(pid)[0] as number;
      // Each background job counts as Redis's forks do.
      expect(await forks()).toBe(forksBefore + 1);
      // Redis's temp file and log line name the child's pid.
      expect(s.output()).toContain(`Background saving started by pid ${child}`);
      await until("the temp file", () => existsSync(join(dir, `temp-${child}.rdb`)));
      process.kill(child, "SIGKILL");
      await until("the save aborted", async () => (await info(r, "rdb_bgsave_in_progress")) === "0");
      expect(await info(r, "rdb_last_bgsave_status")).toBe("err");
      await until("the log line", () => s.output().includes("Background saving terminated by signal 9"));
      expect(readdirSync(dir).filter((f) => f.startsWith("temp-"))).toEqual([]);

      // A save that ends by itself takes its companion along, quietly.
      await r.config("SET", "rdb-key-save-delay", "0");
      expect(String(await r.bgsave())).toBe("Background saving started");
      await until("the save done", async () => (await info(r, "rdb_bgsave_in_progress")) === "0");
      expect(await info(r, "rdb_last_bgsave_status")).toBe("ok");
      await until("no child", () => children(pid).every((c) => !alive(c)));
    },
    HOOK_TIMEOUT_MS,
  );

  test(
    "BGREWRITEAOF: kill -9 of the child aborts the rewrite as Redis",
    async () => {
      await r.config("SET", "rdb-key-save-delay", "100000");
      expect(await r.bgrewriteaof()).toBe("Background append only file rewriting started");
      await until("a child", () => children(pid).filter(alive).length === 1);
      const child = children(pid).filter(alive)[0] as number;
      process.kill(child, "SIGKILL");
      await until("the rewrite aborted", async () => (await info(r, "aof_rewrite_in_progress")) === "0");
      expect(await info(r, "aof_last_bgrewrite_status")).toBe("err");
      await until("the log line", () => s.output().includes("Background AOF rewrite terminated by signal 9"));
      expect(existsSync(join(dir, "appendonlydir", `temp-rewriteaof-bg-${child}.aof`))).toBe(false);
      await r.config("SET", "rdb-key-save-delay", "0");
    },
    HOOK_TIMEOUT_MS,
  );

  test(
    "key tables do not resize while the child lives (Redis's dict_can_resize), and do once it is gone",
    async () => {
      const db9 = new Redis({ port: s.port, host: s.host, db: 9 });
      try {
        await db9.debug("POPULATE", "4096");
        const tableSize = async () => Number(String(await db9.debug("HTSTATS", "9")).match(/table size: (\d+)/)?.[1]);
        expect(await tableSize()).toBe(4096);
        await r.config("SET", "rdb-key-save-delay", "1000000");
        expect(String(await r.bgsave())).toBe("Background saving started");
        await until("a child", () => children(pid).filter(alive).length === 1);
        await db9.mset("k1", "v1", "k2", "v2");
        expect(await tableSize()).toBe(4096);
        process.kill(children(pid).filter(alive)[0] as number, "SIGKILL");
        await until("the save aborted", async () => (await info(r, "rdb_bgsave_in_progress")) === "0");
        await db9.set("k3", "v3");
        expect(await tableSize()).toBe(8192);
        await db9.flushdb();
        await r.config("SET", "rdb-key-save-delay", "0");
      } finally {
        db9.disconnect();
      }
    },
    HOOK_TIMEOUT_MS,
  );

  test(
    "FLUSHALL kills the BGSAVE's child without an error (save points or not), as Redis",
    async () => {
      await r.set("x", "1");
      await r.config("SET", "rdb-key-save-delay", "1000000");
      expect(String(await r.bgsave())).toBe("Background saving started");
      await until("a child", () => children(pid).filter(alive).length === 1);
      const child = children(pid).filter(alive)[0] as number;
      const before = Number(await info(r, "rdb_changes_since_last_save"));
      expect(await r.flushall()).toBe("OK");
      expect(await info(r, "rdb_bgsave_in_progress")).toBe("0");
      expect(s.output()).toContain("Background saving terminated by signal 10");
      // Not saved: the changes still count.
      expect(Number(await info(r, "rdb_changes_since_last_save"))).toBeGreaterThan(before);
      await until("the child gone", () => !alive(child));
      await r.config("SET", "rdb-key-save-delay", "0");
    },
    HOOK_TIMEOUT_MS,
  );

  test(
    "the child ends soon after the server is SIGKILLed",
    async () => {
      await r.debug("POPULATE", "100");
      await r.config("SET", "rdb-key-save-delay", "100000");
      expect(String(await r.bgsave())).toBe("Background saving started");
      await until("a child", () => children(pid).filter(alive).length === 1);
      const child = children(pid).filter(alive)[0] as number;
      r.disconnect();
      s.proc.kill("SIGKILL");
      await s.exited;
      // It checks once a second; a generous deadline for a loaded machine.
      await until("the child gone", () => !alive(child), 10_000);
    },
    HOOK_TIMEOUT_MS,
  );
});

describe.if(usable)("companion child process of a full sync", () => {
  const servers: ServerProcess[] = [];
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    for (const s of servers) await s.stop();
  });

  for (const diskless of [true, false]) {
    test(
      `kill -9 of it ends the ${diskless ? "diskless" : "disk-style"} sync and drops the waiting replica, as Redis`,
      async () => {
        const master = await startRespd({ args: ["--enable-debug-command", "yes"] });
        servers.push(master);
        const m = new Redis({ port: master.port, host: master.host });
        clients.push(m);
        await m.debug("POPULATE", "1000");
        await m.config("SET", "repl-diskless-sync", diskless ? "yes" : "no");
        await m.config("SET", "repl-diskless-sync-delay", "0");
        await m.config("SET", "rdb-key-save-delay", "100000");
        const replica = await startRespd();
        servers.push(replica);
        const r = new Redis({ port: replica.port, host: replica.host });
        clients.push(r);
        await r.replicaof(master.host, String(master.port));
        const pid = master.proc.pid as number;
        await until("a child", () => children(pid).filter(alive).length === 1);
        expect(await info(m, "rdb_bgsave_in_progress")).toBe("1");
        const child = children(pid).filter(alive)[0] as number;
        process.kill(child, "SIGKILL");
        const line = diskless ? "Background transfer terminated by signal 9" : "Background saving terminated by signal 9";
        await until(
          "the log lines",
          () => master.output().includes(line) && master.output().includes("SYNC failed. BGSAVE child returned an error"),
        );
        // A disk-target sync is a BGSAVE in Redis: its status follows.
        expect(await info(m, "rdb_last_bgsave_status")).toBe(diskless ? "ok" : "err");
        await r.replicaof("NO", "ONE");
        await until("no sync", async () => (await info(m, "rdb_bgsave_in_progress")) === "0");
      },
      HOOK_TIMEOUT_MS,
    );
  }
});
