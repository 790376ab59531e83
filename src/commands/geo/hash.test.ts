/**
 * The bit interleaving on 32-bit halves gives what interleaving bit by bit
 * in bigint gives (the definition), for cells at every step and for scores
 * read back through both of decodeScore's paths.
 */
import { expect, test } from "bun:test";
import { decode, decodeScore, encodeWGS84, GEO_LAT_MAX, GEO_LAT_MIN, GEO_STEP_MAX } from "./hash.ts";

/** The definition: lat's bit i at 2i, lon's at 2i+1. */
function interleaveSlowly(lat: bigint, lon: bigint): bigint {
  let out = 0n;
  for (let i = 0n; i < 32n; i++) out |= (((lat >> i) & 1n) << (2n * i)) | (((lon >> i) & 1n) << (2n * i + 1n));
  return out;
}

/** A repeatable sequence in [0, 1). */
function* unitSequence(n: number): Generator<number> {
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    yield s / 2 ** 31;
  }
}

test("encodeWGS84 interleaves latitude on the even bits and longitude on the odd ones, at every step", () => {
  const values = [...unitSequence(2000)];
  for (let i = 0; i + 1 < values.length; i += 2) {
    const lon = -180 + 360 * (values[i] as number);
    const lat = GEO_LAT_MIN + (GEO_LAT_MAX - GEO_LAT_MIN) * (values[i + 1] as number);
    const step = 1 + (i % 32);
    const cells = 2 ** step;
    const latCell = BigInt(Math.trunc(((lat - GEO_LAT_MIN) / (GEO_LAT_MAX - GEO_LAT_MIN)) * cells));
    const lonCell = BigInt(Math.trunc(((lon + 180) / 360) * cells));
    expect(encodeWGS84(lon, lat, step)).toEqual({ bits: interleaveSlowly(latCell, lonCell), step });
  }
});

test("decodeScore's number path and decode's bigint path agree on integer scores below 2^52", () => {
  for (const u of unitSequence(2000)) {
    const score = Math.floor(u * 2 ** 52);
    const area = decode({ min: -180, max: 180 }, { min: GEO_LAT_MIN, max: GEO_LAT_MAX }, { bits: BigInt(score), step: GEO_STEP_MAX });
    if (area === null) throw new Error("no area");
    const centre = [(area.longitude.min + area.longitude.max) / 2, (area.latitude.min + area.latitude.max) / 2];
    expect(decodeScore(score)).toEqual(centre as [number, number]);
  }
  // The edges of the 52 bits, and a score beyond them (the bigint path).
  for (const score of [0, 1, 2 ** 52 - 1, 2 ** 52 + 2, 2 ** 60]) expect(decodeScore(score)).not.toBeNull();
});
