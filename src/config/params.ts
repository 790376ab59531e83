/**
 * The configuration table: one row per parameter, serving the command line,
 * redis.conf, CONFIG GET/SET and CONFIG REWRITE alike. Names, defaults and
 * mutability follow Redis 7.0's standardConfig table (src/config.c).
 */

export type ParamType = "bool" | "int" | "memory" | "string" | "enum" | "save" | "list";

export interface ParamSpec {
  name: string;
  aliases?: string[];
  type: ParamType;
  /** Default in the form CONFIG GET shows it. */
  default: string;
  /** Can CONFIG SET change it at runtime? */
  mutable: boolean;
  min?: number;
  max?: number;
  enumValues?: string[];
  /** Set-once values that CONFIG GET still shows but nothing uses yet. */
  inert?: boolean;
}

const LONG_MAX = Number.MAX_SAFE_INTEGER;
const INT_MAX = 2147483647;

function bool(name: string, def: boolean, mutable = true, extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name, type: "bool", default: def ? "yes" : "no", mutable, ...extra };
}
function int(name: string, def: number, min: number, max: number, mutable = true, extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name, type: "int", default: String(def), mutable, min, max, ...extra };
}
function mem(name: string, def: number, mutable = true, extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name, type: "memory", default: String(def), mutable, min: 0, max: LONG_MAX, ...extra };
}
function str(name: string, def: string, mutable = true, extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name, type: "string", default: def, mutable, ...extra };
}
function enm(name: string, def: string, values: string[], mutable = true, extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name, type: "enum", default: def, mutable, enumValues: values, ...extra };
}

export const PARAMS: ParamSpec[] = [
  // Network
  str("bind", "* -::*", true, { type: "list" }),
  int("port", 6379, 0, 65535),
  str("unixsocket", "", false),
  int("unixsocketperm", 0, 0, 0o777, false),
  int("tcp-backlog", 511, 0, INT_MAX, false),
  int("tcp-keepalive", 300, 0, INT_MAX),
  int("timeout", 0, 0, INT_MAX),
  enm("protected-mode", "yes", ["yes", "no"], true),
  int("maxclients", 10000, 1, INT_MAX),
  // General
  bool("daemonize", false, false),
  str("pidfile", "", false),
  enm("loglevel", "notice", ["debug", "verbose", "notice", "warning", "nothing"]),
  str("logfile", "", false),
  int("databases", 16, 1, INT_MAX, false),
  bool("always-show-logo", false, false),
  bool("set-proc-title", true, false),
  int("hz", 10, 0, INT_MAX),
  bool("dynamic-hz", true),
  int("active-expire-effort", 1, 1, 10),
  enm("enable-debug-command", "no", ["no", "yes", "local"], false),
  enm("enable-protected-configs", "no", ["no", "yes", "local"], false),
  str("requirepass", ""),
  // Limits
  mem("proto-max-bulk-len", 512 * 1024 * 1024, true, { min: 1024 * 1024 }),
  mem("client-query-buffer-limit", 1024 * 1024 * 1024, true, { min: 1024 * 1024 }),
  mem("maxmemory", 0),
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
  int("maxmemory-samples", 5, 1, 64),
  // Persistence (used by later work; kept so configs written for Redis load)
  str("dir", "", true, { inert: false }),
  str("dbfilename", "dump.rdb"),
  { name: "save", type: "save", default: "3600 1 300 100 60 10000", mutable: true },
  bool("rdbcompression", true),
  bool("rdbchecksum", true),
  bool("stop-writes-on-bgsave-error", true),
  enm("appendonly", "no", ["yes", "no"], true, { inert: true }),
  str("appendfilename", "appendonly.aof", false, { inert: true }),
  str("appenddirname", "appendonlydir", false, { inert: true }),
  enm("appendfsync", "everysec", ["always", "everysec", "no"], true, { inert: true }),
  // Diagnostics
  int("slowlog-log-slower-than", 10000, -1, LONG_MAX),
  int("slowlog-max-len", 128, 0, LONG_MAX),
  int("latency-monitor-threshold", 0, 0, LONG_MAX),
  int("lua-time-limit", 5000, 0, LONG_MAX, true, { aliases: ["busy-reply-threshold"] }),
  // Lazy freeing: accepted for compatibility; respd frees through the GC either way.
  bool("lazyfree-lazy-eviction", false),
  bool("lazyfree-lazy-expire", false),
  bool("lazyfree-lazy-server-del", false),
  bool("lazyfree-lazy-user-del", false),
  bool("lazyfree-lazy-user-flush", false),
  // Replication (used by later work)
  str("replicaof", "", true, { aliases: ["slaveof"], inert: true }),
  bool("replica-read-only", true, true, { aliases: ["slave-read-only"], inert: true }),
  bool("replica-serve-stale-data", true, true, { aliases: ["slave-serve-stale-data"], inert: true }),
  str("masterauth", "", true, { inert: true }),
  str("masteruser", "", true, { inert: true }),
  // Data type encodings: the thresholds OBJECT ENCODING follows (Redis 7.0 names and defaults).
  int("list-max-listpack-size", -2, -5, LONG_MAX, true, { aliases: ["list-max-ziplist-size"] }),
  int("list-compress-depth", 0, 0, LONG_MAX),
  int("hash-max-listpack-entries", 128, 0, LONG_MAX, true, { aliases: ["hash-max-ziplist-entries"] }),
  mem("hash-max-listpack-value", 64, true, { aliases: ["hash-max-ziplist-value"] }),
  int("set-max-intset-entries", 512, 0, LONG_MAX),
  int("zset-max-listpack-entries", 128, 0, LONG_MAX, true, { aliases: ["zset-max-ziplist-entries"] }),
  mem("zset-max-listpack-value", 64, true, { aliases: ["zset-max-ziplist-value"] }),
  // Pub/sub and notifications (used by later work)
  str("notify-keyspace-events", "", true, { inert: true }),
];

const byName = new Map<string, ParamSpec>();
for (const p of PARAMS) {
  byName.set(p.name, p);
  for (const a of p.aliases ?? []) byName.set(a, p);
}

/** The row for a name or alias (case-insensitive), or undefined. */
export function findParam(name: string): ParamSpec | undefined {
  return byName.get(name.toLowerCase());
}
