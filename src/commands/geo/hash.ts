/**
 * Redis's geohash (geohash.c, geohash_helper.c): a point is a 52-bit
 * interleaving of 26-bit latitude and longitude cells (latitude on the even
 * bits), stored as a sorted-set score. A search covers the centre's cell
 * and its eight neighbours at a step chosen from the radius. The integer
 * work is done in bigint (64-bit masks); the floating point follows the C
 * code operation by operation so areas and distances come out the same.
 */

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

const D_R = Math.PI / 180.0;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

const MASK64 = (1n << 64n) - 1n;
const EVEN = 0x5555555555555555n;
const ODD = 0xaaaaaaaaaaaaaaaan;

export interface Range {
  min: number;
  max: number;
}

/** A cell: its bits and how many bits per coordinate (step); bits 0 and step 0 is "no cell". */
export interface HashBits {
  bits: bigint;
  step: number;
}

export interface Area {
  hash: HashBits;
  longitude: Range;
  latitude: Range;
}

const WGS84_LONG: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const WGS84_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

const degRad = (ang: number) => ang * D_R;
const radDeg = (ang: number) => ang / D_R;

/** A 16-bit number's bits spread to the even positions of 32 (geohash.c's interleave64 masks). */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

/** The inverse: the even bits of a 32-bit number packed into 16. */
function squash32(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  return (v | (v >>> 8)) & 0xffff;
}

/**
 * x's bits on the even positions, y's on the odd ones (32 bits each). The
 * work is on 32-bit numbers, 16 bits of each coordinate per half: bigint
 * operations bit by bit made GEOSEARCH ~20× Redis's CPU.
 */
