/** The node index: struct-of-arrays over node slots, maintained incrementally. */
export {
  NodeIndex,
  RES_CPU,
  RES_MEMORY,
  RES_EPHEMERAL_STORAGE,
  RES_PODS,
  podHostPorts,
} from './node-index.js';
export type {
  PodResources,
  HostPort,
  IndexedPod,
  IndexListener,
  DomainCounter,
  PodWeight,
} from './node-index.js';
export { Interner } from './interner.js';
