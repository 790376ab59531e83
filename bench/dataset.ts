/**
 * A generated mix of key types for the persistence benchmark, the same for
 * every server: per 1,000 keys, 601 strings (11 of them integers, 10 with a
 * TTL), 150 small hashes (4 fields) and 1 large (200), 100 small lists (8
 * elements) and 1 large (500), 50 small integer sets (6) and 25 string sets
 * (6) and 1 large set (300), 70 small sorted sets (6) and 1 large (200).
 * Small ones stay in Redis's compact encodings (listpack, intset), large
 * ones exceed them, so both kinds of RDB encoding are written and read.
 */

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const resp = (args: string[]) => `*${args.length}\r\n${args.map(bulk).join("")}`;

/** One key's command and its reply. */
function entry(i: number): [string[], string] {
  const slot = i % 1000;
  const id = String(i).padStart(12, "0");
  const items = (n: number, f: (j: number) => string[]) => Array.from({ length: n }, (_, j) => f(j)).flat();
  if (slot <= 600) {
    const key = `str:${id}`;
    if (slot % 60 === 0) return [["SET", key, String(i)], "+OK\r\n"];
    // 16, 32 or 48 bytes.
    const value = `val:${id}`.repeat(1 + (i % 3));
    if (slot <= 10) return [["SET", key, value, "EX", "86400"], "+OK\r\n"];
    return [["SET", key, value], "+OK\r\n"];
  }
  const sized = (cmd: string, key: string, n: number, f: (j: number) => string[]): [string[], string] => [
    [cmd, key, ...items(n, f)],
    `:${n}\r\n`,
  ];
  if (slot <= 750) return sized("HSET", `hash:${id}`, 4, (j) => [`field${j}`, `value:${j}:${i}`]);
  if (slot === 751) return sized("HSET", `bighash:${id}`, 200, (j) => [`field:${j}`, `value:${j}:${i}`]);
  if (slot <= 851) return sized("RPUSH", `list:${id}`, 8, (j) => [`item:${j}:${i}`]);
  if (slot === 852) return sized("RPUSH", `biglist:${id}`, 500, (j) => [`item:${j}:${i}`]);
  if (slot <= 902) return sized("SADD", `intset:${id}`, 6, (j) => [String(i * 7 + j)]);
  if (slot <= 927) return sized("SADD", `set:${id}`, 6, (j) => [`member:${j}:${i}`]);
  if (slot === 928) return sized("SADD", `bigset:${id}`, 300, (j) => [`member:${j}:${i}`]);
  if (slot <= 998) return sized("ZADD", `zset:${id}`, 6, (j) => [String(j * 1.5), `member:${j}:${i}`]);
  return sized("ZADD", `bigzset:${id}`, 200, (j) => [String(j), `member:${j}:${i}`]);
}

/** Commands for keys [from, to) as one RESP buffer, and the replies they must get. */
export function mixedBatch(from: number, to: number): { commands: Buffer; replies: string } {
  let commands = "";
  let replies = "";
  for (let i = from; i < to; i++) {
    const [args, reply] = entry(i);
    commands += resp(args);
    replies += reply;
  }
  return { commands: Buffer.from(commands, "latin1"), replies };
}

/** Spot checks after a load: a command and the exact reply for a few keys of each kind (all present when keys ≥ 1,000). */
export function spotChecks(keys: number): [string, string][] {
  const last = Math.floor((keys - 1) / 1000) * 1000;
  const id = (slot: number) => String(last + slot).padStart(12, "0");
  const v = `val:${id(5)}`.repeat(1 + ((last + 5) % 3));
  return [
    [`GET str:${id(5)}`, `$${v.length}\r\n${v}\r\n`],
    [`GET str:${id(60)}`, `$${String(last + 60).length}\r\n${last + 60}\r\n`],
    [`HLEN bighash:${id(751)}`, ":200\r\n"],
    [`HGET hash:${id(700)} field3`, `$${`value:3:${last + 700}`.length}\r\nvalue:3:${last + 700}\r\n`],
    [`LLEN biglist:${id(852)}`, ":500\r\n"],
    [`LINDEX list:${id(800)} 7`, `$${`item:7:${last + 800}`.length}\r\nitem:7:${last + 800}\r\n`],
    [`SCARD bigset:${id(928)}`, ":300\r\n"],
    [`SISMEMBER intset:${id(900)} ${(last + 900) * 7 + 5}`, ":1\r\n"],
    [`ZCARD bigzset:${id(999)}`, ":200\r\n"],
    [`ZSCORE zset:${id(990)} member:3:${last + 990}`, "$3\r\n4.5\r\n"],
  ];
}
