/**
 * The configuration table: one row per parameter, serving the command line,
 * redis.conf, CONFIG GET/SET and CONFIG REWRITE alike. Names, aliases,
 * defaults, bounds and mutability follow Redis 7.0's standardConfig table
 * (src/config.c), so `CONFIG GET *` lists what a real 7.0 server lists.
 *
 * `inert` rows are accepted and remembered (tools CONFIG GET/SET them) but
 * nothing in respd acts on them (TLS, cluster, jemalloc, io-threads...).
 */

export type ParamType =
  /** yes/no */
  | "bool"
  /** A plain integer (string2ll), bounded. */
  | "int"
  /** Bytes, with k/kb/m/mb/g/gb units. */
  | "memory"
  /** Bytes or "N%" (maxmemory-clients). */
  | "memory-percent"
  /** Octal integer (unixsocketperm). */
  | "octal"
  | "string"
  | "enum"
  /** Parsed by a codec in special.ts (save, bind, client-output-buffer-limit...). */
  | "special";

export interface ParamSpec {
  name: string;
  aliases?: string[];
  type: ParamType;
  /** Default in the form CONFIG GET shows it. */
  default: string;
  /** Can CONFIG SET change it at runtime? (Redis's IMMUTABLE_CONFIG is the opposite.) */
  mutable: boolean;
  /** PROTECTED_CONFIG: CONFIG SET only when enable-protected-configs allows it. */
  protected?: boolean;
  /** MULTI_ARG_CONFIG: several words on a config line, split on spaces in CONFIG SET. */
  multiArg?: boolean;
  /** Bounds for numeric types (bigint: some reach ULLONG_MAX). */
  min?: bigint;
  max?: bigint;
  enumValues?: string[];
  /** Accepted and shown, but nothing in respd uses the value. */
  inert?: boolean;
  /** HIDDEN_CONFIG: test-support knobs CONFIG GET shows only when asked for by exact name, never through a pattern. */
  hidden?: boolean;
  /** Clamp applied after a successful set (hz: 1..500, as Redis's updateHZ). */
  clamp?: [number, number];
  /** For string rows: "" means unset (EMPTY_STRING_IS_NULL), which CONFIG REWRITE omits. */
  emptyIsNull?: boolean;
}

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const UINT_MAX = 4294967295n;
const LONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;

type Extra = Partial<ParamSpec>;

function bool(name: string, def: boolean, mutable = true, extra: Extra = {}): ParamSpec {
  return { name, type: "bool", default: def ? "yes" : "no", mutable, ...extra };
}
function int(name: string, def: number, min: bigint, max: bigint, mutable = true, extra: Extra = {}): ParamSpec {
  return { name, type: "int", default: String(def), mutable, min, max, ...extra };
}
function mem(name: string, def: number, min: bigint, max: bigint, mutable = true, extra: Extra = {}): ParamSpec {
  return { name, type: "memory", default: String(def), mutable, min, max, ...extra };
}
function str(name: string, def: string, mutable = true, extra: Extra = {}): ParamSpec {
  return { name, type: "string", default: def, mutable, ...extra };
}
function enm(name: string, def: string, values: string[], mutable = true, extra: Extra = {}): ParamSpec {
  return { name, type: "enum", default: def, mutable, enumValues: values, ...extra };
}
function special(name: string, def: string, mutable = true, extra: Extra = {}): ParamSpec {
  return { name, type: "special", default: def, mutable, ...extra };
}

const inert: Extra = { inert: true };
const PROTECTED_ACTION = ["no", "yes", "local"];

