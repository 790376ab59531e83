/**
 * The throughput tests `--tests` can name: redis-benchmark's own `-t` tests,
 * each with the share of `--requests` it runs and the targets its rows are
 * judged by.
 */
import { rawCommand } from "./loader.ts";
import { TARGETS } from "./report.ts";

export interface ThroughputTest {
  name: string;
  /** Share of --requests / --requests-pipelined: slow commands run fewer so the default run stays short. */
  scale: number;
  /** respd/redis req/s at -P 1 must reach this. */
  p1Target: number;
  /** respd CPU/request at -P 16 must stay within this multiple of Redis's (issue 1's strings only). */
  p16CpuTarget?: number;
  /** A custom command line replacing `-t <name>`. */
  command?: string[];
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

/** The test called `name`; other redis-benchmark test names run with `-t` under the data-type target. */
export function throughputTest(name: string): ThroughputTest {
  return KNOWN.find((t) => t.name === name) ?? dataType(name, 1);
}
