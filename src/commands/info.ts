/**
 * INFO: Redis 7.0's sections, field names and layout (`# Section` headers,
 * `name:value` lines, CRLF, one blank line between sections), with values
 * measured from the engine and the host. Where a Redis field has no meaning
 * here (jemalloc, Lua, cluster) it reports the idle/absent value a real
 * server reports when that feature is unused; where respd differs in kind it
 * says what it is (mem_allocator:js-heap, multiplexing_api of the runtime).
 *
 * Later subsystems (persistence, replication, pub/sub) override or add fields
 * with `extendInfo`, without touching this file.
 */
import { type CommandSpec, command } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { type Engine, RESPD_VERSION, VERSION } from "../engine/engine.ts";
import { asciiLower, type TableEntry } from "../engine/table.ts";
import { replicationMemory } from "../replication/buffer-info.ts";
import { type Reply, Verbatim } from "../resp/reply.ts";
import { keyspaceOverhead } from "../store/memory.ts";
import { migrateCachedSockets } from "./migrate/sockets.ts";

type Field = [name: string, value: string | number];
export type InfoExtension = (engine: Engine) => Field[];

/** Every section in output order; `default` marks those INFO without arguments shows. */
const SECTIONS: [name: string, title: string, inDefault: boolean][] = [
  ["server", "Server", true],
  ["clients", "Clients", true],
  ["memory", "Memory", true],
  ["persistence", "Persistence", true],
  ["stats", "Stats", true],
  ["replication", "Replication", true],
  ["cpu", "CPU", true],
  ["modules", "Modules", true],
  ["commandstats", "Commandstats", false],
  ["errorstats", "Errorstats", true],
  ["latencystats", "Latencystats", false],
  ["cluster", "Cluster", true],
  ["keyspace", "Keyspace", true],
];

const extensions = new Map<string, InfoExtension[]>();

/** Lets another subsystem set fields of a section: same-named fields are replaced, new ones appended. */
export function extendInfo(section: string, ext: InfoExtension): void {
  const list = extensions.get(section) ?? [];
  list.push(ext);
  extensions.set(section, list);
}

/** Lets a subsystem build a whole section itself, when its fields' order depends on state (replication's role). */
export function replaceInfoSection(section: string, build: InfoExtension): void {
  BUILDERS[section] = build;
}

/** Redis's bytesToHuman. */
export function bytesToHuman(n: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const u of units) {
    if (d < 1024 || u === "P") return `${d.toFixed(2)}${u}`;
    d /= 1024;
  }
  return `${n}B`;
}

/** Memory high-water mark and the heap in use when INFO first looked, per engine. */
const memory = new WeakMap<Engine, { peak: number; startup: number }>();

/** The peak and startup heap figures INFO memory and MEMORY STATS report, updated with the heap in use now. */
export function memoryState(engine: Engine, used: number): { peak: number; startup: number } {
  let m = memory.get(engine);
  if (!m) {
    m = { peak: used, startup: used };
    memory.set(engine, m);
  }
  if (used > m.peak) m.peak = used;
  return m;
}

/** CONFIG RESETSTAT resets the peak, as Redis's resetServerStats does. */
export function resetMemoryPeak(engine: Engine): void {
  const m = memory.get(engine);
  if (m) m.peak = 0;
}

const replIds = new WeakMap<Engine, string>();
function replId(engine: Engine): string {
  let id = replIds.get(engine);
  if (!id) {
    id = "";
    for (let i = 0; i < 40; i++) id += "0123456789abcdef"[(Math.random() * 16) | 0];
    replIds.set(engine, id);
  }
  return id;
}

