/**
 * DEBUG subcommands against redis-server: DIGEST / DIGEST-VALUE must be the
 * very digest Redis computes for the same dataset (replication tests compare
 * master and replica with it), RELOAD and LOADAOF must give back the same
 * dataset, PROTOCOL must send the same bytes in RESP2 and RESP3.
 */
import { describe, expect, test } from "bun:test";
import type { Differential } from "./helpers/diff.ts";
import { call, RawClient } from "./helpers/raw.ts";
import { requireRedisInCI } from "./helpers/server.ts";
import { withDifferential } from "./helpers/suite.ts";

const haveRedis = requireRedisInCI();

const ZERO_DIGEST = `+${"0".repeat(40)}\r\n`;

/** Every type in several encodings and sizes, binary keys and members, TTLs, three dbs. Returns the keys per db. */
async function buildDataset(d: Differential): Promise<Map<string, string[]>> {
  const keys = new Map<string, string[]>();
  const run = async (db: string, key: string, ...cmd: string[]) => {
    await d.same(...cmd);
    const list = keys.get(db) ?? [];
    if (!list.includes(key)) list.push(key);
    keys.set(db, list);
  };
  for (const db of ["0", "1", "9"]) {
    await d.same("SELECT", db);
    const p = `db${db}:`;
    // Strings: int, negative, beyond int64, embstr, raw, binary, APPENDed, INCRed, float text.
    await run(db, `${p}int`, "SET", `${p}int`, "123");
    await run(db, `${p}neg`, "SET", `${p}neg`, "-9223372036854775808");
    await run(db, `${p}big`, "SET", `${p}big`, "99999999999999999999999");
    await run(db, `${p}emb`, "SET", `${p}emb`, "hello world");
    await run(db, `${p}raw`, "SET", `${p}raw`, "x".repeat(200));
    await run(db, `\x00\xff\x80${p}bin`, "SET", `\x00\xff\x80${p}bin`, "\x00\x01\xfe\xff\r\n");
    await run(db, `${p}app`, "APPEND", `${p}app`, "abc");
    await d.same("APPEND", `${p}app`, "def");
    await run(db, `${p}ctr`, "INCRBY", `${p}ctr`, "41");
    await d.same("INCR", `${p}ctr`);
    await run(db, `${p}flt`, "INCRBYFLOAT", `${p}flt`, "3.14");
    await run(db, `${p}empty`, "SET", `${p}empty`, "");
    // Lists: small, long elements, many elements (several quicklist nodes), order matters.
    await run(db, `${p}list`, "RPUSH", `${p}list`, "a", "b", "1", "-2", "\x00\xff");
    await d.same("LPUSH", `${p}list`, "head");
    await run(db, `${p}list-rev`, "RPUSH", `${p}list-rev`, "b", "a");
    const many = Array.from({ length: 600 }, (_, i) => (i % 7 === 0 ? "y".repeat(100 + i) : String(i * 3)));
    await run(db, `${p}biglist`, "RPUSH", `${p}biglist`, ...many);
    // Sets: intset, hashtable of ints, strings, binary.
    await run(db, `${p}iset`, "SADD", `${p}iset`, "1", "2", "3", "-100", "9223372036854775807");
    await run(db, `${p}bigiset`, "SADD", `${p}bigiset`, ...Array.from({ length: 700 }, (_, i) => String(i)));
    await run(db, `${p}sset`, "SADD", `${p}sset`, "a", "b", "c", "\x00\xff", "1");
    // Sorted sets: listpack and skiplist, scores %.17g must format alike (decimals, exponents, inf, -0).
    await run(db, `${p}zs`, "ZADD", `${p}zs`, "1", "a", "2.5", "b", "-3", "c", "0.1", "d", "1e20", "e", "inf", "f", "-inf", "g");
    await run(db, `${p}zneg0`, "ZADD", `${p}zneg0`, "-0", "m", "3.0000000000000004", "n", "1e-5", "o", "123456789012345678", "p");
    const zargs: string[] = [];
    for (let i = 0; i < 300; i++) zargs.push(String(i / 7), `member:${i}`);
    await run(db, `${p}bigzs`, "ZADD", `${p}bigzs`, ...zargs);
    await run(db, `${p}longzs`, "ZADD", `${p}longzs`, "1.5", "z".repeat(100), "-0", "neg-zero");
    await d.same("ZINCRBY", `${p}longzs`, "0.1", "z".repeat(100));
    // Hashes: listpack, hashtable, binary fields.
    await run(db, `${p}hash`, "HSET", `${p}hash`, "f1", "v1", "f2", "2", "\x00\xff", "\x80");
    const hargs: string[] = [];
    for (let i = 0; i < 300; i++) hargs.push(`field:${i}`, i % 2 === 0 ? String(i) : `value:${i}`);
    await run(db, `${p}bighash`, "HSET", `${p}bighash`, ...hargs);
    await run(db, `${p}longhash`, "HSET", `${p}longhash`, "f", "v".repeat(100));
    // TTLs: only their presence is digested.
    await run(db, `${p}ttl-str`, "SET", `${p}ttl-str`, "v", "EX", "10000");
    await run(db, `${p}ttl-list`, "RPUSH", `${p}ttl-list`, "x");
    await d.same("PEXPIREAT", `${p}ttl-list`, "99999999999999");
    await run(db, `${p}ttl-zs`, "ZADD", `${p}ttl-zs`, "1", "x");
    await d.same("EXPIRE", `${p}ttl-zs`, "5000");
  }
  await d.same("SELECT", "0");
  return keys;
}

