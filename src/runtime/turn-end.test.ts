import { expect, test } from "bun:test";
import { atTurnEnd } from "./turn-end.ts";

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

test("tasks run after the current turn, in the order they were queued", async () => {
  const ran: string[] = [];
  atTurnEnd(() => ran.push("a"));
  atTurnEnd(() => ran.push("b"));
  ran.push("sync");
  await Promise.resolve();
  // Not on a microtask: sockets readable in the same turn are served first.
  expect(ran).toEqual(["sync"]);
  await turn();
  expect(ran).toEqual(["sync", "a", "b"]);
});

test("a task queued by a running task waits for the next turn's end, and runs once", async () => {
  const ran: string[] = [];
  atTurnEnd(() => {
    ran.push("first");
    atTurnEnd(() => ran.push("second"));
  });
  await turn();
  expect(ran).toEqual(["first"]);
  await turn();
  await turn();
  expect(ran).toEqual(["first", "second"]);
});
