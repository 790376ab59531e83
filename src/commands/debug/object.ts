/** DEBUG OBJECT and DEBUG POPULATE. */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { parseInt64 } from "../../engine/numbers.ts";
import { OK, type Reply, Status } from "../../resp/reply.ts";
import { encodingOf, isLongString, isStringValue, stringOf, type Value } from "../../store/values.ts";

/** Bytes an RDB length prefix takes. */
function lenPrefix(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9;
}

/** RDB size of a string value: small integers are stored as 1, 2 or 4 byte ints, else length + bytes. */
function serializedLength(v: Value): number {
  if (isStringValue(v)) {
    const s = stringOf(v);
    if (isLongString(s)) {
      const n = Number(s);
      if (n >= -128 && n <= 127) return 2;
      if (n >= -32768 && n <= 32767) return 3;
      if (n >= -2147483648 && n <= 2147483647) return 5;
    }
    return lenPrefix(s.length) + s.length;
  }
  // Aggregates: respd does not serialize them here; 0 says "not computed".
  return 0;
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
  return new Status(
    `Value at:${pseudoAddress(key)} refcount:1 encoding:${encodingOf(v)} serializedlength:${serializedLength(v)} lru:${lru} lru_seconds_idle:${Math.floor(idleMs / 1000)}`,
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
