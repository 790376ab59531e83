/**
 * Where a propagated command goes. Most writes go to both the AOF and the
 * replicas; PUBLISH goes to replicas only (a reloaded AOF must not publish
 * again), as Redis's PROPAGATE_REPL.
 */
export const PROPAGATE_AOF = 1;
export const PROPAGATE_REPL = 2;
export const PROPAGATE_ALL = PROPAGATE_AOF | PROPAGATE_REPL;
