/**
 * REPLICAOF / SLAVEOF, REPLCONF, PSYNC / SYNC, WAIT, ROLE, and INFO
 * replication. The machinery is in src/replication/; these rows only parse
 * arguments and answer.
 */
import { type CommandSpec, command, NO_REPLY } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import { Errors, fail } from "../engine/errors.ts";
import { intArg } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { failoverCommand, failoverState } from "../replication/failover.ts";
import { attachedOf, flushStream, replicaAck, replicaIp, syncCommand, waitCommand } from "../replication/master.ts";
import { becomeMaster, becomeReplica } from "../replication/role.ts";
import { replicationOf } from "../replication/state.ts";
import { OK, type Reply, Status } from "../resp/reply.ts";
import { extendInfo, replaceInfoSection } from "./info.ts";

const ADMIN = ["admin", "slow", "dangerous"];

function replicaof(ctx: Ctx): Reply {
  const state = replicationOf(ctx.engine);
  if (state.failover !== null) fail("ERR REPLICAOF not allowed while failing over.");
  const who = `id=${ctx.client.id} addr=${ctx.client.addr} laddr=${ctx.client.laddr} fd=${ctx.client.fd} name=${ctx.client.name}`;
  if (asciiLower(ctx.arg(1)) === "no" && asciiLower(ctx.arg(2)) === "one") {
    if (state.link !== null) {
      becomeMaster(state);
      state.host?.notice(`MASTER MODE enabled (user request from '${who}')`);
    }
    return OK;
  }
  const port = intArg(ctx.arg(2), "ERR Invalid master port");
  if (port < 0 || port > 65535) fail("ERR Invalid master port");
  const host = ctx.arg(1);
  if (state.link !== null && state.link.host === host && state.link.port === port) {
    state.host?.notice(
      "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.",
    );
    return new Status("OK Already connected to specified master");
  }
  becomeReplica(state, host, port);
  state.host?.notice(`REPLICAOF ${host}:${port} enabled (user request from '${who}')`);
  return OK;
}

function replconf(ctx: Ctx): Reply | typeof NO_REPLY {
  const { argv } = ctx;
  if (argv.length % 2 === 0) fail(Errors.syntax);
  const state = replicationOf(ctx.engine);
  for (let i = 1; i < argv.length; i += 2) {
    const opt = asciiLower(argv[i] as string);
    const value = argv[i + 1] as string;
    if (opt === "listening-port") attachedOf(state, ctx.client).port = intArg(value);
    else if (opt === "ip-address") attachedOf(state, ctx.client).ip = value;
    else if (opt === "capa") {
      const r = attachedOf(state, ctx.client);
      if (asciiLower(value) === "eof") r.capaEof = true;
      else if (asciiLower(value) === "psync2") r.capaPsync2 = true;
    } else if (opt === "ack") {
      // Replicas' ACKs are never answered; from anyone else they are ignored.
      const offset = intArg(value);
      replicaAck(state, ctx.client, offset);
      return NO_REPLY;
    } else if (opt === "getack") {
      if (state.link?.state === "connected") state.link.sendAck();
      return NO_REPLY;
    } else if (opt === "rdb-only" || opt === "rdb-filter-only") {
      // Accepted for redis-cli --rdb; a snapshot holds no functions to filter here.
    } else fail(`ERR Unrecognized REPLCONF option: ${argv[i]}`);
  }
  return OK;
}

function role(ctx: Ctx): Reply {
  const state = replicationOf(ctx.engine);
  const link = state.link;
  if (link !== null) {
    return ["slave", link.host, link.port, link.state, link.client !== null ? state.offset : -1];
  }
  const replicas: Reply[] = [];
  for (const r of state.replicas) {
    if (r.online) replicas.push([replicaIp(r), String(r.port), String(r.ackOffset)]);
  }
  return ["master", state.offset, replicas];
}

const PSYNC_FLAGS = ["admin", "noscript", "no_async_loading", "no_multi"] as const;

