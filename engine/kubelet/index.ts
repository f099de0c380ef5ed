export * from './kubelet.js';
export * from './duration.js';
