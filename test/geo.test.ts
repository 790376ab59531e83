/**
 * The geo commands against the real redis-server: scores, positions,
 * distances, geohashes, searches (sorted and unsorted, COUNT/ANY, boxes,
 * STORE/STOREDIST) and every error text, byte for byte, in RESP2 and RESP3,
 * then seeded random searches around random points.
 */
import { beforeEach, test } from "bun:test";
import { type Differential, rng } from "./helpers/diff.ts";
import { replayable, seedFrom, withDifferential } from "./helpers/suite.ts";

let d: Differential;
withDifferential((started) => {
  d = started;
});

beforeEach(async () => {
  await d.same("FLUSHALL");
});

const run = (...commands: string[][]) => d.sequence(commands);

const PLACES = [
  "13.361389",
  "38.115556",
  "Palermo",
  "15.087269",
  "37.502669",
  "Catania",
  "12.758489",
  "38.788135",
  "edge1",
  "17.241510",
  "38.788135",
  "edge2",
];

test("GEOADD options, GEOPOS, GEODIST units, GEOHASH and the ZADD they are", async () => {
  await run(
    ["GEOADD", "Sicily", ...PLACES],
    ["ZRANGE", "Sicily", "0", "-1", "WITHSCORES"],
    ["GEOADD", "Sicily", "NX", "13.3", "38.1", "Palermo", "1", "1", "new"],
    ["GEOADD", "Sicily", "XX", "CH", "13.3", "38.1", "Palermo", "1", "1", "absent"],
    ["GEOADD", "Sicily", "CH", "NX", "XX", "1", "1", "x"],
    ["GEOADD", "Sicily", "1", "1"],
    ["GEOADD", "Sicily", "181", "1", "bad"],
    ["GEOADD", "Sicily", "1", "85.06", "bad"],
    ["GEOADD", "Sicily", "x", "1", "bad"],
    // The error prints the pair with C's %f: inf words, -0, every integer digit.
    ["GEOADD", "Sicily", "-inf", "1", "bad"],
    ["GEOADD", "Sicily", "200", "-0", "bad"],
    ["GEOADD", "Sicily", "1e300", "-1e-7", "bad"],
    ["GEORADIUS", "Sicily", "4294967296", "+inf", "1", "km"],
    ["GEOPOS", "Sicily", "Palermo", "Catania", "missing", "new"],
    ["GEOPOS", "nokey", "a"],
    ["GEOPOS", "Sicily"],
    ["GEODIST", "Sicily", "Palermo", "Catania"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "km"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "MI"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "ft"],
    ["GEODIST", "Sicily", "Palermo", "Palermo"],
    ["GEODIST", "Sicily", "Palermo", "missing"],
    ["GEODIST", "nokey", "a", "b"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "yards"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "km", "x"],
    ["GEOHASH", "Sicily", "Palermo", "Catania", "edge1", "missing"],
    ["GEOHASH", "nokey", "a"],
    ["ZADD", "odd", "-1", "neg", "1e300", "huge", "4503599627370496", "big"],
    ["GEOPOS", "odd", "neg", "huge", "big"],
    ["GEOHASH", "odd", "neg", "big"],
    ["SET", "str", "x"],
    ["GEOADD", "str", "1", "1", "a"],
    ["GEOPOS", "str", "a"],
    ["GEOADD", "poles", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "0", "0", "zero"],
    ["GEOPOS", "poles", "ne", "sw", "zero"],
    ["GEOHASH", "poles", "ne", "sw", "zero"],
  );
  // RESP3: coordinates are doubles in Redis's long double form, distances stay bulk strings.
  await d.both("HELLO", "3");
  await run(
    ["GEOPOS", "Sicily", "Palermo", "missing"],
    ["GEODIST", "Sicily", "Palermo", "Catania"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHCOORD", "WITHDIST", "ASC"],
  );
  await d.both("HELLO", "2");
});

test("GEORADIUS, GEORADIUSBYMEMBER and their options", async () => {
  await run(["GEOADD", "Sicily", ...PLACES]);
  const forms = [
    ["GEORADIUS", "Sicily", "15", "37", "200", "km"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "ASC"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "DESC", "WITHDIST", "WITHHASH", "WITHCOORD"],
    ["GEORADIUS", "Sicily", "15", "37", "100", "km", "WITHDIST"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "2"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "ANY"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT"],
    ["GEORADIUS", "Sicily", "15", "37", "-1", "km"],
    ["GEORADIUS", "Sicily", "15", "37", "x", "km"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "parsec"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "NOPE"],
    ["GEORADIUS", "Sicily", "200", "37", "200", "km"],
    ["GEORADIUS", "Sicily", "15", "37", "0", "m"],
    ["GEORADIUS", "Sicily", "15", "37", "20000", "km"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst", "WITHDIST"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst"],
    ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["OBJECT", "ENCODING", "dst"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "dst"],
    ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["GEORADIUS", "Sicily", "15", "37", "1", "m", "STORE", "dst"],
    ["EXISTS", "dst"],
    ["GEORADIUS", "nokey", "15", "37", "200", "km"],
    ["GEORADIUS", "nokey", "15", "37", "200", "km", "STORE", "Sicily2"],
    ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST"],
    ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "dst"],
    ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST", "ASC"],
    ["GEORADIUSBYMEMBER", "Sicily", "missing", "200", "km"],
    ["GEORADIUSBYMEMBER", "nokey", "missing", "200", "km"],
    ["GEORADIUSBYMEMBER", "nokey", "missing", "200", "km", "STORE", "dst"],
    ["GEORADIUSBYMEMBER_RO", "Sicily", "Catania", "100", "mi", "WITHCOORD", "DESC"],
  ];
  for (const f of forms) await run(f);
});

test("GEOSEARCH and GEOSEARCHSTORE: FROMMEMBER/FROMLONLAT, BYRADIUS/BYBOX and their errors", async () => {
  await run(["GEOADD", "Sicily", ...PLACES]);
  const forms = [
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"],
    ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "ASC", "WITHCOORD", "WITHDIST", "WITHHASH"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "DESC", "COUNT", "2"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "100", "50", "mi"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "50", "mi"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "x", "50", "mi"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "y", "mi"],
    ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"],
    ["GEOSEARCH", "Sicily", "BYRADIUS", "1", "km", "ASC"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "ASC", "WITHDIST"],
    ["GEOSEARCH", "Sicily", "FROMMEMBER", "missing", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "missing", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STORE", "dst"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"],
    ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"],
    ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "COUNT", "1"],
    ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "WITHDIST"],
    ["GEOSEARCHSTORE", "dst", "nokey", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km"],
    ["EXISTS", "dst"],
    ["COMMAND", "GETKEYS", "GEORADIUS", "src", "1", "1", "1", "km", "STORE", "a", "STOREDIST", "b"],
    ["COMMAND", "GETKEYS", "GEOSEARCHSTORE", "dst", "src", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"],
  ];
  for (const f of forms) await run(f);
});

