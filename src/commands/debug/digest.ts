/**
 * DEBUG DIGEST and DIGEST-VALUE: Redis's dataset signature, bit for bit, so a
 * test can compare a master with its replica (or respd with redis-server).
 *
 * The scheme (Redis's debug.c): xor-ing SHA-1s adds unordered things (keys,
 * set members, hash pairs, zset entries); "mixing" (digest = SHA1(digest xor
 * SHA1(data))) adds ordered things (a list's elements, a key before its value).
 * Values are digested by content only, so every encoding of the same value
 * gives the same digest. Keys past their TTL that are still stored count, as
 * Redis walks its dict without looking keys up.
 */

import { scoreString } from "../../persistence/rdb/encode.ts";
import type { Database } from "../../store/database.ts";
import { HashValue } from "../../store/hash.ts";
import { ListValue } from "../../store/list.ts";
import { SetValue } from "../../store/set.ts";
import { ID_MAX, U64_MAX } from "../../store/stream/id.ts";
import { StreamValue } from "../../store/stream/stream.ts";
import { isStringValue, stringOf, type Value } from "../../store/values.ts";
import { ZSet } from "../../store/zset.ts";
import { Sha1 } from "./sha1.ts";

/** Redis's OBJ_* type numbers, which the digest mixes in big-endian. */
const TYPE_CODE: Record<string, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };

export class Digester {
  readonly #sha = new Sha1();
  readonly #hash = new Uint8Array(20);
  /** Per-key and per-element digests, reused. */
  readonly #key = new Uint8Array(20);
  readonly #ele = new Uint8Array(20);
  readonly #word = new Uint8Array(4);

  /** digest ^= SHA1(s) */
  xorString(digest: Uint8Array, s: string): void {
    this.#sha.ofString(s, this.#hash);
    xorInto(digest, this.#hash);
  }

  /** digest = SHA1(digest ^ SHA1(s)) */
  mixString(digest: Uint8Array, s: string): void {
    this.xorString(digest, s);
    this.#sha.ofBytes(digest, digest);
  }

  /** digest ^= SHA1(bytes): Redis's xorDigest of a 20-byte sub-digest hashes it too. */
  #xorHashOf(digest: Uint8Array, bytes: Uint8Array): void {
    this.#sha.ofBytes(bytes, this.#hash);
    xorInto(digest, this.#hash);
  }

  /** mixDigest of a 4-byte big-endian integer (htonl), as Redis mixes type codes and db ids. */
  mixUint32(digest: Uint8Array, n: number): void {
    const w = this.#word;
    w[0] = n >>> 24;
    w[1] = n >>> 16;
    w[2] = n >>> 8;
    w[3] = n;
    this.#sha.ofBytes(w, this.#hash);
    xorInto(digest, this.#hash);
    this.#sha.ofBytes(digest, digest);
  }

  /** Redis's xorObjectDigest: the value at `key` (type, content, whether it has a TTL) mixed into `digest`. */
  value(db: Database, key: string, v: Value, digest: Uint8Array): void {
    const type = isStringValue(v) ? "string" : v.type;
    this.mixUint32(digest, TYPE_CODE[type] ?? 0);
    if (isStringValue(v)) {
      this.mixString(digest, stringOf(v));
    } else if (v instanceof ListValue) {
      // By index: no copy of a long list.
      for (let i = 0, n = v.length; i < n; i++) this.mixString(digest, v.at(i));
    } else if (v instanceof SetValue) {
      for (const m of v.toArray()) this.xorString(digest, m);
    } else if (v instanceof ZSet) {
      const sl = v.list.list;
      for (let id = sl.first; id !== 0; id = sl.next(id)) {
        this.#pair(sl.members[id] as string, scoreString(sl.scores[id] as number), digest);
      }
    } else if (v instanceof HashValue) {
      v.each((field, value) => this.#pair(field, value, digest));
    } else if (v instanceof StreamValue) {
      // Entries in order: "<ms>.<seq>", then each field and value (consumer groups are not digested).
      v.scan(0n, ID_MAX, false, (e) => {
        this.mixString(digest, `${e.id >> 64n}.${e.id & U64_MAX}`);
        for (const s of v.fieldsOf(e)) this.mixString(digest, s);
        return true;
      });
    } else {
      // A new type must be digested here before it ships.
      throw new Error(`DEBUG DIGEST cannot digest a ${v.type} value`);
    }
    if (db.getExpire(key) !== -1) this.xorString(digest, "!!expire!!");
  }

  /** An unordered pair (hash field and value, zset member and score): mixed together, xored in. */
  #pair(a: string, b: string, digest: Uint8Array): void {
    const ele = this.#ele;
    ele.fill(0);
    this.mixString(ele, a);
    this.mixString(ele, b);
    this.#xorHashOf(digest, ele);
  }

  /** Redis's computeDatasetDigest: 20 zero bytes for an empty dataset. */
  dataset(dbs: readonly Database[]): Uint8Array {
    const final = new Uint8Array(20);
    const digest = this.#key;
    for (const db of dbs) {
      if (db.size === 0) continue;
      // The db id goes in so the same keys in another db digest differently.
      this.mixUint32(final, db.id);
      const t = db.table;
      for (const s of t.slots()) {
        const key = t.keys[s] as string;
        digest.fill(0);
        this.mixString(digest, key);
        this.value(db, key, t.values[s] as Value, digest);
        this.#xorHashOf(final, digest);
      }
    }
    return final;
  }

  /** DIGEST-VALUE of one key: 20 zero bytes when it is not stored (expired but stored keys count). */
  key(db: Database, key: string): Uint8Array {
    const digest = new Uint8Array(20);
    const s = db.table.slotOf(key);
    if (s !== -1) this.value(db, key, db.table.values[s] as Value, digest);
    return digest;
  }
}

function xorInto(digest: Uint8Array, hash: Uint8Array): void {
  for (let i = 0; i < 20; i++) digest[i] = (digest[i] as number) ^ (hash[i] as number);
}
