import { describe, expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { loadRdb } from "../persistence/rdb/file.ts";
import { latin1 } from "../resp/bytes.ts";
import type { Outgoing } from "../resp/encoder.ts";
import { RawBytes } from "../resp/encoder.ts";
import { Status } from "../resp/reply.ts";
import { replicationOf } from "./state.ts";

/** Everything a replica client was sent, as one byte string. */
function wire(sent: Outgoing[][]): string {
  let s = "";
  for (const batch of sent) {
    for (const item of batch) {
      if (item instanceof Status) s += `+${item.text}\r\n`;
      else if (item instanceof RawBytes) s += latin1(item.bytes);
      else throw new Error(`unexpected ${String(item)}`);
    }
  }
  return s;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** Ticks until `check` holds (a full sync walks its snapshot a slice per turn). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await tick();
  expect(check()).toBe(true);
}

/** An engine whose diskless syncs start at once (the default waits 5 s for more replicas). */
function engine() {
  const t = createTestEngine();
  t.exec("CONFIG", "SET", "repl-diskless-sync-delay", "0");
  return t;
}

describe("master side", () => {
  test("diskless full sync: the stream starts at the first ACK, with the writes made meanwhile", async () => {
    const t = engine();
    const replica = t.newClient();
    expect(replica.exec("REPLCONF", "capa", "eof", "capa", "psync2")).toEqual(new Status("OK"));
    replica.exec("PSYNC", "?", "-1");
    await until(() => /[0-9a-f]{40}$/.test(wire(replica.sent)) && wire(replica.sent).includes("REDIS"));
    const head = wire(replica.sent);
    const m = /^\+FULLRESYNC ([0-9a-f]{40}) 0\r\n\$EOF:([0-9a-f]{40})\r\nREDIS0010/.exec(head);
    expect(m).not.toBeNull();
    expect(head.endsWith(m?.[2] as string)).toBe(true);
    replica.sent.length = 0;
    t.exec("SET", "k", "v");
    await tick();
    expect(replica.sent).toHaveLength(0);
    replica.exec("REPLCONF", "ACK", "0");
    expect(wire(replica.sent)).toBe("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    replica.sent.length = 0;
    t.exec("DEL", "k");
    await tick();
    expect(wire(replica.sent)).toBe("*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
  });

  test("disk-style sync for a replica without capa eof, then +CONTINUE from the backlog", async () => {
    const t = engine();
    const a = t.newClient();
    a.exec("PSYNC", "?", "-1");
    await until(() => /\$\d+\r\nREDIS/.test(wire(a.sent)));
    const head = wire(a.sent);
    const [, replid] = /^\+FULLRESYNC ([0-9a-f]{40}) 0\r\n\$(\d+)\r\nREDIS/.exec(head) as unknown as [string, string];
    t.exec("SET", "k", "v");
    await tick();
    const b = t.newClient();
    b.exec("REPLCONF", "capa", "psync2");
    // A replica that had seen only the SELECT continues with the SET.
    b.exec("PSYNC", replid, "24");
    expect(wire(b.sent)).toBe(`+CONTINUE ${replid}\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n`);
    const c = t.newClient();
    c.exec("PSYNC", replid, "9999");
    await until(() => /\$\d+\r\nREDIS/.test(wire(c.sent)));
    expect(wire(c.sent)).toMatch(/^\+FULLRESYNC [0-9a-f]{40} 50\r\n/);
    const role = t.exec("ROLE") as unknown[];
    expect(role.slice(0, 2)).toEqual(["master", 50]);
    expect(role[2]).toHaveLength(3);
  });

  test("SYNC (the old protocol) gets the snapshot alone, then the stream", async () => {
    const t = engine();
    const a = t.newClient();
    a.exec("SYNC");
    await until(() => a.sent.length > 0);
    expect(wire(a.sent)).toMatch(/^\$\d+\r\nREDIS0010/);
    a.sent.length = 0;
    t.exec("SET", "k", "v");
    await tick();
    expect(wire(a.sent)).toBe("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  });

  test("the snapshot is the data at +FULLRESYNC's offset; writes during the walk follow it, shared by batched replicas", async () => {
    const t = createTestEngine();
    t.exec("CONFIG", "SET", "repl-diskless-sync-delay", "1");
    for (let i = 0; i < 20000; i++) t.exec("SET", `k${i}`, `v${i}`);
    const a = t.newClient();
    const b = t.newClient();
    for (const r of [a, b]) {
      r.exec("REPLCONF", "capa", "eof", "capa", "psync2");
      r.exec("PSYNC", "?", "-1");
    }
    // Waiting for repl-diskless-sync-delay: nothing sent yet, both listed as waiting.
    expect(a.sent).toHaveLength(0);
    const state = replicationOf(t.engine);
    expect(state.replicas.map((r) => r.online)).toEqual([false, false]);
    await until(() => wire(a.sent).includes("FULLRESYNC"));
    // Newlines a second while it waits keep the replica's repl-timeout from firing.
    const fullresync = /^\n*\+FULLRESYNC [0-9a-f]{40} (\d+)\r\n/.exec(wire(a.sent));
    expect(fullresync).not.toBeNull();
    // The walk has begun but not ended: these writes must not show in the snapshot.
    expect(state.replicas[0]?.heldFrom).not.toBeNull();
    expect(state.replicas[0]?.online).toBe(false);
    t.exec("SET", "k1", "changed");
    t.exec("DEL", "k2");
    t.exec("SET", "new", "x");
    await until(() => /[0-9a-f]{40}$/.test(wire(a.sent)) && wire(a.sent).length > 100000);
    expect(wire(b.sent)).toBe(wire(a.sent));
    const payload = wire(a.sent);
    const rdb = payload.slice(payload.indexOf("REDIS"), payload.length - 40);
    const keys = new Map<string, string>();
    loadRdb(
      Uint8Array.from(rdb, (c) => c.charCodeAt(0)),
      { key: (_db, k, v) => keys.set(k, String(v)) },
    );
    expect(keys.size).toBe(20000);
    expect(keys.get("k1")).toBe("v1");
    expect(keys.get("k2")).toBe("v2");
    expect(keys.has("new")).toBe(false);
    a.sent.length = 0;
    a.exec("REPLCONF", "ACK", fullresync?.[1] as string);
    expect(wire(a.sent)).toBe(
      "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$7\r\nchanged\r\n" +
        "*2\r\n$3\r\nDEL\r\n$2\r\nk2\r\n*3\r\n$3\r\nSET\r\n$3\r\nnew\r\n$1\r\nx\r\n",
    );
  });

  test("WAIT waits for the offset of the caller's own last write", async () => {
    const t = engine();
    const r = t.newClient();
    r.exec("PSYNC", "?", "-1");
    await until(() => /\$\d+\r\nREDIS/.test(wire(r.sent)));
    const writer = t.newClient();
    const reader = t.newClient();
    writer.exec("SET", "a", "1");
    await tick();
    const after = replicationOf(t.engine).offset;
    r.exec("REPLCONF", "ACK", String(after));
    t.exec("SET", "b", "2");
    await tick();
    // The first client's write is acknowledged, the later one by someone else is not.
    expect(writer.exec("WAIT", "1", "0")).toBe(1);
    // A client that never wrote waits for nothing.
    expect(reader.exec("WAIT", "1", "0")).toBe(1);
    // The client that wrote last must wait.
    expect(t.exec("WAIT", "1", "100")).not.toBe(1);
  });
});