async function compareDigests(d: Differential, keys: Map<string, string[]>): Promise<void> {
  const digest = await d.same("DEBUG", "DIGEST");
  expect(digest).not.toBe(ZERO_DIGEST);
  for (const [db, list] of keys) {
    await d.same("SELECT", db);
    for (const key of list) await d.same("DEBUG", "DIGEST-VALUE", key);
    await d.same("DEBUG", "DIGEST-VALUE", ...list, "no-such-key");
  }
  await d.same("SELECT", "0");
}

describe.if(haveRedis)("DEBUG DIGEST and DIGEST-VALUE vs redis-server", () => {
  let d: Differential;
  withDifferential(
    (started) => {
      d = started;
    },
    ["--enable-debug-command", "yes"],
  );

  test("an empty dataset digests to forty zeros", async () => {
    expect(await d.same("DEBUG", "DIGEST")).toBe(ZERO_DIGEST);
    await d.same("DEBUG", "DIGEST-VALUE");
    await d.same("DEBUG", "DIGEST-VALUE", "nokey");
    await d.same("DEBUG", "DIGEST", "extra");
  });

  test("every type, encoding and db digests as Redis digests it", async () => {
    const keys = await buildDataset(d);
    await compareDigests(d, keys);
    // Encoding changes keep the digest: the value, not its layout, is digested.
    await d.same("SELECT", "1");
    await d.same("HSET", "db1:hash", "long", "l".repeat(100));
    await d.same("HDEL", "db1:hash", "long");
    await d.same("SELECT", "0");
    await d.same("LREM", "db0:list-rev", "0", "a");
    await d.same("RPUSH", "db0:list-rev", "a");
    await compareDigests(d, keys);
    // DEBUG RELOAD goes through dump.rdb and back: the same dataset, still Redis's digest.
    const before = await d.same("DEBUG", "DIGEST");
    await d.same("DEBUG", "RELOAD");
    expect(await d.same("DEBUG", "DIGEST")).toBe(before);
    await compareDigests(d, keys);
    await d.same("FLUSHALL");
    expect(await d.same("DEBUG", "DIGEST")).toBe(ZERO_DIGEST);
  });

  test("a list's order and a key's db change the digest", async () => {
    await d.same("RPUSH", "l", "a", "b");
    const ab = await d.same("DEBUG", "DIGEST");
    await d.same("DEL", "l");
    await d.same("RPUSH", "l", "b", "a");
    const ba = await d.same("DEBUG", "DIGEST");
    expect(ba).not.toBe(ab);
    await d.same("MOVE", "l", "3");
    expect(await d.same("DEBUG", "DIGEST")).not.toBe(ba);
    await d.same("FLUSHALL");
  });
});

