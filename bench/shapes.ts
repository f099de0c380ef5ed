/**
 * kube-scheduler's scheduler_perf workloads (test/integration/scheduler_perf/config/performance-config.yaml
 * and its templates) as generators: nodes like `node-default.yaml` (4 cpu, 32Gi, 110 pods, hostname
 * label, plus the zone labels the workload's node-preparation step adds) and pods like the templates
 * (100m cpu / 500Mi memory pause containers with the workload's affinity, spread or priority). Init pods
 * live in namespace `sched-setup`, measured pods in `sched-test`, as upstream.
 */
import type { Node, Pod, PodSpec } from '../engine/api/types.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

/** Node, init-pod and measured-pod counts of one run. */
export interface ShapeCounts {
  readonly nodes: number;
  readonly initPods: number;
  readonly measurePods: number;
}

/** One scheduler_perf workload. */
export interface Shape {
  /** scheduler_perf's test name. */
  readonly name: string;
  /** The throughput (pods/s) kube-scheduler's scheduler_perf CI accepts for this workload. */
  readonly floor: number;
  /** Upstream counts (`bench:full`). */
  readonly full: ShapeCounts;
  /** Reduced counts for `--quick` (same node counts where feasible). */
  readonly quick: ShapeCounts;
  node(i: number): Node;
  initPod(i: number): Pod;
  measurePod(i: number): Pod;
}

function nodeName(i: number): string {
  return `scheduler-perf-${String(i).padStart(5, '0')}`;
}

/** `node-default.yaml` with extra labels. */
function node(i: number, labels: Record<string, string> = {}): Node {
  const name = nodeName(i);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { [HOST]: name, ...labels } },
    spec: {},
    status: {
      capacity: { cpu: '4', memory: '32Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '32Gi', pods: '110' },
    },
  };
}

