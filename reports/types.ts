/**
 * The shapes of a run's reports: what `ReportFold.finish` returns and what the CSV and HTML writers
 * read. Times are seconds of virtual time since `run.start`; resource amounts are in the units named
 * by each field (cpu millicores, memory MiB, whole GPUs, GPU milli).
 */

/** Facts about a run that the deterministic log does not hold (written to the log's trailer). */
export interface RunTrailer {
  /** Wall-clock seconds the replay took. */
  wallSeconds: number;
  /** The log's final chain hash (hex). */
  eventLogSha256: string;
  /** Entries in the log; when absent, the number of entries the fold consumed. */
  events?: number;
}

/** What was run, from the `run.start` entry. */
export interface RunInfo {
  seed: string;
  policy: string;
  trace: string;
  /** Width of the time-series buckets, seconds. */
  bucketSeconds: number;
}

/** Pending-time percentiles, seconds (nearest-rank; see docs/reports.md). */
export interface PendingPercentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Allocation ratio (requested / allocatable, 0..1) of one resource over a run. */
export interface Utilization {
  /** Time-weighted mean over the run. */
  mean: number;
  /** Highest ratio held for a positive stretch of virtual time (or at run end). */
  peak: number;
}

/** The summary: exactly the keys of `kreplay replay --json` (docs/CLI.md). */
export interface RunSummary {
  eventLogSha256: string;
  events: number;
  virtualSeconds: number;
  wallSeconds: number;
  nodes: number;
  podsSubmitted: number;
  podsScheduled: number;
  podsUnschedulable: number;
  podsPreempted: number;
  podsRejectedByQuota: number;
  podsSucceeded: number;
  podsFailed: number;
  schedulingAttempts: number;
  decisionsPerSecond: number;
  invalidSkipped: number;
  pendingSeconds: PendingPercentiles;
  utilization: Record<string, Utilization>;
}

/** Pod phases in reports: Kubernetes' phases, plus `Rejected` for a pod that admission never let in. */
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Rejected';

/** One pod (one incarnation of a `namespace/name`). */
export interface PodRow {
  namespace: string;
  name: string;
  ownerKind: string;
  ownerName: string;
  /** When the store accepted it; undefined when admission always refused it. */
  created: number | undefined;
  /** First bind. */
  scheduled: number | undefined;
  /** Last node it was bound to. */
  node: string;
  /** First `kubelet.start`. */
  started: number | undefined;
  /** Last transition to Succeeded/Failed. */
  finished: number | undefined;
  deleted: number | undefined;
  phase: PodPhase;
  /** Scheduling attempts (binds + failures). */
  attempts: number;
  /** First bind − creation; never bound: until deletion or run end. Undefined when never created. */
  pendingSeconds: number | undefined;
  cpuMilli: number;
  memoryMiB: number;
  gpu: number;
  gpuMilli: number;
  /** The GPU devices of its node it was bound to (policy's choice), `;`-separated; '' for none. */
  gpus: string;
  quotaRejections: number;
  /** Times it was a victim of `sched.preempt`. */
  preemptions: number;
  /** Kubelet finishes/rejects with reason `Evicted`. */
  evictions: number;
  /** Container restarts (`kubelet.restart`: restartPolicy Always, or OnFailure after a failure). */
  restarts: number;
}

/** One node (one incarnation of a name). */
export interface NodeRow {
  name: string;
  created: number;
  deleted: number | undefined;
  /** Node label of note: the GPU model (`kreplay.io/gpu-model` or `nvidia.com/gpu.product`). */
  gpuModel: string;
  /** `topology.kubernetes.io/zone`. */
  zone: string;
  /** Allocatable per tracked resource, canonical units (cpu milli, memory bytes, GPUs, GPU milli). */
  allocatable: Record<string, number>;
  /** Binds to this node over the run. */
  podsBound: number;
  /** Allocation ratio per resource, over the node's lifetime within the run. */
  allocation: Record<string, Utilization>;
}

/** One fixed-width bucket of virtual time. */
export interface BucketRow {
  startSeconds: number;
  endSeconds: number;
  /** Time-weighted mean cluster allocation ratio per resource over the bucket. */
  allocation: Record<string, number>;
  /** Pods running / waiting to be scheduled at the end of the bucket (the last bucket: at run end). */
  running: number;
  pending: number;
  /** Binds, pods created, and failed scheduling attempts within the bucket. */
  bound: number;
  created: number;
  failedAttempts: number;
}

/** One (plugin, reason) of one failed scheduling attempt. */
export interface AttemptRow {
  pod: string;
  attempt: number;
  time: number;
  code: string;
  /** Empty with the attempt's message as reason when the failure named no plugin. */
  plugin: string;
  reason: string;
  /** Nodes that gave this reason. */
  nodes: number;
}

/** Totals of one failure reason over a run. */
export interface ReasonCount {
  plugin: string;
  reason: string;
  /** Failed attempts that named it. */
  attempts: number;
  /** Sum of the node counts. */
  nodes: number;
}

/** Owner kinds with their own column in controlplane.csv; pods of other controllers count as `Other`. */
export const CONTROLLER_OWNER_KINDS = ['ReplicaSet', 'Job', 'DaemonSet', 'StatefulSet'] as const;

/**
 * What the control plane did over a run (`controlplane.csv`), counted from log entries: see
 * docs/reports.md for each definition.
 */
export interface ControlPlaneCounts {
  /** `ctrl.evict` entries: pods the taint manager evicted from NoExecute-tainted nodes. */
  evictions: number;
  /** Pod creates whose object carries a controller ownerReference (every controller sets one; traces never do). */
  podsCreatedByControllers: number;
  /** The same by the controller's kind: one entry per {@link CONTROLLER_OWNER_KINDS} and `Other`. */
  createdBy: Record<string, number>;
  /** `admission.reject` entries (creates of any kind) refused by ResourceQuota. */
  quotaRejections: number;
  /** `ctrl.leader` acquisitions of the `kube-scheduler` lease (the first leader of a run is not logged). */
  leaderChangesScheduler: number;
  /** The same for the `kube-controller-manager` lease. */
  leaderChangesControllerManager: number;
  /** `fault` entries of type `node-down`. */
  nodeFailures: number;
}

/** Everything a run reports. */
export interface RunReport {
  run: RunInfo;
  /** Tracked resources present on nodes, in the fixed order cpu, memory, nvidia.com/gpu, kreplay.io/gpu-milli. */
  resources: string[];
  summary: RunSummary;
  pods: PodRow[];
  nodes: NodeRow[];
  timeseries: BucketRow[];
  attempts: AttemptRow[];
  /** Failed attempts beyond the fold's row cap, not in `attempts` (still in `reasons`). */
  attemptsDropped: number;
  reasons: ReasonCount[];
  controlPlane: ControlPlaneCounts;
}
