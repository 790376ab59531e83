/**
 * MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP. Redis's field
 * names, shapes and texts; the figures are respd's: the JS heap in use stands
 * for the allocator's bytes (as INFO memory's used_memory does), RSS is the
 * process's, and per-key sizes come from the model in src/store/memory.ts.
 */
import { type CommandFlag, type CommandSpec, command, type Handler } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import { Errors, fail } from "../engine/errors.ts";
import { int64Arg } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { Double, MapReply, OK, type Reply, Verbatim } from "../resp/reply.ts";
import { DEFAULT_SAMPLES, keyBytes, keyspaceOverhead } from "../store/memory.ts";
import type { Value } from "../store/values.ts";
import { helpReply } from "./help.ts";
import { fieldsOf, memoryState } from "./info.ts";

const doc = (summary: string, complexity = "O(1)") => ({ summary, since: "4.0.0", group: "server", complexity });
const SLOW_DOC = "Depends on how much memory is allocated, could be slow";

/** MEMORY USAGE key [SAMPLES count]: the key's row is found without expiring or touching it, as Redis's dictFind. */
function usage(ctx: Ctx): Reply {
  let samples = DEFAULT_SAMPLES;
  for (let i = 3; i < ctx.argv.length; i++) {
    if (asciiLower(ctx.arg(i)) === "samples" && i + 1 < ctx.argv.length) {
      const n = int64Arg(ctx.arg(++i));
      if (n < 0n) fail(Errors.syntax);
      // 0 means every element.
      samples = n === 0n || n > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(n);
    } else fail(Errors.syntax);
  }
  const key = ctx.arg(2);
  const t = ctx.db.table;
  const s = t.slotOf(key);
  if (s === -1) return null;
  return keyBytes(key, t.values[s] as Value, samples);
}

/** The figures MEMORY STATS and DOCTOR share (Redis's getMemoryOverheadData). */
interface Overhead {
  total: number;
  peak: number;
  startup: number;
  rss: number;
  replBacklog: number;
  clientsSlaves: number;
  clientsNormal: number;
  aofBuffer: number;
  dbs: { id: number; main: number; expires: number }[];
  overheadTotal: number;
  keys: number;
  dataset: number;
  clients: number;
  replicas: number;
}

function overhead(engine: Engine): Overhead {
  const total = engine.host?.heapUsed() ?? 0;
  const rss = engine.host?.rss() ?? 0;
  const m = memoryState(engine, total);
  // INFO memory's figures, extensions included, so both commands agree.
  const info = new Map(fieldsOf(engine, "memory"));
  const num = (name: string) => Number(info.get(name) ?? 0) || 0;
  let clients = 0;
  let replicas = 0;
  for (const c of engine.clients.values()) {
    if (c.extraFlags.includes("S")) replicas++;
    else clients++;
  }
  let keys = 0;
  const dbs: Overhead["dbs"] = [];
  for (const db of engine.dbs) {
    if (db.size === 0) continue;
    keys += db.size;
    dbs.push({ id: db.id, ...keyspaceOverhead(db) });
  }
  const replBacklog = num("mem_replication_backlog");
  const aofBuffer = num("mem_aof_buffer");
  // INFO's used_memory_overhead is the one total (whoever reports a backlog or AOF buffer there adds it in too).
  const overheadTotal = num("used_memory_overhead");
  return {
    total,
    peak: m.peak,
    startup: m.startup,
    rss,
    replBacklog,
    clientsSlaves: num("mem_clients_slaves"),
    clientsNormal: num("mem_clients_normal"),
    aofBuffer,
    dbs,
    overheadTotal,
    keys,
    dataset: Math.max(0, total - overheadTotal),
    clients,
    replicas,
  };
}

function stats(ctx: Ctx): Reply {
  const o = overhead(ctx.engine);
  const net = o.total > o.startup ? o.total - o.startup : 1;
  const ratio = (a: number, b: number) => new Double(b > 0 ? a / b : 0);
  const out: Reply[] = [
    "peak.allocated",
    o.peak,
    "total.allocated",
    o.total,
    "startup.allocated",
    o.startup,
    "replication.backlog",
    o.replBacklog,
    "clients.slaves",
    o.clientsSlaves,
    "clients.normal",
    o.clientsNormal,
    "cluster.links",
    0,
    "aof.buffer",
    o.aofBuffer,
    "lua.caches",
    0,
    "functions.caches",
    0,
  ];
  for (const db of o.dbs) {
    out.push(
      `db.${db.id}`,
      new MapReply(["overhead.hashtable.main", db.main, "overhead.hashtable.expires", db.expires, "overhead.hashtable.slot-to-keys", 0]),
    );
  }
  out.push(
    "overhead.total",
    o.overheadTotal,
    "keys.count",
    o.keys,
    "keys.bytes-per-key",
    o.keys > 0 ? Math.floor(net / o.keys) : 0,
    "dataset.bytes",
    o.dataset,
    "dataset.percentage",
    new Double((o.dataset * 100) / net),
    "peak.percentage",
    new Double(o.peak > 0 ? (o.total * 100) / o.peak : 0),
    // The heap is the allocator here: what it holds is what it has active; its pages are resident in the RSS.
    "allocator.allocated",
    o.total,
    "allocator.active",
    o.total,
    "allocator.resident",
    o.rss,
    "allocator-fragmentation.ratio",
    new Double(1),
    "allocator-fragmentation.bytes",
    0,
    "allocator-rss.ratio",
    ratio(o.rss, o.total),
    "allocator-rss.bytes",
    o.rss - o.total,
    "rss-overhead.ratio",
    new Double(1),
    "rss-overhead.bytes",
    0,
    "fragmentation",
    ratio(o.rss, o.total),
    "fragmentation.bytes",
    o.rss - o.total,
  );
  return new MapReply(out);
}