describe.if(haveRedis)("DEBUG RELOAD options vs redis-server", () => {
  let d: Differential;
  withDifferential(
    (started) => {
      d = started;
    },
    ["--enable-debug-command", "yes"],
  );

  test("options, NOSAVE, NOFLUSH MERGE and errors", async () => {
    await d.same("DEBUG", "RELOAD", "bogus");
    await d.same("SET", "a", "1");
    await d.same("DEBUG", "RELOAD");
    await d.same("SET", "b", "2");
    // NOSAVE: what the file had (no b).
    await d.same("DEBUG", "RELOAD", "NOSAVE");
    await d.same("EXISTS", "a", "b");
    // NOFLUSH MERGE: the file's a replaces memory's a, memory's c stays.
    await d.same("SET", "a", "changed");
    await d.same("SET", "c", "3");
    await d.same("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE");
    await d.same("MGET", "a", "c");
    await d.same("DEBUG", "DIGEST");
    // An expired key is not loaded back by a master.
    await d.same("SET", "gone", "x", "PX", "1");
    await Bun.sleep(20);
    await d.same("DEBUG", "SET-ACTIVE-EXPIRE", "0");
    await d.same("DEBUG", "RELOAD");
    await d.same("DEBUG", "DIGEST");
    await d.same("DEBUG", "SET-ACTIVE-EXPIRE", "1");
  });
});

describe.if(haveRedis)("DEBUG LOADAOF vs redis-server", () => {
  let d: Differential;
  withDifferential(
    (started) => {
      d = started;
    },
    ["--enable-debug-command", "yes", "--appendonly", "yes"],
  );

  test("the AOF replays to the same dataset", async () => {
    await d.same("SET", "a", "1");
    await d.same("RPUSH", "l", "x", "y");
    await d.same("ZADD", "z", "1.5", "m");
    await d.same("SELECT", "2");
    await d.same("HSET", "h", "f", "v");
    await d.same("SELECT", "0");
    const before = await d.same("DEBUG", "DIGEST");
    await d.same("DEBUG", "LOADAOF");
    expect(await d.same("DEBUG", "DIGEST")).toBe(before);
    // The replay is not written to the AOF again: a second load still gives the same data.
    await d.same("INCR", "a");
    await d.same("DEBUG", "LOADAOF");
    await d.same("GET", "a");
    await d.same("LRANGE", "l", "0", "-1");
    await d.same("DEBUG", "DIGEST");
  });

  test("AOF-FLUSH-SLEEP pauses each AOF write (a lower bound only: no timing window)", async () => {
    await d.same("DEBUG", "AOF-FLUSH-SLEEP", "200000");
    await d.same("CONFIG", "SET", "appendfsync", "always");
    const t0 = performance.now();
    await call(d.respdClient, "SET", "slow", "1");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    await d.same("DEBUG", "AOF-FLUSH-SLEEP", "0");
    await d.same("CONFIG", "SET", "appendfsync", "everysec");
  });
});

