/**
 * The vocabulary of the event log: every state change of a replay is one of these entries
 * (`{seq, time, type, ...payload}`). Reports are folds over exactly these types. Keys are
 * `namespace/name` for pods, the node name for nodes.
 */
import type { KObject } from '../api/types.js';

/**
 * `api`: one committed store mutation (create/update/delete). It carries the stored object, except
 * for Pods after their creation: a Pod update carries `patch`, the merge patch (RFC 7386) from the
 * previous version (`applyMergePatch` rebuilds the object), and a Pod delete neither.
 */
export interface ApiEvent {
  verb: 'create' | 'update' | 'delete';
  kind: string;
  key: string;
  rv: string;
  object?: KObject;
  patch?: Record<string, unknown>;
}

/** `sched.bind`: the scheduler bound a pod. */
export interface SchedBindEvent {
  pod: string;
  node: string;
  profile: string;
  /** 1 for the first scheduling attempt of this pod. */
  attempt: number;
  /** Nodes that passed Filter / that were examined. */
  feasible: number;
  evaluated: number;
  /** Devices chosen on the node, for GPU-sharing pods (indexes of the node's GPUs). */
  gpus?: number[];
}

/** `sched.fail`: a scheduling attempt found no node. */
export interface SchedFailEvent {
  pod: string;
  profile: string;
  attempt: number;
  code: 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';
  /** Reason → number of nodes that gave it, per plugin: `{ NodeResourcesFit: { "Insufficient cpu": 3 } }`. */
  reasons: Record<string, Record<string, number>>;
  message: string;
}

/** `sched.preempt`: a PostFilter nominated a node and evicted victims for the pod. */
export interface SchedPreemptEvent {
  pod: string;
  node: string;
  victims: string[];
}

/**
 * `kubelet.start` / `kubelet.finish` / `kubelet.reject`: pod lifecycle on its node. `kubelet.restart`:
 * the container exited and restarts after `backoffSeconds` (restartPolicy Always, or OnFailure after
 * a failure); the pod stays Running; `restarts` is its restart count so far.
 */
export interface KubeletEvent {
  pod: string;
  node: string;
  phase?: 'Running' | 'Succeeded' | 'Failed';
  /** For rejects and failures: OutOfcpu, OutOfmemory, Evicted, Preempted, DeadlineExceeded ... */
  reason?: string;
  restarts?: number;
  backoffSeconds?: number;
}

/** `admission.reject`: a create refused by admission (ResourceQuota, LimitRange, validation). */
export interface AdmissionRejectEvent {
  kind: string;
  key: string;
  reason: string;
  message: string;
  /** Who asked: `trace` or a controller name. */
  by: string;
}

/**
 * `input.skip`: trace rows skipped with `--on-invalid skip`. Readers count skips by reason, so the
 * replay logs one entry per reason at the end of the input with `count` rows (line 0); `count`
 * absent means 1. `invalidSkipped` = Σ count.
 */
export interface InputSkipEvent {
  file: string;
  line: number;
  message: string;
  count?: number;
}

/** `run.start`: first entry of every replay: what was run. */
export interface RunStartEvent {
  seed: string;
  policy: string;
  trace: string;
  /** Width of report time buckets, seconds. */
  bucketSeconds: number;
}

/** `run.end`: last entry of every replay. */
export interface RunEndEvent {
  /** Virtual time at which the run stopped (µs). */
  untilUs: number;
}

/** Event type names. */
export const EVENT = {
  API: 'api',
  BIND: 'sched.bind',
  FAIL: 'sched.fail',
  PREEMPT: 'sched.preempt',
  START: 'kubelet.start',
  FINISH: 'kubelet.finish',
  REJECT: 'kubelet.reject',
  RESTART: 'kubelet.restart',
  ADMISSION_REJECT: 'admission.reject',
  INPUT_SKIP: 'input.skip',
  RUN_START: 'run.start',
  RUN_END: 'run.end',
} as const;
