/**
 * Partial quicksort: sorts enough of `a` that positions lo..hi hold what a
 * full sort would put there. SORT ... BY ... LIMIT uses it, like Redis.
 *
 * This is Bentley & McIlroy's "Engineering a Sort Function" quicksort (the
 * BSD libc qsort Redis's pqsort derives from) step for step: median of three
 * (ninther past 40 items), three-way partitioning, insertion sort below 7
 * items (Redis 7.0 no longer has BSD's switch to insertion sort after a
 * pass without swaps, which could go quadratic). It must be this exact
 * algorithm, not any correct one: it is not stable, and with ties (SORT BY
 * pattern ALPHA where weights are equal) the order it leaves tied items in
 * is what Redis replies.
 */

export type Compare<T> = (x: T, y: T) => number;

export function pqsort<T>(a: T[], cmp: Compare<T>, lo: number, hi: number): void {
  partialSort(a, 0, a.length, cmp, lo, hi);
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i] as T;
  a[i] = a[j] as T;
  a[j] = t;
}

/** Swaps the n items from i with the n items from j, in order. */
function swapRuns<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function median3<T>(a: T[], i: number, j: number, k: number, cmp: Compare<T>): number {
  const x = a[i] as T;
  const y = a[j] as T;
  const z = a[k] as T;
  if (cmp(x, y) < 0) return cmp(y, z) < 0 ? j : cmp(x, z) < 0 ? k : i;
  return cmp(y, z) > 0 ? j : cmp(x, z) < 0 ? i : k;
}

function insertionSort<T>(a: T[], base: number, n: number, cmp: Compare<T>): void {
  for (let m = base + 1; m < base + n; m++) {
    for (let l = m; l > base && cmp(a[l - 1] as T, a[l] as T) > 0; l--) swap(a, l, l - 1);
  }
}

/** Whether base..base+n-1 holds any wanted position (lo..hi, compared as Redis compares its pointers). */
function wanted(base: number, n: number, lo: number, hi: number): boolean {
  const last = base + n - 1;
  return !((lo < base && hi < base) || (lo > last && hi > last));
}

function partialSort<T>(a: T[], base: number, n: number, cmp: Compare<T>, lo: number, hi: number): void {
  for (;;) {
    if (n < 7) {
      insertionSort(a, base, n, cmp);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = median3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(a, pm - d, pm, pm + d, cmp);
        pn = median3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    // Items equal to the pivot gather at both ends (base+1..pa-1, pd+1..end), then move to the middle.
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let r = 0;
      while (pb <= pc && (r = cmp(a[pb] as T, a[base] as T)) <= 0) {
        if (r === 0) swap(a, pa++, pb);
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc] as T, a[base] as T)) >= 0) {
        if (r === 0) swap(a, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb++, pc--);
    }
    const end = base + n;
    let r = Math.min(pa - base, pb - pa);
    swapRuns(a, base, pb - r, r);
    r = Math.min(pd - pc, end - pd - 1);
    swapRuns(a, pb, end - r, r);
    r = pb - pa;
    if (r > 1 && wanted(base, r, lo, hi)) partialSort(a, base, r, cmp, lo, hi);
    r = pd - pc;
    if (r <= 1 || !wanted(end - r, r, lo, hi)) return;
    base = end - r;
    n = r;
  }
}
