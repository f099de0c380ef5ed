/**
 * The message contract between the fill experiment's main thread and its workers: one task per cell,
 * one result back. Plain data only (structured clone).
 */
import type { GpuPolicy } from '../../engine/gpu/index.js';
import type { FillCellResult } from './cell.js';

/** One cell for a worker: it reads (and caches) the two CSVs itself. */
export interface FillTask {
  readonly nodesPath: string;
  readonly podsPath: string;
  readonly workload: string;
  readonly policy: GpuPolicy;
  readonly seed: number;
  readonly maxLoad: number;
}

/** What a worker sends back: the cell's curves. */
export type FillTaskResult = FillCellResult;
