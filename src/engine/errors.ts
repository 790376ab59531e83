import { cString } from "../resp/bytes.ts";
import { ErrorReply } from "../resp/reply.ts";
import { asciiUpper } from "./table.ts";

/**
 * A command error that knows its wire form. Handlers throw it from anywhere
 * (argument parsing included); the dispatcher turns it into `-<text>` and the
 * connection lives on. `text` starts with the code: `ERR`, `WRONGTYPE`...
 */
export class RedisError extends Error {
  constructor(readonly text: string) {
    super(text);
  }
  toReply(): ErrorReply {
    return new ErrorReply(this.text);
  }
}

/** An argument as Redis's `%.128s` prints it: cut at its first NUL byte, at most 128 bytes. */
export function cstr128(s: string): string {
  const t = cString(s);
  return t.length > 128 ? t.slice(0, 128) : t;
}

/** Redis's shared error texts (server.c createSharedObjects and friends). */
export const Errors = {
  wrongType: "WRONGTYPE Operation against a key holding the wrong kind of value",
  syntax: "ERR syntax error",
  notInteger: "ERR value is not an integer or out of range",
  notFloat: "ERR value is not a valid float",
  overflow: "ERR increment or decrement would overflow",
  noSuchKey: "ERR no such key",
  outOfRange: "ERR index out of range",
  dbIndexOutOfRange: "ERR DB index is out of range",
  sameObject: "ERR source and destination objects are the same",
  notPositive: "ERR value is out of range, must be positive",
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  wrongArgs: (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`,
  /** addReplySubcommandSyntaxError, given the command's argv. */
  subcommandSyntax: (argv: readonly string[]) =>
    `ERR unknown subcommand or wrong number of arguments for '${cstr128(argv[1] ?? "")}'. Try ${asciiUpper(cString(argv[0] ?? ""))} HELP.`,
  /** processCommand's text for a container command's unknown subcommand. */
  unknownSubcommand: (argv: readonly string[]) =>
    `ERR unknown subcommand '${cstr128(argv[1] ?? "")}'. Try ${asciiUpper(cString(argv[0] ?? ""))} HELP.`,
  noAuth: "NOAUTH Authentication required.",
  readonlyReplica: "READONLY You can't write against a read only replica.",
  loading: "LOADING Redis is loading the dataset in memory",
} as const;

export function fail(text: string): never {
  throw new RedisError(text);
}
