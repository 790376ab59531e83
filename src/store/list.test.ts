import { expect, test } from "bun:test";
import { rng } from "../../test/helpers/diff.ts";
import { ListValue } from "./list.ts";

test("push and pop at both ends keep order across wrap-around and growth", () => {
  const l = new ListValue();
  for (let i = 0; i < 5; i++) l.pushTail(`t${i}`);
  for (let i = 0; i < 5; i++) l.pushHead(`h${i}`);
  expect(l.toArray()).toEqual(["h4", "h3", "h2", "h1", "h0", "t0", "t1", "t2", "t3", "t4"]);
  expect(l.popHead()).toBe("h4");
  expect(l.popTail()).toBe("t4");
  expect(l.length).toBe(8);
  expect(l.at(0)).toBe("h3");
  expect(l.at(7)).toBe("t3");
  const empty = new ListValue();
  expect(empty.popHead()).toBeUndefined();
  expect(empty.popTail()).toBeUndefined();
});

test("index resolves negative positions and rejects out of range", () => {
  const l = ListValue.of(["a", "b", "c"]);
  expect([l.index(0), l.index(2), l.index(3), l.index(-1), l.index(-3), l.index(-4)]).toEqual([0, 2, -1, 2, 0, -1]);
});

test("insert, remove and trim match an array model", () => {
  const l = ListValue.of(["a", "x", "b", "x", "c", "x"]);
  expect(l.remove("x", 2, true)).toBe(2);
  expect(l.toArray()).toEqual(["a", "x", "b", "c"]);
  l.insert(0, "first");
  l.insert(5, "last");
  l.insert(3, "mid");
  expect(l.toArray()).toEqual(["first", "a", "x", "mid", "b", "c", "last"]);
  l.trim(2, 1);
  expect(l.toArray()).toEqual(["x", "mid", "b", "c"]);
  l.trim(10, 10);
  expect(l.length).toBe(0);
});

test("encoding is quicklist (Redis 7.0) and clone shares nothing", () => {
  const l = ListValue.of(["a"]);
  expect(l.encoding()).toBe("quicklist");
  const c = l.clone();
  c.pushTail("b");
  c.set(0, "z");
  expect(l.toArray()).toEqual(["a"]);
  expect(c.toArray()).toEqual(["z", "b"]);
});

test("random operations agree with a plain array (growth and shrinking included)", () => {
  const seed = Number(process.env.SEED ?? Date.now() % 1000000);
  const rand = rng(seed);
  const l = new ListValue();
  const model: string[] = [];
  try {
    for (let step = 0; step < 20000; step++) {
      const r = rand();
      const v = String(Math.floor(rand() * 5));
      // Bias towards growth first, then draining, so both resize paths run.
      const growing = step % 4000 < 2500;
      if (r < (growing ? 0.3 : 0.1)) {
        l.pushTail(v);
        model.push(v);
      } else if (r < (growing ? 0.55 : 0.2)) {
        l.pushHead(v);
        model.unshift(v);
      } else if (r < 0.6) {
        expect(l.popHead()).toBe(model.shift() as string);
      } else if (r < 0.7) {
        expect(l.popTail()).toBe(model.pop() as string);
      } else if (r < 0.75) {
        const i = Math.floor(rand() * (model.length + 1));
        l.insert(i, v);
        model.splice(i, 0, v);
      } else if (r < 0.8) {
        const limit = Math.floor(rand() * 3);
        const fromTail = rand() < 0.5;
        let removed = 0;
        const idx = model.map((_, i) => i);
        if (fromTail) idx.reverse();
        const drop = new Set<number>();
        for (const i of idx) {
          if ((limit === 0 || removed < limit) && model[i] === v) {
            drop.add(i);
            removed++;
          }
        }
        expect(l.remove(v, limit, fromTail)).toBe(removed);
        const kept = model.filter((_, i) => !drop.has(i));
        model.length = 0;
        model.push(...kept);
      } else if (r < 0.82) {
        const left = Math.floor(rand() * 3);
        const right = Math.floor(rand() * 3);
        l.trim(left, right);
        model.splice(0, left);
        model.splice(Math.max(0, model.length - right), right);
      } else if (model.length > 0) {
        const i = Math.floor(rand() * model.length);
        expect(l.at(i)).toBe(model[i] as string);
        l.set(i, v);
        model[i] = v;
      }
      expect(l.length).toBe(model.length);
    }
    expect(l.toArray()).toEqual(model);
  } catch (e) {
    console.error(`list model test failed with SEED=${seed}`);
    throw e;
  }
});
