/**
 * GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and
 * GEOSEARCHSTORE: Redis's georadiusGeneric. The candidate cells' score
 * ranges are scanned in Redis's order, points outside the shape dropped,
 * then sorted by distance when asked (or when COUNT needs the nearest).
 */
import type { Ctx } from "../../engine/context.ts";
import { Errors, fail } from "../../engine/errors.ts";
import { floatArg, intArg } from "../../engine/numbers.ts";
import { asciiLower } from "../../engine/table.ts";
import { Double, type Reply } from "../../resp/reply.ts";
import type { ZSet } from "../../store/zset.ts";
import { readZset } from "../zset/common.ts";
import {
  align52,
  decodeScore,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  isZeroCell,
  type Shape,
  searchCells,
  withinShape,
} from "./hash.ts";
import { storeResults } from "./store.ts";

/** How a search is called: around coordinates or a member, whether STORE is allowed, GEOSEARCH's syntax. */
export const RADIUS_COORDS = 1;
export const RADIUS_MEMBER = 2;
export const RADIUS_NOSTORE = 4;
export const GEOSEARCH = 8;
export const GEOSEARCHSTORE = 16;

interface Point {
  member: string;
  score: number;
  x: number;
  y: number;
  dist: number;
}

/** extractLongLatOrReply */
export function lonLatArgs(ctx: Ctx, at: number): [number, number] {
  const x = floatArg(ctx.arg(at));
  const y = floatArg(ctx.arg(at + 1));
  if (x < GEO_LONG_MIN || x > GEO_LONG_MAX || y < GEO_LAT_MIN || y > GEO_LAT_MAX) {
    fail(`ERR invalid longitude,latitude pair ${printfF(x)},${printfF(y)}`);
  }
  return [x, y];
}

/** C's `%f`: six decimals, all the integer digits, and inf / -inf as words. */
function printfF(x: number): string {
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  if (Object.is(x, -0)) return "-0.000000";
  // toFixed switches to exponent notation from 1e21 on; such doubles are integers.
  if (Math.abs(x) >= 1e21) return `${BigInt(x)}.000000`;
  return x.toFixed(6);
}

/** extractUnitOrReply: metres per unit. */
export function unitArg(s: string): number {
  const u = asciiLower(s);
  if (u === "m") return 1;
  if (u === "km") return 1000;
  if (u === "ft") return 0.3048;
  if (u === "mi") return 1609.34;
  fail("ERR unsupported unit provided. please use M, KM, FT, MI");
}

/** longLatFromMember */
function memberXY(z: ZSet, member: string): [number, number] {
  const score = z.score(member);
  const xy = score === undefined ? null : decodeScore(score);
  if (xy === null) fail("ERR could not decode requested zset member");
  return xy;
}

/** addReplyDoubleDistance: four decimals (fixedpoint_d2string). */
export function distanceText(d: number): string {
  return d === 0 ? "0.0000" : (Math.round(d * 10000) / 10000).toFixed(4);
}

/** addReplyHumanLongDouble: `%.17Lf` without trailing zeros, a bulk string in RESP2 and a double in RESP3. */
export function humanCoordinate(v: number): Reply {
  let s = v.toFixed(17);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  if (s === "-0") s = "0";
  return new Double(v, s);
}

/** geoGetPointsInRange over every candidate cell (membersOfAllNeighbors). */
function pointsInShape(z: ZSet, shape: Shape, limit: number): Point[] {
  const found: Point[] = [];
  const cells = searchCells(shape);
  let last = -1;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as (typeof cells)[number];
    if (isZeroCell(cell)) continue;
    // Huge radii make neighbours repeat: skip a cell equal to the one just scanned.
    if (last > 0 && cell.bits === cells[last]?.bits && cell.step === cells[last]?.step) continue;
    if (found.length > 0 && limit > 0 && found.length >= limit) break;
    const min = align52(cell);
    const max = align52({ bits: cell.bits + 1n, step: cell.step });
    // The cell's scores are [min, max): one descent to the first, then the level-0 links by id (no node objects).
    const store = z.store;
    for (let id = store.at(store.countWhile((score) => score < min) + 1); id !== 0; id = store.next(id)) {
      const score = store.scores[id] as number;
      if (score >= max) break;
      const xy = decodeScore(score);
      if (xy !== null) {
        const dist = withinShape(shape, xy[0], xy[1]);
        if (dist !== null) found.push({ member: store.members[id] as string, score, x: xy[0], y: xy[1], dist });
      }
      if (found.length > 0 && limit > 0 && found.length >= limit) break;
    }
    last = i;
  }
  return found;
}

