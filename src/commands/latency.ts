/**
 * LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR / HELP over the engine's
 * latency monitor, which Engine.call feeds with "command" and "fast-command"
 * events at or above latency-monitor-threshold milliseconds.
 */
import { type CommandFlag, type CommandSpec, command, type Handler } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { fail } from "../engine/errors.ts";
import type { LatencyHistogram } from "../engine/histogram.ts";
import type { LatencySeries } from "../engine/latency.ts";
import type { TableEntry } from "../engine/table.ts";
import { cString } from "../resp/bytes.ts";
import { MapReply, type Reply, Verbatim } from "../resp/reply.ts";
import { lookupByFullName } from "./command.ts";
import { helpReply } from "./help.ts";

const doc = (summary: string, since: string, complexity = "O(1)") => ({ summary, since, group: "server", complexity });
const ADMIN: CommandFlag[] = ["admin", "noscript", "loading", "stale"];
const ADMIN_CATS = ["admin", "slow", "dangerous"];

function latest(ctx: Ctx): Reply {
  const out: Reply[] = [];
  for (const [event, s] of ctx.engine.latency.events) {
    const last = s.samples[s.samples.length - 1];
    if (last) out.push([event, last.time, last.latency, s.max]);
  }
  return out;
}

function history(ctx: Ctx): Reply {
  const s = ctx.engine.latency.events.get(ctx.arg(2));
  return s ? s.samples.map((x) => [x.time, x.latency]) : [];
}

/** A small text chart of an event's samples, newest on the right (Redis draws a sparkline; this is simpler). */
function graph(ctx: Ctx): Reply {
  const event = ctx.arg(2);
  const s = ctx.engine.latency.events.get(event);
  if (!s || s.samples.length === 0) fail(`ERR No samples available for event '${cString(event)}'`);
  const values = s.samples.map((x) => x.latency);
  const high = Math.max(...values);
  const low = Math.min(...values);
  let text = `${event} - high ${high} ms, low ${low} ms (all time high ${s.max} ms)\n`;
  text += `${"-".repeat(80)}\n`;
  const rows = 4;
  for (let r = rows; r >= 1; r--) {
    let line = "";
    for (const v of values.slice(-80)) line += high > 0 && v >= (high * r) / rows ? "#" : " ";
    text += `${line.replace(/ +$/, "")}\n`;
  }
  return new Verbatim("txt", text);
}

function analyse(s: LatencySeries): { avg: number; mad: number; period: number } {
  const n = s.samples.length;
  const avg = s.samples.reduce((a, x) => a + x.latency, 0) / n;
  const mad = s.samples.reduce((a, x) => a + Math.abs(x.latency - avg), 0) / n;
  const first = s.samples[0]?.time ?? 0;
  const last = s.samples[n - 1]?.time ?? 0;
  return { avg, mad, period: n > 1 ? (last - first) / (n - 1) : 1 };
}

function doctor(ctx: Ctx): Reply {
  const { latency, config } = ctx.engine;
  if (latency.events.size === 0 && config.num("latency-monitor-threshold") === 0) {
    return new Verbatim(
      "txt",
      "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n",
    );
  }
  if (latency.events.size === 0) {
    return new Verbatim(
      "txt",
      "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n",
    );
  }
  let text = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
  let i = 1;
  for (const [event, s] of latency.events) {
    const a = analyse(s);
    text += `${i++}. ${event}: ${s.samples.length} latency spikes (average ${Math.round(a.avg)}ms, mean deviation ${Math.round(a.mad)}ms, period ${a.period.toFixed(2)} sec). Worst all time event ${s.max}ms.\n`;
  }
  text += "\nI have a few advices for you:\n\n";
  text +=
    "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n";
  text +=
    "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n";
  return new Verbatim("txt", text);
}

/** One command's entry: {calls, histogram_usec: {usec: cumulative count...}} (Redis's fillCommandCDF). */
function cdf(h: LatencyHistogram): MapReply {
  const buckets: Reply[] = [];
  for (const [usec, count] of h.cumulative()) buckets.push(usec, count);
  return new MapReply(["calls", h.total, "histogram_usec", new MapReply(buckets)]);
}

/**
 * LATENCY HISTOGRAM [command ...]: every command (and subcommand) with a
 * histogram, or the named ones; a container name brings its subcommands.
 * Unknown names are skipped.
 */
function histogram(ctx: Ctx): Reply {
  const { engine } = ctx;
  const out: Reply[] = [];
  const add = (e: TableEntry) => {
    const h = engine.stats.commands.get(e.fullName)?.histogram;
    if (h) out.push(e.fullName, cdf(h));
  };
  const addWithSubs = (e: TableEntry, recurse: boolean) => {
    add(e);
    if (e.subcommands) for (const sub of e.subcommands.values()) recurse ? addWithSubs(sub, true) : add(sub);
  };
  if (ctx.argv.length === 2) for (const e of engine.commands.all()) addWithSubs(e, true);
  for (let i = 2; i < ctx.argv.length; i++) {
    const e = lookupByFullName(engine.commands, ctx.arg(i));
    if (e) addWithSubs(e, false);
  }
  return new MapReply(out);
}

const HELP = helpReply("LATENCY", [
  "DOCTOR",
  "    Return a human readable latency analysis report.",
  "GRAPH <event>",
  "    Return an ASCII latency graph for the <event> class.",
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
  "    If no commands are specified then all histograms are replied.",
]);

function sub(name: string, arity: number, flags: CommandFlag[], d: ReturnType<typeof doc>, handler: Handler): CommandSpec {
  return command(name, arity, flags, [0, 0, 0], flags.includes("admin") ? ADMIN_CATS : ["slow"], d, handler);
}

export const latencyCommands: CommandSpec[] = [
  command(
    "latency",
    -2,
    [],
    [0, 0, 0],
    ["slow"],
    doc("A container for latency diagnostics commands", "2.8.13", "Depends on subcommand."),
    () => fail("ERR wrong number of arguments for 'latency' command"),
    {
      subcommands: [
        sub("help", 2, ["loading", "stale"], doc("Show helpful text about the different subcommands.", "2.8.13"), () => HELP),
        sub("doctor", 2, ADMIN, doc("Return a human readable latency analysis report.", "2.8.13"), doctor),
        sub("history", 3, ADMIN, doc("Return timestamp-latency samples for the event.", "2.8.13"), history),
        sub("graph", 3, ADMIN, doc("Return a latency graph for the event.", "2.8.13"), graph),
        sub("reset", -2, ADMIN, doc("Reset latency data for one or more events.", "2.8.13"), (ctx) =>
          ctx.engine.latency.reset(ctx.argv.slice(2)),
        ),
        sub("latest", 2, ADMIN, doc("Return the latest latency samples for all events.", "2.8.13"), latest),
        sub(
          "histogram",
          -2,
          ADMIN,
          doc(
            "Return the cumulative distribution of latencies of a subset of commands or all.",
            "7.0.0",
            "O(N) where N is the number of commands with latency information being retrieved.",
          ),
          histogram,
        ),
      ],
    },
  ),
];
