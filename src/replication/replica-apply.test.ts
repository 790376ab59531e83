import { afterEach, describe, expect, test } from "bun:test";
import { createTestEngine } from "../engine/testing.ts";
import { latin1 } from "../resp/bytes.ts";
import { DirectReader } from "../runtime/direct.ts";
import type { Connection } from "../runtime/types.ts";
import { commandText } from "./backlog.ts";
import { flushStream } from "./master.ts";
import { becomeMaster, becomeReplica } from "./role.ts";
import { type ReplicationState, replicationOf } from "./state.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const cmd = (...argv: string[]) => commandText(argv);
const tick = () => new Promise((r) => setTimeout(r, 1));

/** A master's side of the link fed by hand: through the direct lane, or only through streams (as on Deno). */
function fakeMaster(direct: boolean) {
  const sent: string[] = [];
  let socket: DirectReader | null = null;
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  const early: Uint8Array[] = [];
  let readable: ReadableStream<Uint8Array> | null = null;
  const conn: Connection = {
    get readable() {
      readable ??= new ReadableStream<Uint8Array>({
        start(c) {
          for (const e of early) c.enqueue(e);
          controller = c;
        },
      });
      return readable;
    },
    writable: new WritableStream<Uint8Array>({ write: (b) => void sent.push(latin1(b)) }),
    direct: direct
      ? {
          pipeTo(sink) {
            if (socket === null) {
              socket = new DirectReader(
                () => {},
                () => {},
              );
              for (const e of early) socket.push(e);
            }
            return socket.pipeTo(sink);
          },
          write: () => undefined,
          end() {},
        }
      : undefined,
    remoteAddress: "127.0.0.1:1",
    localAddress: "127.0.0.1:2",
    setKeepAlive() {},
    destroy() {},
    closed: new Promise<void>(() => {}),
    bytesWritten: 0,
  };
  const feed = (s: string) => {
    const b = bytes(s);
    if (socket !== null) socket.push(b);
    else if (controller !== null) controller.enqueue(b);
    else early.push(b);
  };
  return { conn, feed, sent };
}

let current: ReplicationState | null = null;
afterEach(() => {
  if (current === null) return;
  becomeMaster(current);
  if (current.cronTimer !== null) clearInterval(current.cronTimer);
  current = null;
});

async function replicaOf(direct: boolean) {
  const t = createTestEngine();
  const rs = replicationOf(t.engine);
  current = rs;
  const master = fakeMaster(direct);
  rs.host = { connectTcp: async () => master.conn, fs: null as never, notice() {}, warning() {} };
  becomeReplica(rs, "127.0.0.1", 1);
  // A cached history (ours): the master continues it.
  master.feed("+PONG\r\n+OK\r\n+OK\r\n+CONTINUE\r\n");
  while (rs.link?.state !== "connected") await tick();
  return { t, rs, master, start: rs.offset };
}

for (const direct of [true, false]) {
  describe(`replica applying its master's stream (${direct ? "direct lane" : "streams"})`, () => {
    test("offsets move byte for byte, a MULTI block at its EXEC, and the backlog holds the bytes as received", async () => {
      const { t, rs, master, start } = await replicaOf(direct);
      const head = cmd("SELECT", "0") + cmd("SET", "a", "1");
      const tx = cmd("MULTI") + cmd("SET", "b", "2") + cmd("INCR", "a") + cmd("EXEC");
      const all = head + tx;
      // Split the way a socket might: inside a header, inside a bulk, between commands.
      master.feed(all.slice(0, 5));
      master.feed(all.slice(5, 30));
      await tick();
      expect(rs.offset - start).toBe(cmd("SELECT", "0").length);
      master.feed(all.slice(30, all.length - 4));
      await tick();
      // Inside the transaction: nothing of it counts yet.
      expect(rs.offset - start).toBe(head.length);
      expect(t.exec("GET", "a")).toBe("1");
      master.feed(all.slice(all.length - 4));
      await tick();
      expect(rs.offset - start).toBe(head.length + tx.length);
      expect(t.exec("GET", "a")).toBe("2");
      expect(t.exec("GET", "b")).toBe("2");
      flushStream(rs);
      expect(latin1(rs.backlog?.since(start + 1) ?? new Uint8Array(0))).toBe(head + tx);
    });

    test("REPLCONF GETACK is answered with the offset before it; what follows counts after", async () => {
      const { rs, master, start } = await replicaOf(direct);
      const before = cmd("SET", "k", "v".repeat(100)) + cmd("PING");
      const getack = cmd("REPLCONF", "GETACK", "*");
      master.sent.length = 0;
      master.feed(before + getack + cmd("DEL", "k"));
      await tick();
      expect(master.sent).toEqual([cmd("REPLCONF", "ACK", String(start + before.length))]);
      expect(rs.offset - start).toBe(before.length + getack.length + cmd("DEL", "k").length);
    });

    test("bytes a command skipped (`*0`, an empty line) count with the next command, as Redis's query buffer does", async () => {
      const { rs, master, start } = await replicaOf(direct);
      const text = `*0\r\n\n${cmd("SET", "x", "1")}`;
      master.feed(text);
      await tick();
      expect(rs.offset - start).toBe(text.length);
      flushStream(rs);
      expect(latin1(rs.backlog?.since(start + 1) ?? new Uint8Array(0))).toBe(text);
    });
  });
}
