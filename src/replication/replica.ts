/**
 * The replica side: connect to the master, handshake as Redis 7.0 does
 * (PING, AUTH, REPLCONF listening-port / capa, PSYNC), load the snapshot
 * (`$<len>` or diskless `$EOF:<mark>` framing), then apply the command stream
 * through the engine with a master client whose replies go nowhere, counting
 * the offset byte for byte.
 */
import type { Client } from "../engine/client.ts";
import { type Engine, POSTPONED } from "../engine/engine.ts";
import { type Batch, RespDecoder } from "../resp/decoder.ts";
import type { Connection } from "../runtime/types.ts";
import { encodeCommand } from "./backlog.ts";
import { failoverPsyncDone } from "./failover.ts";
import { newBacklog } from "./master.ts";
import { takeStartupMaster } from "./rdb-info.ts";
import { LinkClosed, LinkReader } from "./reader.ts";
import type { ReplicationState } from "./state.ts";
import { StreamBytes } from "./stream-bytes.ts";
import { loadSnapshot, SyncFailed } from "./sync-load.ts";

export type LinkState = "connect" | "connecting" | "handshake" | "sync" | "connected";

/** Bytes a command occupies in the stream: masters always send canonical multibulks. */
export function commandSize(argv: readonly string[]): number {
  let n = 3 + String(argv.length).length;
  for (const a of argv) n += 5 + String(a.length).length + a.length;
  return n;
}

export class MasterLink {
  state: LinkState = "connect";
  /** The client the master's stream runs as (flag M); null while not streaming. */
  client: Client | null = null;
  /** The master's history and the db its stream had selected, kept across reconnects for PSYNC. */
  cachedReplid: string | null = null;
  #cachedDb = 0;
  lastIo = 0;
  downSince = Date.now();
  syncTotal = -1;
  syncRead = 0;
  /** The snapshot's bytes are being received (repl-timeout applies to the transfer too). */
  #receiving = false;
  #conn: Connection | null = null;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #reader: LinkReader | null = null;
  #stopped = false;
  /** The link was dropped on purpose and that was logged: the session's failure is not logged again. */
  #quietDrop = false;
  /** Wakes the session loop for its next attempt (the replication cron's next tick). */
  #retry: (() => void) | null = null;
  /** True while a command from the master runs (lookups then see keys past their TTL). */
  applying = false;
  /** The master's bytes, applied or not, not yet counted into our offset and backlog. */
  #bytes: StreamBytes | null = null;
  /** Of those, the bytes of commands applied (a MULTI block's until EXEC: the offset moves then, as in Redis). */
  #pending = 0;
  /**
   * Bytes committed but not yet counted: counted once per read (and before
   * anything in a batch could see the offset), so a pipelined burst costs one
   * copy into our backlog instead of one per command.
   */
  #ready = 0;

  constructor(
    readonly rs: ReplicationState,
    readonly host: string,
    readonly port: number,
  ) {}

  get engine(): Engine {
    return this.rs.engine;
  }

  start(): void {
    // A replica restarted on its own RDB continues where that file left the master's stream.
    const saved = takeStartupMaster(this.rs);
    if (saved !== undefined && this.cachedReplid === null) {
      this.cachedReplid = saved.replid;
      this.#cachedDb = saved.db;
    }
    void this.#run();
  }

  /** Takes over the master history a previous link (to another address) had reached, for PSYNC. */
  continueFrom(old: MasterLink): void {
    this.cachedReplid = old.cachedReplid;
    this.#cachedDb = old.client?.db ?? old.#cachedDb;
  }

  /** The db the master's stream has selected, for a save's repl-stream-db; null with no master, cached or connected. */
  streamDbForSave(): number | null {
    if (this.client !== null) return this.client.db;
    return this.cachedReplid !== null ? this.#cachedDb : null;
  }

  /** Ends the link for good (REPLICAOF NO ONE or another master). */
  stop(): void {
    this.#stopped = true;
    this.#retry?.();
    this.#retry = null;
    this.#drop();
  }