export const PARAMS: ParamSpec[] = [
  // Network
  special("bind", "* -::*", true, { multiArg: true }),
  int("port", 6379, 0n, 65535n),
  str("unixsocket", "", false, { emptyIsNull: true }),
  { name: "unixsocketperm", type: "octal", default: "0", mutable: false, min: 0n, max: 0o777n },
  int("tcp-backlog", 511, 0n, INT_MAX, false),
  int("tcp-keepalive", 300, 0n, INT_MAX),
  int("timeout", 0, 0n, INT_MAX),
  bool("protected-mode", true),
  { name: "maxclients", type: "int", default: "10000", mutable: true, min: 1n, max: UINT_MAX },
  str("bind-source-addr", "", true, { emptyIsNull: true }),
  int("socket-mark-id", 0, 0n, UINT_MAX, true, inert),
  // General
  bool("daemonize", false, false, inert),
  enm("supervised", "no", ["upstart", "systemd", "auto", "no"], false, inert),
  str("pidfile", "", false, { emptyIsNull: true }),
  enm("loglevel", "notice", ["debug", "verbose", "notice", "warning"]),
  str("logfile", "", false),
  bool("syslog-enabled", false, false, inert),
  str("syslog-ident", "redis", false, inert),
  enm("syslog-facility", "local0", ["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"], false, inert),
  bool("crash-log-enabled", true, true),
  bool("crash-memcheck-enabled", true, true, inert),
  // A panic exits with status 1 instead of aborting (for tests that provoke one); respd has no panic to redirect.
  bool("use-exit-on-panic", false, true, { hidden: true, ...inert }),
  int("databases", 16, 1n, INT_MAX, false),
  bool("always-show-logo", false, false),
  bool("set-proc-title", true, false, inert),
  str("proc-title-template", "{title} {listen-addr} {server-mode}", true, inert),
  int("hz", 10, 0n, INT_MAX, true, { clamp: [1, 500] }),
  bool("dynamic-hz", true, true, inert),
  int("active-expire-effort", 1, 1n, 10n),
  bool("activerehashing", true, true, inert),
  enm("enable-protected-configs", "no", PROTECTED_ACTION, false),
  enm("enable-debug-command", "no", PROTECTED_ACTION, false),
  enm("enable-module-command", "no", PROTECTED_ACTION, false, inert),
  str("ignore-warnings", "", true, inert),
  bool("disable-thp", true, false, inert),
  enm("oom-score-adj", "no", ["no", "yes", "relative", "absolute"], true),
  special("oom-score-adj-values", "0 200 800", true, { multiArg: true }),
  str("server_cpulist", "", false, { emptyIsNull: true, ...inert }),
  str("bio_cpulist", "", false, { emptyIsNull: true, ...inert }),
  str("aof_rewrite_cpulist", "", false, { emptyIsNull: true, ...inert }),
  str("bgsave_cpulist", "", false, { emptyIsNull: true, ...inert }),
  int("io-threads", 1, 1n, 128n, false, inert),
  bool("io-threads-do-reads", false, false, inert),
  // Live: switches the idle-time collection (src/server/idle-gc.ts), the counterpart of jemalloc's purge thread.
  bool("jemalloc-bg-thread", true),
  // Redis's SIGALRM watchdog logs a stack trace when a command runs longer than this; a JS main thread
  // cannot be interrupted to take one, so the value is kept (tests set it) and nothing watches.
  int("watchdog-period", 0, 0n, INT_MAX, true, { hidden: true, ...inert }),
  int("shutdown-timeout", 10, 0n, INT_MAX),
  enm("shutdown-on-sigint", "default", ["default", "save", "nosave", "now", "force"], true, { multiArg: true }),
  enm("shutdown-on-sigterm", "default", ["default", "save", "nosave", "now", "force"], true, { multiArg: true }),
  // Security
  str("requirepass", ""),
  str("aclfile", "", false, inert),
  int("acllog-max-len", 128, 0n, LONG_MAX, true, inert),
  enm("acl-pubsub-default", "resetchannels", ["allchannels", "resetchannels"], true, inert),
  // Limits
  mem("proto-max-bulk-len", 512 * 1024 * 1024, 1024n * 1024n, LONG_MAX),
  mem("client-query-buffer-limit", 1024 * 1024 * 1024, 1024n * 1024n, LONG_MAX),
  special("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", true, {
    multiArg: true,
    ...inert,
  }),
  mem("maxmemory", 0, 0n, ULLONG_MAX),
  enm("maxmemory-policy", "noeviction", [
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
  ]),
  int("maxmemory-samples", 5, 1n, INT_MAX),
  int("maxmemory-eviction-tenacity", 10, 0n, 100n),
  { name: "maxmemory-clients", type: "memory-percent", default: "0", mutable: true, min: -100n, max: LONG_MAX, inert: true },
  int("lfu-log-factor", 10, 0n, INT_MAX),
  int("lfu-decay-time", 1, 0n, INT_MAX),
  bool("replica-ignore-maxmemory", true, true, { aliases: ["slave-ignore-maxmemory"], ...inert }),
  // Persistence (RDB)
  special("save", "3600 1 300 100 60 10000", true, { multiArg: true }),
  str("dir", "", true, { protected: true }),
  str("dbfilename", "dump.rdb", true, { protected: true }),
  bool("rdbcompression", true),
  bool("rdbchecksum", true, false),
  bool("stop-writes-on-bgsave-error", true),
  bool("rdb-del-sync-files", false),
  bool("rdb-save-incremental-fsync", true, true, inert),
  enm("sanitize-dump-payload", "no", ["no", "yes", "clients"], true),
  // Test support (HIDDEN_CONFIG): microseconds slept per key loaded (negative: 1 µs with a 1/-N chance), and how
  // many bytes a load reads between two turns of the event loop.
  int("key-load-delay", 0, INT_MIN, INT_MAX, true, { hidden: true }),
  int("loading-process-events-interval-bytes", 2 * 1024 * 1024, 1024n, INT_MAX, true, { hidden: true }),
  // Persistence (AOF)
  bool("appendonly", false),
  str("appendfilename", "appendonly.aof", false),
  str("appenddirname", "appendonlydir", false),
  enm("appendfsync", "everysec", ["everysec", "always", "no"]),
  bool("no-appendfsync-on-rewrite", false, true, inert),
  int("auto-aof-rewrite-percentage", 100, 0n, INT_MAX),
  mem("auto-aof-rewrite-min-size", 64 * 1024 * 1024, 0n, LONG_MAX),
  bool("aof-load-truncated", true),
  bool("aof-use-rdb-preamble", true),
  bool("aof-timestamp-enabled", false),
  bool("aof-rewrite-incremental-fsync", true, true, inert),
  bool("aof-disable-auto-gc", false, true, inert),
  // Diagnostics
  int("slowlog-log-slower-than", 10000, -1n, LONG_MAX),
  int("slowlog-max-len", 128, 0n, LONG_MAX),
  int("latency-monitor-threshold", 0, 0n, LONG_MAX),
  bool("latency-tracking", true, true),
  special("latency-tracking-info-percentiles", "50 99 99.9", true, { multiArg: true }),
  int("busy-reply-threshold", 5000, 0n, LONG_MAX, true, { aliases: ["lua-time-limit"] }),
  // Lazy freeing: respd frees through the GC either way; the flags pick DEL or UNLINK when propagating.
  bool("lazyfree-lazy-eviction", false),
  bool("lazyfree-lazy-expire", false),
  bool("lazyfree-lazy-server-del", false),
  bool("lazyfree-lazy-user-del", false),
  bool("lazyfree-lazy-user-flush", false),
  bool("replica-lazy-flush", false, true, { aliases: ["slave-lazy-flush"] }),
  // Replication
  special("replicaof", "", false, { aliases: ["slaveof"], multiArg: true }),
  str("masterauth", "", true, { emptyIsNull: true }),
  str("masteruser", "", true, { emptyIsNull: true }),
  bool("replica-read-only", true, true, { aliases: ["slave-read-only"] }),
  bool("replica-serve-stale-data", true, true, { aliases: ["slave-serve-stale-data"] }),
  int("replica-priority", 100, 0n, INT_MAX, true, { aliases: ["slave-priority"], ...inert }),
  str("replica-announce-ip", "", true, { aliases: ["slave-announce-ip"], emptyIsNull: true, ...inert }),
  int("replica-announce-port", 0, 0n, 65535n, true, { aliases: ["slave-announce-port"], ...inert }),
  bool("replica-announced", true, true, inert),
  bool("replica-ignore-disk-write-errors", false, true, inert),
  int("repl-ping-replica-period", 10, 1n, INT_MAX, true, { aliases: ["repl-ping-slave-period"] }),
  int("repl-timeout", 60, 1n, INT_MAX),
  mem("repl-backlog-size", 1024 * 1024, 1n, LONG_MAX),
  int("repl-backlog-ttl", 3600, 0n, LONG_MAX),
  bool("repl-disable-tcp-nodelay", false, true, inert),
  bool("repl-diskless-sync", true),
  int("repl-diskless-sync-delay", 5, 0n, INT_MAX),
  int("repl-diskless-sync-max-replicas", 0, 0n, INT_MAX),
  enm("repl-diskless-load", "disabled", ["disabled", "on-empty-db", "swapdb"]),
  int("min-replicas-to-write", 0, 0n, INT_MAX, true, { aliases: ["min-slaves-to-write"] }),
  int("min-replicas-max-lag", 10, 0n, INT_MAX, true, { aliases: ["min-slaves-max-lag"] }),
  // Test support: microseconds slept after each key a snapshot writes (BGSAVE, full sync, AOF rewrite base).
  int("rdb-key-save-delay", 0, INT_MIN, INT_MAX, true, { hidden: true }),
  // Test support, accepted and shown by name: respd's loads yield every few ms whatever the bytes, and it has no watchdog.
  int("loading-process-events-interval-bytes", 2 * 1024 * 1024, 1024n, INT_MAX, true, { hidden: true, ...inert }),
  int("watchdog-period", 0, 0n, INT_MAX, true, { hidden: true, ...inert }),
  enm("propagation-error-behavior", "ignore", ["ignore", "panic", "panic-on-replicas"], true, inert),
  // Pub/sub, keyspace notifications, client tracking
  special("notify-keyspace-events", ""),
  int("tracking-table-max-keys", 1000000, 0n, LONG_MAX),
  // Data type encodings: the thresholds OBJECT ENCODING follows.
  int("list-max-listpack-size", -2, INT_MIN, INT_MAX, true, { aliases: ["list-max-ziplist-size"] }),
  int("list-compress-depth", 0, 0n, INT_MAX),
  int("hash-max-listpack-entries", 512, 0n, LONG_MAX, true, { aliases: ["hash-max-ziplist-entries"] }),
  mem("hash-max-listpack-value", 64, 0n, LONG_MAX, true, { aliases: ["hash-max-ziplist-value"] }),
  int("set-max-intset-entries", 512, 0n, LONG_MAX),
  int("zset-max-listpack-entries", 128, 0n, LONG_MAX, true, { aliases: ["zset-max-ziplist-entries"] }),
  mem("zset-max-listpack-value", 64, 0n, LONG_MAX, true, { aliases: ["zset-max-ziplist-value"] }),
  mem("hll-sparse-max-bytes", 3000, 0n, LONG_MAX),
  mem("stream-node-max-bytes", 4096, 0n, LONG_MAX),
  int("stream-node-max-entries", 100, 0n, LONG_MAX),
  // Active defragmentation: jemalloc-specific, meaningless on a JS heap.
  bool("activedefrag", false, true, inert),
  mem("active-defrag-ignore-bytes", 100 * 1024 * 1024, 1n, LONG_MAX, true, inert),
  int("active-defrag-threshold-lower", 10, 0n, 1000n, true, inert),
  int("active-defrag-threshold-upper", 100, 0n, 1000n, true, inert),
  int("active-defrag-cycle-min", 1, 1n, 99n, true, inert),
  int("active-defrag-cycle-max", 25, 1n, 99n, true, inert),
  int("active-defrag-max-scan-fields", 1000, 1n, LONG_MAX, true, inert),
  // Cluster: respd runs standalone only.
  bool("cluster-enabled", false, false, inert),
  str("cluster-config-file", "nodes.conf", false, inert),
  int("cluster-node-timeout", 15000, 0n, LONG_MAX, true, inert),
  int("cluster-port", 0, 0n, 65535n, false, inert),
  str("cluster-announce-ip", "", true, { emptyIsNull: true, ...inert }),
  str("cluster-announce-hostname", "", true, { emptyIsNull: true, ...inert }),
  int("cluster-announce-port", 0, 0n, 65535n, true, inert),
  int("cluster-announce-bus-port", 0, 0n, 65535n, true, inert),
  int("cluster-announce-tls-port", 0, 0n, 65535n, true, inert),
  int("cluster-replica-validity-factor", 10, 0n, INT_MAX, true, { aliases: ["cluster-slave-validity-factor"], ...inert }),
  int("cluster-migration-barrier", 1, 0n, INT_MAX, true, inert),
  bool("cluster-require-full-coverage", true, true, inert),
  bool("cluster-replica-no-failover", false, true, { aliases: ["cluster-slave-no-failover"], ...inert }),
  bool("cluster-allow-reads-when-down", false, true, inert),
  bool("cluster-allow-pubsubshard-when-down", true, true, inert),
  bool("cluster-allow-replica-migration", true, true, inert),
  mem("cluster-link-sendbuf-limit", 0, 0n, ULLONG_MAX, true, inert),
  enm("cluster-preferred-endpoint-type", "ip", ["ip", "hostname", "unknown-endpoint"], true, inert),
  // TLS: respd does not terminate TLS (put a proxy in front).
  int("tls-port", 0, 0n, 65535n, true, inert),
  str("tls-cert-file", "", true, { emptyIsNull: true, ...inert }),
  str("tls-key-file", "", true, { emptyIsNull: true, ...inert }),
  str("tls-key-file-pass", "", true, { emptyIsNull: true, ...inert }),
  str("tls-client-cert-file", "", true, { emptyIsNull: true, ...inert }),
  str("tls-client-key-file", "", true, { emptyIsNull: true, ...inert }),
  str("tls-client-key-file-pass", "", true, { emptyIsNull: true, ...inert }),
  str("tls-dh-params-file", "", true, { emptyIsNull: true, ...inert }),
  str("tls-ca-cert-file", "", true, { emptyIsNull: true, ...inert }),
  str("tls-ca-cert-dir", "", true, { emptyIsNull: true, ...inert }),
  str("tls-protocols", "", true, { emptyIsNull: true, ...inert }),
  str("tls-ciphers", "", true, { emptyIsNull: true, ...inert }),
  str("tls-ciphersuites", "", true, { emptyIsNull: true, ...inert }),
  enm("tls-auth-clients", "yes", ["no", "yes", "optional"], true, inert),
  bool("tls-replication", false, true, inert),
  bool("tls-cluster", false, true, inert),
  bool("tls-prefer-server-ciphers", false, true, inert),
  bool("tls-session-caching", true, true, inert),
  int("tls-session-cache-size", 20480, 0n, INT_MAX, true, inert),
  int("tls-session-cache-timeout", 300, 0n, INT_MAX, true, inert),
];

const byName = new Map<string, ParamSpec>();
for (const p of PARAMS) {
  byName.set(p.name, p);
  for (const a of p.aliases ?? []) byName.set(a, p);
}

/** The row for a name or alias (case-insensitive), or undefined. */
export function findParam(name: string): ParamSpec | undefined {
  return byName.get(name) ?? byName.get(name.toLowerCase());
}

/** Every name CONFIG GET patterns are matched against: primary names and aliases. */
export function allNames(): IterableIterator<[string, ParamSpec]> {
  return byName.entries();
}
