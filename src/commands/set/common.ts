/** Shared helpers of the set commands: typed lookups and the intset threshold. */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { SetValue } from "../../store/set.ts";

/** The set at `key` for reading (lookupKeyRead), undefined when missing; WRONGTYPE for other types. */
export function readSet(ctx: Ctx, key: string): SetValue | undefined {
  const v = ctx.read(key);
  if (v === undefined) return undefined;
  if (!(v instanceof SetValue)) fail(Errors.wrongType);
  return v;
}

/** The set at `key` for writing (lookupKeyWrite), undefined when missing; WRONGTYPE for other types. */
export function writeSet(ctx: Ctx, key: string): SetValue | undefined {
  const v = ctx.write(key);
  if (v === undefined) return undefined;
  if (!(v instanceof SetValue)) fail(Errors.wrongType);
  return v;
}

/** set-max-intset-entries, read per command so CONFIG SET takes effect at once. */
export function maxIntset(ctx: Ctx): number {
  return ctx.engine.config.num("set-max-intset-entries");
}

/** Removes a set that became empty, as Redis does after the last member goes. */
export function deleteIfEmpty(ctx: Ctx, key: string, set: SetValue): void {
  if (set.size !== 0) return;
  ctx.db.delete(key);
  ctx.notify("g", "del", key);
}
