import type { Container, Pod } from './types.js';
import { resourceAmount } from './quantity.js';

/**
 * Resource amounts by resource name, in canonical units: `cpu` in millicores, everything else in
 * whole units (memory bytes, GPUs, pods). A Map keeps insertion order, hence deterministic iteration.
 */
export type ResourceList = Map<string, number>;

/** Scoring defaults for containers that omit a request (kube-scheduler's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

function addInto(into: ResourceList, c: Container, which: 'requests' | 'limits', path: string): void {
  const list = c.resources?.[which];
  if (!list) return;
  for (const name in list) {
    if (!Object.hasOwn(list, name)) continue;
    const q = list[name] as string;
    into.set(
      name,
      (into.get(name) ?? 0) + resourceAmount(name, q, () => `${path}.resources.${which}.${name}`),
    );
  }
}

function maxInto(into: ResourceList, from: ResourceList): void {
  for (const [name, v] of from) if (v > (into.get(name) ?? 0)) into.set(name, v);
}

/**
 * Kubernetes' pod-level aggregation (`resourcehelper.PodRequests`): the sum over containers, then the
 * max with each init container, where restartable (sidecar) init containers keep running — they add to
 * every later init container and to the main containers. `one` gives a container's own amounts.
 */
function aggregate(pod: Pod, one: (c: Container, path: string) => ResourceList): ResourceList {
  const spec = pod.spec;
  const sum: ResourceList = new Map();
  if (!spec) return sum;
  spec.containers?.forEach((c, i) => {
    for (const [k, v] of one(c, `spec.containers[${i}]`)) sum.set(k, (sum.get(k) ?? 0) + v);
  });
  const sidecars: ResourceList = new Map();
  const initMax: ResourceList = new Map();
  spec.initContainers?.forEach((c, i) => {
    const own = one(c, `spec.initContainers[${i}]`);
    if (c.restartPolicy === 'Always') {
      for (const [k, v] of own) sidecars.set(k, (sidecars.get(k) ?? 0) + v);
      maxInto(initMax, sidecars);
    } else {
      for (const [k, v] of sidecars) own.set(k, (own.get(k) ?? 0) + v);
      maxInto(initMax, own);
    }
  });
  for (const [k, v] of sidecars) sum.set(k, (sum.get(k) ?? 0) + v);
  maxInto(sum, initMax);
  if (spec.overhead) {
    for (const [name, q] of Object.entries(spec.overhead)) {
      sum.set(name, (sum.get(name) ?? 0) + resourceAmount(name, q as string, `spec.overhead.${name}`));
    }
  }
  return sum;
}

/**
 * A pod's effective requests (or limits) as Kubernetes computes them: max(sum over containers, max
 * over init containers), plus `spec.overhead`, with sidecar init containers counted as running.
 */
export function podRequests(pod: Pod, which: 'requests' | 'limits' = 'requests'): ResourceList {
  return aggregate(pod, (c, path) => {
    const own: ResourceList = new Map();
    addInto(own, c, which, path);
    return own;
  });
}

/**
 * Requests used for scoring (kube-scheduler's `NonMissingContainerRequests`): every container —
 * main, init or sidecar — with no cpu / memory request counts as 100m / 200Mi, then the pod is
 * aggregated as in {@link podRequests}. A pod without containers stays zero; an explicit "0" stays zero.
 */
export function podNonZeroRequests(pod: Pod): { milliCpu: number; memoryBytes: number } {
  const sum = aggregate(pod, (c, path) => {
    const own: ResourceList = new Map();
    addInto(own, c, 'requests', path);
    if (!own.has('cpu')) own.set('cpu', DEFAULT_MILLI_CPU_REQUEST);
    if (!own.has('memory')) own.set('memory', DEFAULT_MEMORY_REQUEST);
    return own;
  });
  return { milliCpu: sum.get('cpu') ?? 0, memoryBytes: sum.get('memory') ?? 0 };
}

/**
 * {@link podRequests} and {@link podNonZeroRequests} in one pass, for a pod of plain containers (no init
 * containers, no overhead: most pods); undefined for any other pod (use the two functions). Same sums,
 * same key order.
 */
export function plainPodRequests(
  pod: Pod,
): { requests: ResourceList; nonZeroMilliCpu: number; nonZeroMemoryBytes: number } | undefined {
  const spec = pod.spec;
  if (!spec || spec.initContainers !== undefined || spec.overhead !== undefined) return undefined;
  const requests: ResourceList = new Map();
  let nonZeroMilliCpu = 0;
  let nonZeroMemoryBytes = 0;
  const containers = spec.containers ?? [];
  for (let i = 0; i < containers.length; i++) {
    const list = containers[i]!.resources?.requests;
    let cpu: number | undefined;
    let memory: number | undefined;
    if (list) {
      for (const name in list) {
        if (!Object.hasOwn(list, name)) continue;
        const v = resourceAmount(
          name,
          list[name] as string,
          () => `spec.containers[${i}].resources.requests.${name}`,
        );
        requests.set(name, (requests.get(name) ?? 0) + v);
        if (name === 'cpu') cpu = v;
        else if (name === 'memory') memory = v;
      }
    }
    nonZeroMilliCpu += cpu ?? DEFAULT_MILLI_CPU_REQUEST;
    nonZeroMemoryBytes += memory ?? DEFAULT_MEMORY_REQUEST;
  }
  return { requests, nonZeroMilliCpu, nonZeroMemoryBytes };
}

/** A node's allocatable (falling back to capacity) in canonical units. */
export function nodeAllocatable(node: {
  status?: { allocatable?: Record<string, unknown>; capacity?: Record<string, unknown> };
}): ResourceList {
  const out: ResourceList = new Map();
  const field = node.status?.allocatable ? 'allocatable' : 'capacity';
  const src = node.status?.[field] ?? {};
  for (const [name, q] of Object.entries(src))
    out.set(name, resourceAmount(name, q as string, `status.${field}.${name}`));
  return out;
}