const MB = 1024 * 1024;

/**
 * Redis's getMemoryDoctorReport, with its texts. "Empty" is judged on the heap
 * grown since startup (a JS runtime starts with several MB of its own); the
 * allocator-internal checks have no counterpart and are left out.
 */
function doctorText(engine: Engine): string {
  const o = overhead(engine);
  const reports: string[] = [];
  const empty = o.total - o.startup < 5 * MB;
  if (!empty) {
    if (o.peak / o.total > 1.5) {
      reports.push(
        " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n",
      );
    }
    if (o.total > 0 && o.rss / o.total > 1.4 && o.rss - o.total > 10 * MB) {
      reports.push(
        ' * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is "js-heap".\n\n',
      );
    }
    if (o.replicas > 0 && o.clientsSlaves > 10 * MB) {
      reports.push(
        " * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each replica (on average). This likely means that there is some replica instance that is struggling receiving data, either because it is too slow or because of networking issues. As a result, data piles on the master output buffers. Please try to identify what replica is not receiving data correctly and why. You can use the INFO output in order to check the replicas delays and the CLIENT LIST command to check the output buffers of each replica.\n\n",
      );
    }
    if (o.clients > 0 && o.clientsNormal / o.clients > 200 * 1024) {
      reports.push(
        " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n",
      );
    }
  }
  if (empty) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
  }
  if (reports.length === 0) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
  }
  return `Sam, I detected a few issues in this Redis instance memory implants:\n\n${reports.join("")}I'm here to keep you safe, Sam. I want to help you.\n`;
}

/** No jemalloc to print: the runtime's figures instead, in the spirit of its stats dump. */
function mallocStats(ctx: Ctx): Reply {
  const host = ctx.engine.host;
  if (host === null) return "Stats not supported for the current allocator";
  const heap = host.heapUsed();
  const rss = host.rss();
  return new Verbatim(
    "txt",
    `___ Begin js-heap statistics ___\n` +
      `Runtime: ${host.runtimeName} ${host.runtimeVersion}\n` +
      `Heap in use: ${heap}\n` +
      `Resident: ${rss}\n` +
      `Idle collections: ${host.idleCollections()}\n` +
      `--- End js-heap statistics ---\n`,
  );
}

const HELP = helpReply("MEMORY", [
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
]);

function sub(
  name: string,
  arity: number,
  flags: CommandFlag[],
  keys: [number, number, number],
  d: ReturnType<typeof doc>,
  handler: Handler,
): CommandSpec {
  return command(name, arity, flags, keys, ["slow"], d, handler);
}

export const memoryCommands: CommandSpec[] = [
  command(
    "memory",
    -2,
    [],
    [0, 0, 0],
    ["slow"],
    doc("A container for memory diagnostics commands", "Depends on subcommand."),
    () => fail("ERR wrong number of arguments for 'memory' command"),
    {
      subcommands: [
        sub("doctor", 2, [], [0, 0, 0], doc("Outputs memory problems report"), (ctx) => new Verbatim("txt", doctorText(ctx.engine))),
        sub("help", 2, ["loading", "stale"], [0, 0, 0], doc("Show helpful text about the different subcommands"), () => HELP),
        sub("malloc-stats", 2, [], [0, 0, 0], doc("Show allocator internal stats", SLOW_DOC), mallocStats),
        sub("purge", 2, [], [0, 0, 0], doc("Ask the allocator to release memory", SLOW_DOC), (ctx) => {
          // A runtime without a collector to call has nothing to purge: Redis without jemalloc replies OK too.
          ctx.engine.host?.collectGarbage();
          return OK;
        }),
        sub("stats", 2, [], [0, 0, 0], doc("Show memory usage details"), stats),
        sub(
          "usage",
          -3,
          ["readonly"],
          [2, 2, 1],
          doc("Estimate the memory usage of a key", "O(N) where N is the number of samples."),
          usage,
        ),
      ],
    },
  ),
];
