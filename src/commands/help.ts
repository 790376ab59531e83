import { Status } from "../resp/reply.ts";

/** Redis's addReplyHelp: a header naming the command, the given lines, then HELP itself. */
export function helpReply(command: string, lines: string[]): Status[] {
  return [`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, ...lines, "HELP", "    Prints this help."].map(
    (l) => new Status(l),
  );
}