function interleave(x: number, y: number): bigint {
  const lo = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The inverse, on a 64-bit value given as its low and high 32 bits: [even bits, odd bits]. */
function deinterleave(lo: number, hi: number): [number, number] {
  return [(squash32(lo) | (squash32(hi) << 16)) >>> 0, (squash32(lo >>> 1) | (squash32(hi >>> 1) << 16)) >>> 0];
}

/** geohashEncode: null when the point is outside the ranges (or the WGS84 limits). */
export function encode(longRange: Range, latRange: Range, longitude: number, latitude: number, step: number): HashBits | null {
  if (step > 32 || step === 0) return null;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  // C converts to uint32_t: truncation.
  return { bits: interleave(Math.trunc(latOffset), Math.trunc(longOffset)), step };
}

export function encodeWGS84(longitude: number, latitude: number, step: number): HashBits | null {
  return encode(WGS84_LONG, WGS84_LAT, longitude, latitude, step);
}

const isZero = (h: HashBits) => h.bits === 0n && h.step === 0;

/** geohashDecode: the cell's area, null for the zero cell. */
export function decode(longRange: Range, latRange: Range, hash: HashBits): Area | null {
  if (isZero(hash)) return null;
  const [lat, lon] = deinterleave(Number(hash.bits & 0xffffffffn), Number((hash.bits >> 32n) & 0xffffffffn));
  return cellArea(longRange, latRange, lat, lon, hash);
}

/** The area of the cell at (lat, lon) in a grid of 2^step × 2^step cells over the ranges. */
function cellArea(longRange: Range, latRange: Range, lat: number, lon: number, hash: HashBits): Area {
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const cells = 2 ** hash.step;
  return {
    hash,
    latitude: { min: latRange.min + (lat / cells) * latScale, max: latRange.min + ((lat + 1) / cells) * latScale },
    longitude: { min: longRange.min + (lon / cells) * longScale, max: longRange.min + ((lon + 1) / cells) * longScale },
  };
}

/**
 * C's (uint64_t) cast of a double as x86-64 code does it: below 2^63 a signed
 * conversion (negative values wrap; below -2^63 it gives 2^63), from 2^63 on
 * the value less 2^63 converted and the top bit flipped (0 from 2^64 on).
 */
function toUint64(x: number): bigint {
  const TWO63 = 2 ** 63;
  if (x < TWO63) return x >= -TWO63 ? BigInt.asUintN(64, BigInt(Math.trunc(x))) : 1n << 63n;
  return x < 2 * TWO63 ? BigInt(Math.trunc(x)) : 0n;
}

/** What a score's area reports as its hash (decodeScore reads only the ranges). */
const SCORE_CELL: HashBits = { bits: 0n, step: GEO_STEP_MAX };

/** decodeGeohash: a score's [longitude, latitude] (the centre of its cell, clamped), or null. */
export function decodeScore(score: number): [number, number] | null {
  let area: Area | null;
  if (score >= 0 && score < 2 ** 53 && Number.isInteger(score)) {
    // Every score GEOADD writes: no bigint needed (the step is never 0, so this is never the zero cell).
    const [lat, lon] = deinterleave(score >>> 0, Math.floor(score / 2 ** 32));
    area = cellArea(WGS84_LONG, WGS84_LAT, lat, lon, SCORE_CELL);
  } else area = decode(WGS84_LONG, WGS84_LAT, { bits: toUint64(score), step: GEO_STEP_MAX });
  if (area === null) return null;
  let x = (area.longitude.min + area.longitude.max) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (area.latitude.min + area.latitude.max) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/** geohashAlign52Bits: the cell as a 52-bit score prefix. */
export function align52(hash: HashBits): number {
  return Number(BigInt.asUintN(64, hash.bits << BigInt(52 - hash.step * 2)));
}

function moveX(hash: HashBits, d: number): HashBits {
  if (d === 0) return hash;
  let x = hash.bits & ODD;
  const y = hash.bits & EVEN;
  const zz = EVEN >> BigInt(64 - hash.step * 2);
  if (d > 0) x = (x + (zz + 1n)) & MASK64;
  else {
    x |= zz;
    x = (x - (zz + 1n)) & MASK64;
  }
  x &= ODD >> BigInt(64 - hash.step * 2);
  return { bits: x | y, step: hash.step };
}

function moveY(hash: HashBits, d: number): HashBits {
  if (d === 0) return hash;
  const x = hash.bits & ODD;
  let y = hash.bits & EVEN;
  const zz = ODD >> BigInt(64 - hash.step * 2);
  if (d > 0) y = (y + (zz + 1n)) & MASK64;
  else {
    y |= zz;
    y = (y - (zz + 1n)) & MASK64;
  }
  y &= EVEN >> BigInt(64 - hash.step * 2);
  return { bits: x | y, step: hash.step };
}

const ZERO: HashBits = { bits: 0n, step: 0 };

/** The search shape: a circle (radius) or a box (width, height), in `conversion` units of metres. */
export interface Shape {
  circle: boolean;
  xy: [number, number];
  conversion: number;
  radius: number;
  width: number;
  height: number;
}

/** geohashEstimateStepsByRadius */
function stepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [min lon, min lat, max lon, max lat]. */
function boundingBox(shape: Shape): [number, number, number, number] {
  const [longitude, latitude] = shape.xy;
  const height = shape.conversion * (shape.circle ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.circle ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude - latDelta)));
  const south = latitude < 0;
  return [
    south ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    south ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

/**
 * geohashCalculateAreasByShapeWGS84: the cells to scan, in Redis's order
 * (centre, N, S, E, W, NE, NW, SE, SW); cells that cannot hold a match are
 * the zero cell.
 */
export function searchCells(shape: Shape): HashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const [longitude, latitude] = shape.xy;
  let radiusMeters = shape.circle
    ? shape.radius
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;
  let steps = stepsByRadius(radiusMeters, latitude);
  const cellsAt = (step: number) => {
    const hash = encode(WGS84_LONG, WGS84_LAT, longitude, latitude, step) ?? { bits: 0n, step };
    const n = {
      north: moveY(hash, 1),
      south: moveY(hash, -1),
      east: moveX(hash, 1),
      west: moveX(hash, -1),
      northEast: moveY(moveX(hash, 1), 1),
      northWest: moveY(moveX(hash, -1), 1),
      southEast: moveY(moveX(hash, 1), -1),
      southWest: moveY(moveX(hash, -1), -1),
    };
    return { hash, n, area: decode(WGS84_LONG, WGS84_LAT, hash) };
  };
  let c = cellsAt(steps);
  // A step too fine for the bounding box's edges: one coarser.
  const north = decode(WGS84_LONG, WGS84_LAT, c.n.north);
  const south = decode(WGS84_LONG, WGS84_LAT, c.n.south);
  const east = decode(WGS84_LONG, WGS84_LAT, c.n.east);
  const west = decode(WGS84_LONG, WGS84_LAT, c.n.west);
  const decrease =
    (north !== null && north.latitude.max < maxLat) ||
    (south !== null && south.latitude.min > minLat) ||
    (east !== null && east.longitude.max < maxLon) ||
    (west !== null && west.longitude.min > minLon);
  if (steps > 1 && decrease) {
    steps--;
    c = cellsAt(steps);
  }
  const { n, area } = c;
  if (steps >= 2 && area !== null) {
    if (area.latitude.min < minLat) {
      n.south = ZERO;
      n.southWest = ZERO;
      n.southEast = ZERO;
    }
    if (area.latitude.max > maxLat) {
      n.north = ZERO;
      n.northEast = ZERO;
      n.northWest = ZERO;
    }
    if (area.longitude.min < minLon) {
      n.west = ZERO;
      n.southWest = ZERO;
      n.northWest = ZERO;
    }
    if (area.longitude.max > maxLon) {
      n.east = ZERO;
      n.southEast = ZERO;
      n.northEast = ZERO;
    }
  }
  return [c.hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
}

export { isZero as isZeroCell };

function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: haversine on Redis's earth radius, in metres. */
export function distance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** geoWithinShape: the point's distance from the centre when it is inside the shape, else null. */
export function withinShape(shape: Shape, x: number, y: number): number | null {
  const [cx, cy] = shape.xy;
  if (shape.circle) {
    const d = distance(cx, cy, x, y);
    return d > shape.radius * shape.conversion ? null : d;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  if (latDistance(y, cy) > heightM / 2) return null;
  if (distance(x, y, cx, y) > widthM / 2) return null;
  return distance(cx, cy, x, y);
}

/** GEOHASH's 11-character standard geohash of a score (re-encoded on -90..90), or null. */
export function standardGeohash(score: number): string | null {
  const xy = decodeScore(score);
  if (xy === null) return null;
  const hash = encode({ min: -180, max: 180 }, { min: -90, max: 90 }, xy[0], xy[1], 26);
  const bits = hash?.bits ?? 0n;
  const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";
  let out = "";
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    out += alphabet[idx];
  }
  return out;
}