/** A short stable hash, for redis_build_id (Redis hashes its build; we hash what identifies ours). */
function buildId(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) h = ((h ^ BigInt(s.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, "0").slice(0, 15);
}

const OS_NAMES: Record<string, string> = { linux: "Linux", darwin: "Darwin", win32: "Windows", freebsd: "FreeBSD" };
const ARCH_NAMES: Record<string, string> = { x64: "x86_64", arm64: "aarch64", ia32: "i686" };

function serverSection(engine: Engine): Field[] {
  const host = engine.host;
  const now = Date.now();
  const uptime = Math.floor((now - engine.startedAt) / 1000);
  const hz = engine.config.num("hz");
  const platform = host?.platform ?? "unknown";
  return [
    ["redis_version", VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", buildId(`respd ${RESPD_VERSION} ${host?.runtimeName ?? ""} ${host?.runtimeVersion ?? ""}`)],
    ["redis_mode", "standalone"],
    ["os", `${OS_NAMES[platform] ?? platform} ${ARCH_NAMES[host?.arch ?? ""] ?? host?.arch ?? "unknown"}`],
    ["arch_bits", 64],
    ["monotonic_clock", "performance.now()"],
    // Every runtime's event loop sits on the OS poller: epoll on Linux, kqueue on the BSDs and macOS.
    ["multiplexing_api", platform === "linux" ? "epoll" : platform === "win32" ? "iocp" : "kqueue"],
    ["atomicvar_api", "single-threaded"],
    ["gcc_version", "0.0.0"],
    ["process_id", host?.pid ?? 0],
    ["process_supervised", "no"],
    ["run_id", engine.runId],
    ["tcp_port", host?.tcpPort() ?? engine.config.num("port")],
    ["server_time_usec", now * 1000],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", hz],
    ["configured_hz", hz],
    ["lru_clock", Math.floor(now / 1000) & 0xffffff],
    ["executable", host?.executable ?? ""],
    ["config_file", engine.config.file],
    ["io_threads_active", 0],
    // Only while a shutdown waits for replicas, as in Redis.
    ...((host !== null && host.shutdownInMs() > 0 ? [["shutdown_in_milliseconds", host.shutdownInMs()]] : []) as Field[]),
    ["respd_version", RESPD_VERSION],
    ["runtime", host ? `${host.runtimeName} ${host.runtimeVersion}` : "unknown"],
  ];
}

function clientsSection(engine: Engine): Field[] {
  let normal = 0;
  let tracking = 0;
  for (const c of engine.clients.values()) {
    if (!c.extraFlags.includes("S")) normal++;
    if (c.extraFlags.includes("t")) tracking++;
  }
  return [
    ["connected_clients", normal],
    ["cluster_connections", 0],
    ["maxclients", engine.config.num("maxclients")],
    // The decoder and encoder stream their buffers; respd keeps no per-client peak to report.
    ["client_recent_max_input_buffer", 0],
    ["client_recent_max_output_buffer", 0],
    ["blocked_clients", engine.blocking.size + engine.pausedClients],
    ["tracking_clients", tracking],
    ["clients_in_timeout_table", 0],
  ];
}

const pct = (a: number, b: number) => (b > 0 ? (a / b) * 100 : 0).toFixed(2);
const ratio = (a: number, b: number) => (b > 0 ? a / b : 0).toFixed(2);

/**
 * What the heap holds besides the dataset, as Redis's getMemoryOverheadData
 * counts it: the heap at startup, clients' pending output (what respd knows a
 * client holds), the shared replication buffer (backlog and the replicas'
 * share of it, which is what replicas are sent) and the key tables
 * (src/store/memory.ts's model).
 */
export function memoryOverhead(engine: Engine): {
  clientsNormal: number;
  clientsSlaves: number;
  backlog: number;
  keyspace: number;
} {
  let clientsNormal = 0;
  for (const c of engine.clients.values()) {
    if (!c.extraFlags.includes("S")) clientsNormal += c.transport.pendingBytes;
  }
  const repl = replicationMemory(engine);
  let keyspace = 0;
  for (const db of engine.dbs) {
    if (db.size === 0) continue;
    const o = keyspaceOverhead(db);
    keyspace += o.main + o.expires;
  }
  return { clientsNormal, clientsSlaves: repl.replicas, backlog: repl.backlog, keyspace };
}

function memorySection(engine: Engine): Field[] {
  const used = engine.host?.heapUsed() ?? 0;
  const rss = engine.host?.rss() ?? 0;
  const m = memoryState(engine, used);
  const o = memoryOverhead(engine);
  const overhead = m.startup + o.clientsNormal + o.clientsSlaves + o.backlog + o.keyspace;
  // Unsigned in Redis; a collection can leave the heap below the startup figure here.
  const dataset = Math.max(0, used - overhead);
  const maxmemory = engine.config.num("maxmemory");
  const repl = replicationMemory(engine);
  return [
    ["used_memory", used],
    ["used_memory_human", bytesToHuman(used)],
    ["used_memory_rss", rss],
    ["used_memory_rss_human", bytesToHuman(rss)],
    ["used_memory_peak", m.peak],
    ["used_memory_peak_human", bytesToHuman(m.peak)],
    ["used_memory_peak_perc", `${pct(used, m.peak)}%`],
    ["used_memory_overhead", overhead],
    ["used_memory_startup", m.startup],
    ["used_memory_dataset", dataset],
    ["used_memory_dataset_perc", `${pct(dataset, used - m.startup > 0 ? used - m.startup : used)}%`],
    ["allocator_allocated", used],
    ["allocator_active", used],
    ["allocator_resident", rss],
    // The runtime does not expose physical memory size through the engine's host facts.
    ["total_system_memory", 0],
    ["total_system_memory_human", "0B"],
    ["used_memory_lua", 0],
    ["used_memory_vm_eval", 0],
    ["used_memory_lua_human", "0B"],
    ["used_memory_scripts_eval", 0],
    ["number_of_cached_scripts", 0],
    ["number_of_functions", 0],
    ["number_of_libraries", 0],
    ["used_memory_vm_functions", 0],
    ["used_memory_vm_total", 0],
    ["used_memory_vm_total_human", "0B"],
    ["used_memory_functions", 0],
    ["used_memory_scripts", 0],
    ["used_memory_scripts_human", "0B"],
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", engine.config.get("maxmemory-policy")],
    ["allocator_frag_ratio", "1.00"],
    ["allocator_frag_bytes", 0],
    ["allocator_rss_ratio", ratio(rss, used)],
    ["allocator_rss_bytes", rss - used],
    ["rss_overhead_ratio", "1.00"],
    ["rss_overhead_bytes", 0],
    ["mem_fragmentation_ratio", ratio(rss, used)],
    ["mem_fragmentation_bytes", rss - used],
    ["mem_not_counted_for_evict", 0],
    ["mem_replication_backlog", o.backlog],
    ["mem_total_replication_buffers", repl.total],
    ["mem_clients_slaves", o.clientsSlaves],
    ["mem_clients_normal", o.clientsNormal],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", 0],
    ["mem_allocator", "js-heap"],
    // respd's own: how often the server returned a burst's garbage when idle (jemalloc-bg-thread's role).
    ["respd_idle_collections", engine.host?.idleCollections() ?? 0],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
}

function persistenceSection(engine: Engine): Field[] {
  return [
    ["loading", 0],
    ["async_loading", 0],
    ["current_cow_peak", 0],
    ["current_cow_size", 0],
    ["current_cow_size_age", 0],
    ["current_fork_perc", "0.00"],
    ["current_save_keys_processed", 0],
    ["current_save_keys_total", 0],
    ["rdb_changes_since_last_save", engine.dirty],
    ["rdb_bgsave_in_progress", 0],
    ["rdb_last_save_time", Math.floor(engine.startedAt / 1000)],
    ["rdb_last_bgsave_status", "ok"],
    ["rdb_last_bgsave_time_sec", -1],
    ["rdb_current_bgsave_time_sec", -1],
    ["rdb_saves", 0],
    ["rdb_last_cow_size", 0],
    ["rdb_last_load_keys_expired", 0],
    ["rdb_last_load_keys_loaded", 0],
    ["aof_enabled", engine.config.bool("appendonly") ? 1 : 0],
    ["aof_rewrite_in_progress", 0],
    ["aof_rewrite_scheduled", 0],
    ["aof_last_rewrite_time_sec", -1],
    ["aof_current_rewrite_time_sec", -1],
    ["aof_last_bgrewrite_status", "ok"],
    ["aof_rewrites", 0],
    ["aof_rewrites_consecutive_failures", 0],
    ["aof_last_write_status", "ok"],
    ["aof_last_cow_size", 0],
    ["module_fork_in_progress", 0],
    ["module_fork_last_cow_size", 0],
  ];
}

function statsSection(engine: Engine): Field[] {
  const s = engine.stats;
  const [inKbps, outKbps] = s.kbps();
  let channels = 0;
  let patterns = 0;
  let shard = 0;
  for (const c of engine.clients.values()) {
    channels += c.sub;
    patterns += c.psub;
    shard += c.ssub;
  }
  return [
    ["total_connections_received", s.totalConnectionsReceived],
    ["total_commands_processed", s.totalCommandsProcessed],
    ["instantaneous_ops_per_sec", s.opsPerSec()],
    ["total_net_input_bytes", s.totalNetInputBytes],
    ["total_net_output_bytes", s.totalNetOutputBytes],
    ["total_net_repl_input_bytes", 0],
    ["total_net_repl_output_bytes", 0],
    ["instantaneous_input_kbps", inKbps.toFixed(2)],
    ["instantaneous_output_kbps", outKbps.toFixed(2)],
    ["instantaneous_input_repl_kbps", "0.00"],
    ["instantaneous_output_repl_kbps", "0.00"],
    ["rejected_connections", s.rejectedConnections],
    ["sync_full", 0],
    ["sync_partial_ok", 0],
    ["sync_partial_err", 0],
    ["expired_keys", s.expiredKeys],
    ["expired_stale_perc", "0.00"],
    ["expired_time_cap_reached_count", 0],
    ["expire_cycle_cpu_milliseconds", 0],
    ["evicted_keys", s.evictedKeys],
    ["evicted_clients", 0],
    ["total_eviction_exceeded_time", 0],
    ["current_eviction_exceeded_time", 0],
    ["keyspace_hits", s.keyspaceHits],
    ["keyspace_misses", s.keyspaceMisses],
    // Upper bounds: channels subscribed by several clients count once per client here.
    ["pubsub_channels", channels],
    ["pubsub_patterns", patterns],
    ["pubsubshard_channels", shard],
    ["latest_fork_usec", s.latestForkUsec],
    ["total_forks", s.totalForks],
    ["migrate_cached_sockets", migrateCachedSockets(engine)],
    ["slave_expires_tracked_keys", 0],
    ["active_defrag_hits", 0],
    ["active_defrag_misses", 0],
    ["active_defrag_key_hits", 0],
    ["active_defrag_key_misses", 0],
    ["total_active_defrag_time", 0],
    ["current_active_defrag_time", 0],
    ["tracking_total_keys", 0],
    ["tracking_total_items", 0],
    ["tracking_total_prefixes", 0],
    ["unexpected_error_replies", 0],
    ["total_error_replies", s.totalErrorReplies],
    ["dump_payload_sanitizations", 0],
    // respd counts commands, not socket reads and writes.
    ["total_reads_processed", 0],
    ["total_writes_processed", 0],
    ["io_threaded_reads_processed", 0],
    ["io_threaded_writes_processed", 0],
    ["reply_buffer_shrinks", s.replyBufferShrinks],
    ["reply_buffer_expands", s.replyBufferExpands],
  ];
}

function replicationSection(engine: Engine): Field[] {
  return [
    ["role", "master"],
    ["connected_slaves", 0],
    ["master_failover_state", "no-failover"],
    ["master_replid", replId(engine)],
    ["master_replid2", "0".repeat(40)],
    ["master_repl_offset", 0],
    ["second_repl_offset", -1],
    ["repl_backlog_active", 0],
    ["repl_backlog_size", engine.config.num("repl-backlog-size")],
    ["repl_backlog_first_byte_offset", 0],
    ["repl_backlog_histlen", 0],
  ];
}

function cpuSection(engine: Engine): Field[] {
  const cpu = engine.host?.cpuUsage() ?? { user: 0, system: 0 };
  const secs = (us: number) => (us / 1e6).toFixed(6);
  return [
    ["used_cpu_sys", secs(cpu.system)],
    ["used_cpu_user", secs(cpu.user)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
    // JS runs commands on the main thread; the process figures are the main thread's to within GC threads.
    ["used_cpu_sys_main_thread", secs(cpu.system)],
    ["used_cpu_user_main_thread", secs(cpu.user)],
  ];
}

function commandstatsSection(engine: Engine): Field[] {
  const out: Field[] = [];
  for (const [name, s] of engine.stats.commands) {
    if (s.calls === 0 && s.failedCalls === 0 && s.rejectedCalls === 0) continue;
    const perCall = s.calls > 0 ? s.usec / s.calls : 0;
    out.push([
      `cmdstat_${name}`,
      `calls=${s.calls},usec=${s.usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
    ]);
  }
  return out;
}

function errorstatsSection(engine: Engine): Field[] {
  // Redis keeps error codes in a radix tree, so they come out sorted.
  return [...engine.stats.errors.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, n]) => [`errorstat_${code}`, `count=${n}`]);
}

/**
 * Per-command latency percentiles (latency-tracking-info-percentiles), in
 * microseconds with 3 decimals, commands in table order with their
 * subcommands after them; nothing while latency-tracking is off.
 */
function latencystatsSection(engine: Engine): Field[] {
  if (!engine.config.bool("latency-tracking")) return [];
  const percentiles = engine.config
    .get("latency-tracking-info-percentiles")
    .split(" ")
    .filter((p) => p !== "");
  const out: Field[] = [];
  const visit = (e: TableEntry) => {
    const h = engine.stats.commands.get(e.fullName)?.histogram;
    if (h) {
      const parts = percentiles.map((p) => `p${Number(p)}=${(h.valueAtPercentile(Number(p)) / 1000).toFixed(3)}`);
      out.push([`latency_percentiles_usec_${e.fullName}`, parts.join(",")]);
    }
    if (e.subcommands) for (const sub of e.subcommands.values()) visit(sub);
  };
  for (const e of engine.commands.all()) visit(e);
  return out;
}

/** Average remaining TTL in ms of a db's volatile keys, from a bounded sample (Redis estimates it too). */
function avgTtl(engine: Engine, dbIndex: number, now: number): number {
  const db = engine.dbs[dbIndex];
  if (!db || db.volatile.size === 0) return 0;
  let sum = 0;
  let n = 0;
  for (const key of db.volatile) {
    const at = db.getExpire(key);
    if (at > now) {
      sum += at - now;
      n++;
    }
    if (n >= 1000) break;
  }
  return n > 0 ? Math.round(sum / n) : 0;
}

function keyspaceSection(engine: Engine): Field[] {
  const out: Field[] = [];
  const now = Date.now();
  for (const db of engine.dbs) {
    if (db.size === 0) continue;
    out.push([`db${db.id}`, `keys=${db.size},expires=${db.volatile.size},avg_ttl=${avgTtl(engine, db.id, now)}`]);
  }
  return out;
}

const BUILDERS: Record<string, (engine: Engine) => Field[]> = {
  server: serverSection,
  clients: clientsSection,
  memory: memorySection,
  persistence: persistenceSection,
  stats: statsSection,
  replication: replicationSection,
  cpu: cpuSection,
  modules: () => [],
  commandstats: commandstatsSection,
  errorstats: errorstatsSection,
  latencystats: latencystatsSection,
  cluster: () => [["cluster_enabled", 0]],
  keyspace: keyspaceSection,
};

/** A section's fields as INFO shows them, extensions included (MEMORY STATS reads the memory section). */
export function fieldsOf(engine: Engine, section: string): Field[] {
  const fields = (BUILDERS[section] as (e: Engine) => Field[])(engine);
  for (const ext of extensions.get(section) ?? []) {
    for (const [name, value] of ext(engine)) {
      const at = fields.findIndex(([n]) => n === name);
      if (at === -1) fields.push([name, value]);
      else fields[at] = [name, value];
    }
  }
  return fields;
}

/** Which sections the arguments select: names, plus `default`, `all` and `everything`. */
export function selectSections(args: string[]): Set<string> {
  const chosen = new Set<string>();
  const words = args.length === 0 ? ["default"] : args.map(asciiLower);
  for (const w of words) {
    if (w === "default") for (const [n, , d] of SECTIONS) d && chosen.add(n);
    else if (w === "all" || w === "everything") for (const [n] of SECTIONS) chosen.add(n);
    else chosen.add(w);
  }
  return chosen;
}

/** The INFO text for the given arguments. */
export function infoText(engine: Engine, args: string[]): string {
  const chosen = selectSections(args);
  const parts: string[] = [];
  for (const [name, title] of SECTIONS) {
    if (!chosen.has(name)) continue;
    let text = `# ${title}\r\n`;
    for (const [k, v] of fieldsOf(engine, name)) text += `${k}:${v}\r\n`;
    parts.push(text);
  }
  return parts.join("\r\n");
}

export const infoCommands: CommandSpec[] = [
  command(
    "info",
    -1,
    ["loading", "stale"],
    [0, 0, 0],
    ["slow", "dangerous"],
    { summary: "Get information and statistics about the server", since: "1.0.0", group: "server", complexity: "O(1)" },
    // A bulk string in RESP2, a `txt` verbatim string in RESP3, as in Redis 7.0.
    (ctx: Ctx): Reply => new Verbatim("txt", infoText(ctx.engine, ctx.argv.slice(1))),
  ),
];
