/**
 * The option grammar SET and GETEX share (Redis's
 * parseExtendedStringArgumentsOrReply), and the expiry argument check both
 * make before touching the key.
 */
import { Errors, fail } from "../../engine/errors.ts";
import { int64Arg } from "../../engine/numbers.ts";

export type ExpireUnit = "EX" | "PX" | "EXAT" | "PXAT";

export interface StringOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  expireUnit: ExpireUnit | null;
  expireArg: string;
}

const INT64_MAX = 9223372036854775807n;

/**
 * Parses options from argv[start]. SET accepts NX, XX, GET, KEEPTTL; GETEX
 * accepts PERSIST; both take one of EX/PX/EXAT/PXAT <n>. Conflicting options
 * are syntax errors, but repeating the same one is allowed (the last expiry
 * wins), exactly as Redis checks them.
 */
export function parseStringOptions(argv: string[], start: number, forSet: boolean): StringOptions {
  const o: StringOptions = { nx: false, xx: false, get: false, keepTtl: false, persist: false, expireUnit: null, expireArg: "" };
  for (let j = start; j < argv.length; j++) {
    const opt = (argv[j] as string).toUpperCase();
    const hasNext = j + 1 < argv.length;
    const unit = o.expireUnit;
    if (forSet && opt === "NX" && !o.xx) o.nx = true;
    else if (forSet && opt === "XX" && !o.nx) o.xx = true;
    else if (forSet && opt === "GET") o.get = true;
    else if (forSet && opt === "KEEPTTL" && unit === null) o.keepTtl = true;
    else if (!forSet && opt === "PERSIST" && unit === null) o.persist = true;
    else if (
      (opt === "EX" || opt === "PX" || opt === "EXAT" || opt === "PXAT") &&
      (unit === null || unit === opt) &&
      !o.keepTtl &&
      !o.persist &&
      hasNext
    ) {
      o.expireUnit = opt;
      o.expireArg = argv[++j] as string;
    } else fail(Errors.syntax);
  }
  return o;
}

/**
 * The absolute expiry in ms for an expiry argument, with Redis's errors: not
 * an integer, not positive, or overflowing int64 once converted/offset.
 * `cmd` names the command in "invalid expire time in '<cmd>' command".
 */
export function expireAtMs(arg: string, unit: ExpireUnit, now: number, cmd: string): bigint {
  let ms = int64Arg(arg);
  const seconds = unit === "EX" || unit === "EXAT";
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) fail(Errors.invalidExpire(cmd));
  if (seconds) ms *= 1000n;
  if (unit === "EX" || unit === "PX") ms += BigInt(now);
  // Redis detects the signed overflow of the addition as a non-positive result.
  if (ms > INT64_MAX) fail(Errors.invalidExpire(cmd));
  return ms;
}
