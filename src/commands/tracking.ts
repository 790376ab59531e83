/** CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO: server-assisted client-side caching. */
import type { Client } from "../engine/client.ts";
import { type CommandSpec, command, type Handler } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { Errors, fail } from "../engine/errors.ts";
import { parseInt64 } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { existingTracking, trackingOf } from "../pubsub/tracking.ts";
import { cString } from "../resp/bytes.ts";
import { MapReply, OK, type Reply, SetReply } from "../resp/reply.ts";

const SWITCH_TAIL = "before disabling tracking for this client, and then re-enabling it with a different mode.";

/** Redis's checkPrefixCollisionsOrReply: no prefix may be a prefix of another of the same client. */
function checkPrefixes(existing: Iterable<string>, given: string[]): void {
  const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);
  for (let i = 0; i < given.length; i++) {
    const p = given[i] as string;
    for (const old of existing) {
      if (overlaps(p, old)) {
        fail(
          `ERR Prefix '${cString(p)}' overlaps with an existing prefix '${cString(old)}'. Prefixes for a single client must not overlap.`,
        );
      }
    }
    for (let j = i + 1; j < given.length; j++) {
      const q = given[j] as string;
      if (overlaps(p, q))
        fail(
          `ERR Prefix '${cString(p)}' overlaps with another provided prefix '${cString(q)}'. Prefixes for a single client must not overlap.`,
        );
    }
  }
}

/** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP], checks in Redis's order. */
function tracking(ctx: Ctx): Reply {
  const { argv, engine } = ctx;
  let redirect = 0;
  const opts = { bcast: false, optin: false, optout: false, noloop: false };
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = asciiLower(ctx.arg(j));
    if (opt === "redirect" && more > 0) {
      j++;
      if (redirect !== 0) fail("ERR A client can only redirect to a single other client");
      const id = parseInt64(ctx.arg(j));
      if (id === null) fail(Errors.notInteger);
      if (!engine.clients.has(Number(id))) fail("ERR The client ID you want redirect to does not exist");
      redirect = Number(id);
    } else if (opt === "bcast") opts.bcast = true;
    else if (opt === "optin") opts.optin = true;
    else if (opt === "optout") opts.optout = true;
    else if (opt === "noloop") opts.noloop = true;
    else if (opt === "prefix" && more > 0) prefixes.push(ctx.arg(++j));
    else fail(Errors.syntax);
  }
  const mode = asciiLower(ctx.arg(2));
  if (mode === "off") {
    existingTracking(engine)?.disable(ctx.client);
    return OK;
  }
  if (mode !== "on") fail(Errors.syntax);
  const current = existingTracking(engine)?.stateOf(ctx.client);
  if (!opts.bcast && prefixes.length > 0) fail("ERR PREFIX option requires BCAST mode to be enabled");
  if (current !== undefined && current.bcast !== opts.bcast) fail(`ERR You can't switch BCAST mode on/off ${SWITCH_TAIL}`);
  if (opts.bcast && (opts.optin || opts.optout)) fail("ERR OPTIN and OPTOUT are not compatible with BCAST");
  if (opts.optin && opts.optout) fail("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if (current !== undefined && ((opts.optin && current.optout) || (opts.optout && current.optin))) {
    fail(`ERR You can't switch OPTIN/OPTOUT mode ${SWITCH_TAIL}`);
  }
  if (opts.bcast) checkPrefixes(current?.prefixes ?? [], prefixes);
  trackingOf(engine).enable(ctx.client, redirect, opts, prefixes);
  return OK;
}

function caching(ctx: Ctx): Reply {
  const st = existingTracking(ctx.engine)?.stateOf(ctx.client);
  if (st === undefined) {
    fail("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
  }
  const v = asciiLower(ctx.arg(2));
  if (v === "yes") {
    if (!st.optin) fail("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
  } else if (v === "no") {
    if (!st.optout) fail("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
  } else {
    fail(Errors.syntax);
  }
  st.caching = true;
  return OK;
}

/** The redirect id CLIENT GETREDIR and CLIENT LIST's redir= show: -1 when not tracking, 0 for no redirect. */
export function trackingRedirect(engine: Ctx["engine"], client: Client): number {
  return existingTracking(engine)?.stateOf(client)?.redirect ?? -1;
}

function trackinginfo(ctx: Ctx): Reply {
  const st = existingTracking(ctx.engine)?.stateOf(ctx.client);
  const flags: Reply[] = [st === undefined ? "off" : "on"];
  if (st?.bcast) flags.push("bcast");
  if (st?.optin) {
    flags.push("optin");
    if (st.caching) flags.push("caching-yes");
  }
  if (st?.optout) {
    flags.push("optout");
    if (st.caching) flags.push("caching-no");
  }
  if (st?.noloop) flags.push("noloop");
  if (st?.brokenRedirect) flags.push("broken_redirect");
  // Prefixes in byte order, as Redis's radix tree lists them.
  const prefixes = [...(st?.prefixes ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return new MapReply(["flags", new SetReply(flags), "redirect", st?.redirect ?? -1, "prefixes", prefixes]);
}

const doc = (summary: string, since: string, complexity: string) => ({ summary, since, group: "connection", complexity });

function sub(name: string, arity: number, summary: string, since: string, complexity: string, handler: Handler): CommandSpec {
  return command(
    name,
    arity,
    ["noscript", "loading", "stale"],
    [0, 0, 0],
    ["slow", "connection"],
    doc(summary, since, complexity),
    handler,
  );
}

/** The CLIENT subcommands this module owns; client.ts lists them in its table. */
export const trackingSubcommands: CommandSpec[] = [
  sub("caching", 3, "Instruct the server about tracking or not keys in the next request", "6.0.0", "O(1)", caching),
  sub("getredir", 2, "Get tracking notifications redirection client ID if any", "6.0.0", "O(1)", (ctx) =>
    trackingRedirect(ctx.engine, ctx.client),
  ),
  sub(
    "tracking",
    -3,
    "Enable or disable server assisted client side caching support",
    "6.0.0",
    "O(1). Some options may introduce additional complexity.",
    tracking,
  ),
  sub(
    "trackinginfo",
    2,
    "Return information about server assisted client side caching for the current connection",
    "6.2.0",
    "O(1)",
    trackinginfo,
  ),
];
