import type { CommandSpec } from "../engine/command.ts";
import { clientCommands } from "./client.ts";
import { commandCommands } from "./command.ts";
import { connectionCommands } from "./connection.ts";
import { keysCommands } from "./keys.ts";
import { serverCommands } from "./server.ts";
import { stringCommands } from "./string.ts";

/** Every command module's rows: the one command table. */
export const ALL_COMMANDS: CommandSpec[] = [
  ...connectionCommands,
  ...clientCommands,
  ...stringCommands,
  ...keysCommands,
  ...serverCommands,
  ...commandCommands,
];
