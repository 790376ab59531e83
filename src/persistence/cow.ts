/**
 * Copy-on-write for an incremental snapshot (BGSAVE's file, a replica's full
 * sync): before a command changes keys the snapshot has not written yet, the
 * snapshot writes them as they are, so the result holds the data exactly as
 * it was when the snapshot started.
 */
import { FLAG_BITS, keyPositions } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import type { TableEntry } from "../engine/table.ts";
import type { Snapshot } from "./snapshot.ts";

const WRITE = FLAG_BITS.write;
/** Commands that run at once inside MULTI (the rest are queued and handled when EXEC runs them). */
export const RUN_IN_MULTI = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

/** Preserves in `snap` whatever the command about to run in `ctx` may change. */
export function preserveForCommand(engine: Engine, snap: Snapshot, ctx: Ctx): void {
  const client = ctx.client;
  if (client.multiQueued >= 0 && !RUN_IN_MULTI.has(ctx.cmd.spec.name)) return;
  if (ctx.cmd.spec.name === "exec") {
    let db = client.db;
    for (const [cmd, argv] of client.multiCommands) {
      if (cmd.spec.name === "select") db = Number(argv[1]);
      else preserveFor(snap, cmd, argv, db);
    }
  } else preserveFor(snap, ctx.cmd, ctx.argv, client.db);
  // A write may serve blocked clients (BLMOVE pushes to its destination): keep their keys too.
  if (engine.blocking.size > 0) {
    for (const c of engine.clients.values()) {
      const w = engine.blocking.waiterOf(c);
      if (w) preserveFor(snap, w.origin.cmd, w.origin.argv, w.db, true);
    }
  }
}

function preserveFor(snap: Snapshot, cmd: TableEntry, argv: string[], db: number, force = false): void {
  const name = cmd.spec.name;
  if (name === "debug") return snap.preserveAll();
  if (!force && (cmd.bits & WRITE) === 0) return;
  switch (name) {
    case "flushdb":
      return snap.preserveDb(db);
    case "flushall":
      return snap.preserveAll();
    case "swapdb":
      snap.preserveDb(Number(argv[1]));
      snap.preserveDb(Number(argv[2]));
      return;
    case "move":
      snap.preserve(Number(argv[2]), argv[1] as string);
      break;
    case "copy":
      for (let i = 3; i + 1 < argv.length; i++) {
        if ((argv[i] as string).toLowerCase() === "db") snap.preserve(Number(argv[i + 1]), argv[2] as string);
      }
      break;
  }
  let positions: number[];
  try {
    positions = keyPositions(cmd.spec, argv);
  } catch {
    return snap.preserveAll();
  }
  // A write naming no keys may change anything (FUNCTION, scripts without declared keys...).
  if (positions.length === 0) return snap.preserveAll();
  for (const i of positions) snap.preserve(db, argv[i] as string);
}
