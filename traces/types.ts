import type { KObject } from '../engine/api/types.js';

/** One timed API call of a trace: what every reader yields. */
export interface TraceRecord {
  /** Virtual time in integer microseconds from the trace origin. */
  readonly timeUs: number;
  readonly op: 'create' | 'update' | 'delete';
  readonly object: KObject;
  /** Where the record came from, so that a call the API server refuses can be reported at its line. */
  readonly source?: RecordSource;
}

/** A record's file and 1-based line. */
export interface RecordSource {
  readonly file: string;
  readonly line: number;
}

/** What a format could not say, reported by `trace stats` and kept in run summaries. */
export interface LossReport {
  readonly format: string;
  /** Human-readable statements, e.g. "no owner column: every pod is a bare Pod". */
  readonly notes: string[];
  /** Rows skipped with `--on-invalid skip`, by reason. */
  readonly skipped: Record<string, number>;
}

/**
 * An opened trace: its records and its loss report. The loss report's `skipped` counts and any notes
 * that depend on the data are complete once `records` has been iterated to the end.
 */
export interface TraceSource {
  readonly format: string;
  readonly records: AsyncIterable<TraceRecord>;
  readonly loss: LossReport;
}

/** Replay modes of formats that carry both times and packing demand. */
export type TraceMode = 'time-faithful' | 'arrival-only';
