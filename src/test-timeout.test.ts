/**
 * Guards the suite's timeout: bun's default is 5 s per test and per hook, which a
 * slow or busy machine exceeds in the black-box tests. package.json passes
 * `--timeout 60000`; this test outlives 5 s and fails if that flag is lost.
 */
import { expect, test } from "bun:test";

test("bun applies the suite's timeout, not its 5 s default", async () => {
  const started = Date.now();
  await new Promise((r) => setTimeout(r, 5_500));
  expect(Date.now() - started).toBeGreaterThanOrEqual(5_400);
});