export function georadiusGeneric(ctx: Ctx, srcIndex: number, flags: number): Reply {
  const z = readZset(ctx, ctx.arg(srcIndex));
  const shape: Shape = { circle: true, xy: [0, 0], conversion: 1, radius: 0, width: 0, height: 0 };
  let base: number;
  let storeKey: string | null = null;
  let storeDist = false;
  if (flags & RADIUS_COORDS) {
    base = 6;
    shape.xy = lonLatArgs(ctx, 2);
    [shape.conversion, shape.radius] = distanceArgs(ctx, base - 2);
  } else if (flags & RADIUS_MEMBER && z === undefined) {
    base = 5;
  } else if (flags & RADIUS_MEMBER) {
    base = 5;
    shape.xy = memberXY(z as ZSet, ctx.arg(2));
    [shape.conversion, shape.radius] = distanceArgs(ctx, base - 2);
  } else {
    base = 2;
    if (flags & GEOSEARCHSTORE) {
      base = 3;
      storeKey = ctx.arg(1);
    }
  }
  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort: "none" | "asc" | "desc" = "none";
  let any = false;
  let count = 0;
  const remaining = ctx.argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const arg = asciiLower(ctx.arg(base + i));
    const more = remaining - i - 1;
    const search = (flags & GEOSEARCH) !== 0;
    if (arg === "withdist") withDist = true;
    else if (arg === "withhash") withHash = true;
    else if (arg === "withcoord") withCoords = true;
    else if (arg === "any") any = true;
    else if (arg === "asc") sort = "asc";
    else if (arg === "desc") sort = "desc";
    else if (arg === "count" && more >= 1) {
      count = intArg(ctx.arg(base + i + 1));
      if (count <= 0) fail("ERR COUNT must be > 0");
      i++;
    } else if ((arg === "store" || arg === "storedist") && more >= 1 && !(flags & RADIUS_NOSTORE) && !search) {
      storeKey = ctx.arg(base + i + 1);
      storeDist = arg === "storedist";
      i++;
    } else if (arg === "storedist" && search && flags & GEOSEARCHSTORE) storeDist = true;
    else if (arg === "frommember" && more >= 1 && search && !fromLoc) {
      // Without a source key the argument is only parsed: the reply is decided after parsing.
      if (z !== undefined) shape.xy = memberXY(z, ctx.arg(base + i + 1));
      fromMember = true;
      i++;
    } else if (arg === "fromlonlat" && more >= 2 && search && !fromMember) {
      shape.xy = lonLatArgs(ctx, base + i + 1);
      fromLoc = true;
      i += 2;
    } else if (arg === "byradius" && more >= 2 && search && !byBox) {
      [shape.conversion, shape.radius] = distanceArgs(ctx, base + i + 1);
      shape.circle = true;
      byRadius = true;
      i += 2;
    } else if (arg === "bybox" && more >= 3 && search && !byRadius) {
      [shape.conversion, shape.width, shape.height] = boxArgs(ctx, base + i + 1);
      shape.circle = false;
      byBox = true;
      i += 3;
    } else fail(Errors.syntax);
  }
  const name = ctx.arg(0);
  if (storeKey !== null && (withDist || withHash || withCoords)) {
    fail(
      `ERR ${flags & GEOSEARCHSTORE ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS"} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
    );
  }
  if (flags & GEOSEARCH && !(fromMember || fromLoc)) fail(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
  if (flags & GEOSEARCH && !(byRadius || byBox)) fail(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
  if (any && count === 0) fail("ERR the ANY argument requires COUNT argument");
  if (z === undefined) {
    if (storeKey === null) return [];
    if (ctx.db.delete(storeKey)) {
      ctx.touched(storeKey);
      ctx.notify("g", "del", storeKey);
      ctx.dirty();
    }
    return 0;
  }
  if (count !== 0 && sort === "none" && !any) sort = "asc";
  const points = pointsInShape(z, shape, any ? count : 0);
  if (points.length === 0 && storeKey === null) return [];
  const returned = count === 0 || points.length < count ? points.length : count;
  if (sort !== "none") {
    const dir = sort === "asc" ? 1 : -1;
    points.sort((a, b) => (a.dist > b.dist ? dir : a.dist < b.dist ? -dir : 0));
  }
  const results = points.slice(0, returned);
  for (const p of results) p.dist /= shape.conversion;
  if (storeKey === null) {
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
    return results.map((p) => {
      if (options === 0) return p.member;
      const item: Reply[] = [p.member];
      if (withDist) item.push(distanceText(p.dist));
      if (withHash) item.push(p.score);
      if (withCoords) item.push([humanCoordinate(p.x), humanCoordinate(p.y)]);
      return item;
    });
  }
  return storeResults(ctx, storeKey, results, storeDist, (flags & GEOSEARCH) !== 0);
}

/** extractDistanceOrReply: [metres per unit, radius]. */
function distanceArgs(ctx: Ctx, at: number): [number, number] {
  const d = floatArg(ctx.arg(at), "ERR need numeric radius");
  if (d < 0) fail("ERR radius cannot be negative");
  return [unitArg(ctx.arg(at + 1)), d];
}

/** extractBoxOrReply: [metres per unit, width, height]. */
function boxArgs(ctx: Ctx, at: number): [number, number, number] {
  const w = floatArg(ctx.arg(at), "ERR need numeric width");
  const h = floatArg(ctx.arg(at + 1), "ERR need numeric height");
  if (h < 0 || w < 0) fail("ERR height or width cannot be negative");
  return [unitArg(ctx.arg(at + 2)), w, h];
}