/** A pause pod (`pod-default.yaml`) with extra labels and spec fields. */
function pod(
  prefix: string,
  i: number,
  namespace: string,
  opts: { labels?: Record<string, string>; spec?: Partial<PodSpec>; cpu?: string } = {},
): Pod {
  const cpu = opts.cpu ?? '100m';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${prefix}-${i}`, namespace, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      containers: [
        {
          name: 'pause',
          image: 'registry.k8s.io/pause:3.9',
          ports: [{ containerPort: 80 }],
          resources: { limits: { cpu, memory: '500Mi' }, requests: { cpu, memory: '500Mi' } },
        },
      ],
      ...opts.spec,
    },
  };
}

const NAMESPACES = ['sched-test', 'sched-setup'];

function affinityPod(prefix: string, i: number, ns: string): Pod {
  return pod(prefix, i, ns, {
    labels: { color: 'blue' },
    spec: {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { color: 'blue' } }, topologyKey: ZONE, namespaces: NAMESPACES },
          ],
        },
      },
    },
  });
}

function antiAffinityPod(prefix: string, i: number, ns: string): Pod {
  return pod(prefix, i, ns, {
    labels: { color: 'green' },
    spec: {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { color: 'green' } }, topologyKey: HOST, namespaces: NAMESPACES },
          ],
        },
      },
    },
  });
}

function preferredAffinityPod(prefix: string, i: number, ns: string): Pod {
  return pod(prefix, i, ns, {
    labels: { color: 'red' },
    spec: {
      affinity: {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 1,
              podAffinityTerm: {
                labelSelector: { matchLabels: { color: 'red' } },
                topologyKey: HOST,
                namespaces: NAMESPACES,
              },
            },
          ],
        },
      },
    },
  });
}

const basicInit = (i: number): Pod => pod('init', i, 'sched-setup');

/** The workloads, in report order. */
export const SHAPES: readonly Shape[] = [
  {
    name: 'SchedulingBasic',
    floor: 270,
    full: { nodes: 5000, initPods: 1000, measurePods: 10000 },
    quick: { nodes: 5000, initPods: 500, measurePods: 1000 },
    node: (i) => node(i, { [ZONE]: `zone-${i % 3}` }),
    initPod: basicInit,
    measurePod: (i) => pod('pod', i, 'sched-test'),
  },
  {
    name: 'NodeAffinity',
    floor: 220,
    full: { nodes: 5000, initPods: 5000, measurePods: 10000 },
    quick: { nodes: 5000, initPods: 500, measurePods: 1000 },
    // labelNodePrepareStrategy: every node gets zone1.
    node: (i) => node(i, { [ZONE]: 'zone1' }),
    initPod: basicInit,
    measurePod: (i) =>
      pod('node-affinity', i, 'sched-test', {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: ZONE, operator: 'In', values: ['zone1', 'zone2'] }] },
                ],
              },
            },
          },
        },
      }),
  },
  {
    name: 'TopologySpreading',
    floor: 85,
    full: { nodes: 5000, initPods: 5000, measurePods: 5000 },
    quick: { nodes: 5000, initPods: 200, measurePods: 100 },
    node: (i) => node(i, { [ZONE]: ['moon-1', 'moon-2', 'moon-3'][i % 3]! }),
    initPod: basicInit,
    measurePod: (i) =>
      pod('spreading', i, 'sched-test', {
        labels: { color: 'blue' },
        spec: {
          topologySpreadConstraints: [
            {
              maxSkew: 5,
              topologyKey: ZONE,
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: { color: 'blue' } },
            },
          ],
        },
      }),
  },
  {
    name: 'PreferredPodAffinity',
    floor: 90,
    full: { nodes: 5000, initPods: 5000, measurePods: 5000 },
    quick: { nodes: 5000, initPods: 200, measurePods: 60 },
    node: (i) => node(i),
    initPod: (i) => preferredAffinityPod('init', i, 'sched-setup'),
    measurePod: (i) => preferredAffinityPod('preferred-affinity', i, 'sched-test'),
  },
  {
    name: 'PodAffinity',
    floor: 35,
    full: { nodes: 5000, initPods: 5000, measurePods: 5000 },
    quick: { nodes: 5000, initPods: 200, measurePods: 60 },
    node: (i) => node(i, { [ZONE]: 'zone1' }),
    initPod: (i) => affinityPod('init', i, 'sched-setup'),
    measurePod: (i) => affinityPod('affinity', i, 'sched-test'),
  },
  {
    name: 'PodAntiAffinity',
    floor: 60,
    full: { nodes: 5000, initPods: 1000, measurePods: 2000 },
    quick: { nodes: 5000, initPods: 200, measurePods: 60 },
    node: (i) => node(i),
    initPod: (i) => antiAffinityPod('init', i, 'sched-setup'),
    measurePod: (i) => antiAffinityPod('anti-affinity', i, 'sched-test'),
  },
  {
    name: 'DaemonSet',
    floor: 390,
    full: { nodes: 15000, initPods: 0, measurePods: 15000 },
    quick: { nodes: 15000, initPods: 0, measurePods: 500 },
    node: (i) => node(i),
    initPod: basicInit,
    // A DaemonSet pod: required node affinity on metadata.name (as the DaemonSet controller sets it).
    measurePod: (i) =>
      pod('daemonset', i, 'sched-test', {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName(i % 15000)] }] },
                ],
              },
            },
          },
        },
      }),
  },
  {
    name: 'PreemptionBasic',
    floor: 18,
    full: { nodes: 500, initPods: 2000, measurePods: 500 },
    quick: { nodes: 500, initPods: 2000, measurePods: 50 },
    node: (i) => node(i),
    // pod-low-priority.yaml: 900m, four fill a 4-cpu node.
    initPod: (i) => pod('low', i, 'sched-setup', { cpu: '900m', spec: { terminationGracePeriodSeconds: 0 } }),
    // pod-high-priority.yaml: 3 cpu at priority 10, each must preempt.
    measurePod: (i) => pod('high', i, 'sched-test', { cpu: '3000m', spec: { priority: 10 } }),
  },
];

/** A shape by name (case-insensitive). */
export function shapeByName(name: string): Shape {
  const s = SHAPES.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!s)
    throw new RangeError(
      `unknown shape ${JSON.stringify(name)} (shapes: ${SHAPES.map((x) => x.name).join(', ')})`,
    );
  return s;
}
