/**
 * MEMORY USAGE's estimate: the bytes a key and its value hold in respd's JS
 * heap, from a model of how a 64-bit engine (JSC, V8) lays them out. Redis
 * asks its allocator for each block; a JS program cannot, so this counts what
 * the structures are known to hold:
 *
 * - a string: a heap cell of ~24 bytes (header, length, hash, flags) plus one
 *   byte per char (latin1 strings are 8-bit), rounded up to 8;
 * - a reference in an array or object slot: 8 bytes; a typed-array entry: its
 *   element size; an object or array: a ~32-byte header;
 * - a counter (INCR's number): 8 bytes inline, no string;
 * - a `StringBuffer` (APPEND/SETRANGE): its object plus its whole byte buffer;
 * - a Dict (hashes, sets, the keyspace): per slot a key and a value reference
 *   and two int32 links (24 bytes), per bucket one int32 head;
 * - a list: one reference per slot of its power-of-two ring;
 * - an intset: 8 bytes per member (a BigInt64Array);
 * - a sorted set: per member its score (8), member reference (8), four int32
 *   links (16), level byte and hash bucket (~5) and upper levels (~8 on average).
 *
 * - a stream: per node its object, master ID (a BigInt cell, ~32) and the
 *   listpack buffer's whole capacity; per group its PEL: per pending entry a
 *   NACK object, its ID (BigInt) and a sorted-array slot and a Map entry in
 *   the group's PEL and again in its consumer's (~160 bytes in all).
 *
 * Big aggregates are sampled as Redis's objectComputeSize does: the first
 * `samples` elements are measured and the average is multiplied by the count
 * (samples = 0 measures every element). Not counted: memory the engine shares
 * between equal strings, garbage not yet collected, allocator slack.
 */
import type { Database } from "./database.ts";
import { HashValue } from "./hash.ts";
import { ListValue } from "./list.ts";
import { SetValue } from "./set.ts";
import { type StreamNode, StreamValue } from "./stream/stream.ts";
import { StringBuffer, type Value } from "./values.ts";
import { ZSet } from "./zset.ts";

const STRING_HEADER = 24;
const OBJECT_HEADER = 32;
const REF = 8;
/** Keys, values, next and hash columns of a Dict slot. */
const DICT_SLOT = 24;
const DICT_BUCKET = 4;
/** A zset member's columns besides its string (see above). */
const ZSET_NODE = 8 + 8 + 16 + 5 + 8;
/** A key's row in the keyspace: its Dict slot plus the expiry (8) and access-clock (4) columns and a bucket head. */
export const KEY_ENTRY = DICT_SLOT + 8 + 4 + DICT_BUCKET;

/** Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES. */
export const DEFAULT_SAMPLES = 5;

export function stringBytes(length: number): number {
  return (STRING_HEADER + length + 7) & ~7;
}

function dictBytes(slots: number, buckets: number): number {
  return OBJECT_HEADER + slots * DICT_SLOT + buckets * DICT_BUCKET;
}

function pow2AtLeast(n: number, min: number): number {
  let cap = min;
  while (cap < n) cap *= 2;
  return cap;
}

/** Average element bytes over the sampled ones, times the element count. */
function extrapolate(sampledBytes: number, sampled: number, count: number): number {
  return sampled === 0 ? 0 : Math.round((sampledBytes / sampled) * count);
}

function hashBytes(h: HashValue, samples: number): number {
  const n = h.size;
  if (h.isListpack) {
    // A listpack is small by definition (hash-max-listpack-entries): measured whole, as Redis does.
    let bytes = OBJECT_HEADER + OBJECT_HEADER + 2 * n * REF;
    h.each((f, v) => {
      bytes += stringBytes(f.length) + stringBytes(v.length);
    });
    return bytes;
  }
  let sampled = 0;
  let elements = 0;
  let cursor = 0;
  do {
    cursor = h.scan(cursor, (f, v) => {
      if (sampled >= samples) return;
      elements += stringBytes(f.length) + stringBytes(v.length);
      sampled++;
    });
  } while (cursor !== 0 && sampled < samples);
  // Slots are kept up to the high-water mark; count them as a table of n at a typical load.
  return OBJECT_HEADER + dictBytes(n, pow2AtLeast(n, 4)) + extrapolate(elements, sampled, n);
}

