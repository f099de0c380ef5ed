/**
 * Kubernetes objects in their real v1 JSON shapes (from `kubernetes-types`, types only). kreplay reads
 * the fields it models and keeps every other field untouched, so unknown fields survive a round trip.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export type {
  Pod,
  PodSpec,
  Container,
  Node,
  Namespace,
  Service,
  ResourceQuota,
  LimitRange,
  Taint,
  Toleration,
  Affinity,
  NodeSelector,
  NodeSelectorTerm,
  NodeSelectorRequirement,
  PodAffinityTerm,
  WeightedPodAffinityTerm,
  TopologySpreadConstraint,
  ResourceRequirements,
} from 'kubernetes-types/core/v1.js';
export type { ReplicaSet, Deployment, DaemonSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
export type { Job, CronJob } from 'kubernetes-types/batch/v1.js';
export type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
export type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
export type {
  ObjectMeta,
  LabelSelector,
  LabelSelectorRequirement,
  OwnerReference,
} from 'kubernetes-types/meta/v1.js';

/** Any Kubernetes object kreplay stores: kind + metadata, everything else kept as is. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** Object kinds the store knows, with their apiVersion. */
export const KINDS = {
  Pod: 'v1',
  Node: 'v1',
  Namespace: 'v1',
  Service: 'v1',
  ResourceQuota: 'v1',
  LimitRange: 'v1',
  ReplicaSet: 'apps/v1',
  Deployment: 'apps/v1',
  DaemonSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  PriorityClass: 'scheduling.k8s.io/v1',
  PodDisruptionBudget: 'policy/v1',
} as const;

export type KindName = keyof typeof KINDS;

/** Kinds that live outside namespaces. */
export const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Node', 'Namespace', 'PriorityClass']);

/** `namespace/name` for namespaced objects, `name` for cluster-scoped ones. */
export function objectKey(obj: KObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return obj.kind && CLUSTER_SCOPED.has(obj.kind) ? name : `${ns ?? 'default'}/${name}`;
}
