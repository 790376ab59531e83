/**
 * Protected mode (networking.c, clientAcceptHandler): with `protected-mode yes`
 * and no password for the default user, a connection from anywhere but the
 * loopback interface or a unix socket gets this error and is closed. `bind`
 * plays no part, as in Redis 7.0.
 */
import type { Engine } from "../engine/engine.ts";

export const PROTECTED_MODE_DENIED =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. " +
  "In this mode connections are only accepted from the loopback interface. " +
  "If you want to connect from external computers to Redis you may adopt one of the following solutions: " +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface " +
  "by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible " +
  "from internet if you do so. Use CONFIG REWRITE to make this change permanent. " +
  "2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the " +
  "protected mode option to 'no', and then restarting the server. " +
  "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
  "4) Setup a an authentication password for the default user. " +
  "NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

/** Whether a peer address ("ip:port", "[v6]:port", "/path:0") is this host: loopback or a unix socket. */
export function isLocalPeer(remote: string): boolean {
  if (remote.startsWith("/") || remote === "" || remote.startsWith(":")) return true;
  const host = remote.startsWith("[") ? remote.slice(1, remote.indexOf("]")) : remote.slice(0, remote.lastIndexOf(":"));
  const v4 = host.startsWith("::ffff:") ? host.slice(7) : host;
  return v4.startsWith("127.") || host === "::1";
}

/** True when this new connection must be refused with PROTECTED_MODE_DENIED. */
export function deniedByProtectedMode(engine: Engine, remote: string): boolean {
  return engine.config.bool("protected-mode") && engine.config.get("requirepass") === "" && !isLocalPeer(remote);
}
