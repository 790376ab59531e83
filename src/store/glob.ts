/**
 * Redis's glob matcher (util.c stringmatchlen), byte for byte: KEYS, SCAN
 * MATCH, PSUBSCRIBE and friends must accept exactly the same strings.
 *
 * Quirks kept on purpose, because clients can observe them:
 * - bytes are compared as C `char`, which is signed on x86, so in a range
 *   like `[a-\xff]` the byte 0xff counts as -1 (the ends get swapped);
 * - only ASCII A-Z fold under `nocase` (the server runs in the C locale);
 * - an unterminated `[` class ends at the end of the pattern, and a class
 *   reduced to `[^` matches any byte;
 * - a trailing `\` matches a literal backslash;
 * - recursion through `*` deeper than 1000 levels fails the match (Redis's
 *   guard against abusive patterns), and once the rest of a pattern failed
 *   from every position, earlier `*`s give up (the CVE-2022-36021 fix).
 */

const STAR = 42;
const QUESTION = 63;
const OPEN = 91;
const CLOSE = 93;
const CARET = 94;
const BACKSLASH = 92;
const DASH = 45;
const MAX_NESTING = 1000;

/** `s` and `pattern` are byte strings (one char per byte). */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  return match(pattern, 0, s, 0, nocase, { skipLonger: false }, 0);
}

/** A pattern that matches everything, which callers may skip testing. */
export function matchesAll(pattern: string): boolean {
  return pattern === "*";
}

/** The pattern byte at `i`; past the end it reads the terminating NUL, as the C code does. */
function at(p: string, i: number): number {
  return i < p.length ? p.charCodeAt(i) : 0;
}

/** A byte as a signed C char. */
function signed(c: number): number {
  return c >= 128 ? c - 256 : c;
}

/** C-locale tolower. */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function match(p: string, pi: number, s: string, si: number, nocase: boolean, state: { skipLonger: boolean }, nesting: number): boolean {
  if (nesting > MAX_NESTING) return false;
  const pn = p.length;
  const sn = s.length;
  while (pi < pn && si < sn) {
    const pc = p.charCodeAt(pi);
    if (pc === STAR) {
      while (pi < pn && at(p, pi + 1) === STAR) pi++;
      if (pn - pi === 1) return true;
      for (; si < sn; si++) {
        if (match(p, pi + 1, s, si, nocase, state, nesting + 1)) return true;
        if (state.skipLonger) return false;
      }
      // The rest failed from every position: a longer match for an earlier
      // '*' would only start the rest later, so it cannot succeed either.
      state.skipLonger = true;
      return false;
    }
    if (pc === QUESTION) {
      si++;
    } else if (pc === OPEN) {
      pi++;
      const not = at(p, pi) === CARET;
      if (not) pi++;
      let matched = false;
      const c = s.charCodeAt(si);
      for (;;) {
        const cur = at(p, pi);
        if (cur === BACKSLASH && pn - pi >= 2) {
          pi++;
          if (p.charCodeAt(pi) === c) matched = true;
        } else if (cur === CLOSE) {
          break;
        } else if (pi >= pn) {
          // Unterminated class: step back so the shared pi++ below lands on the end.
          pi--;
          break;
        } else if (pn - pi >= 3 && p.charCodeAt(pi + 1) === DASH) {
          let start = signed(cur);
          let end = signed(p.charCodeAt(pi + 2));
          let x = signed(c);
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            x = lower(x);
          }
          pi += 2;
          if (x >= start && x <= end) matched = true;
        } else if (nocase ? lower(cur) === lower(c) : cur === c) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
    } else {
      if (pc === BACKSLASH && pn - pi >= 2) pi++;
      const want = p.charCodeAt(pi);
      const got = s.charCodeAt(si);
      if (nocase ? lower(want) !== lower(got) : want !== got) return false;
      si++;
    }
    pi++;
    if (si === sn) {
      while (at(p, pi) === STAR) pi++;
      break;
    }
  }
  return pi === pn && si === sn;
}