  /** Once a second: REPLCONF ACK, and drop a link silent for longer than repl-timeout. */
  cron(): void {
    // A lost link is retried from the cron, as Redis's replicationCron does: within a second, at no fixed
    // distance from the loss (a retry exactly 1 s later lined up with clients polling once a second).
    if (this.#retry !== null) {
      const retry = this.#retry;
      this.#retry = null;
      retry();
      return;
    }
    const timeout = this.engine.config.num("repl-timeout") * 1000;
    // A master that stopped answering mid-handshake (it sends a newline a second while it prepares our sync).
    if ((this.state === "connecting" || this.state === "handshake") && this.#conn !== null && Date.now() - this.lastIo > timeout) {
      this.#log("warning", "Timeout connecting to the MASTER...");
      this.#quietDrop = true;
      this.#drop();
      return;
    }
    if (this.#receiving && Date.now() - this.lastIo > timeout) {
      this.#log(
        "warning",
        "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.",
      );
      this.#drop();
      return;
    }
    if (this.state !== "connected") return;
    if (Date.now() - this.lastIo > timeout) {
      this.#log("warning", "MASTER timeout: no data nor PING received...");
      this.#drop();
      return;
    }
    this.sendAck();
  }

  sendAck(): void {
    this.#send(["REPLCONF", "ACK", String(this.rs.offset)]);
  }

  #send(argv: string[]): void {
    this.#writer?.write(encodeCommand(argv)).catch(() => {});
  }

  #log(level: "notice" | "warning", text: string): void {
    if (level === "notice") this.rs.host?.notice(text);
    else this.rs.host?.warning(text);
  }

  #drop(): void {
    if (this.client !== null) {
      // Redis caches the master client; what matters for PSYNC is its db and our offset.
      this.#cachedDb = this.client.db;
      if (this.engine.clients.has(this.client.id)) this.engine.removeClient(this.client);
      this.client = null;
    }
    // What was applied counts, as it did the moment it ran.
    this.#flush();
    this.#pending = 0;
    this.#bytes = null;
    this.#receiving = false;
    this.#reader?.cancel();
    this.#reader = null;
    this.#conn?.destroy();
    this.#conn = null;
    this.#writer = null;
    if (this.state === "connected") this.downSince = Date.now();
    this.state = "connect";
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#session();
      } catch (e) {
        if (this.#stopped) return;
        const wasConnected = this.state === "connected";
        this.#drop();
        this.syncTotal = -1;
        if (this.#quietDrop) {
          // Logged where it was dropped.
        } else if (e instanceof SyncFailed) {
          // Logged where it failed.
        } else if (e instanceof LinkClosed) {
          this.#log("warning", wasConnected ? "Connection with master lost." : "Master closed the connection during sync");
        } else this.#log("warning", `Error condition on socket for SYNC: ${(e as Error).message}`);
      }
      if (this.#stopped) return;
      this.#quietDrop = false;
      // Redis retries from its once-a-second replication cron.
      await new Promise<void>((res) => {
        this.#retry = res;
      });
    }
  }

  async #session(): Promise<void> {
    const host = this.rs.host;
    if (host === null) throw new Error("no runtime to connect with");
    this.state = "connecting";
    this.#log("notice", `Connecting to MASTER ${this.host}:${this.port}`);
    this.#log("notice", "MASTER <-> REPLICA sync started");
    const conn = await host.connectTcp(this.host, this.port);
    if (this.#stopped) {
      conn.destroy();
      return;
    }
    this.#conn = conn;
    this.#writer = conn.writable.getWriter();
    const reader = LinkReader.of(conn, (n) => {
      this.lastIo = Date.now();
      this.syncRead += n;
    });
    this.#reader = reader;
    this.lastIo = Date.now();
    this.state = "handshake";
    this.#log("notice", "Non blocking connect for SYNC fired the event.");

    this.#send(["PING"]);
    let reply = await reader.line();
    // An auth error here is fine: AUTH comes next (as in Redis).
    if (reply.startsWith("-") && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(reply)) {
      throw new Error(`Error reply to PING from master: '${reply}'`);
    }
    this.#log("notice", "Master replied to PING, replication can continue...");
    const config = this.engine.config;
    const auth = config.get("masterauth");
    if (auth !== "") {
      const user = config.get("masteruser");
      this.#send(user !== "" ? ["AUTH", user, auth] : ["AUTH", auth]);
      reply = await reader.line();
      if (reply.startsWith("-")) throw new Error(`Unable to AUTH to MASTER: ${reply}`);
    }
    const port = config.num("replica-announce-port") || (host.listeningPort?.() ?? config.num("port"));
    this.#send(["REPLCONF", "listening-port", String(port)]);
    reply = await reader.line();
    if (reply.startsWith("-")) this.#log("notice", `(Non critical) Master does not understand REPLCONF listening-port: ${reply}`);
    const ip = config.get("replica-announce-ip");
    if (ip !== "") {
      this.#send(["REPLCONF", "ip-address", ip]);
      reply = await reader.line();
      if (reply.startsWith("-")) this.#log("notice", `(Non critical) Master does not understand REPLCONF ip-address: ${reply}`);
    }
    this.#send(["REPLCONF", "capa", "eof", "capa", "psync2"]);
    reply = await reader.line();
    if (reply.startsWith("-")) this.#log("notice", `(Non critical) Master does not understand REPLCONF capa: ${reply}`);

    const replid = this.cachedReplid ?? "?";
    const from = this.cachedReplid === null ? -1 : this.rs.offset + 1;
    if (replid !== "?") this.#log("notice", `Trying a partial resynchronization (request ${replid}:${from}).`);
    else this.#log("notice", "Partial resynchronization not possible (no cached master)");
    // A master handing over its role asks the target to promote itself first (PSYNC ... FAILOVER).
    const failingOver = this.rs.failover?.state === "failover-in-progress";
    this.#send(failingOver ? ["PSYNC", replid, String(from), "FAILOVER"] : ["PSYNC", replid, String(from)]);
    do reply = await reader.line();
    while (reply === "");
    if (failingOver) {
      const accepted = reply.startsWith("+CONTINUE") || reply.startsWith("+FULLRESYNC");
      failoverPsyncDone(this.rs, accepted);
      // Rejected: the failover was undone and this link stopped (we are a master again).
      if (!accepted) return;
    }

    if (reply.startsWith("+CONTINUE")) {
      const newId = reply.slice(10).trim();
      this.#log("notice", "Successful partial resynchronization with master.");
      if (newId !== "" && newId !== this.cachedReplid) {
        // The master moved to a new history (it was promoted): ours follows, the old one stays valid up to here.
        this.rs.replid2 = this.cachedReplid ?? this.rs.replid2;
        this.rs.secondOffset = this.rs.offset + 1;
        this.rs.replid = newId;
        this.cachedReplid = newId;
        this.#log("notice", `Master replication ID changed to ${newId}`);
        this.#disconnectSubReplicas();
      }
      this.#log("notice", "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
      // Restarted from an RDB, we have no backlog yet: keep one, as any replica does.
      if (this.rs.backlog === null) newBacklog(this.rs);
      await this.#stream(reader, this.#cachedDb);
      return;
    }
    const full = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)/.exec(reply);
    if (full === null) {
      if (reply.startsWith("-NOMASTERLINK") || reply.startsWith("-LOADING")) {
        this.#log("notice", `Master is currently unable to PSYNC but should be in the future: ${reply}`);
      } else this.#log("warning", `Unexpected reply to PSYNC from master: ${reply}`);
      throw new Error(`PSYNC failed: ${reply}`);
    }
    const [, masterId, offsetText] = full as unknown as [string, string, string];
    this.#log("notice", `Full resync from master: ${masterId}:${offsetText}`);
    this.state = "sync";
    this.syncRead = 0;
    this.#receiving = true;
    let header: string;
    do header = await reader.line();
    while (header === "");
    // Payload bytes only (Redis's repl_transfer_read): what came with the header in the same read counts, the rest not.
    this.syncRead = reader.buffered;
    if (header.startsWith("-")) throw new Error(`MASTER aborted replication with an error: ${header.slice(1)}`);
    if (!header.startsWith("$")) throw new Error(`Bad protocol from MASTER, the first byte is not '$': ${header}`);
    const rs = this.rs;
    const streamDb = await loadSnapshot(
      {
        engine: this.engine,
        fs: host.fs,
        reader,
        masterId,
        ourId: rs.replid,
        log: (level, text) => this.#log(level, text),
        setTotal: (n) => {
          this.syncTotal = n;
        },
        setReceiving: (on) => {
          this.#receiving = on;
        },
        attachToNewMaster: () => {
          if (this.cachedReplid !== null) this.#log("notice", "Discarding previously cached master state.");
          this.cachedReplid = null;
          // Our own replicas hold the old dataset: they must resync with the new one.
          this.#disconnectSubReplicas();
        },
      },
      header,
    );
    // REPLICAOF NO ONE (or another master) while loading: this link's history is not ours any more.
    if (this.#stopped) return;
    this.rs.offset = Number(offsetText);
    this.rs.replid = masterId;
    this.rs.replid2 = "0".repeat(40);
    this.rs.secondOffset = -1;
    this.cachedReplid = masterId;
    this.syncTotal = -1;
    // Our own backlog of the master's stream, so whoever continues this history later (the old
    // master after a failover) can resync partially with us.
    newBacklog(this.rs);
    this.#log("notice", "MASTER <-> REPLICA sync: Finished with success");
    await this.#stream(reader, streamDb);
  }

  #disconnectSubReplicas(): void {
    for (const r of [...this.rs.replicas]) r.client.kill();
  }

  /** Applied commands count into the offset (and our backlog), at a transaction's end when inside one. */
  #commit(): void {
    this.#ready += this.#pending;
    this.#pending = 0;
  }

  /** Counts what was committed: into our backlog and on to our own replicas, byte for byte as the master sent it. */
  #flush(): void {
    if (this.#ready === 0) return;
    this.#bytes?.commit(this.rs, this.#ready);
    this.#ready = 0;
  }

  #apply(client: Client, argv: string[]): ReturnType<Engine["execute"]> {
    this.applying = true;
    try {
      return this.engine.execute(client, argv);
    } finally {
      this.applying = false;
    }
  }

  /**
   * Applies a batch from command `i` on. Returns a promise only when a
   * command had to wait (CLIENT PAUSE): reading then holds until it settles.
   */
  #applyBatch(client: Client, batch: Batch, sizes: number[], i: number): Promise<void> | undefined {
    for (; i < batch.length; i++) {
      const item = batch[i] as Batch[number];
      if (!Array.isArray(item)) throw new Error(`Protocol error from master: ${item.message}`);
      if (this.client !== client) return undefined;
      // REPLCONF GETACK answers with our offset: it must include every command before it.
      if (isReplconf(item[0] as string)) this.#flush();
      const r = this.#apply(client, item);
      if (r === POSTPONED) {
        this.#flush();
        return this.#applyLater(client, batch, sizes, i);
      }
      this.#applied(client, sizes[i] as number);
    }
    this.#flush();
    return undefined;
  }

  async #applyLater(client: Client, batch: Batch, sizes: number[], i: number): Promise<void> {
    const item = batch[i] as string[];
    do {
      await this.engine.whenUnpaused();
      if (this.client !== client) return;
    } while (this.#apply(client, item) === POSTPONED);
    this.#applied(client, sizes[i] as number);
    await this.#applyBatch(client, batch, sizes, i + 1);
  }

  #applied(client: Client, size: number): void {
    client.afterCommand();
    this.#pending += size;
    if (client.multiQueued < 0) this.#commit();
  }

  /** Applies the master's stream until the link ends. */
  async #stream(reader: LinkReader, db: number): Promise<void> {
    const engine = this.engine;
    // Replies to the master's commands go nowhere; killing this client (CLIENT KILL TYPE master) drops the link.
    const client = engine.createClient(`${this.host}:${this.port}`, "", {
      write() {},
      backpressure: undefined,
      pendingBytes: 0,
      closeAfterFlush() {},
      destroy: () => {
        if (this.client === client) this.#drop();
      },
    });
    if (client === null) throw new Error("max number of clients reached");
    client.authenticated = true;
    client.extraFlags = "M";
    client.db = db;
    this.client = client;
    this.state = "connected";
    this.lastIo = Date.now();
    // Tell the master where we are at once (it waits for this after a diskless transfer).
    this.sendAck();
    const decoder = new RespDecoder({
      maxBulkLen: Number.MAX_SAFE_INTEGER,
      queryBufferLimit: Number.MAX_SAFE_INTEGER,
      authRequired: () => false,
    });
    // Each command's size in the stream, so applied commands pass on as the very bytes received.
    decoder.sizes = [];
    const bytes = new StreamBytes();
    this.#bytes = bytes;
    this.#pending = 0;
    this.#ready = 0;
    // The same synchronous driving as a client connection's direct lane (plain calls per read).
    await reader.pipeTo({
      write: (chunk) => {
        if (this.client !== client) return undefined;
        bytes.push(chunk);
        const batch = decoder.decode(chunk);
        if (batch.length === 0) return undefined;
        return this.#applyBatch(client, batch, decoder.sizes as number[], 0);
      },
    });
    throw new LinkClosed();
  }
}

function isReplconf(name: string): boolean {
  return name.length === 8 && name.toLowerCase() === "replconf";
}
