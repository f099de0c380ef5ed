/**
 * The message contract between a sweep's main thread and its workers: one replay cell per task, its
 * report back. Plain data only (structured clone).
 */
import type { OpenTraceOptions } from '../../traces/detect.js';
import type { CompareRun } from '../../reports/index.js';
import type { PolicySpec } from '../replay/policy.js';

/** One replay of a sweep. */
export interface SweepTask {
  readonly inputs: OpenTraceOptions;
  /** Short name of the trace, for reports. */
  readonly traceName: string;
  readonly policy: PolicySpec;
  readonly seed: string;
  readonly untilUs?: number;
  readonly bucketSeconds?: number;
  /** This cell's own report folder. */
  readonly outDir: string;
}

/** What a worker returns: the cell's report reduced to what a comparison needs (no per-pod rows). */
export type SweepTaskResult = CompareRun;
