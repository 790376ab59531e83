import type { Client } from "../engine/client.ts";
import type { Engine } from "../engine/engine.ts";
import { ByteWriter } from "../resp/bytes.ts";
import type { Connection, FileSystem } from "../runtime/types.ts";
import type { Backlog } from "./backlog.ts";

/** What replication needs from the process around the engine (wired by src/server/server.ts). */
export interface ReplicationHost {
  connectTcp(host: string, port: number): Promise<Connection>;
  /** Files (a replica's disk-based load writes the snapshot to one). */
  readonly fs: FileSystem;
  notice(text: string): void;
  warning(text: string): void;
  /** The port this server listens on, for REPLCONF listening-port. */
  listeningPort?(): number;
  /** Switches the log's role letter (M master, S replica). */
  setRole?(role: "M" | "S"): void;
}

/** A replica attached to this server (master side), one per PSYNC/SYNC client. */
export interface AttachedReplica {
  client: Client;
  /** REPLCONF listening-port / ip-address. */
  port: number;
  ip: string;
  capaEof: boolean;
  capaPsync2: boolean;
  /** Set once the snapshot (or the backlog's tail) was sent: the link then carries the stream. */
  online: boolean;
  /**
   * While a full sync runs and until the replica's first ACK after a diskless one: the stream
   * offset from which the stream is held back to follow the snapshot (it stays in the shared
   * replication buffer, as in Redis 7.0); null = streaming live.
   */
  heldFrom: number | null;
  /** Last REPLCONF ACK offset and when it came (ms). */
  ackOffset: number;
  ackTime: number;
}

/** A client parked by WAIT until `numreplicas` replicas acknowledged `offset`. */
export interface PendingWait {
  client: Client;
  offset: number;
  numreplicas: number;
}

export function randomReplId(): string {
  let id = "";
  for (let i = 0; i < 40; i++) id += "0123456789abcdef"[(Math.random() * 16) | 0];
  return id;
}

/**
 * The replication state of one engine (Redis's server.repl* fields). It exists
 * for every engine but does nothing until a replica attaches or REPLICAOF is set:
 * no propagation listener, no timers, no gates before that.
 */
export class ReplicationState {
  replid = randomReplId();
  replid2 = "0".repeat(40);
  /** master_repl_offset: stream bytes produced (master) or processed (replica). */
  offset = 0;
  secondOffset = -1;
  backlog: Backlog | null = null;
  /** The db the stream last SELECTed; -1 forces a SELECT before the next command. */
  seldb = -1;
  readonly replicas: AttachedReplica[] = [];
  /** Stream bytes counted in `offset` but not yet in the backlog nor sent: see flushStream. */
  readonly unsent = new ByteWriter(1024);
  /** By client id, for REPLCONF from a client that is not yet streaming. */
  readonly byClient = new Map<number, AttachedReplica>();
  waits: PendingWait[] = [];
  /** A REPLCONF GETACK is queued for this event-loop turn. */
  ackRequested = false;
  #stats = { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 };
  #statsGeneration = 0;
  /** sync_full / sync_partial_ok / sync_partial_err; CONFIG RESETSTAT (a new stats generation) zeroes them. */
  get stats(): { syncFull: number; syncPartialOk: number; syncPartialErr: number } {
    const generation = this.engine.stats.generation;
    if (generation !== this.#statsGeneration) {
      this.#statsGeneration = generation;
      this.#stats = { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 };
    }
    return this.#stats;
  }
  host: ReplicationHost | null = null;
  /** A FAILOVER in progress (see failover.ts). */
  failover: import("./failover.ts").Failover | null = null;
  /** Set while this server replicates from a master (see replica.ts). */
  link: import("./replica.ts").MasterLink | null = null;
  /** The full sync in progress or waiting for repl-diskless-sync-delay, and replicas waiting for the next one. */
  sync: import("./fullsync.ts").FullSync | null = null;
  readonly syncQueue: AttachedReplica[] = [];
  /** The client whose command runs now, and the stream offset each client's last write reached (Redis's c->woff). */
  current: Client | null = null;
  readonly woff = new WeakMap<Client, number>();
  /** Hooks installed once, the first time they are needed. */
  gateInstalled = false;
  feedInstalled = false;
  goneInstalled = false;
  replicaHooksInstalled = false;
  cronTimer: ReturnType<typeof setInterval> | null = null;
  /** Once a replica, always keep the history ids on backlog creation (Redis's replica always had a backlog). */
  wasReplica = false;

  /** Per db: keys a writable replica's own clients gave a TTL (the replica expires them itself). */
  readonly #localExpires = new Map<number, Set<string>>();

  constructor(readonly engine: Engine) {}

  localExpires(db: number): Set<string> {
    let s = this.#localExpires.get(db);
    if (s === undefined) this.#localExpires.set(db, (s = new Set()));
    return s;
  }

  /** Moves to a new history (Redis's shiftReplicationId): the old id stays valid up to the current offset. */
  shiftReplId(): void {
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.replid = randomReplId();
  }
}

const states = new WeakMap<Engine, ReplicationState>();

export function replicationOf(engine: Engine): ReplicationState {
  let s = states.get(engine);
  if (s === undefined) {
    s = new ReplicationState(engine);
    states.set(engine, s);
  }
  return s;
}
