import { streamWriteBytes } from "./master.ts";
import type { ReplicationState } from "./state.ts";

/**
 * The master's stream as received, from the first byte not yet counted into
 * our offset. Applied commands are counted by their size in the stream and
 * passed on to our backlog and replicas as those very bytes (as Redis's
 * replica does with its query buffer), so nothing is re-encoded.
 */
export class StreamBytes {
  #chunks: Uint8Array[] = [];
  /** Where the uncounted bytes start in #chunks[0]. */
  #pos = 0;

  /** One read from the master (kept until counted; reads are not reused by the runtimes). */
  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
  }

  /** Counts the next `n` bytes into the offset, and into the backlog when there is one. */
  commit(rs: ReplicationState, n: number): void {
    if (rs.backlog === null) rs.offset += n;
    const chunks = this.#chunks;
    while (n > 0) {
      const chunk = chunks[0];
      if (chunk === undefined) throw new Error("replication stream: counted more bytes than received");
      const take = Math.min(n, chunk.length - this.#pos);
      if (rs.backlog !== null) streamWriteBytes(rs, chunk, this.#pos, this.#pos + take);
      n -= take;
      this.#pos += take;
      if (this.#pos === chunk.length) {
        chunks.shift();
        this.#pos = 0;
      }
    }
  }
}
