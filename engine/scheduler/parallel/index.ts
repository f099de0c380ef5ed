/** Speculative batches on worker threads: same decisions as the sequential scheduler, faster on big clusters. */
export {
  ParallelScheduler,
  DEFAULT_BATCH_SIZE,
  speculationIneligibility,
  type ParallelSchedulerOptions,
  type ParallelStats,
} from './parallel-scheduler.js';
export { SpeculationPool, ParallelWorkerError, DEFAULT_ANSWER_TIMEOUT_MS } from './pool.js';
export {
  chooseWorkers,
  parseWorkersOption,
  pluginCostFactor,
  AUTO_MIN_WORK,
  AUTO_MIN_NODES,
  AUTO_MAX_WORKERS,
  AUTO_MIN_CORES,
  type ChooseWorkersInput,
} from './choose.js';
export { createReplayScheduler, type ReplaySchedulerOptions } from './replay-scheduler.js';
export type * from './protocol.js';
