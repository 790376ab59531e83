/**
 * DEBUG, behind enable-debug-command like Redis 7.0 (refused unless "yes",
 * or "local" and the client is local). The subcommands Redis's own tests and
 * tools rely on, each a row below; the bigger ones live in ./debug/.
 * Subcommands that describe C internals (LISTPACK, QUICKLIST, HTSTATS) answer
 * in Redis's shape about respd's own structures.
 */

import { rewriteConfigText } from "../config/rewrite.ts";
import { parseMemoryBytes } from "../config/units.ts";
import { type CommandSpec, command } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { parseInt64 } from "../engine/numbers.ts";
import { PROPAGATE_REPL } from "../engine/propagation.ts";
import { sleepSync } from "../engine/sleep.ts";
import { asciiLower } from "../engine/table.ts";
import { aofOf } from "../persistence/aof/index.ts";
import { saverOf } from "../persistence/saver.ts";
import { replicationOf } from "../replication/state.ts";
import { ErrorReply, OK, type Reply, Status } from "../resp/reply.ts";
import { protectedActionAllowed } from "./config.ts";
import { debugCrash } from "./debug/crash.ts";
import { Digester } from "./debug/digest.ts";
import { debugHtstats, debugHtstatsKey } from "./debug/htstats.ts";
import { debugObject, debugPopulate } from "./debug/object.ts";
import { debugProtocol } from "./debug/protocol.ts";
import { debugLoadAof, debugReload } from "./debug/reload.ts";
import { toHex } from "./debug/sha1.ts";
import { helpReply } from "./help.ts";

const NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

/** C's atof: the longest leading number, 0 when there is none. */
function atof(s: string): number {
  const v = Number.parseFloat(s);
  return Number.isNaN(v) ? 0 : v;
}

/** C's atoi, as Redis reads DEBUG's 0|1 switches ("2" is on, "0.5" and "x" are off). */
function atoi(s: string): number {
  return Number.parseInt(s, 10) || 0;
}

/** getLongFromObjectOrReply. */
function longArg(s: string): number {
  const v = parseInt64(s);
  if (v === null) fail(Errors.notInteger);
  return Number(v);
}

function warn(ctx: Ctx, message: string): void {
  saverOf(ctx.engine)?.log.warning(message);
}

interface Sub {
  /** Whether this many arguments (DEBUG and the subcommand included) fit; else the syntax error. */
  argc: (n: number) => boolean;
  run: (ctx: Ctx) => Reply;
}

const exactly = (k: number) => (n: number) => n === k;
const atLeast = (k: number) => (n: number) => n >= k;
const arg = (ctx: Ctx, i: number) => ctx.argv[i] as string;

/** Redis's DEBUG HELP lines for the subcommands respd has, in Redis's order. */
const HELP = helpReply("DEBUG", [
  "AOF-FLUSH-SLEEP <microsec>",
  "    Server will sleep before flushing the AOF, this is used for testing.",
  "CHANGE-REPL-ID",
  "    Change the replication IDs of the instance.",
  "    Dangerous: should be used only for testing the replication subsystem.",
  "CONFIG-REWRITE-FORCE-ALL",
  "    Like CONFIG REWRITE but writes all configuration options, including",
  "    keywords not listed in original configuration file or default values.",
  "DIGEST",
  "    Output a hex signature representing the current DB content.",
  "DIGEST-VALUE <key> [<key> ...]",
  "    Output a hex signature of the values of all the specified keys.",
  "ERROR <string>",
  "    Return a Redis protocol error with <string> as message. Useful for clients",
  "    unit tests to simulate Redis errors.",
  "LEAK <string>",
  "    Create a memory leak of the input string.",
  "LOG <message>",
  "    Write <message> to the server log.",
  "HTSTATS <dbid>",
  "    Return hash table statistics of the specified Redis database.",
  "HTSTATS-KEY <key>",
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  "LOADAOF",
  "    Flush the AOF buffers on disk and reload the AOF in memory.",
  "REPLICATE <string>",
  "    Replicates the provided string to replicas, allowing data divergence.",
  "OBJECT <key>",
  "    Show low level info about `key` and associated value.",
  "DROP-CLUSTER-PACKET-FILTER <packet-type>",
  "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
  "POPULATE <count> [<prefix>] [<size>]",
  "    Create <count> string keys named key:<num>. If <prefix> is specified then",
  "    it is used instead of the 'key' prefix. These are not propagated to",
  "    replicas. Cluster slots are not respected so keys not belonging to the",
  "    current node can be created in cluster mode.",
  "PROTOCOL <type>",
  "    Reply with a test value of the specified type. <type> can be: string,",
  "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
  "    true, false.",
  "RELOAD [option ...]",
  "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
  "    * MERGE: conflicting keys will be loaded from RDB.",
  "    * NOFLUSH: the existing database will not be removed before load, but",
  "      conflicting keys will generate an exception and kill the server.",
  "    * NOSAVE: the database will be loaded from an existing RDB file.",
  "    Examples:",
  "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
  "      the database.",
  "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
  "      existing RDB file.",
  "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
  "      file to the database.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "QUICKLIST-PACKED-THRESHOLD <size>",
  "    Sets the threshold for elements to be inserted as plain vs packed nodes",
  "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
  "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
  "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
  "STRINGMATCH-TEST",
  "    Run a fuzz tester against the stringmatchlen() function.",
  "LISTPACK <key>",
  "    Show low level info about the listpack encoding of <key>.",
  "QUICKLIST <key> [<0|1>]",
  "    Show low level info about the quicklist encoding of <key>.",
  "    The optional argument (0 by default) sets the level of detail",
  "CLIENT-EVICTION",
  "    Show low level client eviction pools info (maxmemory-clients).",
  "PAUSE-CRON <0|1>",
  "    Stop periodic cron job processing.",
  "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
  "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
  "    In case NEVER is provided the last observed peak will never be reset",
  "    In case RESET is provided the peak reset time will be restored to the default value",
  "REPLYBUFFER RESIZING <0|1>",
  "    Enable or disable the reply buffer resize cron job",
]);