test("random searches agree with Redis", async () => {
  const seed = seedFrom("GEO_SEED");
  const rand = rng(seed);
  const log: string[][] = [];
  const coord = (lo: number, hi: number) => (lo + rand() * (hi - lo)).toFixed(6);
  await replayable("GEO_SEED", seed, log, 5, async () => {
    for (let round = 0; round < 6; round++) {
      await d.same("DEL", "pts");
      // A cluster of points around a random centre, some far away.
      const cx = -170 + rand() * 340;
      const cy = -80 + rand() * 160;
      const add = ["GEOADD", "pts"];
      for (let i = 0; i < 150; i++) {
        const spread = rand() < 0.8 ? 2 : 40;
        const x = Math.max(-180, Math.min(180, cx + (rand() - 0.5) * spread));
        const y = Math.max(-85, Math.min(85, cy + (rand() - 0.5) * spread));
        add.push(x.toFixed(6), y.toFixed(6), `p${i}`);
      }
      log.push(add);
      await d.same(...add);
      for (let q = 0; q < 15; q++) {
        const x = coord(Math.max(-180, cx - 1), Math.min(180, cx + 1));
        const y = coord(Math.max(-85, cy - 1), Math.min(85, cy + 1));
        const cmd =
          rand() < 0.5
            ? ["GEOSEARCH", "pts", "FROMLONLAT", x, y, "BYRADIUS", String(Math.floor(rand() * 300)), "km", "ASC", "WITHDIST"]
            : [
                "GEOSEARCH",
                "pts",
                "FROMLONLAT",
                x,
                y,
                "BYBOX",
                String(Math.floor(rand() * 400)),
                String(Math.floor(rand() * 400)),
                "km",
                "ASC",
                "WITHCOORD",
              ];
        log.push(cmd);
        await d.same(...cmd);
      }
    }
  });
});
