import { expect, test } from "bun:test";
import { Consumer, ConsumerGroup } from "../../store/stream/group.ts";
import { encodeIdBytes, makeId } from "../../store/stream/id.ts";
import { StreamValue } from "../../store/stream/stream.ts";
import { RdbType } from "./constants.ts";
import { RdbReader, RdbWriter } from "./io.ts";
import { readStream, writeStream } from "./stream.ts";

function sample(): StreamValue {
  const s = new StreamValue();
  const limits = { maxBytes: 4096, maxEntries: 3 };
  for (let i = 1; i <= 8; i++) s.append(makeId(BigInt(i), 0n), ["f", String(i)], limits);
  s.deleteId(makeId(2n, 0n));
  s.maxDeletedId = makeId(2n, 0n);
  const g = new ConsumerGroup("g", makeId(5n, 0n), 5);
  const c = new Consumer("alice", 1234);
  g.consumers.set("alice", c);
  const nack = { deliveryTime: 99, deliveryCount: 3, consumer: c };
  g.pel.insert(makeId(4n, 0n), nack);
  c.pel.insert(makeId(4n, 0n), nack);
  s.groups = new Map([["g", g]]);
  return s;
}

test("a stream survives writing and reading (STREAM_LISTPACKS_2)", () => {
  const s = sample();
  const w = new RdbWriter(false);
  writeStream(w, s);
  const back = readStream(new RdbReader(w.view()), RdbType.STREAM_LISTPACKS_2);
  expect(back.nodes.map((n) => Buffer.from(n.lp.bytes()))).toEqual(s.nodes.map((n) => Buffer.from(n.lp.bytes())));
  expect([back.length, back.lastId, back.firstId, back.maxDeletedId, back.entriesAdded]).toEqual([
    7,
    s.lastId,
    s.firstId,
    s.maxDeletedId,
    8,
  ]);
  const g = back.groups?.get("g") as ConsumerGroup;
  expect([g.lastId, g.entriesRead, g.pel.size, g.consumers.get("alice")?.seenTime]).toEqual([makeId(5n, 0n), 5, 1, 1234]);
  expect(g.pel.get(makeId(4n, 0n))?.consumer).toBe(g.consumers.get("alice") as Consumer);
});

test("the older STREAM_LISTPACKS: counters derived as Redis derives them", () => {
  const s = sample();
  s.maxDeletedId = 0n; // that format has no tombstone mark: the estimate needs none
  const w = new RdbWriter(false);
  w.length(s.nodes.length);
  for (const n of s.nodes) {
    w.blob(encodeIdBytes(n.master));
    w.blob(n.lp.bytes());
  }
  w.length(s.length);
  w.length(8);
  w.length(0); // last ID 8-0
  w.length(1); // one group, without entries-read
  w.string("g");
  w.length(1);
  w.length(0); // last delivered 1-0: the first entry
  w.length(0); // empty PEL
  w.length(0); // no consumers
  const back = readStream(new RdbReader(w.view()), RdbType.STREAM_LISTPACKS);
  expect(back.entriesAdded).toBe(7);
  expect(back.firstId).toBe(makeId(1n, 0n));
  expect(back.groups?.get("g")?.entriesRead).toBe(1);
});
