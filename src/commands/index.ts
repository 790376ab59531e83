import type { CommandSpec } from "../engine/command.ts";
import { connectionCommands } from "./connection.ts";
import { stringCommands } from "./string.ts";

/** Every command module's rows: the one command table. */
export const ALL_COMMANDS: CommandSpec[] = [...connectionCommands, ...stringCommands];
