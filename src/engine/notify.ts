/**
 * Keyspace notifications (notify-keyspace-events): every ctx.notify(class,
 * event, key) reaches the engine's notify listeners; when the class is
 * enabled, the event is published on `__keyspace@<db>__:<key>` (message: the
 * event) and/or `__keyevent@<db>__:<event>` (message: the key), as Redis's
 * notifyKeyspaceEvent does.
 */
import { existingPubsub } from "../pubsub/registry.ts";
import type { Engine } from "./engine.ts";

/** What `notify-keyspace-events` enables: the event classes and the two channel families. */
export interface NotifyFlags {
  classes: Set<string>;
  keyspace: boolean;
  keyevent: boolean;
}

/** `A` stands for every class but `m` (key miss) and `n` (new key), which must be named. */
const ALL_CLASSES = "g$lshzxetd";

/** Reads the letters of a notify-keyspace-events value (the config layer already validated them). */
export function parseNotifyFlags(value: string): NotifyFlags {
  const classes = new Set<string>();
  for (const c of value) {
    if (c === "A") for (const a of ALL_CLASSES) classes.add(a);
    else if (c !== "K" && c !== "E") classes.add(c);
  }
  return { classes, keyspace: value.includes("K"), keyevent: value.includes("E") };
}

const installed = new WeakSet<Engine>();

/** Hooks keyspace notifications into an engine once; cheap when nothing is enabled. */
export function installNotifications(engine: Engine): void {
  if (installed.has(engine)) return;
  installed.add(engine);
  const name = "notify-keyspace-events";
  let flags = parseNotifyFlags(engine.config.get(name));
  const listener = (cls: string, event: string, key: string, db: number) => {
    if (!flags.classes.has(cls)) return;
    // Nobody ever subscribed: there is no one to tell.
    const pubsub = existingPubsub(engine);
    if (pubsub === undefined) return;
    if (flags.keyspace) pubsub.publish(`__keyspace@${db}__:${key}`, event);
    if (flags.keyevent) pubsub.publish(`__keyevent@${db}__:${event}`, key);
  };
  // Every write notifies: with nothing enabled (the default) nobody listens, so it costs one length check.
  let unlisten: (() => void) | null = null;
  const apply = () => {
    const on = flags.classes.size > 0 && (flags.keyspace || flags.keyevent);
    if (on && unlisten === null) unlisten = engine.onNotify(listener);
    else if (!on && unlisten !== null) {
      unlisten();
      unlisten = null;
    }
  };
  engine.config.onChange((changed) => {
    if (changed !== name) return;
    flags = parseNotifyFlags(engine.config.get(name));
    apply();
  });
  apply();
}
