import { expect, test } from "bun:test";
import { WalkPacer } from "./turns.ts";

test("a walk waits twice its slice after commands ran, and not at all on a quiet server", () => {
  let commands = 0;
  const pacer = new WalkPacer(() => commands);
  expect(pacer.delayMs(1)).toBe(2); // nothing seen yet: assume clients
  expect(pacer.delayMs(1)).toBe(0); // quiet since
  expect(pacer.delayMs(4)).toBe(0);
  commands += 3;
  expect(pacer.delayMs(4)).toBe(8);
  expect(pacer.delayMs(4)).toBe(0);
});
