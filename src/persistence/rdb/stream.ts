/**
 * Streams in RDB (RDB_TYPE_STREAM_LISTPACKS_2, which 7.0 writes, and the
 * older STREAM_LISTPACKS): the nodes as they are (16-byte big-endian
 * master ID, then the listpack bytes), the stream's counters, then each
 * consumer group with its PEL (ID, delivery time, delivery count) and its
 * consumers (name, seen time, the IDs they own).
 */

import { latin1 } from "../../resp/bytes.ts";
import { Consumer, ConsumerGroup, type Nack } from "../../store/stream/group.ts";
import { decodeIdBytes, encodeIdBytes, makeId, type StreamId, U64_MAX } from "../../store/stream/id.ts";
import { Lp } from "../../store/stream/lp.ts";
import { FLAG_SAMEFIELDS, StreamValue } from "../../store/stream/stream.ts";
import { LEN_64BIT, RdbError, RdbType } from "./constants.ts";
import type { RdbReader, RdbWriter } from "./io.ts";
import { decodeListpack } from "./listpack.ts";

/** rdbSaveLen of a full 64-bit unsigned value. */
function writeLen64(w: RdbWriter, v: bigint): void {
  if (v <= 0xffffffffn) {
    w.length(Number(v));
    return;
  }
  const b = new Uint8Array(9);
  b[0] = LEN_64BIT;
  new DataView(b.buffer).setBigUint64(1, v, false);
  w.raw(b);
}

