import { expect, test } from "bun:test";
import { formatDouble } from "../../resp/reply.ts";
import { scoreString } from "./encode.ts";

test("a listpack score is written as %.17g (formatDouble), also on the toPrecision fast path", () => {
  const xs = [0.1, -0.1, 1.5, 1e-4, 9.999999999999999e-5, 1.0000000000000002e-4, 123.456, 1e16 - 1.5, 1e15 + 0.5];
  xs.push(0.30000000000000004, 2.5e-3, -7.25, 1 / 3, Math.PI * 1e10, -0, 5, 1e300, 5e-324, Number.POSITIVE_INFINITY);
  // A fixed pseudo-random spread over the exponents around both edges of the fast path.
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 20000; i++) xs.push((next() - 0.5) * 10 ** (Math.floor(next() * 44) - 22));
  const wrong = xs.filter((x) => scoreString(x) !== formatDouble(x));
  expect(wrong).toEqual([]);
  expect(scoreString(0.1)).toBe("0.10000000000000001");
  expect(scoreString(-7.25)).toBe("-7.25");
});
