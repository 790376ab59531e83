import { expect, test } from "bun:test";
import { PROPAGATE_ALL, PROPAGATE_REPL } from "./propagation.ts";
import { createTestEngine } from "./testing.ts";

test("writes propagate to AOF and replicas; PUBLISH to replicas only", () => {
  const t = createTestEngine();
  const seen: [string, number][] = [];
  t.engine.onPropagate((_db, cmds, targets) => {
    for (const c of cmds) seen.push([c[0] as string, targets]);
  });
  t.exec("SET", "k", "v");
  t.exec("PUBLISH", "ch", "hello");
  expect(seen).toEqual([
    ["SET", PROPAGATE_ALL],
    ["PUBLISH", PROPAGATE_REPL],
  ]);
});
