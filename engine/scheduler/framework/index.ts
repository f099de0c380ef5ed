/** The scheduling framework: statuses, plugin interfaces, cycle state, registry, profiles. */
export * from './status.js';
export * from './types.js';
export { CycleState } from './cycle-state.js';
export { ReasonTable } from './reasons.js';
export type { ReasonEntry } from './reasons.js';
export { Registry } from './registry.js';
export { Framework } from './framework.js';
export type { PreFilterOutcome } from './framework.js';
export { resolveSchedulerConfig, ConfigError, DEFAULT_MULTIPOINT, KNOWN_UPSTREAM_PLUGINS } from './config.js';
export type { PluginRef, ResolvedProfile, SchedulerConfig } from './config.js';
export { DefaultNormalizeScore as defaultNormalizeScore } from './helpers.js';
export { pluginArgs } from './helpers.js';
export type { ArgsReader } from './helpers.js';
export { makePodInfo } from './pod-info.js';
