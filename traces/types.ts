import type { KObject } from '../engine/api/types.js';

/** One timed API call of a trace: what every reader yields. */
export interface TraceRecord {
  /** Virtual time in integer microseconds from the trace origin. */
  readonly timeUs: number;
  readonly op: 'create' | 'update' | 'delete';
  readonly object: KObject;
}

/** What a format could not say, reported by `trace stats` and kept in run summaries. */
export interface LossReport {
  readonly format: string;
  /** Human-readable statements, e.g. "no owner column: every pod is a bare Pod". */
  readonly notes: string[];
  /** Rows skipped with `--on-invalid skip`, by reason. */
  readonly skipped: Record<string, number>;
}
