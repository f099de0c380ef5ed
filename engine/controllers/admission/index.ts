/**
 * Admission plugins of the simulated API server (they live with the control plane because the
 * ResourceQuota plugin shares its tally with the quota controller): ResourceQuota, LimitRange,
 * Priority.
 */
export * from './resource-quota.js';
export * from './limit-range.js';
export * from './priority.js';
export * from './quantities.js';
