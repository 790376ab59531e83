/**
 * SORT's BY and GET patterns (Redis's lookupKeyByPattern): "#" is the
 * element itself; otherwise the first '*' is replaced by the element and
 * the key read, and "key*->field" reads a hash field. Redis scans the
 * pattern as a C string (strchr/strstr), so '*', '->' and "#" are only
 * recognised before the first NUL byte, while the key and field still take
 * the whole pattern.
 */
import type { Ctx } from "../../engine/context.ts";
import { cString } from "../../resp/bytes.ts";
import { HashValue } from "../../store/hash.ts";
import { isStringValue, stringOf } from "../../store/values.ts";

/** True when the pattern has a '*' to substitute (else BY skips sorting, GET gives nil). */
export function hasStar(pattern: string): boolean {
  return cString(pattern).includes("*");
}

/** The value `pattern` names for `element`, or null (missing key, wrong type, no '*'). */
export function lookupByPattern(ctx: Ctx, pattern: string, element: string): string | null {
  const c = cString(pattern);
  if (c === "#") return element;
  const star = c.indexOf("*");
  if (star === -1) return null;
  const arrow = c.indexOf("->", star + 1);
  // "->" only introduces a field when something (not NUL) follows it.
  const hashField = arrow !== -1 && arrow + 2 < c.length;
  const keyEnd = hashField ? arrow : pattern.length;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, keyEnd);
  const v = ctx.read(key);
  if (v === undefined) return null;
  if (hashField) return v instanceof HashValue ? (v.get(pattern.slice(arrow + 2)) ?? null) : null;
  return isStringValue(v) ? stringOf(v) : null;
}
