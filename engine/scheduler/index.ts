/** kreplay's scheduler: node index, framework, in-tree plugins, profiles and the scheduling cycle. */
export { Scheduler, numFeasibleNodesToFind, DEFAULT_SCHEDULER_NAME } from './scheduler.js';
export type {
  SchedulerOptions,
  ScheduleResult,
  ScheduleSuccess,
  ScheduleFailure,
  ExplainResult,
  ExplainNode,
} from './scheduler.js';
export { loadSchedulerConfig, presetConfig, PRESETS, PRESET_NAMES } from './config.js';
export { defaultRegistry } from './plugins/index.js';
export type { SchedulerConfig, ResolvedProfile } from './framework/index.js';
export { ConfigError, Registry } from './framework/index.js';
export { NodeIndex } from './index/index.js';
