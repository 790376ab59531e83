import { expect, test } from "bun:test";
import { Config } from "../config/config.ts";
import { command } from "../engine/command.ts";
import { Engine } from "../engine/engine.ts";
import { CommandTable } from "../engine/table.ts";
import { type ErrorReply, type MapReply, SetReply, Status } from "../resp/reply.ts";
import { commandCommands, globMatchNoCase } from "./command.ts";

const noop = () => null;
const doc = { summary: "s", since: "1.0.0", group: "generic" };
/** A tiny table: COMMAND itself, real commands' rows, and one command Redis does not have. */
function engine() {
  const rows = [
    ...commandCommands,
    command("get", 2, ["readonly", "fast"], [1, 1, 1], ["read", "string", "fast"], doc, noop),
    command("set", -3, ["write", "denyoom"], [1, 1, 1], ["string"], doc, noop),
    command("zunionstore", -4, ["write", "denyoom"], [1, 1, 1], ["sortedset"], doc, noop),
    command("custom", -2, ["write"], [1, -1, 1], ["keyspace"], doc, noop, { getKeys: (argv) => (argv.length > 2 ? [2] : []) }),
  ];
  const e = new Engine(new Config(), new CommandTable(rows));
  const client = e.createClient("127.0.0.1:1", "127.0.0.1:2", {
    write: () => {},
    backpressure: undefined,
    pendingBytes: 0,
    closeAfterFlush: () => {},
    destroy: () => {},
  });
  return (...argv: string[]) => e.execute(client!, argv);
}

const names = (r: unknown) => (r as SetReply).items.map((s) => (s as Status).text);

test("COMMAND INFO: implied categories, Redis's flag order, metadata key specs", () => {
  const exec = engine();
  const [set, missing, custom] = exec("COMMAND", "INFO", "SET", "nosuch", "custom") as unknown[][];
  expect(set?.slice(0, 2)).toEqual(["set", -3]);
  expect(names(set?.[2])).toEqual(["write", "denyoom"]);
  expect(names(set?.[6])).toEqual(["@write", "@string", "@slow"]);
  expect((set?.[8] as SetReply | undefined)?.items).toHaveLength(1);
  expect(missing).toBeNull();
  // No Redis metadata: a key spec derived from the range, movablekeys from its own key finder.
  expect(names(custom?.[2])).toEqual(["write", "movablekeys"]);
  expect(names(custom?.[6])).toEqual(["@keyspace", "@write", "@slow"]);
  const spec = (custom?.[8] as SetReply | undefined)?.items[0] as MapReply;
  expect(spec.entries[0]).toBe("flags");
  // zunionstore's numkeys spec makes it movable even with a plain range row.
  expect(names((exec("COMMAND", "INFO", "zunionstore") as unknown[][])[0]?.[2])).toEqual(["write", "denyoom", "movablekeys"]);
});

test("COMMAND DOCS skips unknown names and nests subcommands", () => {
  const exec = engine();
  const r = exec("COMMAND", "DOCS", "nosuch", "get", "command") as MapReply;
  expect(r.entries.filter((_, i) => i % 2 === 0)).toEqual(["get", "command"]);
  const cmd = (r.entries[3] as MapReply).entries;
  expect(cmd.slice(0, 2)).toEqual(["summary", "Get array of Redis command details"]);
  expect(cmd[cmd.length - 2]).toBe("subcommands");
});

test("COMMAND GETKEYS: specs, own key finder, errors", () => {
  const exec = engine();
  expect(exec("COMMAND", "GETKEYS", "set", "k", "v")).toEqual(["k"]);
  expect(exec("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "GET")).toEqual([
    ["k", new SetReply(["RW", "access", "update"].map((f) => new Status(f)))],
  ]);
  expect(exec("COMMAND", "GETKEYS", "zunionstore", "d", "2", "a", "b")).toEqual(["d", "a", "b"]);
  expect(exec("COMMAND", "GETKEYS", "custom", "a", "b")).toEqual(["b"]);
  const err = (...argv: string[]) => (exec("COMMAND", "GETKEYS", ...argv) as ErrorReply).text;
  expect(err("zunionstore", "d", "3", "a")).toBe("ERR Invalid arguments specified for command");
  expect(err("custom", "a")).toBe("ERR Invalid arguments specified for command");
  expect(err("nosuch", "a")).toBe("ERR Invalid command specified");
  expect(err("command", "count")).toBe("ERR The command has no key arguments");
  expect(err("get", "a", "b")).toBe("ERR Invalid number of arguments specified for command");
});

test("COMMAND COUNT counts top-level rows; LIST includes subcommands and filters", () => {
  const exec = engine();
  expect(exec("COMMAND", "COUNT")).toBe(5);
  expect(exec("COMMAND", "LIST", "FILTERBY", "PATTERN", "command|get*")).toEqual(["command|getkeys", "command|getkeysandflags"]);
  expect(exec("COMMAND", "LIST", "FILTERBY", "aclcat", "READ")).toEqual(["get"]);
  expect((exec("COMMAND", "LIST", "FILTERBY", "x", "y") as ErrorReply).text).toBe("ERR syntax error");
});

test("glob matching is Redis's stringmatch, case-insensitive", () => {
  expect(globMatchNoCase("G?T", "get")).toBe(true);
  expect(globMatchNoCase("[a-c]*", "client|list")).toBe(true);
  expect(globMatchNoCase("[^a-c]*", "client")).toBe(false);
  expect(globMatchNoCase("a\\*", "a*")).toBe(true);
  expect(globMatchNoCase("a\\*", "ab")).toBe(false);
  expect(globMatchNoCase("*|list", "client|list")).toBe(true);
  expect(globMatchNoCase("*x", "client")).toBe(false);
});
