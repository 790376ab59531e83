import type { CommandSpec } from "../engine/command.ts";
import { aofCommands } from "./aof.ts";
import { clientCommands } from "./client.ts";
import { commandCommands } from "./command.ts";
import { connectionCommands } from "./connection.ts";
import { dumpCommands } from "./dump.ts";
import { geoCommands } from "./geo.ts";
import { hashCommands } from "./hash.ts";
import { hllCommands } from "./hll.ts";
import { keysCommands } from "./keys.ts";
import { listCommands } from "./list.ts";
import { migrateCommands } from "./migrate.ts";
import { pubsubCommands } from "./pubsub.ts";
import { replicationCommands } from "./replication.ts";
import { serverCommands } from "./server.ts";
import { setCommands } from "./set.ts";
import { sortCommands } from "./sort.ts";
import { streamCommands } from "./stream.ts";
import { stringCommands } from "./string.ts";
import { transactionCommands } from "./transactions.ts";
import { zsetCommands } from "./zset.ts";

/** Every command module's rows: the one command table. */
export const ALL_COMMANDS: CommandSpec[] = [
  ...connectionCommands,
  ...clientCommands,
  ...stringCommands,
  ...keysCommands,
  ...dumpCommands,
  ...migrateCommands,
  ...listCommands,
  ...hashCommands,
  ...setCommands,
  ...zsetCommands,
  ...geoCommands,
  ...hllCommands,
  ...streamCommands,
  ...pubsubCommands,
  ...transactionCommands,
  ...sortCommands,
  ...serverCommands,
  ...replicationCommands,
  ...aofCommands,
  ...commandCommands,
];