describe.if(haveRedis)("DEBUG PROTOCOL and the small subcommands vs redis-server", () => {
  let d: Differential;
  withDifferential(
    (started) => {
      d = started;
    },
    ["--enable-debug-command", "yes"],
  );

  const TYPES = ["string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "verbatim", "true", "false"];

  test("every type in RESP2 and RESP3", async () => {
    for (const t of [...TYPES, "push", "nosuchtype"]) await d.same("DEBUG", "PROTOCOL", t);
    // HELLO's reply names the client id, which differs.
    await d.both("HELLO", "3");
    for (const t of [...TYPES, "nosuchtype"]) await d.same("DEBUG", "PROTOCOL", t);
    // The push comes first, then the real reply.
    const [a, b] = await d.both("DEBUG", "PROTOCOL", "push");
    const [a2, b2] = [await d.redisClient.readReply(), await d.respdClient.readReply()];
    expect(b + b2).toBe(a + a2);
    await d.both("HELLO", "2");
  });

  test("switches, errors and argument checks", async () => {
    for (const cmd of [
      ["DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"],
      ["DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0"],
      ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b"],
      ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"],
      ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"],
      ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "-1"],
      ["DEBUG", "PAUSE-CRON", "1"],
      ["DEBUG", "PAUSE-CRON", "0"],
      ["DEBUG", "LOG", "hello"],
      ["DEBUG", "ERROR", "MYERR something\r\nbad"],
      ["DEBUG", "ERROR"],
      ["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"],
      ["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100"],
      ["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "never"],
      ["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset"],
      ["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "x"],
      ["DEBUG", "REPLYBUFFER", "RESIZING", "0"],
      ["DEBUG", "REPLYBUFFER", "RESIZING", "1"],
      ["DEBUG", "REPLYBUFFER", "FOO", "1"],
      ["DEBUG", "CHANGE-REPL-ID"],
      ["DEBUG", "CLIENT-EVICTION"],
      ["DEBUG", "HTSTATS", "x"],
      ["DEBUG", "HTSTATS", "99"],
      ["DEBUG", "HTSTATS", "0"],
      ["DEBUG", "HTSTATS-KEY", "nokey"],
      ["DEBUG", "LISTPACK", "nokey"],
      ["DEBUG", "QUICKLIST", "nokey"],
      ["DEBUG", "constructor"],
    ]) {
      await d.same(...cmd);
    }
    await d.same("RPUSH", "l", "a");
    await d.same("HSET", "h", "f", "v");
    await d.same("DEBUG", "LISTPACK", "h");
    await d.same("DEBUG", "LISTPACK", "l");
    await d.same("DEBUG", "QUICKLIST", "l");
    await d.same("DEBUG", "QUICKLIST", "h");
    await d.same("DEBUG", "HTSTATS-KEY", "h");
    await d.same("SET", "s", "v");
    await d.same("DEBUG", "HTSTATS-KEY", "s");
    // One key (with a TTL) in a fresh 4-bucket table: the same figures in respd's table as in Redis's.
    await d.same("SELECT", "5");
    await d.same("SET", "one", "v", "EX", "1000");
    await d.same("DEBUG", "HTSTATS", "5");
    await d.same("SELECT", "0");
  });

  test("DEBUG OBJECT: serializedlength of every type, a list's quicklist fields, shared integers", async () => {
    const norm = (s: string) => s.replace(/at:0x[0-9a-f]+/, "at:X").replace(/lru:\d+ lru_seconds_idle:\d+/, "lru:L");
    await d.same("SET", "small", "7");
    await d.same("SET", "str", "a".repeat(300));
    await d.same("RPUSH", "ql", ...Array.from({ length: 2000 }, (_, i) => `element-${i}`));
    await d.same("RPUSH", "qlbig", "x".repeat(10000), "y");
    await d.same("HSET", "hh", ...Array.from({ length: 400 }, (_, i) => String(i)));
    await d.same("SADD", "ss", "1", "2", "3");
    await d.same("ZADD", "zz", "1", "a", "2.5", "b");
    for (const key of ["small", "str", "ql", "qlbig", "hh", "ss", "zz"]) {
      const [a, b] = await d.both("DEBUG", "OBJECT", key);
      expect({ key, reply: norm(b) }).toEqual({ key, reply: norm(a) });
    }
    await d.same("CONFIG", "SET", "list-compress-depth", "1");
    await d.same("CONFIG", "SET", "rdbcompression", "no");
    // A list takes the compress depth when it is created (respd's lists answer with the current setting).
    await d.same("RPUSH", "ql2", ...Array.from({ length: 300 }, (_, i) => `element-${i}`));
    for (const key of ["str", "ql2"]) {
      const [a, b] = await d.both("DEBUG", "OBJECT", key);
      expect({ key, reply: norm(b) }).toEqual({ key, reply: norm(a) });
    }
    await d.same("CONFIG", "SET", "list-compress-depth", "0");
    await d.same("CONFIG", "SET", "rdbcompression", "yes");
  });

  test("SET-SKIP-CHECKSUM-VALIDATION lets RESTORE take a payload with a bad CRC", async () => {
    await d.same("SET", "k", "value");
    const dump = await call(d.respdClient, "DUMP", "k");
    const payload = dump.slice(dump.indexOf("\r\n") + 2, -2);
    const bad = payload.slice(0, -1) + String.fromCharCode(payload.charCodeAt(payload.length - 1) ^ 0xff);
    await d.same("RESTORE", "k2", "0", bad);
    await d.same("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1");
    await d.same("RESTORE", "k2", "0", bad);
    await d.same("GET", "k2");
    await d.same("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0");
  });

  test("DEBUG REPLICATE reaches replicas only (no replicas: just OK)", async () => {
    await d.same("DEBUG", "REPLICATE", "SET", "x", "y");
    await d.same("EXISTS", "x");
  });

  test("STRINGMATCH-TEST answers as Redis (whose C fuzzer respd has no need of)", async () => {
    const c = await RawClient.connect(d.respd.port);
    expect(await call(c, "DEBUG", "STRINGMATCH-TEST")).toBe("+Apparently Redis did not crash: test passed\r\n");
    c.close();
  });
});
