import type { CommandSpec } from "../engine/command.ts";

export const keysCommands: CommandSpec[] = [];
