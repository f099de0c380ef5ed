/**
 * engine/api public surface: the Kubernetes object model, quantities, selectors, validation,
 * manifests and the object store.
 */
export * from './errors.js';
export * from './quantity.js';
export * from './resources.js';
export * from './resource-names.js';
export * from './types.js';
export * from './selector.js';
export * from './validate.js';
export * from './store.js';
export * from './manifest.js';
export * from './copy.js';