/** The value a key holds, found the way Redis's objectCommandLookupOrReply does (no such key: the error). */
function lookupOrFail(ctx: Ctx, key: string) {
  const v = ctx.db.lookup(key, ctx.now, false);
  if (v === undefined) fail(Errors.noSuchKey);
  return v;
}

function encodingIs(ctx: Ctx, encoding: string, error: string): void {
  const v = lookupOrFail(ctx, arg(ctx, 2));
  const enc = typeof v === "object" && "encoding" in v ? v.encoding() : "";
  if (enc !== encoding) fail(error);
}

const SUBS = new Map<string, Sub>(
  Object.entries({
    help: { argc: exactly(2), run: () => HELP },
    log: {
      argc: exactly(3),
      run: (ctx) => {
        warn(ctx, `DEBUG LOG: ${arg(ctx, 2)}`);
        return OK;
      },
    },
    // A JS string cannot be leaked on purpose; the reply is what Redis gives.
    leak: { argc: exactly(3), run: () => OK },
    reload: { argc: atLeast(2), run: debugReload },
    loadaof: { argc: atLeast(2), run: debugLoadAof },
    "drop-cluster-packet-filter": {
      argc: exactly(3),
      run: (ctx) => {
        longArg(arg(ctx, 2));
        return OK;
      },
    },
    object: { argc: exactly(3), run: (ctx) => debugObject(ctx, arg(ctx, 2)) },
    listpack: {
      argc: exactly(3),
      run: (ctx) => {
        encodingIs(ctx, "listpack", "ERR Not a listpack encoded object.");
        // Redis prints the bytes to its stdout; respd's listpacks exist only inside RDB files, so nothing is printed.
        return new Status("Listpack structure printed on stdout");
      },
    },
    quicklist: {
      argc: (n) => n === 3 || n === 4,
      run: (ctx) => {
        encodingIs(ctx, "quicklist", "ERR Not a quicklist encoded object.");
        return new Status("Quicklist structure printed on stdout");
      },
    },
    populate: { argc: (n) => n >= 3 && n <= 5, run: debugPopulate },
    digest: {
      argc: exactly(2),
      run: (ctx) => new Status(toHex(new Digester().dataset(ctx.engine.dbs))),
    },
    "digest-value": {
      argc: atLeast(2),
      run: (ctx) => {
        const d = new Digester();
        // Keys past their TTL that are still stored are digested too, as Redis does.
        return ctx.argv.slice(2).map((key) => new Status(toHex(d.key(ctx.db, key))));
      },
    },
    protocol: { argc: exactly(3), run: (ctx) => debugProtocol(ctx, arg(ctx, 2)) },
    sleep: {
      argc: exactly(3),
      run: (ctx) => {
        sleepSync(atof(arg(ctx, 2)) * 1000);
        return OK;
      },
    },
    "set-active-expire": {
      argc: exactly(3),
      run: (ctx) => {
        ctx.engine.activeExpire = atoi(arg(ctx, 2)) !== 0;
        return OK;
      },
    },
    "quicklist-packed-threshold": {
      argc: exactly(3),
      run: (ctx) => {
        const size = parseMemoryBytes(arg(ctx, 2));
        // quicklistisSetPackedThreshold: at most 4 GB minus 1 MB; 0 restores the 1 GB default.
        if (size === null || size > (1n << 32n) - (1n << 20n)) {
          fail("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
        }
        ctx.engine.quicklistPackedThreshold = size === 0n ? 1 << 30 : Number(size);
        return OK;
      },
    },
    "set-skip-checksum-validation": {
      argc: exactly(3),
      run: (ctx) => {
        ctx.engine.skipChecksumValidation = atoi(arg(ctx, 2)) !== 0;
        return OK;
      },
    },
    "aof-flush-sleep": {
      argc: exactly(3),
      run: (ctx) => {
        // Microseconds the server sleeps before each AOF write, so a test can see the reply wait for it.
        const aof = aofOf(ctx.engine);
        if (aof !== undefined) aof.flushSleepMs = atoi(arg(ctx, 2)) / 1000;
        return OK;
      },
    },
    replicate: {
      argc: atLeast(3),
      run: (ctx) => {
        // To replicas only, in the db the stream last selected (no SELECT added): this is how tests make a replica diverge.
        const seldb = replicationOf(ctx.engine).seldb;
        ctx.engine.propagate(seldb >= 0 ? seldb : ctx.client.db, [ctx.argv.slice(2)], PROPAGATE_REPL);
        return OK;
      },
    },
    error: {
      argc: exactly(3),
      // The string is the whole error line: no ERR prefix is added (the encoder swaps CR/LF for spaces).
      run: (ctx) => new ErrorReply(arg(ctx, 2)),
    },
    htstats: { argc: exactly(3), run: (ctx) => debugHtstats(ctx, arg(ctx, 2)) },
    "htstats-key": { argc: exactly(3), run: (ctx) => debugHtstatsKey(ctx, arg(ctx, 2)) },
    "change-repl-id": {
      argc: exactly(2),
      run: (ctx) => {
        warn(ctx, "Changing replication IDs after receiving DEBUG change-repl-id");
        // changeReplicationId + clearReplicationId2: a new history, with no second id to continue from.
        const rs = replicationOf(ctx.engine);
        rs.shiftReplId();
        rs.replid2 = "0".repeat(40);
        rs.secondOffset = -1;
        return OK;
      },
    },
    // respd's glob matcher is covered by its own unit tests; there is no C fuzzer to run.
    "stringmatch-test": { argc: exactly(2), run: () => new Status("Apparently Redis did not crash: test passed") },
    // respd has no scripting, so there are no denied scripts to allow.
    "set-disable-deny-scripts": { argc: exactly(3), run: () => OK },
    "config-rewrite-force-all": {
      argc: exactly(2),
      run: (ctx) => {
        const config = ctx.engine.config;
        if (config.file === "" || config.io === null) fail("ERR CONFIG-REWRITE-FORCE-ALL failed: No such file or directory");
        try {
          config.io.write(config.file, rewriteConfigText(config, config.io.read(config.file) ?? "", true));
        } catch (e) {
          fail(`ERR CONFIG-REWRITE-FORCE-ALL failed: ${(e as Error).message}`);
        }
        return OK;
      },
    },
    "client-eviction": {
      argc: exactly(2),
      run: (ctx) => {
        if (ctx.engine.config.num("maxmemory-clients") === 0) fail("ERR maxmemory-clients is disabled.");
        // respd does not evict clients by memory, so it keeps no buckets to show.
        return new Status("");
      },
    },
    "pause-cron": {
      argc: exactly(3),
      run: (ctx) => {
        ctx.engine.cronPaused = atoi(arg(ctx, 2)) !== 0;
        return OK;
      },
    },
    replybuffer: {
      argc: exactly(4),
      run: (ctx) => {
        // The reply buffer's resize cron (src/engine/client.ts resizeReplyBuffer) reads these.
        const rb = ctx.engine.replyBuffer;
        const what = asciiLower(arg(ctx, 2));
        if (what === "peak-reset-time") {
          const v = asciiLower(arg(ctx, 3));
          rb.peakResetMs = v === "never" ? -1 : v === "reset" ? 5000 : Number(longArg(arg(ctx, 3)));
        } else if (what === "resizing") rb.resizing = atoi(arg(ctx, 3)) !== 0;
        else fail(Errors.subcommandSyntax(ctx.argv));
        return OK;
      },
    },
  } satisfies Record<string, Sub>),
);

function debug(ctx: Ctx): Reply {
  const { argv, engine } = ctx;
  if (!protectedActionAllowed(engine.config.get("enable-debug-command"), ctx.client)) fail(NOT_ALLOWED);
  const name = asciiLower(argv[1] as string);
  const sub = SUBS.get(name);
  if (sub === undefined || !sub.argc(argv.length)) {
    // SEGFAULT, PANIC and ASSERT end the process (src/commands/debug/crash.ts).
    debugCrash(ctx, name);
    fail(Errors.subcommandSyntax(argv));
  }
  return sub.run(ctx);
}

export const debugCommands: CommandSpec[] = [
  command(
    "debug",
    -2,
    ["admin", "noscript", "loading", "stale"],
    [0, 0, 0],
    ["admin", "slow", "dangerous"],
    { summary: "A container for debugging commands", since: "1.0.0", group: "server", complexity: "Depends on subcommand." },
    debug,
  ),
];
