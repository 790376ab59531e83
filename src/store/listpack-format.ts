/**
 * Facts of Redis's listpack format shared by the RDB codec
 * (src/persistence/rdb/listpack.ts) and the stream's in-place listpack
 * (src/store/stream/lp.ts).
 */

/** Total-bytes (u32) and element-count (u16) header. */
export const LP_HDR = 6;
export const LP_EOF = 0xff;
/** The count field's value once there are 65535 elements or more. */
export const LP_COUNT_UNKNOWN = 0xffff;

/** Bytes of a backlen field for an entry of `l` bytes (lpEncodeBacklen). */
export function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}
