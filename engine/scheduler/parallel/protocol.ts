/**
 * The message contract between the main-side pool (pool.ts) and the worker entry (worker.ts). Plain
 * data only: everything here crosses threads by structured clone (typed arrays by transfer).
 */
import type { LabelSelector, Node, Pod } from '../../api/types.js';
import type { MessagePort } from 'node:worker_threads';
import type { SchedulerConfig } from '../framework/index.js';

/** Index of the request counter in a worker's control block (main → worker). */
export const CTL_REQUEST = 0;
/** Index of the response counter in a worker's control block (worker → main). */
export const CTL_RESPONSE = 1;
/** Int32 slots of a control block. */
export const CTL_LENGTH = 2;

/** One mutation of the node index, replayed by every worker on its replica in the owner's order. */
export type IndexOp =
  | { readonly op: 'addNode'; readonly node: Node }
  | { readonly op: 'updateNode'; readonly node: Node }
  | { readonly op: 'removeNode'; readonly name: string }
  | { readonly op: 'addPod'; readonly pod: Pod }
  | { readonly op: 'removePod'; readonly pod: Pod };

/** The task piscina runs once per thread: a session served synchronously over `port` until `close`. */
export interface ServeTask {
  readonly port: MessagePort;
  /** SharedArrayBuffer of CTL_LENGTH Int32 counters (see CTL_*). */
  readonly ctl: SharedArrayBuffer;
  readonly config: SchedulerConfig;
}

/**
 * The cluster lookups (plugins/cluster-lookups.ts) as the owner saw them at the snapshot. `null` = the
 * owner has no such lookup. A lookup the worker needs but was not given makes the pod fall back.
 */
export interface LookupsSnapshot {
  readonly namespaceLabels:
    readonly (readonly [string, Readonly<Record<string, string>> | undefined])[] | null;
  /** `ownerSelectors(pod)` per pod of the request, in order. */
  readonly ownerSelectors: readonly (readonly LabelSelector[])[] | null;
}

/** Evaluate `pods` against the snapshot reached after applying `ops`. */
export interface SpeculateRequest {
  readonly type: 'speculate';
  readonly ops: readonly IndexOp[];
  readonly lookups: LookupsSnapshot;
  readonly pods: readonly Pod[];
}

/** End the session (the piscina task returns). */
export interface CloseRequest {
  readonly type: 'close';
}

export type WorkerRequest = SpeculateRequest | CloseRequest;

/** A pod the worker leaves to the owner's sequential cycle (failure paths, narrowing, ...). */
export interface FallbackSpeculation {
  readonly kind: 'fallback';
  readonly why: string;
}

/**
 * Filter + Score of one pod over every live node of the snapshot (exhaustive scoring), in slot order.
 * Everything the owner needs to pick exactly as `Scheduler.scheduleOne` would, after patching nodes
 * that earlier commits of the batch touched.
 */
export interface ScoredSpeculation {
  readonly kind: 'scored';
  /** `index.size` / `index.count` of the snapshot (sanity check against the owner's index). */
  readonly size: number;
  readonly count: number;
  /** Feasible slots, ascending. */
  readonly slots: Int32Array;
  /** Σ weight × normalized score per entry of `slots`. */
  readonly totals: Float64Array;
  /**
   * The part of `totals` from plugins whose per-node score does not change when pods are bound
   * (STABLE_SCORE_PLUGINS), valid as long as the feasible set keeps their normalization bounds.
   */
  readonly stable: Float64Array;
  /** Filter plugins that ran (not skipped by PreFilter). */
  readonly filters: readonly string[];
  /** Score plugins that ran (not skipped by PreScore). */
  readonly scores: readonly string[];
  /** Some normalizing score plugin saw different raw scores (its bound may move if a node drops out). */
  readonly nonUniformNormalized: boolean;
}

export type PodSpeculation = FallbackSpeculation | ScoredSpeculation;

export type WorkerResponse =
  | { readonly type: 'result'; readonly results: readonly PodSpeculation[] }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'closed' };
