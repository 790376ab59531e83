/**
 * DUMP and RESTORE (Redis's cluster.c): a value as a self-checking RDB
 * payload, and back. The RDB codec lives in src/persistence/rdb.
 */
import { type CommandSpec, command } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { int64Arg } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { RdbError } from "../persistence/rdb/constants.ts";
import { limitsFrom } from "../persistence/rdb/decode.ts";
import { createDumpPayload, decodeDumpPayload, verifyDumpPayload } from "../persistence/rdb/dump.ts";
import { saverOf } from "../persistence/saver.ts";
import { fromLatin1, latin1 } from "../resp/bytes.ts";
import { OK, type Reply } from "../resp/reply.ts";
import type { Value } from "../store/values.ts";

const SERIALIZE_COMPLEXITY =
  "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).";
const RESTORE_COMPLEXITY =
  "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).";

function dump(ctx: Ctx): Reply {
  const v = ctx.read(ctx.arg(1));
  if (v === undefined) return null;
  const config = ctx.engine.config;
  const payload = createDumpPayload(v, config.bool("rdbcompression"), {
    listFill: config.num("list-max-listpack-size"),
    packedThreshold: ctx.engine.quicklistPackedThreshold,
  });
  return latin1(payload);
}

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds | FREQ frequency] */
function restore(ctx: Ctx): Reply {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  const argc = ctx.argv.length;
  for (let j = 4; j < argc; j++) {
    const opt = asciiLower(ctx.arg(j));
    const more = argc - j - 1;
    if (opt === "replace") replace = true;
    else if (opt === "absttl") absttl = true;
    else if (opt === "idletime" && more >= 1 && freq === -1) {
      const n = int64Arg(ctx.arg(j + 1));
      if (n < 0n) fail("ERR Invalid IDLETIME value, must be >= 0");
      idle = Number(n);
      j++;
    } else if (opt === "freq" && more >= 1 && idle === -1) {
      const n = int64Arg(ctx.arg(j + 1));
      if (n < 0n || n > 255n) fail("ERR Invalid FREQ value, must be >= 0 and <= 255");
      freq = Number(n);
      j++;
    } else fail(Errors.syntax);
  }
  const key = ctx.arg(1);
  const db = ctx.db;
  if (!replace && ctx.write(key) !== undefined) fail("BUSYKEY Target key name already exists.");
  let ttl = Number(int64Arg(ctx.arg(2)));
  if (ttl < 0) fail("ERR Invalid TTL value, must be >= 0");
  const payload = fromLatin1(ctx.arg(3));
  if (!verifyDumpPayload(payload, ctx.engine.skipChecksumValidation)) fail("ERR DUMP payload version or checksum are wrong");
  let value: Value;
  try {
    value = decodeDumpPayload(
      payload,
      limitsFrom((name) => ctx.engine.config.num(name)),
    );
  } catch (e) {
    if (!(e instanceof RdbError)) throw e;
    // rdbReportError in a RESTORE: logged at verbose level, and the client gets the generic error.
    saverOf(ctx.engine)?.log.verbose?.(`Internal error in RDB reading offset 0 -> ${e.message}`);
    fail("ERR Bad data format");
  }

  const deleted = replace && db.delete(key);
  if (ttl !== 0 && !absttl) ttl += ctx.now;
  // checkAlreadyExpired, which lets a key restored from an AOF keep its past TTL until the load is over.
  if (ttl !== 0 && ttl <= ctx.now && !db.ignoreExpiry) {
    // Already expired: the key ends up absent; replicas only need to hear of a deletion.
    if (deleted) {
      ctx.propagate(["DEL", key]);
      ctx.touched(key);
      ctx.notify("g", "del", key);
      ctx.dirty();
    }
    return OK;
  }
  db.set(key, value, ctx.now);
  if (ttl !== 0) {
    db.setExpire(key, ttl);
    // Replicas and the AOF get the absolute time, so replay does not depend on the clock.
    if (!absttl) ctx.propagate([ctx.arg(0), key, String(ttl), ...ctx.argv.slice(3), "ABSTTL"]);
  }
  db.restoreAccess(key, { freq: freq === -1 ? undefined : freq, idleSeconds: idle === -1 ? undefined : idle }, ctx.now);
  ctx.touched(key);
  ctx.notify("g", "restore", key);
  ctx.dirty();
  return OK;
}

const restoreDoc = { since: "2.6.0", complexity: RESTORE_COMPLEXITY };

export const dumpCommands: CommandSpec[] = [
  command(
    "dump",
    2,
    ["readonly"],
    [1, 1, 1],
    ["keyspace", "read", "slow"],
    {
      summary: "Return a serialized version of the value stored at the specified key.",
      since: "2.6.0",
      group: "generic",
      complexity: SERIALIZE_COMPLEXITY,
    },
    dump,
  ),
  command(
    "restore",
    -4,
    ["write", "denyoom"],
    [1, 1, 1],
    ["keyspace", "write", "slow", "dangerous"],
    { summary: "Create a key using the provided serialized value, previously obtained using DUMP.", group: "generic", ...restoreDoc },
    restore,
  ),
  command(
    "restore-asking",
    -4,
    ["write", "denyoom", "asking"],
    [1, 1, 1],
    ["keyspace", "write", "slow", "dangerous"],
    { summary: "An internal command for migrating keys in a cluster", since: "3.0.0", group: "server", complexity: RESTORE_COMPLEXITY },
    restore,
  ),
];
