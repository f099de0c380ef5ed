/**
 * The Kubernetes shapes readers emit, and the kreplay annotation/label keys they carry. Every reader
 * builds its objects with these helpers so that one format's Pod looks like another's.
 */
import type { KObject } from '../engine/api/types.js';

/** Extended resource for GPU demand in thousandths of a GPU (device-level sharing is in annotations). */
export const GPU_MILLI = 'kreplay.io/gpu-milli';
/** Whole-GPU device plugin resource on nodes. */
export const NVIDIA_GPU = 'nvidia.com/gpu';
/** Node label with the GPU model; pods select models through node affinity on it. */
export const GPU_MODEL_LABEL = 'kreplay.io/gpu-model';
/** Pod annotations read by the GPU-sharing model (a pod's devices and the share of each). */
export const ANN_GPU_COUNT = 'kreplay.io/gpu-count';
export const ANN_GPU_MILLI_PER_GPU = 'kreplay.io/gpu-milli-per-gpu';
/** Allowed GPU models as written in the trace (`|`-separated). */
export const ANN_GPU_SPEC = 'kreplay.io/gpu-spec';
/** How long the pod runs once started (`<seconds>s`), and `failed` to end it Failed: the kubelet reads them. */
export { DURATION_ANNOTATION as ANN_DURATION, EXIT_ANNOTATION as ANN_EXIT } from '../engine/api/duration.js';
/** What the trace recorded, kept for comparison only, never used as input. */
export const ANN_TRACE_PHASE = 'kreplay.io/trace-phase';
export const ANN_TRACE_SCHEDULED_TIME = 'kreplay.io/trace-scheduled-time';
export const ANN_TRACE_NODE = 'kreplay.io/trace-node';
/** Default pod capacity of a kubelet (`--max-pods`). */
export const DEFAULT_MAX_PODS = '110';

/** A Node with capacity = allocatable (traces carry no system reservations). */
export function makeNode(
  name: string,
  resources: Record<string, string>,
  labels: Record<string, string> = {},
): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    status: { capacity: { ...resources }, allocatable: { ...resources } },
  };
}

/** The identity of an object, all a delete record needs. */
export function refOf(obj: KObject): KObject {
  const meta = obj.metadata ?? {};
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata:
      meta.namespace === undefined ? { name: meta.name } : { name: meta.name, namespace: meta.namespace },
  } as KObject;
}

/** Seconds as a Go-style duration string (`12.5s`), the form of `kreplay.io/duration`. */
export function durationString(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Number(seconds.toFixed(6))}s`;
}

/** The container image of trace pods: traces never say, and the simulator never pulls. */
export const TRACE_IMAGE = 'registry.k8s.io/pause:3.10';
