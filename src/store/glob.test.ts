import { expect, test } from "bun:test";
import { globMatch } from "./glob.ts";

const cases: [pattern: string, s: string, nocase: boolean, expected: boolean][] = [
  ["*", "", false, false], // the C loop never runs on an empty string (KEYS/SCAN special-case a lone "*")
  ["*", "anything", false, true],
  ["", "", false, true],
  ["", "a", false, false],
  ["a*", "a", false, true],
  ["a*", "abc", false, true],
  ["a*", "ba", false, false],
  ["*c", "abc", false, true],
  ["a*c", "ac", false, true],
  ["a**c", "abbbc", false, true],
  ["a*b*c", "axxbyyc", false, true],
  ["a*b*c", "axxbyy", false, false],
  ["?", "", false, false],
  ["?", "x", false, true],
  ["??", "x", false, false],
  ["h?llo", "hello", false, true],
  ["h[ae]llo", "hallo", false, true],
  ["h[ae]llo", "hillo", false, false],
  ["h[^e]llo", "hallo", false, true],
  ["h[^e]llo", "hello", false, false],
  ["h[a-b]llo", "hbllo", false, true],
  ["h[b-a]llo", "hbllo", false, true], // reversed range ends are swapped
  ["h[a-b]llo", "hcllo", false, false],
  ["[\\]]", "]", false, true],
  ["[\\-]", "-", false, true],
  ["[a-]", "-", false, false], // "a-]" is a range a..']' (swapped), and the class is unterminated
  ["[a-]", "_", false, true],
  ["[]", "]", false, false],
  ["[]]", "]", false, false], // ']' right after '[' closes the (empty) class
  ["\\*", "*", false, true],
  ["\\*", "a", false, false],
  ["a\\", "a\\", false, true], // trailing backslash is literal
  ["a\\", "a", false, false],
  ["[abc", "a", false, true], // unterminated class ends at the end of the pattern
  ["[abc", "ab", false, false],
  ["[a-", "-", false, true],
  ["[", "x", false, false],
  ["[^", "x", false, true], // "[^" matches any single byte
  ["[^", "", false, false],
  ["[\\", "\\", false, true],
  ["HELLO", "hello", true, true],
  ["HELLO", "hello", false, false],
  ["[A-C]x", "bX", true, true],
  ["[\\A]", "a", true, false], // escaped class members do not fold
  ["\\A", "a", true, true], // escaped literals outside a class do
  ["\xe9", "\xc9", true, false], // only ASCII folds
  ["[a-\xff]", "b", false, false], // 0xff is -1 as a signed char: the range is [-1, 'a']
  ["[a-\xff]", "\xff", false, true],
  ["[a-\xff]", "\x00", false, true],
  ["[\x80-\xff]", "\x90", false, true],
  ["a\x00b", "a\x00b", false, true],
  ["*\x00", "xy\x00", false, true],
];

test("stringmatchlen semantics", () => {
  for (const [p, s, nocase, want] of cases) {
    expect({ p, s, nocase, got: globMatch(p, s, nocase) }).toEqual({ p, s, nocase, got: want });
  }
});

test("star-heavy patterns finish fast (no exponential backtracking)", () => {
  const s = "a".repeat(5000);
  const t0 = performance.now();
  expect(globMatch("*a*a*a*a*a*a*a*a*a*a*b", s)).toBe(false);
  expect(performance.now() - t0).toBeLessThan(1000);
});

test("more than 1000 nested stars fail the match, like Redis's guard", () => {
  const s = "a".repeat(1200);
  expect(globMatch("*a".repeat(1000), s)).toBe(true);
  expect(globMatch("*a".repeat(1001), s)).toBe(false);
});