function listBytes(l: ListValue, samples: number): number {
  const n = l.length;
  let elements = 0;
  const sampled = Math.min(n, samples);
  for (let i = 0; i < sampled; i++) elements += stringBytes(l.at(i).length);
  return OBJECT_HEADER + OBJECT_HEADER + pow2AtLeast(n, 8) * REF + extrapolate(elements, sampled, n);
}

function setBytes(s: SetValue, samples: number): number {
  const n = s.size;
  if (s.isIntset) return OBJECT_HEADER + OBJECT_HEADER + pow2AtLeast(n, 4) * 8;
  const out: string[] = [];
  let cursor = 0;
  do cursor = s.scan(cursor, samples, out);
  while (cursor !== 0 && out.length < samples);
  const sampled = Math.min(out.length, samples);
  let elements = 0;
  for (let i = 0; i < sampled; i++) elements += stringBytes((out[i] as string).length);
  return OBJECT_HEADER + dictBytes(n, pow2AtLeast(n, 4)) + extrapolate(elements, sampled, n);
}

function zsetBytes(z: ZSet, samples: number): number {
  const list = z.store;
  const n = list.length;
  let elements = 0;
  let sampled = 0;
  for (let id = list.first; id > 0 && sampled < samples; id = list.next(id)) {
    elements += stringBytes((list.members[id] as string).length);
    sampled++;
  }
  // The node columns are sized to a power of two; hash buckets are one int32 per member or so.
  return OBJECT_HEADER * 6 + pow2AtLeast(n + 1, 8) * ZSET_NODE + extrapolate(elements, sampled, n);
}

const BIGINT = 32;
const PEL_ENTRY = OBJECT_HEADER + BIGINT + 2 * (REF + 40);

function streamBytes(st: StreamValue, samples: number): number {
  const nodes = st.nodes;
  let sampled = 0;
  let bytes = 0;
  for (; sampled < nodes.length && sampled < samples; sampled++) {
    const n = nodes[sampled] as StreamNode;
    bytes += OBJECT_HEADER * 2 + BIGINT + ((n.lp.buf.length + 7) & ~7);
  }
  let total = OBJECT_HEADER * 2 + nodes.length * REF + extrapolate(bytes, sampled, nodes.length);
  for (const g of st.groups?.values() ?? []) {
    total += OBJECT_HEADER * 3 + stringBytes(g.name.length) + g.pel.size * PEL_ENTRY;
    for (const c of g.consumers.values()) total += OBJECT_HEADER * 2 + stringBytes(c.name.length);
  }
  return total;
}

/** Bytes held by a value (not its key), sampling aggregates as described above. */
export function valueBytes(v: Value, samples = DEFAULT_SAMPLES): number {
  const limit = samples <= 0 ? Number.POSITIVE_INFINITY : samples;
  if (typeof v === "string") return stringBytes(v.length);
  if (typeof v === "number") return REF;
  if (v instanceof StringBuffer) return OBJECT_HEADER + OBJECT_HEADER + ((v.bytes.length + 7) & ~7);
  if (v instanceof HashValue) return hashBytes(v, limit);
  if (v instanceof ListValue) return listBytes(v, limit);
  if (v instanceof SetValue) return setBytes(v, limit);
  if (v instanceof ZSet) return zsetBytes(v, limit);
  if (v instanceof StreamValue) return streamBytes(v, limit);
  // A type this model does not know yet: its object header at least.
  return OBJECT_HEADER;
}

/** MEMORY USAGE: the value, the key's string and its row in the keyspace. */
export function keyBytes(key: string, v: Value, samples = DEFAULT_SAMPLES): number {
  return valueBytes(v, samples) + stringBytes(key.length) + KEY_ENTRY;
}

/** What a db's key table costs besides keys and values (MEMORY STATS overhead.hashtable.main / expires). */
export function keyspaceOverhead(db: Database): { main: number; expires: number } {
  const t = db.table;
  const main = dictBytes(t.keys.length, t.buckets) + t.keys.length * (8 + 4);
  // The volatile Set: a JS Set entry is about a hash-table slot of three references.
  const expires = db.volatile.size > 0 ? OBJECT_HEADER + db.volatile.size * 3 * REF : 0;
  return { main, expires };
}
