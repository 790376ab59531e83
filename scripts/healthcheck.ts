/**
 * Container health check: `bun run scripts/healthcheck.ts [port] [host]`
 * (default 127.0.0.1:6379). Sends PING and exits 0 on +PONG, 1 on anything
 * else (an error such as -LOADING or -NOAUTH, no answer within 3 s, refused).
 * With REDISCLI_AUTH set (redis-cli's convention) it sends AUTH first.
 */
import { connect } from "node:net";

const port = Number(process.argv[2] ?? 6379);
const host = process.argv[3] ?? "127.0.0.1";
const password = process.env.REDISCLI_AUTH;

/** A command as a RESP array, so a password with spaces or quotes goes through untouched. */
const resp = (...argv: string[]) => `*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
const request = (password ? resp("AUTH", password) : "") + resp("PING");
const expected = `${password ? "+OK\r\n" : ""}+PONG\r\n`;

function check(): Promise<boolean> {
  return new Promise((resolve) => {
    let got = "";
    const sock = connect({ port, host }, () => sock.write(request));
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 3000);
    sock.on("data", (d: Buffer) => {
      got += d.toString("latin1");
      if (got.length >= expected.length || got.startsWith("-")) done(got === expected);
    });
    sock.on("error", () => done(false));
    sock.on("close", () => done(got === expected));
  });
}

const ok = await check();
if (!ok) console.error(`healthcheck: no PONG from ${host}:${port}`);
process.exit(ok ? 0 : 1);