export const replicationCommands: CommandSpec[] = [
  command(
    "replicaof",
    3,
    ["admin", "noscript", "stale", "no_async_loading"],
    [0, 0, 0],
    ADMIN,
    {
      summary: "Make the server a replica of another instance, or promote it as master.",
      since: "5.0.0",
      group: "server",
      complexity: "O(1)",
    },
    replicaof,
  ),
  command(
    "slaveof",
    3,
    ["admin", "noscript", "stale", "no_async_loading"],
    [0, 0, 0],
    ADMIN,
    {
      summary: "Make the server a replica of another instance, or promote it as master.",
      since: "1.0.0",
      group: "server",
      complexity: "O(1)",
    },
    replicaof,
  ),
  command(
    "replconf",
    -1,
    ["admin", "noscript", "loading", "stale", "allow_busy"],
    [0, 0, 0],
    ADMIN,
    { summary: "An internal command for configuring the replication stream", since: "3.0.0", group: "server", complexity: "O(1)" },
    replconf,
  ),
  command(
    "psync",
    -3,
    [...PSYNC_FLAGS],
    [0, 0, 0],
    ADMIN,
    { summary: "Internal command used for replication", since: "2.8.0", group: "server" },
    (ctx) => syncCommand(ctx, true),
  ),
  command(
    "sync",
    1,
    [...PSYNC_FLAGS],
    [0, 0, 0],
    ADMIN,
    { summary: "Internal command used for replication", since: "1.0.0", group: "server" },
    (ctx) => syncCommand(ctx, false),
  ),
  command(
    "wait",
    3,
    ["noscript"],
    [0, 0, 0],
    ["slow", "connection"],
    {
      summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
      since: "3.0.0",
      group: "generic",
      complexity: "O(1)",
    },
    waitCommand,
  ),
  command(
    "failover",
    -1,
    ["admin", "noscript", "stale"],
    [0, 0, 0],
    ADMIN,
    {
      summary: "Start a coordinated failover between this server and one of its replicas.",
      since: "6.2.0",
      group: "server",
      complexity: "O(1)",
    },
    failoverCommand,
  ),
  command(
    "role",
    1,
    ["noscript", "loading", "stale", "fast"],
    [0, 0, 0],
    ["admin", "fast", "dangerous"],
    { summary: "Return the role of the instance in the context of replication", since: "2.8.12", group: "server", complexity: "O(1)" },
    role,
  ),
];

type Field = [string, string | number];

/** INFO replication, in Redis 7.0's order (a replica's link fields come right after role). */
function replicationInfo(engine: Engine): Field[] {
  const state = replicationOf(engine);
  const link = state.link;
  const now = Date.now();
  const out: Field[] = [];
  if (link === null) out.push(["role", "master"]);
  else {
    out.push(["role", "slave"], ["master_host", link.host], ["master_port", link.port]);
    const up = link.state === "connected";
    out.push(["master_link_status", up ? "up" : "down"]);
    out.push(["master_last_io_seconds_ago", link.client !== null ? Math.floor((now - link.lastIo) / 1000) : -1]);
    out.push(["master_sync_in_progress", link.state === "sync" ? 1 : 0]);
    out.push(["slave_read_repl_offset", state.offset], ["slave_repl_offset", state.offset]);
    if (link.state === "sync") {
      const total = link.syncTotal;
      out.push(
        ["master_sync_total_bytes", total],
        ["master_sync_read_bytes", link.syncRead],
        ["master_sync_left_bytes", total - link.syncRead],
        ["master_sync_perc", syncPercent(link.syncRead, total)],
        ["master_sync_last_io_seconds_ago", Math.floor((now - link.lastIo) / 1000)],
      );
    }
    if (!up) out.push(["master_link_down_since_seconds", Math.floor((now - link.downSince) / 1000)]);
    out.push(
      ["slave_priority", engine.config.num("replica-priority")],
      ["slave_read_only", engine.config.bool("replica-read-only") ? 1 : 0],
      ["replica_announced", engine.config.bool("replica-announced") ? 1 : 0],
    );
  }
  out.push(["connected_slaves", state.replicas.length]);
  state.replicas.forEach((r, i) => {
    const lag = Math.floor((now - r.ackTime) / 1000);
    out.push([
      `slave${i}`,
      `ip=${replicaIp(r)},port=${r.port},state=${r.online ? "online" : "wait_bgsave"},offset=${r.ackOffset},lag=${lag}`,
    ]);
  });
  flushStream(state);
  const b = state.backlog;
  out.push(
    ["master_failover_state", failoverState(state)],
    ["master_replid", state.replid],
    ["master_replid2", state.replid2],
    ["master_repl_offset", state.offset],
    ["second_repl_offset", state.secondOffset],
    ["repl_backlog_active", b !== null ? 1 : 0],
    ["repl_backlog_size", b !== null ? b.size : engine.config.num("repl-backlog-size")],
    ["repl_backlog_first_byte_offset", b !== null ? b.firstByteOffset : 0],
    ["repl_backlog_histlen", b !== null ? b.histlen : 0],
  );
  return out;
}

replaceInfoSection("replication", replicationInfo);
extendInfo("stats", (engine) => {
  const s = replicationOf(engine).stats;
  return [
    ["sync_full", s.syncFull],
    ["sync_partial_ok", s.syncPartialOk],
    ["sync_partial_err", s.syncPartialErr],
  ];
});

/** Redis's "%.2f" of read/size*100: 0 for an `$EOF:` transfer (size 0), -0.00 before the size is known (-1). */
function syncPercent(read: number, total: number): string {
  if (total === 0) return "0.00";
  const perc = (read / total) * 100;
  return Object.is(perc, -0) || (perc < 0 && perc > -0.005) ? "-0.00" : perc.toFixed(2);
}
