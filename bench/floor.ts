/**
 * The floor under respd on Bun: a server that does nothing per command but
 * count it, answering every command of a read with the same bulk reply
 * `$3\r\nxxx\r\n`, one socket write per read (or per turn with --per-turn).
 * Its CPU per request under `redis-benchmark -t get -P 16` is what Bun's
 * event loop, the Buffer per read, the call into JS and the write cost
 * before any RESP parsing or command execution (see bench/RESULTS.md,
 * session 3). Counting `*` bytes is only right for redis-benchmark's
 * requests, which carry no `*` in their arguments.
 *
 * Usage: bun run bench/floor.ts [port] [--per-turn]
 *   then: redis-benchmark -p <port> -c 50 -P 16 -n 1000000 -t get -q
 *   and read utime+stime of the process from /proc/<pid>/stat before and after.
 */
const REPLY = new TextEncoder().encode("$3\r\nxxx\r\n");
const STAR = 42;
const port = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 7781);
const perTurn = process.argv.includes("--per-turn");

const replies = new Uint8Array(REPLY.length * 4096);
for (let i = 0; i < 4096; i++) replies.set(REPLY, i * REPLY.length);

interface Owed {
  commands: number;
}
const owing = new Set<import("bun").Socket<Owed>>();
let flushQueued = false;

function answer(socket: import("bun").Socket<Owed>, commands: number): void {
  for (let left = commands; left > 0; left -= 4096) {
    socket.write(replies, 0, Math.min(left, 4096) * REPLY.length);
  }
}

function flushOwed(): void {
  flushQueued = false;
  for (const socket of owing) {
    answer(socket, socket.data.commands);
    socket.data.commands = 0;
  }
  owing.clear();
}

Bun.listen<Owed>({
  hostname: "127.0.0.1",
  port,
  socket: {
    open(socket) {
      socket.data = { commands: 0 };
    },
    data(socket, chunk) {
      let commands = 0;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === STAR) commands++;
      if (!perTurn) return answer(socket, commands);
      socket.data.commands += commands;
      owing.add(socket);
      if (!flushQueued) {
        flushQueued = true;
        setImmediate(flushOwed);
      }
    },
  },
});
console.log(`floor server on 127.0.0.1:${port} (pid ${process.pid})${perTurn ? ", writes per turn" : ""}`);
