/**
 * Worker-scaling benchmarks (issue: parallel scheduling): one replay's scheduling core with speculative
 * batches (`ParallelScheduler`) on exhaustive-scoring and anti-affinity clusters, and a compare sweep
 * of 6 policies × 4 seeds over the local worker pool. Each measurement reports rates per run; the suite
 * turns them into rows with the speedup against 1 worker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from '../engine/api/types.js';
import { Scheduler, loadSchedulerConfig, type SchedulerConfig } from '../engine/scheduler/index.js';
import { ParallelScheduler, chooseWorkers, DEFAULT_BATCH_SIZE } from '../engine/scheduler/parallel/index.js';
import { parsePolicy } from '../workloads/replay/policy.js';
import { runCompare } from '../workloads/sweep/compare.js';
import { resolveWorkers, type CellIsolation } from '../workloads/pool/run-cells.js';
import { packageRoot } from '../cli/package-root.js';

/** A speculative-scheduling shape: `nodes` identical nodes, `pods` measured pods after a warm-up. */
export interface SpeedupShape {
  readonly name: string;
  readonly nodes: number;
  readonly pods: { readonly quick: number; readonly full: number };
  /** Required anti-affinity on the hostname among pods of the same app (50 apps). */
  readonly anti: boolean;
  /** Only in the full suite (setup too slow for `--quick`). */
  readonly fullOnly?: boolean;
}

export const SPEEDUP_SHAPES: readonly SpeedupShape[] = [
  { name: 'exhaustive-15k', nodes: 15_000, pods: { quick: 96, full: 480 }, anti: false },
  { name: 'exhaustive-50k', nodes: 50_000, pods: { quick: 48, full: 192 }, anti: false, fullOnly: true },
  { name: 'anti-affinity-5k', nodes: 5_000, pods: { quick: 192, full: 960 }, anti: true },
];

/** `percentageOfNodesToScore: 100`, default plugins (speculation requires exhaustive scoring). */
export function exhaustiveConfig(): SchedulerConfig {
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

function lcg(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 16807) % 2147483647), x / 2147483647);
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
  const app = `a${i % 50}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: 'default', labels: { app } },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: { requests: req } }],
      ...(anti
        ? {
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  { labelSelector: { matchLabels: { app } }, topologyKey: 'kubernetes.io/hostname' },
                ],
              },
            },
          }
        : {}),
    },
  } as Pod;
}

/** The worker count `auto` resolves to for a shape on this machine. */
export function autoWorkers(shape: SpeedupShape): number {
  return chooseWorkers({
    requested: 'auto',
    config: exhaustiveConfig(),
    nodes: shape.nodes,
    batchSize: DEFAULT_BATCH_SIZE,
  });
}

/**
 * One run: decisions/s over the measured pods (after a warm-up of 2 batches), with `workers`
 * evaluators (1 = the sequential Scheduler). Also returns the sequence of chosen nodes, so callers can
 * check that every worker count decided the same.
 */
export async function speculativeRun(
  shape: SpeedupShape,
  workers: number,
  pods: number,
): Promise<{ rate: number; decisions: string[] }> {
  const cfg = exhaustiveConfig();
  const random = lcg(42);
  const core =
    workers < 2
      ? new Scheduler({ config: cfg, random })
      : new ParallelScheduler({ config: cfg, random, workers });
  try {
    if (core instanceof ParallelScheduler) await core.start();
    for (let i = 0; i < shape.nodes; i++) core.addNode(node(i));
    const warm = 2 * DEFAULT_BATCH_SIZE;
    const all = Array.from({ length: pods + warm }, (_, i) => pod(i, shape.anti));
    const decisions: string[] = [];
    let t0 = 0n;
    for (let i = 0; i < all.length; i++) {
      if (i === warm) t0 = process.hrtime.bigint();
      const p = all[i]!;
      if (core instanceof ParallelScheduler && !core.hasSpeculation(p))
        core.prepareBatch(all.slice(i, i + core.batchSize));
      const r = core.scheduleOne(p);
      decisions.push(r.code === 'Success' ? r.nodeName : r.code);
      if (r.code === 'Success') core.addPod({ ...p, spec: { ...p.spec!, nodeName: r.nodeName } });
    }
    return { rate: pods / (Number(process.hrtime.bigint() - t0) / 1e9), decisions };
  } finally {
    if (core instanceof ParallelScheduler) await core.close();
  }
}

/** The sweep: 6 policies × 4 seeds on the embedded openb sample, time-faithful, first `untilDays`. */
export const SWEEP = {
  policies: ['default-scheduler', 'most-allocated', 'balanced', 'fgd', 'gpu-packing', 'gpu-bestfit'],
  seeds: ['1', '2', '3', '4'],
  untilDays: { quick: 118, full: 126 },
} as const;

/** One sweep: cells/s with `workers` pool threads ('auto' resolved like `kreplay compare`). */
export async function sweepRun(
  workers: number | 'auto',
  quick: boolean,
  isolation: CellIsolation = 'processes',
): Promise<number> {
  const root = packageRoot();
  const out = mkdtempSync(join(tmpdir(), 'kreplay-bench-sweep-'));
  const cells = SWEEP.policies.length * SWEEP.seeds.length;
  try {
    const t0 = performance.now();
    await runCompare({
      traces: [
        {
          nodes: join(root, 'traces/samples/openb/openb_node_list_gpu_node.csv'),
          pods: join(root, 'traces/samples/openb/openb_pod_list_default.csv'),
        },
      ],
      policies: SWEEP.policies.map((p) => parsePolicy(p)),
      seeds: [...SWEEP.seeds],
      workers: resolveWorkers(workers, cells, { wholeReplays: true }),
      isolation,
      outDir: out,
      untilUs: (quick ? SWEEP.untilDays.quick : SWEEP.untilDays.full) * 86_400e6,
    });
    return cells / ((performance.now() - t0) / 1000);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Cores this process may use (what `auto` sizes pools by). */
export function cores(): number {
  return availableParallelism();
}
