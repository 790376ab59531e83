/**
 * The geo commands (Redis's geo.c): points kept in a sorted set, each
 * scored by its 52-bit geohash. GEOADD is ZADD with computed scores (and is
 * propagated as that ZADD); the searches live in ./geo/search.ts.
 */
import type { CommandSpec } from "../engine/command.ts";
import { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { asciiLower } from "../engine/table.ts";
import { NULL_ARRAY, type Reply } from "../resp/reply.ts";
import { align52, decodeScore, distance, encodeWGS84, GEO_STEP_MAX, standardGeohash } from "./geo/hash.ts";
import {
  distanceText as distanceReply,
  GEOSEARCH,
  GEOSEARCHSTORE,
  georadiusGeneric,
  humanCoordinate,
  lonLatArgs,
  RADIUS_COORDS,
  RADIUS_MEMBER,
  RADIUS_NOSTORE,
  unitArg,
} from "./geo/search.ts";
import { rowsOf } from "./rows.ts";
import { zaddCommand } from "./zset/access.ts";
import { readZset } from "./zset/common.ts";

/** GEOADD key [NX | XX] [CH] longitude latitude member [...] */
function geoaddCommand(ctx: Ctx): Reply {
  let at = 2;
  let nx = false;
  let xx = false;
  for (; at < ctx.argv.length; at++) {
    // Every option is two letters: a longitude is never lowered (that was 12% of GEOADD's time).
    if (ctx.arg(at).length !== 2) break;
    const opt = asciiLower(ctx.arg(at));
    if (opt === "nx") nx = true;
    else if (opt === "xx") xx = true;
    else if (opt !== "ch") break;
  }
  if ((ctx.argv.length - at) % 3 !== 0 || (xx && nx)) fail(Errors.syntax);
  const zadd = ["zadd", ...ctx.argv.slice(1, at)];
  for (let i = at; i < ctx.argv.length; i += 3) {
    const [x, y] = lonLatArgs(ctx, i);
    const hash = encodeWGS84(x, y, GEO_STEP_MAX);
    zadd.push(String(hash === null ? 0 : align52(hash)), ctx.arg(i + 2));
  }
  // Redis rewrites the command into that ZADD and runs it: replicas and the AOF get the ZADD.
  const inner = new Ctx(ctx.engine, ctx.client, zadd, ctx.cmd, ctx.now);
  const dirtyBefore = ctx.engine.dirty;
  const reply = zaddCommand(inner);
  if (ctx.engine.dirty !== dirtyBefore) ctx.propagate(zadd);
  return reply;
}

/** GEOPOS key [member ...] */
function geoposCommand(ctx: Ctx): Reply {
  const z = readZset(ctx, ctx.arg(1));
  const out: Reply[] = [];
  for (let j = 2; j < ctx.argv.length; j++) {
    const score = z?.score(ctx.arg(j));
    const xy = score === undefined ? null : decodeScore(score);
    out.push(xy === null ? NULL_ARRAY : [humanCoordinate(xy[0]), humanCoordinate(xy[1])]);
  }
  return out;
}

/** GEODIST key member1 member2 [M | KM | FT | MI] */
function geodistCommand(ctx: Ctx): Reply {
  let toMeter = 1;
  if (ctx.argv.length === 5) toMeter = unitArg(ctx.arg(4));
  else if (ctx.argv.length > 5) fail(Errors.syntax);
  const z = readZset(ctx, ctx.arg(1));
  if (z === undefined) return null;
  const s1 = z.score(ctx.arg(2));
  const s2 = z.score(ctx.arg(3));
  if (s1 === undefined || s2 === undefined) return null;
  const a = decodeScore(s1);
  const b = decodeScore(s2);
  if (a === null || b === null) return null;
  return distanceReply(distance(a[0], a[1], b[0], b[1]) / toMeter);
}

/** GEOHASH key [member ...] */
function geohashCommand(ctx: Ctx): Reply {
  const z = readZset(ctx, ctx.arg(1));
  const out: Reply[] = [];
  for (let j = 2; j < ctx.argv.length; j++) {
    const score = z?.score(ctx.arg(j));
    out.push(score === undefined ? null : standardGeohash(score));
  }
  return out;
}

const SEARCH_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";
const BOX_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";

const row = rowsOf("geo", "geo");

export const geoCommands: CommandSpec[] = [
  row(
    "geoadd",
    -5,
    ["write", "denyoom"],
    [1, 1, 1],
    "Add one or more geospatial items in the geospatial index represented using a sorted set",
    "3.2.0",
    "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    geoaddCommand,
  ),
  row(
    "geodist",
    -4,
    ["readonly"],
    [1, 1, 1],
    "Returns the distance between two members of a geospatial index",
    "3.2.0",
    "O(log(N))",
    geodistCommand,
  ),
  row(
    "geohash",
    -2,
    ["readonly"],
    [1, 1, 1],
    "Returns members of a geospatial index as standard geohash strings",
    "3.2.0",
    "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
    geohashCommand,
  ),
  row(
    "geopos",
    -2,
    ["readonly"],
    [1, 1, 1],
    "Returns longitude and latitude of members of a geospatial index",
    "3.2.0",
    "O(N) where N is the number of members requested.",
    geoposCommand,
  ),
  row(
    "georadius",
    -6,
    ["write", "denyoom"],
    [1, 1, 1],
    "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point",
    "3.2.0",
    SEARCH_COMPLEXITY,
    (ctx) => georadiusGeneric(ctx, 1, RADIUS_COORDS),
  ),
  row("georadius_ro", -6, ["readonly"], [1, 1, 1], "A read-only variant for GEORADIUS", "3.2.10", SEARCH_COMPLEXITY, (ctx) =>
    georadiusGeneric(ctx, 1, RADIUS_COORDS | RADIUS_NOSTORE),
  ),
  row(
    "georadiusbymember",
    -5,
    ["write", "denyoom"],
    [1, 1, 1],
    "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member",
    "3.2.0",
    SEARCH_COMPLEXITY,
    (ctx) => georadiusGeneric(ctx, 1, RADIUS_MEMBER),
  ),
  row(
    "georadiusbymember_ro",
    -5,
    ["readonly"],
    [1, 1, 1],
    "A read-only variant for GEORADIUSBYMEMBER",
    "3.2.10",
    SEARCH_COMPLEXITY,
    (ctx) => georadiusGeneric(ctx, 1, RADIUS_MEMBER | RADIUS_NOSTORE),
  ),
  row(
    "geosearch",
    -7,
    ["readonly"],
    [1, 1, 1],
    "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.",
    "6.2.0",
    BOX_COMPLEXITY,
    (ctx) => georadiusGeneric(ctx, 1, GEOSEARCH),
  ),
  row(
    "geosearchstore",
    -8,
    ["write", "denyoom"],
    [1, 2, 1],
    "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.",
    "6.2.0",
    BOX_COMPLEXITY,
    (ctx) => georadiusGeneric(ctx, 2, GEOSEARCH | GEOSEARCHSTORE),
  ),
];
