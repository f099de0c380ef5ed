/** Executors: where a sweep's independent cells run. See docs/distributed.md. */
import type { CellKind, CellKinds } from './protocol.js';

/** How one batch of cells is run and reported. */
export interface ExecutorRunOptions<T> {
  /** Names a cell in progress and error messages (`run fgd on small with seed 2`). */
  readonly describe: (task: T) => string;
  /** Called after each finished cell, in completion order. */
  readonly onDone?: (done: number, total: number) => void;
  /**
   * Where finished cells are recorded (`<key>.json`) so a re-run skips them; the queue executor
   * uses it, the local one ignores it. Usually `<out>/.cells`.
   */
  readonly stateDir?: string;
}

/** What an executor did in its last `run`: cells run by a worker, and cells reused from earlier. */
export interface ExecutorStats {
  readonly executed: number;
  readonly reused: number;
}

/**
 * Runs independent, deterministic cells and returns their results in task order, so outputs do not
 * depend on where or in which order cells ran. A failed cell rejects the whole batch with
 * CellFailedError naming every failed cell and its error.
 */
export interface Executor {
  /** `local` (worker threads of this process) or `queue` (BullMQ workers anywhere). */
  readonly name: 'local' | 'queue';
  run<K extends CellKind>(
    kind: K,
    tasks: readonly CellKinds[K]['task'][],
    opts: ExecutorRunOptions<CellKinds[K]['task']>,
  ): Promise<CellKinds[K]['result'][]>;
  /** Counts of the last `run`. */
  readonly stats: ExecutorStats;
  /** Releases connections and threads; the executor is unusable afterwards. */
  close(): Promise<void>;
}
