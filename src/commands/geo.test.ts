import { expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";

test("GEOADD is propagated as the ZADD it runs (Redis rewrites the command vector), and not at all when nothing changed", () => {
  const t = createTestEngine();
  expect(t.exec("GEOADD", "g", "CH", "13.361389", "38.115556", "Palermo")).toBe(1);
  expect(t.propagated).toEqual([[0, ["zadd", "g", "CH", "3479099956230698", "Palermo"]]]);
  t.propagated.length = 0;
  expect(t.exec("GEOADD", "g", "NX", "13.361389", "38.115556", "Palermo")).toBe(0);
  expect(t.propagated).toEqual([]);
});

test("a search that stores nothing deletes its target and is propagated; one without STORE is not", () => {
  const t = createTestEngine();
  t.exec("GEOADD", "g", "13.361389", "38.115556", "Palermo");
  t.exec("SET", "dst", "x");
  t.propagated.length = 0;
  expect(t.exec("GEORADIUS", "g", "0", "0", "1", "km", "STORE", "dst")).toBe(0);
  expect(t.exec("EXISTS", "dst")).toBe(0);
  expect(t.propagated).toEqual([[0, ["GEORADIUS", "g", "0", "0", "1", "km", "STORE", "dst"]]]);
  t.propagated.length = 0;
  t.exec("GEOSEARCH", "g", "FROMLONLAT", "13", "38", "BYRADIUS", "100", "km");
  expect(t.propagated).toEqual([]);
});
