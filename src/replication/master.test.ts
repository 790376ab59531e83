import { describe, expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { latin1 } from "../resp/bytes.ts";
import type { Outgoing } from "../resp/encoder.ts";
import { RawBytes } from "../resp/encoder.ts";
import { Status } from "../resp/reply.ts";

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

describe("master side", () => {
  test("diskless full sync: the stream starts at the first ACK, with the writes made meanwhile", async () => {
    const t = createTestEngine();
    const replica = t.newClient();
    expect(replica.exec("REPLCONF", "capa", "eof", "capa", "psync2")).toEqual(new Status("OK"));
    replica.exec("PSYNC", "?", "-1");
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
    const t = createTestEngine();
    const a = t.newClient();
    a.exec("PSYNC", "?", "-1");
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
    expect(wire(c.sent)).toMatch(/^\+FULLRESYNC [0-9a-f]{40} 50\r\n/);
    const role = t.exec("ROLE") as unknown[];
    expect(role.slice(0, 2)).toEqual(["master", 50]);
    expect(role[2]).toHaveLength(3);
  });

  test("SYNC (the old protocol) gets the snapshot alone, then the stream", async () => {
    const t = createTestEngine();
    const a = t.newClient();
    a.exec("SYNC");
    expect(wire(a.sent)).toMatch(/^\$\d+\r\nREDIS0010/);
    a.sent.length = 0;
    t.exec("SET", "k", "v");
    await tick();
    expect(wire(a.sent)).toBe("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  });
});
