export * from './kubelet.js';
export { parseDurationUs } from '../api/duration.js';
