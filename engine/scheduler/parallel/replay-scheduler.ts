import { Scheduler, type SchedulerOptions } from '../scheduler.js';
import { chooseWorkers } from './choose.js';
import { DEFAULT_BATCH_SIZE, ParallelScheduler } from './parallel-scheduler.js';

/** Options of {@link createReplayScheduler}: the Scheduler's plus `--workers`. */
export interface ReplaySchedulerOptions extends SchedulerOptions {
  /** `--workers` as parsed by parseWorkersOption. */
  readonly workers: 'auto' | number;
  /** Nodes the run is expected to hold (for `auto`). */
  readonly expectedNodes: number;
  readonly batchSize?: number;
}

/**
 * The one call the CLI needs for `--workers`: a started scheduler core (a ParallelScheduler when
 * threads will be used, else a plain Scheduler) and a `close` to await when the run ends (also on
 * failure). Results are identical either way.
 */
export async function createReplayScheduler(
  opts: ReplaySchedulerOptions,
): Promise<{ core: Scheduler; workers: number; close: () => Promise<void> }> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const workers = chooseWorkers({
    requested: opts.workers,
    config: opts.config,
    nodes: opts.expectedNodes,
    batchSize,
  });
  if (workers < 2) return { core: new Scheduler(opts), workers: 1, close: async () => {} };
  const core = new ParallelScheduler({ ...opts, workers, batchSize });
  await core.start();
  return { core, workers: core.speculative ? workers : 1, close: () => core.close() };
}
