/**
 * Speculative parallel scheduling benchmark: decisions/s of Scheduler vs ParallelScheduler (2, 4
 * workers, and `auto`) on exhaustive-scoring clusters, median over runs, one CSV row per shape ×
 * workers (bench/results/parallel.csv). Run from the build (`node dist/bench/parallel.js [runs]`):
 * workers then load native ESM, as in production.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node, Pod } from '../engine/api/types.js';
import { Scheduler, loadSchedulerConfig, type SchedulerConfig } from '../engine/scheduler/index.js';
import { ParallelScheduler, chooseWorkers, DEFAULT_BATCH_SIZE } from '../engine/scheduler/parallel/index.js';

const RUNS = Number(process.argv[2] ?? 5);
const ONLY = process.argv[3];

function lcg(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 16807) % 2147483647), x / 2147483647);
}

function config(): SchedulerConfig {
  return loadSchedulerConfig(
    JSON.stringify({
      apiVersion: 'kubescheduler.config.k8s.io/v1',
      kind: 'KubeSchedulerConfiguration',
      percentageOfNodesToScore: 100,
      profiles: [{ schedulerName: 'default-scheduler' }],
    }),
    'bench.yaml',
  );
}

function node(i: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `n${i}`,
      labels: { 'kubernetes.io/hostname': `n${i}`, 'topology.kubernetes.io/zone': `z${i % 3}` },
    },
    status: {
      allocatable: { cpu: '32', memory: '128Gi', pods: '110' },
      capacity: { cpu: '32', memory: '128Gi', pods: '110' },
    },
  } as Node;
}

function pod(i: number, anti: boolean): Pod {
  const req = [
    { cpu: '500m', memory: '1Gi' },
    { cpu: '1', memory: '2Gi' },
    { cpu: '250m', memory: '512Mi' },
  ][i % 3]!;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: 'default', labels: { app: `a${i % 50}` } },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: { requests: req } }],
      ...(anti
        ? {
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  {
                    labelSelector: { matchLabels: { app: `a${i % 50}` } },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                ],
              },
            },
          }
        : {}),
    },
  } as Pod;
}

interface Shape {
  readonly name: string;
  readonly nodes: number;
  readonly pods: number;
  readonly anti: boolean;
}

const SHAPES: Shape[] = [
  { name: 'exhaustive-15k', nodes: 15_000, pods: 192, anti: false },
  { name: 'exhaustive-50k', nodes: 50_000, pods: 96, anti: false },
  { name: 'anti-affinity-5k', nodes: 5_000, pods: 384, anti: true },
];

/** One run: decisions/s over the timed pods (after a warm-up of 2 batches). */
async function once(shape: Shape, workers: number): Promise<number> {
  const cfg = config();
  const random = lcg(42);
  const core =
    workers < 2
      ? new Scheduler({ config: cfg, random })
      : new ParallelScheduler({ config: cfg, random, workers });
  try {
    if (core instanceof ParallelScheduler) await core.start();
    for (let i = 0; i < shape.nodes; i++) core.addNode(node(i));
    const warm = 2 * DEFAULT_BATCH_SIZE;
    const pods = Array.from({ length: shape.pods + warm }, (_, i) => pod(i, shape.anti));
    let t0 = 0n;
    for (let i = 0; i < pods.length; i++) {
      if (i === warm) t0 = process.hrtime.bigint();
      const p = pods[i]!;
      if (core instanceof ParallelScheduler && !core.hasSpeculation(p))
        core.prepareBatch(pods.slice(i, i + core.batchSize));
      const r = core.scheduleOne(p);
      if (r.code === 'Success') core.addPod({ ...p, spec: { ...p.spec!, nodeName: r.nodeName } });
    }
    return shape.pods / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
    if (core instanceof ParallelScheduler) await core.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const rows: string[] = [
  'shape,nodes,workers,resolved_workers,runs,decisions_per_s_median,min,max,speedup_vs_1',
];
for (const shape of SHAPES) {
  if (ONLY && shape.name !== ONLY) continue;
  let base = 0;
  for (const w of [1, 2, 4, 'auto'] as const) {
    const resolved =
      w === 'auto'
        ? chooseWorkers({
            requested: 'auto',
            config: config(),
            nodes: shape.nodes,
            batchSize: DEFAULT_BATCH_SIZE,
          })
        : w;
    const xs: number[] = [];
    // Interleaving would be fairer on a shared machine; runs of one setting stay together for warm caches.
    for (let r = 0; r < RUNS; r++) xs.push(await once(shape, resolved));
    const med = median(xs);
    if (w === 1) base = med;
    const row = [
      shape.name,
      shape.nodes,
      w,
      resolved,
      RUNS,
      med.toFixed(1),
      Math.min(...xs).toFixed(1),
      Math.max(...xs).toFixed(1),
      (med / base).toFixed(2),
    ].join(',');
    rows.push(row);
    console.log(row);
  }
}
const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'parallel.csv');
const target = import.meta.url.includes('/dist/')
  ? out
  : join(dirname(fileURLToPath(import.meta.url)), 'results', 'parallel.csv');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, rows.join('\n') + '\n');
console.log(`wrote ${target}`);
