import { expect, test } from "bun:test";
import { createTestEngine } from "../../engine/testing.ts";
import { Status } from "../../resp/reply.ts";

/** Digests redis-server 7.0.15 printed for the same commands. */
test("DEBUG DIGEST and DIGEST-VALUE equal redis-server's for a small dataset", () => {
  const t = createTestEngine((c) => c.set("enable-debug-command", "yes"));
  expect(t.exec("DEBUG", "DIGEST")).toEqual(new Status("0".repeat(40)));
  t.exec("SET", "a", "1");
  expect(t.exec("DEBUG", "DIGEST-VALUE", "a")).toEqual([new Status("b4fc66738120fba0b5aa500ab5c2bf89cea1c5da")]);
  expect(t.exec("DEBUG", "DIGEST")).toEqual(new Status("943d800368fb9c0e951138f1bc0e313ac769d91f"));
  t.exec("SET", "b", "hello");
  expect(t.exec("DEBUG", "DIGEST-VALUE", "b", "nokey")).toEqual([
    new Status("36b23a1456b2dce2c3ed252c456761301dba8060"),
    new Status("0".repeat(40)),
  ]);
});