/** rdbLoadLen of a full 64-bit unsigned value. */
function readLen64(r: RdbReader): bigint {
  if (r.pos < r.end && r.data[r.pos] === LEN_64BIT) {
    r.pos++;
    const b = r.bytes(8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
  }
  return BigInt(r.length());
}

function writeId(w: RdbWriter, id: StreamId): void {
  writeLen64(w, id >> 64n);
  writeLen64(w, id & U64_MAX);
}

function readId(r: RdbReader): StreamId {
  const ms = readLen64(r);
  return makeId(ms, readLen64(r));
}

const u64 = (n: number): bigint => BigInt.asUintN(64, BigInt(n));
const i64 = (v: bigint): number => Number(BigInt.asIntN(64, v));

export function writeStream(w: RdbWriter, s: StreamValue): void {
  w.length(s.nodes.length);
  for (const node of s.nodes) {
    w.blob(encodeIdBytes(node.master));
    const bytes = node.lp.bytes();
    w.blob(bytes, 0, bytes.length);
  }
  w.length(s.length);
  writeId(w, s.lastId);
  writeId(w, s.firstId);
  writeId(w, s.maxDeletedId);
  writeLen64(w, u64(s.entriesAdded));
  const groups = s.sortedGroups();
  w.length(groups.length);
  const idBuf = new Uint8Array(16);
  for (const g of groups) {
    w.string(g.name);
    writeId(w, g.lastId);
    writeLen64(w, u64(g.entriesRead));
    w.length(g.pel.size);
    for (const id of g.pel.ids) {
      w.raw(encodeIdBytes(id, idBuf));
      const n = g.pel.get(id) as Nack;
      w.millis(n.deliveryTime);
      writeLen64(w, u64(n.deliveryCount));
    }
    const consumers = g.sortedConsumers();
    w.length(consumers.length);
    for (const c of consumers) {
      w.string(c.name);
      w.millis(c.seenTime);
      w.length(c.pel.size);
      for (const id of c.pel.ids) w.raw(encodeIdBytes(id, idBuf));
    }
  }
}

/** streamValidateListpackIntegrity, deep: the node must parse as a stream node, entry by entry. */
function validateNode(lp: Lp): void {
  const bad = (): never => {
    throw new RdbError("Stream listpack integrity check failed.");
  };
  let items: string[] = [];
  try {
    items = decodeListpack(lp.bytes());
  } catch {
    bad();
  }
  const num = (i: number): number => {
    const s = items[i];
    if (s === undefined || !/^-?[0-9]+$/.test(s)) bad();
    return Number(s);
  };
  if (items.length === 0) throw new RdbError("Empty listpack inside stream");
  const count = num(0);
  const deleted = num(1);
  const masterFields = num(2);
  let i = 3 + masterFields;
  if (masterFields < 0 || num(i) !== 0) bad();
  i++;
  let seen = 0;
  let live = 0;
  while (i < items.length) {
    const start = i;
    const flags = num(i);
    num(i + 1);
    num(i + 2);
    i += 3;
    let fields = masterFields;
    if ((flags & FLAG_SAMEFIELDS) === 0) {
      fields = num(i);
      if (fields < 0) bad();
      i += 1 + fields * 2;
    } else i += fields;
    if (i >= items.length || num(i) !== i - start) bad();
    i++;
    seen++;
    if ((flags & 1) === 0) live++;
  }
  if (seen !== count + deleted || live !== count) bad();
}

export function readStream(r: RdbReader, type: number): StreamValue {
  const s = new StreamValue();
  let nodes = r.length();
  let prev: StreamId | null = null;
  while (nodes-- > 0) {
    const key = r.stringBytes();
    if (key.length !== 16) throw new RdbError("Stream node key entry is not the size of a stream ID");
    const master = decodeIdBytes(key);
    const lp = new Lp(r.stringBytes().slice());
    validateNode(lp);
    if (prev !== null && master <= prev) throw new RdbError("Listpack re-added with existing key");
    prev = master;
    s.nodes.push({ master, lp });
  }
  s.length = r.length();
  s.lastId = readId(r);
  if (type === RdbType.STREAM_LISTPACKS_2) {
    s.firstId = readId(r);
    s.maxDeletedId = readId(r);
    s.entriesAdded = i64(readLen64(r));
  } else {
    s.entriesAdded = s.length;
    s.firstId = s.length ? s.edgeId(true, true) : 0n;
  }
  if (s.length && s.nodes.length === 0) throw new RdbError("Stream length inconsistent with rax entries");
  let groups = r.length();
  while (groups-- > 0) {
    const name = latin1(r.stringBytes());
    const lastId = readId(r);
    const entriesRead = type === RdbType.STREAM_LISTPACKS_2 ? i64(readLen64(r)) : (s.estimateDistance(lastId) ?? -1);
    if (!s.groups) s.groups = new Map();
    if (s.groups.has(name)) throw new RdbError(`Duplicated consumer group name ${name}`);
    const g = new ConsumerGroup(name, lastId, entriesRead);
    s.groups.set(name, g);
    let pel = r.length();
    while (pel-- > 0) {
      const id = decodeIdBytes(r.bytes(16));
      const deliveryTime = r.millis();
      const deliveryCount = i64(readLen64(r));
      const nack: Nack = { deliveryTime, deliveryCount, consumer: null as unknown as Consumer };
      if (!g.pel.insert(id, nack)) throw new RdbError("Duplicated global PEL entry loading stream consumer group");
    }
    let consumers = r.length();
    while (consumers-- > 0) {
      const cname = latin1(r.stringBytes());
      if (g.consumers.has(cname)) throw new RdbError("Duplicate stream consumer detected.");
      const c = new Consumer(cname, 0);
      g.consumers.set(cname, c);
      c.seenTime = r.millis();
      let n = r.length();
      while (n-- > 0) {
        const id = decodeIdBytes(r.bytes(16));
        const nack = g.pel.get(id);
        if (!nack) throw new RdbError("Consumer entry not found in group global PEL");
        nack.consumer = c;
        if (!c.pel.insert(id, nack)) throw new RdbError("Duplicated consumer PEL entry  loading a stream consumer group");
      }
    }
    for (const id of g.pel.ids) if (!(g.pel.get(id) as Nack).consumer) throw new RdbError("Stream CG PEL entry without consumer");
  }
  return s;
}
