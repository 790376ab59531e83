/**
 * The throughput tests `--tests` can name: redis-benchmark's own `-t` tests,
 * each with the share of `--requests` it runs and the targets its rows are
 * judged by.
 */
import { pipelineLoad, rawCommand } from "./loader.ts";
import { TARGETS } from "./report.ts";

export interface ThroughputTest {
  name: string;
  /** Share of --requests / --requests-pipelined: slow commands run fewer so the default run stays short. */
  scale: number;
  /** respd/redis req/s at -P 1 must reach this. */
  p1Target?: number;
  /** respd CPU/request at -P 16 must stay within this multiple of Redis's (issue 1's strings only). */
  p16CpuTarget?: number;
  /** respd CPU/request must stay within this multiple of Redis's at every pipeline depth (issue 13's types). */
  cpuTarget?: number;
  /** A custom command line replacing `-t <name>`. */
  command?: string[];
  /** redis-benchmark's `-r`: `__rand_int__` is drawn from [0, random). */
  random?: number;
  /** Runs (unmeasured) before every run of the test, warm-up included. */
  setup?: (port: number) => Promise<void>;
}

const strings = (name: string): ThroughputTest => ({
  name,
  scale: 1,
  p1Target: TARGETS.stringsP1,
  p16CpuTarget: TARGETS.stringsCpuP16,
});
const dataType = (name: string, scale = 0.5): ThroughputTest => ({ name, scale, p1Target: TARGETS.dataTypesP1 });

/**
 * redis-benchmark's `-t lrange_100` first runs as many LPUSHes as LRANGEs, in
 * the same process, which would double the CPU charged to the test. So the
 * list is filled here and the same command (`LRANGE mylist 0 99`, 3-byte
 * elements "VXK" as redis-benchmark's default data) runs as a custom command.
 * 100 more elements per run keep it at least 100 long whatever rpop did.
 */
const LRANGE_100: ThroughputTest = {
  ...dataType("lrange_100", 0.25),
  command: ["LRANGE", "mylist", "0", "99"],
  async setup(port) {
    const reply = await rawCommand(port, `LPUSH mylist${" VXK".repeat(100)}`);
    if (!reply.startsWith(":")) throw new Error(`LPUSH mylist: ${reply.trim()}`);
  },
};

const KNOWN: ThroughputTest[] = [
  ...["ping_mbulk", "ping_inline", "set", "get", "incr", "mset"].map(strings),
  ...["lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop", "zadd", "zpopmin"].map((n) => dataType(n)),
  LRANGE_100,
];

export const DEFAULT_TESTS = "ping_mbulk,set,get,incr,mset,lpush,rpop,sadd,hset,zadd,lrange_100";

/** Issue 13's types, judged by CPU per request against Redis at -P 1 and -P 16 (`--only datatypes2`). */
const newType = (name: string, command: string[], more: Partial<ThroughputTest> = {}): ThroughputTest => ({
  name,
  scale: 0.5,
  cpuTarget: TARGETS.newTypesCpu,
  command,
  ...more,
});

/**
 * BITCOUNT's bitmap: 12,500 bytes (100,000 bits) of letters, about half the bits set, written with SETRANGE as a
 * bitmap is built (by SETBIT or SETRANGE): both servers then hold it as a raw byte buffer, not as a SET value.
 */
const BITCOUNT_BYTES = 12_500;
/** GEOSEARCH's set: members g:%012d on a 1,000 × 100 grid 0.001° apart near 13°E 52°N (~68 m × 111 m cells). */
export const GEO_MEMBERS = 100_000;

export const DATATYPES2: ThroughputTest[] = [
  // A fresh stream for every run: its length (and so the listpack being appended to) is the same on both servers.
  newType("xadd", ["XADD", "xs", "*", "f", "v"], { setup: (port) => expectReply(port, "DEL xs", ":") }),
  // SETBIT runs from bench/xgroup.ts (setbits): redis-benchmark's zero-padded __rand_int__ is no bit offset.
  newType("bitcount", ["BITCOUNT", "bc"], {
    setup: (port) => {
      const value = Array.from({ length: BITCOUNT_BYTES }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join("");
      return pipelineLoad(
        port,
        1,
        () => Buffer.from(`*4\r\n$8\r\nSETRANGE\r\n$2\r\nbc\r\n$1\r\n0\r\n$${value.length}\r\n${value}\r\n`, "latin1"),
        `:${BITCOUNT_BYTES}\r\n`,
      );
    },
  }),
  newType("pfadd", ["PFADD", "hll", "el:__rand_int__"], { random: 1_000_000 }),
  // The key is not written between PFCOUNTs, so both servers answer from the cached cardinality after the first.
  newType("pfcount", ["PFCOUNT", "hll"], { setup: (port) => expectReply(port, "PFADD hll el:0", ":") }),
  // lon __rand_int__e-4 in [0, 180), lat __rand_int__e-5 in [0, 18): exponent notation, as strtod reads it.
  newType("geoadd", ["GEOADD", "geo", "__rand_int__e-4", "__rand_int__e-5", "m:__rand_int__"], { random: 1_800_000 }),
  newType("geosearch", ["GEOSEARCH", "geos", "FROMMEMBER", "g:__rand_int__", "BYRADIUS", "200", "m", "ASC", "COUNT", "10"], {
    random: GEO_MEMBERS,
    setup: loadGeoGrid,
  }),
];

async function expectReply(port: number, line: string, prefix: string): Promise<void> {
  const reply = await rawCommand(port, line);
  if (!reply.startsWith(prefix)) throw new Error(`${line}: ${reply.trim()}`);
}

/** The geo grid GEOSEARCH reads, loaded once per server (the set is never written afterwards). */
async function loadGeoGrid(port: number): Promise<void> {
  if ((await rawCommand(port, "ZCARD geos")) === `:${GEO_MEMBERS}\r\n`) return;
  await pipelineLoad(
    port,
    GEO_MEMBERS,
    (from, to) => {
      let s = "";
      for (let i = from; i < to; i++) {
        const lon = (13 + (i % 1000) / 1000).toFixed(3);
        const lat = (52 + Math.floor(i / 1000) / 1000).toFixed(3);
        const m = `g:${String(i).padStart(12, "0")}`;
        s += `*5\r\n$6\r\nGEOADD\r\n$4\r\ngeos\r\n$${lon.length}\r\n${lon}\r\n$${lat.length}\r\n${lat}\r\n$${m.length}\r\n${m}\r\n`;
      }
      return Buffer.from(s, "latin1");
    },
    ":1\r\n",
  );
}

/** The test called `name`; other redis-benchmark test names run with `-t` under the data-type target. */
export function throughputTest(name: string): ThroughputTest {
  return KNOWN.find((t) => t.name === name) ?? dataType(name, 1);
}
