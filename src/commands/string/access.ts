/**
 * Whole-value reads and writes: GET, SET and its variants, GETSET, GETDEL,
 * GETEX, MGET, MSET, MSETNX. Expiries are propagated as absolute times so
 * replicas and AOF replay do not depend on their own clock.
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { asciiUpper } from "../../engine/table.ts";
import { OK, type Reply } from "../../resp/reply.ts";
import { isStringValue } from "../../store/values.ts";
import { expireAtMs, parseStringOptions, type StringOptions } from "./options.ts";
import { getReply, storeValue, stringReply } from "./store.ts";

const NONE: StringOptions = { nx: false, xx: false, get: false, keepTtl: false, persist: false, expireUnit: null, expireArg: "" };

/**
 * Redis's setGenericCommand: validates the expiry, optionally replies the old
 * value (GET), honours NX/XX, stores, and rewrites what is propagated.
 */
function setGeneric(ctx: Ctx, o: StringOptions, key: string, value: string, ok: Reply, abort: Reply): Reply {
  const at = o.expireUnit === null ? null : expireAtMs(o.expireArg, o.expireUnit, ctx.now, ctx.cmd.fullName);
  const old = o.get ? getReply(ctx, key) : null;
  const existed = ctx.write(key) !== undefined;
  if ((o.nx && existed) || (o.xx && !existed)) return o.get ? old : abort;
  storeValue(ctx, key, value, existed, o.keepTtl);
  ctx.dirty();
  ctx.notify("$", "set", key);
  if (at !== null) {
    ctx.db.setExpire(key, Number(at));
    ctx.propagate(["SET", key, value, "PXAT", String(at)]);
    ctx.notify("g", "expire", key);
  } else if (o.get) {
    // Replicas must not pay for (or depend on) the old value: drop every GET.
    ctx.propagate(ctx.argv.filter((a, j) => j < 3 || asciiUpper(a) !== "GET"));
  }
  return o.get ? old : ok;
}

export function getCommand(ctx: Ctx): Reply {
  return getReply(ctx, ctx.arg(1));
}

export function setCommand(ctx: Ctx): Reply {
  // Plain SET k v (most of them) has nothing to parse.
  const o = ctx.argv.length === 3 ? NONE : parseStringOptions(ctx.argv, 3, true);
  return setGeneric(ctx, o, ctx.arg(1), ctx.arg(2), OK, null);
}

export function setnxCommand(ctx: Ctx): Reply {
  return setGeneric(ctx, { ...NONE, nx: true }, ctx.arg(1), ctx.arg(2), 1, 0);
}

export function setexCommand(ctx: Ctx): Reply {
  return setGeneric(ctx, { ...NONE, expireUnit: "EX", expireArg: ctx.arg(2) }, ctx.arg(1), ctx.arg(3), OK, null);
}

export function psetexCommand(ctx: Ctx): Reply {
  return setGeneric(ctx, { ...NONE, expireUnit: "PX", expireArg: ctx.arg(2) }, ctx.arg(1), ctx.arg(3), OK, null);
}

export function getsetCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const old = getReply(ctx, key);
  storeValue(ctx, key, ctx.arg(2), old !== null);
  ctx.notify("$", "set", key);
  ctx.dirty();
  ctx.propagate(["SET", key, ctx.arg(2)]);
  return old;
}

export function getdelCommand(ctx: Ctx): Reply {
  const key = ctx.arg(1);
  const old = getReply(ctx, key);
  if (old !== null && ctx.db.delete(key)) {
    ctx.propagate([ctx.engine.config.bool("lazyfree-lazy-user-del") ? "UNLINK" : "DEL", key]);
    ctx.touched(key);
    ctx.notify("g", "del", key);
    ctx.dirty();
  }
  return old;
}

/** GETEX: never propagated as is, but as PEXPIREAT, DEL/UNLINK or PERSIST. */
export function getexCommand(ctx: Ctx): Reply {
  const o = parseStringOptions(ctx.argv, 2, false);
  const key = ctx.arg(1);
  const v = ctx.read(key);
  if (v === undefined) return null;
  if (!isStringValue(v)) fail(Errors.wrongType);
  const at = o.expireUnit === null ? null : expireAtMs(o.expireArg, o.expireUnit, ctx.now, ctx.cmd.fullName);
  const reply = stringReply(v);
  if (at !== null && (o.expireUnit === "EXAT" || o.expireUnit === "PXAT") && at <= BigInt(ctx.now)) {
    // An absolute time already past deletes the key now (Redis's checkAlreadyExpired).
    ctx.db.delete(key);
    ctx.propagate([ctx.engine.config.bool("lazyfree-lazy-expire") ? "UNLINK" : "DEL", key]);
    ctx.touched(key);
    ctx.notify("g", "del", key);
    ctx.dirty();
  } else if (at !== null) {
    ctx.db.setExpire(key, Number(at));
    ctx.propagate(["PEXPIREAT", key, String(at)]);
    ctx.touched(key);
    ctx.notify("g", "expire", key);
    ctx.dirty();
  } else if (o.persist && ctx.db.persist(key)) {
    ctx.touched(key);
    ctx.propagate(["PERSIST", key]);
    ctx.notify("g", "persist", key);
    ctx.dirty();
  }
  return reply;
}

export function mgetCommand(ctx: Ctx): Reply {
  const out: Reply[] = [];
  for (let j = 1; j < ctx.argv.length; j++) {
    const v = ctx.read(ctx.arg(j));
    // MGET never fails: other types read as nil.
    out.push(v !== undefined && isStringValue(v) ? stringReply(v) : null);
  }
  return out;
}

function msetGeneric(ctx: Ctx, nx: boolean): Reply {
  const argv = ctx.argv;
  if (argv.length % 2 === 0) fail(Errors.wrongArgs(ctx.cmd.fullName));
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) if (ctx.write(argv[j] as string) !== undefined) return 0;
  }
  for (let j = 1; j < argv.length; j += 2) {
    const key = argv[j] as string;
    storeValue(ctx, key, argv[j + 1] as string, ctx.write(key) !== undefined);
    ctx.notify("$", "set", key);
  }
  ctx.dirty((argv.length - 1) / 2);
  return nx ? 1 : OK;
}

export function msetCommand(ctx: Ctx): Reply {
  return msetGeneric(ctx, false);
}

export function msetnxCommand(ctx: Ctx): Reply {
  return msetGeneric(ctx, true);
}
