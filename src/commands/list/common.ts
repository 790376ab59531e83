/** Shared pieces of the list commands: typed lookups, LEFT/RIGHT, creating and deleting lists. */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { ListValue } from "../../store/list.ts";

export type End = "left" | "right";

/** The list at `key` for reading (lookupKeyRead + checkType): undefined when missing. */
export function readList(ctx: Ctx, key: string): ListValue | undefined {
  const v = ctx.read(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ListValue)) fail(Errors.wrongType);
  return v;
}

/** The list at `key` for writing (lookupKeyWrite + checkType): undefined when missing. */
export function writeList(ctx: Ctx, key: string): ListValue | undefined {
  const v = ctx.write(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ListValue)) fail(Errors.wrongType);
  return v;
}

/** Redis's getListPositionFromObjectOrReply: LEFT or RIGHT, any case. */
export function endArg(s: string): End {
  const e = asciiLower(s);
  if (e !== "left" && e !== "right") fail(Errors.syntax);
  return e;
}

/** An index or count argument (getLongFromObjectOrReply). */
export const longArg = (s: string): number => intArg(s);

/** Creates an empty list at `key` (dbAdd): the caller pushes into it right away. */
export function createList(ctx: Ctx, key: string): ListValue {
  const l = new ListValue();
  ctx.db.set(key, l, ctx.now);
  ctx.notify("n", "new", key);
  return l;
}

export function push(l: ListValue, end: End, v: string): void {
  if (end === "left") l.pushHead(v);
  else l.pushTail(v);
}

export function pop(l: ListValue, end: End): string {
  return (end === "left" ? l.popHead() : l.popTail()) as string;
}

/**
 * Redis's listPopRange: up to `count` items from one end, in pop order
 * (so RIGHT gives the tail first).
 */
export function popMany(l: ListValue, end: End, count: number): string[] {
  const n = Math.min(count, l.length);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = pop(l, end);
  return out;
}

/** Deletes the key once its list is empty, with Redis's "del" event. True if it did. */
export function deleteIfEmpty(ctx: Ctx, key: string, l: ListValue): boolean {
  if (l.length !== 0) return false;
  ctx.db.delete(key);
  ctx.notify("g", "del", key);
  return true;
}

/**
 * Redis's listElementsRemoved: the pop event, the key deleted when empty,
 * the change signalled and counted.
 */
export function elementsRemoved(ctx: Ctx, key: string, end: End, l: ListValue, count: number): void {
  ctx.notify("l", end === "left" ? "lpop" : "rpop", key);
  deleteIfEmpty(ctx, key, l);
  ctx.touched(key);
  ctx.dirty(count);
}

/**
 * Redis's lmoveHandlePush: pushes the moved value to the destination,
 * creating it when missing. `dst` is the destination looked up (and type
 * checked) before the source was popped.
 */
export function pushMoved(ctx: Ctx, dstKey: string, dst: ListValue | undefined, end: End, v: string): void {
  const l = dst ?? createList(ctx, dstKey);
  ctx.touched(dstKey);
  push(l, end, v);
  ctx.notify("l", end === "left" ? "lpush" : "rpush", dstKey);
}
