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
  for (const [name, q] of Object.entries(list)) {
    into.set(name, (into.get(name) ?? 0) + resourceAmount(name, q as string, `${path}.resources.${which}.${name}`));
  }
}

function maxInto(into: ResourceList, from: ResourceList): void {
  for (const [name, v] of from) if (v > (into.get(name) ?? 0)) into.set(name, v);
}

/**
 * A pod's effective requests as Kubernetes computes them: max(sum over containers, max over init
 * containers), plus `spec.overhead`. Restartable (sidecar) init containers are counted as Kubernetes
 * does: they add to the running sum of every later init container and to the main containers.
 */
export function podRequests(pod: Pod, which: 'requests' | 'limits' = 'requests'): ResourceList {
  const spec = pod.spec;
  const sum: ResourceList = new Map();
  if (!spec) return sum;
  spec.containers?.forEach((c, i) => addInto(sum, c, which, `spec.containers[${i}]`));
  const sidecars: ResourceList = new Map();
  const initMax: ResourceList = new Map();
  spec.initContainers?.forEach((c, i) => {
    const one: ResourceList = new Map();
    addInto(one, c, which, `spec.initContainers[${i}]`);
    if (c.restartPolicy === 'Always') {
      for (const [k, v] of one) sidecars.set(k, (sidecars.get(k) ?? 0) + v);
      maxInto(initMax, sidecars);
    } else {
      for (const [k, v] of sidecars) one.set(k, (one.get(k) ?? 0) + v);
      maxInto(initMax, one);
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
 * Requests used for scoring (kube-scheduler's non-zero requests): a container with no cpu / memory
 * request counts as 100m / 200Mi. A pod without containers stays zero; an explicit "0" stays zero.
 */
export function podNonZeroRequests(pod: Pod): { milliCpu: number; memoryBytes: number } {
  let milliCpu = 0;
  let memoryBytes = 0;
  const spec = pod.spec;
  if (!spec) return { milliCpu, memoryBytes };
  const one = (c: Container, path: string): [number, number] => {
    const r = c.resources?.requests;
    const cpu = r?.cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : resourceAmount('cpu', r.cpu as string, `${path}.resources.requests.cpu`);
    const mem = r?.memory === undefined ? DEFAULT_MEMORY_REQUEST : resourceAmount('memory', r.memory as string, `${path}.resources.requests.memory`);
    return [cpu, mem];
  };
  spec.containers?.forEach((c, i) => {
    const [cpu, mem] = one(c, `spec.containers[${i}]`);
    milliCpu += cpu;
    memoryBytes += mem;
  });
  spec.initContainers?.forEach((c, i) => {
    if (c.restartPolicy === 'Always') return;
    const [cpu, mem] = one(c, `spec.initContainers[${i}]`);
    if (cpu > milliCpu) milliCpu = cpu;
    if (mem > memoryBytes) memoryBytes = mem;
  });
  if (spec.overhead) {
    if (spec.overhead.cpu !== undefined) milliCpu += resourceAmount('cpu', spec.overhead.cpu as string, 'spec.overhead.cpu');
    if (spec.overhead.memory !== undefined) memoryBytes += resourceAmount('memory', spec.overhead.memory as string, 'spec.overhead.memory');
  }
  return { milliCpu, memoryBytes };
}

/** A node's allocatable (falling back to capacity) in canonical units. */
export function nodeAllocatable(node: { status?: { allocatable?: Record<string, unknown>; capacity?: Record<string, unknown> } }): ResourceList {
  const out: ResourceList = new Map();
  const src = node.status?.allocatable ?? node.status?.capacity ?? {};
  for (const [name, q] of Object.entries(src)) out.set(name, resourceAmount(name, q as string, `status.allocatable.${name}`));
  return out;
}
