export * from './types.js';
export * from './heap.js';
export * from './rng.js';
export * from './canonical.js';
export * from './log.js';
export * from './log-file.js';
export * from './simulation.js';
export * from './checkpoint.js';
