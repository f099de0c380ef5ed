/**
 * Kubernetes manifests (multi-document YAML/JSON files or folders) as a trace: every object created at
 * t=0, in dependency order. Parsing is engine/api/manifest.ts's `loadManifests`; this only times it.
 */
import { loadManifests } from '../../engine/api/manifest.js';
import type { KObject } from '../../engine/api/types.js';
import type { LossReport, TraceRecord, TraceSource } from '../types.js';

// Kinds others depend on go first, as `helm install` orders them: a namespace before what lives in
// it, a PriorityClass or quota before the pods it admits, nodes before workloads.
const KIND_ORDER = [
  'Namespace',
  'PriorityClass',
  'ResourceQuota',
  'LimitRange',
  'Node',
  'Service',
  'PodDisruptionBudget',
  'DaemonSet',
  'Pod',
  'ReplicaSet',
  'Deployment',
  'StatefulSet',
  'Job',
  'CronJob',
];

function kindRank(kind: string | undefined): number {
  const i = KIND_ORDER.indexOf(kind ?? '');
  return i < 0 ? KIND_ORDER.length : i;
}

/** Orders objects for creation at t=0: by kind dependency rank, then file order (stable). */
export function orderManifests(objects: KObject[]): KObject[] {
  return objects
    .map((o, i) => ({ o, i, r: kindRank(o.kind) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.o);
}

/** Opens manifests as a trace of creates at t=0. */
export function readManifests(paths: string[]): TraceSource {
  const loss: LossReport = {
    format: 'manifests',
    notes: [
      'manifests: every object is created at t=0 (before the trace), ordered by kind (namespaces, priority classes and quotas first)',
    ],
    skipped: {},
  };
  async function* records(): AsyncGenerator<TraceRecord> {
    const objects = await loadManifests(paths);
    for (const object of orderManifests(objects)) yield { timeUs: 0, op: 'create', object };
  }
  return { format: 'manifests', records: records(), loss };
}
