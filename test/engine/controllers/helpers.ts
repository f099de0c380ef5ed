/**
 * Helpers of the control-plane tests: a ClusterReplay with the default scheduler profile, timed API
 * calls, and a recorded log.
 */
import type { KObject, Pod } from '../../../engine/api/types.js';
import type { LogEntry } from '../../../engine/sim/types.js';
import { ClusterReplay, type InputCall } from '../../../engine/cluster/replay.js';
import type { ControlPlaneOptions } from '../../../engine/controllers/index.js';
import { presetConfig } from '../../../engine/scheduler/index.js';

export const S = 1_000_000;
export const MIN = 60 * S;
/** The default controller reaction delay (10 ms). */
export const D = 10_000;

/** A node with room for many pods. */
export function node(
  name: string,
  cpu = '16',
  labels: Record<string, string> = {},
  extra: Partial<KObject> = {},
): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    status: {
      allocatable: { cpu, memory: '64Gi', pods: '110' },
      capacity: { cpu, memory: '64Gi', pods: '110' },
    },
    ...extra,
  };
}

/** A pod template labelled `app: <app>` requesting 100m cpu, with optional annotations. */
export function template(
  app: string,
  annotations: Record<string, string> = {},
  spec: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    metadata: { labels: { app }, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      containers: [
        { name: 'main', image: `${app}:1`, resources: { requests: { cpu: '100m', memory: '64Mi' } } },
      ],
      ...spec,
    },
  };
}

/** A Deployment of `replicas` pods labelled app=<name>. */
export function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: template(name), ...spec },
  };
}

/** A ResourceQuota named `name` in `default`. */
export function quota(
  name: string,
  hard: Record<string, string>,
  spec: Record<string, unknown> = {},
): KObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name, namespace: 'default' },
    spec: { hard, ...spec },
  };
}

async function* feed(list: InputCall[]): AsyncGenerator<InputCall> {
  yield* [...list].sort((a, b) => a.timeUs - b.timeUs);
}

/** A finished replay and its log. */
export interface Run {
  r: ClusterReplay;
  log: LogEntry[];
}

/** Runs `calls` until `untilUs` (every log entry is also passed to `onEntry` as it is appended). */
export async function replay(
  calls: InputCall[],
  untilUs: number,
  opts: {
    seed?: number;
    controllers?: ControlPlaneOptions;
    onEntry?: (e: LogEntry, r: ClusterReplay) => void;
    setup?: (r: ClusterReplay) => void;
  } = {},
): Promise<Run> {
  const r = new ClusterReplay({
    seed: opts.seed ?? 1,
    config: presetConfig('default-scheduler'),
    policy: 'default-scheduler',
    trace: 'test',
    ...(opts.controllers ? { controllers: opts.controllers } : {}),
  });
  const log: LogEntry[] = [];
  r.sim.log.listen((e) => {
    log.push(e);
    opts.onEntry?.(e, r);
  });
  opts.setup?.(r);
  await r.run(feed(calls), untilUs);
  r.end();
  return { r, log };
}

/** `create` at `timeUs`. */
export function at(timeUs: number, object: KObject, op: InputCall['op'] = 'create'): InputCall {
  return { timeUs, op, object };
}

/** `api` entries creating pods, as [time, name]. */
export function podCreates(log: LogEntry[]): [number, string][] {
  return log
    .filter((e) => e.type === 'api' && e.kind === 'Pod' && e.verb === 'create')
    .map((e) => [e.time, (e.key as string).split('/')[1]!]);
}

/** Pods in the store by phase (non-terminated pods without a phase count as Pending). */
export function phases(r: ClusterReplay): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of r.store.values<Pod>('Pod')) {
    const ph = p.status?.phase ?? 'Pending';
    out[ph] = (out[ph] ?? 0) + 1;
  }
  return out;
}
