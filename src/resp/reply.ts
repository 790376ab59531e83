/**
 * Reply values. Commands return these; only the encoder knows RESP2 vs RESP3.
 *
 * - `string`      bulk string; the string is a byte string (one char per byte)
 * - `Uint8Array`  bulk string of raw bytes
 * - `number`      integer (must be an integer; use `Double` for floats)
 * - `bigint`      integer beyond 2^53 (INCR near int64 limits)
 * - `null`        null bulk string (RESP3 `_`)
 * - `Reply[]`     array
 * - the classes below for the remaining RESP types
 */
export type Reply =
  | string
  | Uint8Array
  | number
  | bigint
  | null
  | Reply[]
  | Status
  | ErrorReply
  | Double
  | MapReply
  | SetReply
  | Push
  | Verbatim
  | BigNumber
  | Bool
  | NullArray
  | Attribute;

/** `+text` — a simple string. */
export class Status {
  constructor(readonly text: string) {}
}

/** `-PREFIX message` — the full text, starting with its code (ERR, WRONGTYPE...). */
export class ErrorReply {
  constructor(readonly text: string) {}
  /** The code counted in INFO errorstats: the first word. */
  get code(): string {
    const sp = this.text.indexOf(" ");
    return sp === -1 ? this.text : this.text.slice(0, sp);
  }
}

/** RESP3 `,` double; a bulk string formatted like Redis 7.0's `%.17g` in RESP2. */
export class Double {
  /** `text`: the digits to send instead of `%.17g` (GEO's coordinates use Redis's "human" long double form). */
  constructor(
    readonly value: number,
    readonly text?: string,
  ) {}
}

/** RESP3 `%` map; a flat array of key, value, key, value in RESP2. */
export class MapReply {
  constructor(readonly entries: Reply[]) {}
}

/** RESP3 `~` set; an array in RESP2. */
export class SetReply {
  constructor(readonly items: Reply[]) {}
}

/** RESP3 `>` push; an array in RESP2 (pub/sub messages). */
export class Push {
  constructor(readonly items: Reply[]) {}
}

/** RESP3 `=` verbatim string (`txt`, `mkd`); a bulk string in RESP2. */
export class Verbatim {
  constructor(
    readonly format: string,
    readonly text: string,
  ) {}
}

/** RESP3 `(` big number; a bulk string in RESP2. */
export class BigNumber {
  constructor(readonly digits: string) {}
}

/** RESP3 `#t`/`#f`; integer 1/0 in RESP2. */
export class Bool {
  constructor(readonly value: boolean) {}
}

/**
 * RESP3 `|` attribute: a map of side information sent before `reply`. RESP2
 * has no attributes, so there only `reply` is sent (DEBUG PROTOCOL attrib).
 */
export class Attribute {
  constructor(
    readonly entries: Reply[],
    readonly reply: Reply,
  ) {}
}

/** `*-1` in RESP2, `_` in RESP3 (e.g. BLPOP timeout, EXEC aborted by WATCH). */
export class NullArray {}

export const OK = new Status("OK");
export const PONG = new Status("PONG");
export const QUEUED = new Status("QUEUED");
export const NULL_ARRAY = new NullArray();
export const EMPTY_ARRAY: Reply[] = [];

/**
 * Control markers returned in place of a reply; the connection acts on them
 * in order with the replies around them.
 */
export class SwitchProtocol {
  constructor(
    readonly protocol: 2 | 3,
    readonly reply: Reply,
    /** Switch without sending the reply (HELLO under CLIENT REPLY OFF). */
    readonly silent = false,
  ) {}
}

/** Formats a double the way Redis 7.0 does for replies: `%.17g`, `inf`, `-inf`, `nan`. */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return "nan";
  if (d === Number.POSITIVE_INFINITY) return "inf";
  if (d === Number.NEGATIVE_INFINITY) return "-inf";
  return formatG(d, 17);
}

/** C's `%.<precision>g`. */
export function formatG(d: number, precision: number): string {
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  // toExponential gives the exact decimal exponent after rounding to `precision` digits.
  const e = d.toExponential(precision - 1);
  const ePos = e.indexOf("e");
  const x = Number(e.slice(ePos + 1));
  if (x < -4 || x >= precision) {
    let mant = e.slice(0, ePos);
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    const sign = x < 0 ? "-" : "+";
    const abs = Math.abs(x);
    return `${mant}e${sign}${abs < 10 ? `0${abs}` : abs}`;
  }
  let fixed = d.toFixed(Math.max(0, precision - 1 - x));
  if (fixed.includes(".")) fixed = fixed.replace(/0+$/, "").replace(/\.$/, "");
  return fixed;
}
