import { expect, test } from "bun:test";
import { DirectReader } from "./direct.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function reader() {
  const events: string[] = [];
  const r = new DirectReader(
    () => events.push("pause"),
    () => events.push("resume"),
  );
  return { r, events };
}

test("reads before the sink is attached are delivered first, in order", async () => {
  const { r } = reader();
  r.push(bytes("a"));
  r.push(bytes("b"));
  const got: string[] = [];
  const done = r.pipeTo({ write: (c) => void got.push(text(c)), close: () => void got.push("close") });
  r.push(bytes("c"));
  r.end();
  await done;
  expect(got).toEqual(["a", "b", "c", "close"]);
});

test("a pending write holds later reads, pauses after two held, and resumes in order", async () => {
  const { r, events } = reader();
  const got: string[] = [];
  let release: () => void = () => {};
  const done = r.pipeTo({
    write(c) {
      got.push(text(c));
      if (text(c) === "1") return new Promise<void>((res) => (release = res));
    },
  });
  r.push(bytes("1"));
  r.push(bytes("2"));
  expect(events).not.toContain("pause");
  r.push(bytes("3"));
  expect(events).toContain("pause");
  r.end();
  expect(got).toEqual(["1"]);
  release();
  await done;
  expect(got).toEqual(["1", "2", "3"]);
});

test("a write that throws stops reading and rejects the pipe", async () => {
  const { r, events } = reader();
  const got: string[] = [];
  const done = r.pipeTo({
    write(c) {
      got.push(text(c));
      throw new Error("refused");
    },
  });
  r.push(bytes("x"));
  r.push(bytes("y"));
  await expect(done).rejects.toThrow("refused");
  expect(got).toEqual(["x"]);
  expect(events).toContain("pause");
});

test("a socket error aborts the sink and rejects, also when it came before pipeTo", async () => {
  const { r } = reader();
  r.error(new Error("reset"));
  let aborted: unknown = null;
  await expect(r.pipeTo({ write() {}, abort: (e) => void (aborted = e) })).rejects.toThrow("reset");
  expect((aborted as Error).message).toBe("reset");
});

test("a second pipeTo is refused", async () => {
  const { r } = reader();
  void r.pipeTo({ write() {} });
  await expect(r.pipeTo({ write() {} })).rejects.toThrow("already piped");
});
