// The duration syntax lives in engine/api: the store validates `kreplay.io/duration` on pod create.
export { parseDurationUs } from '../api/duration.js';
