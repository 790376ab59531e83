/**
 * Redis's memory units (memtoull): digits with an optional b, k, kb, m, mb,
 * g or gb suffix, case-insensitive; k = 1000 and kb = 1024. No sign, no
 * fraction, no spaces.
 */
const UNITS: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

const ULLONG_MAX = 18446744073709551615n;

/** Bytes for a memory value, or null when it is not one. */
export function parseMemoryBytes(s: string): bigint | null {
  const m = /^(\d+)([a-z]*)$/i.exec(s);
  if (!m) return null;
  const mult = UNITS[(m[2] as string).toLowerCase()];
  if (mult === undefined) return null;
  const v = BigInt(m[1] as string) * mult;
  return v > ULLONG_MAX ? null : v;
}

/** Number form of parseMemoryBytes (NaN when invalid), for callers that want a plain number. */
export function parseMemory(s: string): number {
  const v = parseMemoryBytes(s);
  return v === null ? Number.NaN : Number(v);
}

/** How CONFIG REWRITE writes a byte count: the largest exact gb/mb/kb unit (rewriteConfigFormatMemory). */
export function formatMemory(bytes: bigint): string {
  const gb = 1024n * 1024n * 1024n;
  const mb = 1024n * 1024n;
  const kb = 1024n;
  if (bytes !== 0n && bytes % gb === 0n) return `${bytes / gb}gb`;
  if (bytes !== 0n && bytes % mb === 0n) return `${bytes / mb}mb`;
  if (bytes !== 0n && bytes % kb === 0n) return `${bytes / kb}kb`;
  return String(bytes);
}
