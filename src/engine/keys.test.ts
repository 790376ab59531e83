import { expect, test } from "bun:test";
import { hasMovableKeys, type KeySpec, keysFromSpecs, legacyKeySpecs, specsHaveKeys } from "./keys.ts";

const pos = (specs: KeySpec[], ...argv: string[]) => keysFromSpecs(specs, argv)?.map((k) => k.pos) ?? null;

test("a legacy range becomes an index + range spec, relative last key", () => {
  expect(legacyKeySpecs({ firstKey: 0, lastKey: 0, step: 0 })).toEqual([]);
  expect(legacyKeySpecs({ firstKey: 1, lastKey: 2, step: 1 })).toEqual([
    { flags: [], begin: { index: 1 }, find: { lastkey: 1, keystep: 1, limit: 0 } },
  ]);
  const mset = legacyKeySpecs({ firstKey: 1, lastKey: -1, step: 2 });
  expect(mset[0]?.find).toEqual({ lastkey: -1, keystep: 2, limit: 0 });
  expect(pos(mset, "MSET", "a", "1", "b", "2")).toEqual([1, 3]);
  // Like Redis, an odd tail still counts as a key position.
  expect(pos(mset, "MSET", "a", "1", "b")).toEqual([1, 3]);
  expect(hasMovableKeys(mset)).toBe(false);
});

test("keyword search, keynum and limit", () => {
  // XREAD ... STREAMS k1 k2 id1 id2: keyword from the end, half of the rest.
  const xread: KeySpec[] = [{ flags: ["RO"], begin: { keyword: "STREAMS", startfrom: 1 }, find: { lastkey: -1, keystep: 1, limit: 2 } }];
  expect(pos(xread, "XREAD", "COUNT", "2", "streams", "a", "b", "0", "0")).toEqual([4, 5]);
  expect(pos(xread, "XREAD", "COUNT", "2")).toEqual([]);
  // ZUNIONSTORE dst numkeys k...
  const zu: KeySpec[] = [
    { flags: ["OW"], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } },
    { flags: ["RO"], begin: { index: 2 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } },
  ];
  expect(pos(zu, "ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2")).toEqual([1, 3, 4]);
  expect(pos(zu, "ZUNIONSTORE", "d", "3", "a", "b")).toBeNull();
  expect(pos(zu, "ZUNIONSTORE", "d", "0")).toBeNull();
  expect(pos(zu, "ZUNIONSTORE", "d", "x", "a")).toBeNull();
  expect(pos(zu, "ZUNIONSTORE", "d", "-1", "a")).toBeNull();
  expect(hasMovableKeys(zu)).toBe(true);
  expect(keysFromSpecs(zu, ["ZUNIONSTORE", "d", "1", "a"])?.map((k) => k.flags)).toEqual([["OW"], ["RO"]]);
  // A negative startfrom searches backwards.
  const back: KeySpec[] = [{ flags: [], begin: { keyword: "KEYS", startfrom: -2 }, find: { lastkey: -1, keystep: 1, limit: 0 } }];
  expect(pos(back, "MIGRATE", "h", "p", "", "0", "5", "KEYS", "a", "b")).toEqual([7, 8]);
});

test("unknown specs defer to the command; not_key specs are skipped", () => {
  const sort: KeySpec[] = [
    { flags: ["RO"], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } },
    { flags: ["OW"], begin: null, find: null },
  ];
  expect(pos(sort, "SORT", "k")).toBeNull();
  expect(hasMovableKeys(sort)).toBe(true);
  const pub: KeySpec[] = [{ flags: ["not_key"], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } }];
  expect(specsHaveKeys(pub)).toBe(false);
  expect(pos(pub, "SPUBLISH", "ch", "m")).toEqual([]);
});
