/**
 * `pipeThrough(new TransformStream(transformer)).pipeTo(new WritableStream(sink))`
 * as plain calls, for a connection's direct lane: the same Transformer and
 * sink objects the stream pipes use, without a promise hop per chunk.
 */

/** The part of an UnderlyingSink a pipe calls. */
export interface PipeSink<T> {
  write(chunk: T): Promise<void> | undefined | void;
  close?(): void;
}

/** Thrown out of the pipe once the transformer terminated its output. */
export class PipeTerminated extends Error {}

export function transformInto<I, O>(
  transformer: Transformer<I, O> & { transform: NonNullable<Transformer<I, O>["transform"]> },
  sink: PipeSink<O>,
): PipeSink<I> {
  let out: O[] = [];
  let terminated = false;
  const controller: TransformStreamDefaultController<O> = {
    desiredSize: 1,
    enqueue(chunk: O) {
      out.push(chunk);
    },
    terminate() {
      terminated = true;
    },
    error(reason: unknown) {
      throw reason;
    },
  };
  /** Writes outputs from `i` on, waiting for any write that asks to. */
  const feed = (outputs: O[], i: number): Promise<void> | undefined => {
    for (; i < outputs.length; i++) {
      const pending = sink.write(outputs[i] as O);
      if (pending) return pending.then(() => feed(outputs, i + 1));
    }
    if (terminated) {
      sink.close?.();
      throw new PipeTerminated();
    }
    return undefined;
  };
  return {
    write(chunk: I) {
      if (terminated) throw new PipeTerminated();
      transformer.transform(chunk, controller);
      if (out.length === 0 && !terminated) return undefined;
      const outputs = out;
      out = [];
      return feed(outputs, 0);
    },
    close() {
      if (terminated) return;
      transformer.flush?.(controller);
      const pending = feed(out, 0);
      out = [];
      if (pending) pending.then(() => sink.close?.());
      else sink.close?.();
    },
  };
}
