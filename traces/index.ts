/** Trace readers, writers and format detection: the public surface of traces/. */
export type { LossReport, TraceMode, TraceRecord, TraceSource } from './types.js';
export type { OnInvalid } from './input.js';
export {
  openTrace,
  detectFormat,
  TRACE_FORMATS,
  type TraceFormat,
  type OpenTraceOptions,
  type OpenedTrace,
} from './detect.js';
export {
  readOpenb,
  readOpenbNodeRows,
  readOpenbPodRows,
  openbNodeObject,
  openbPodObject,
} from './openb/index.js';
export type { OpenbNodeRow, OpenbPodRow, OpenbOptions } from './openb/index.js';
export { readNative, writeNative, nativeLine } from './native/index.js';
export { readManifests } from './manifests/index.js';
