/** DEBUG OBJECT and DEBUG POPULATE. */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { parseInt64 } from "../../engine/numbers.ts";
import { createDumpPayload } from "../../persistence/rdb/dump.ts";
import { quicklistShape } from "../../persistence/rdb/encode.ts";
import { OK, type Reply, Status } from "../../resp/reply.ts";
import { ListValue } from "../../store/list.ts";
import { encodingOf, type Value } from "../../store/values.ts";
import { refcount } from "../keys.ts";

/**
 * rdbSavedObjectLen: the bytes the value takes in an RDB file (without its type
 * byte), compressed as rdbcompression says, which is a DUMP payload less its
 * type byte and 10-byte footer.
 */
function serializedLength(ctx: Ctx, v: Value): number {
  const config = ctx.engine.config;
  const opts = { listFill: config.num("list-max-listpack-size"), packedThreshold: ctx.engine.quicklistPackedThreshold };
  return createDumpPayload(v, config.bool("rdbcompression"), opts).length - 11;
}

/** The quicklist fields Redis adds for a list: nodes, average entries per node, fill, compression, node bytes. */
function quicklistExtra(ctx: Ctx, list: ListValue): string {
  const config = ctx.engine.config;
  const fill = config.num("list-max-listpack-size");
  const { nodes, bytes } = quicklistShape(list, { listFill: fill, packedThreshold: ctx.engine.quicklistPackedThreshold });
  const compressed = config.num("list-compress-depth") !== 0 ? 1 : 0;
  return ` ql_nodes:${nodes} ql_avg_node:${(list.length / nodes).toFixed(2)} ql_listpack_max:${fill} ql_compressed:${compressed} ql_uncompressed_size:${bytes}`;
}

/** A stable pseudo address per key, since JS has no object addresses. */
function pseudoAddress(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return `0x7f${h.toString(16).padStart(10, "0")}`;
}

export function debugObject(ctx: Ctx, key: string): Reply {
  const db = ctx.db;
  // As Redis's dictFind: a key past its TTL that is still stored is shown, not expired.
  const v = db.lookupIgnoringExpiry(key, ctx.now, false);
  if (v === undefined) fail(Errors.noSuchKey);
  const idleMs = db.idleMs(key, ctx.now);
  const lru = Math.floor((ctx.now - idleMs) / 1000) & 0xffffff;
  const extra = v instanceof ListValue ? quicklistExtra(ctx, v) : "";
  return new Status(
    `Value at:${pseudoAddress(key)} refcount:${refcount(ctx, v)} encoding:${encodingOf(v)} serializedlength:${serializedLength(ctx, v)} lru:${lru} lru_seconds_idle:${Math.floor(idleMs / 1000)}${extra}`,
  );
}

export function debugPopulate(ctx: Ctx): Reply {
  const { argv } = ctx;
  const count = parseInt64(argv[2] as string);
  if (count === null) fail(Errors.notInteger);
  if (count < 0n) fail(Errors.notPositive);
  const prefix = argv.length > 3 ? (argv[3] as string) : "key";
  let size = -1;
  if (argv.length > 4) {
    const s = parseInt64(argv[4] as string);
    if (s === null) fail(Errors.notInteger);
    if (s < 0n) fail(Errors.notPositive);
    size = Number(s);
  }
  const db = ctx.db;
  for (let i = 0; i < Number(count); i++) {
    const key = `${prefix}:${i}`;
    if (db.lookup(key, ctx.now, false) !== undefined) continue;
    let value = `value:${i}`;
    // A sized value keeps the "value:N" prefix and is zero-padded, as Redis does (size 0: the plain value).
    if (size > 0) value = size <= value.length ? value.slice(0, size) : value + "\0".repeat(size - value.length);
    db.set(key, value, ctx.now);
  }
  return OK;
}
