/**
 * RDB format constants (Redis 7.0, RDB version 10): value types, opcodes and
 * the length / string encodings. Facts from Redis's src/rdb.h.
 */

export const RDB_VERSION = 10;

/** Value types (the byte before a key, and the first byte of a DUMP payload). */
export const RdbType = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const;

/** Whether `t` is a value type 7.0 knows (rdbIsObjectType). */
export function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
}

/** Opcodes that may appear where a value type is expected. */
export const Opcode = {
  FUNCTION2: 245,
  FUNCTION_PRE_GA: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** The two top bits of a length byte. */
export const LEN_6BIT = 0;
export const LEN_14BIT = 1;
export const LEN_32BIT = 0x80;
export const LEN_64BIT = 0x81;
export const ENCVAL = 3;

/** Special string encodings (after an ENCVAL length byte). */
export const ENC_INT8 = 0;
export const ENC_INT16 = 1;
export const ENC_INT32 = 2;
export const ENC_LZF = 3;

/** Quicklist 2 node containers. */
export const QUICKLIST_PLAIN = 1;
export const QUICKLIST_PACKED = 2;

/** Elements at least this long get a PLAIN quicklist node (quicklist.c packed_threshold, 1 GB). */
export const PACKED_THRESHOLD = 1 << 30;

/** Thrown for any malformed, truncated or unsupported RDB input. */
/** The input ended inside a field (a streaming loader waits for more bytes; a file is truncated). */
export const SHORT_READ = "Unexpected EOF reading RDB file";

export class RdbError extends Error {
  /** For "RDB CRC error": the computed and the stored checksum, which Redis logs first. */
  crcMismatch?: { expected: bigint; got: bigint };
  constructor(message: string) {
    super(message);
    this.name = "RdbError";
  }
}

/** Input that ran out: only this one means "more bytes may fix it". */
export class ShortReadError extends RdbError {
  constructor() {
    super(SHORT_READ);
  }
}
