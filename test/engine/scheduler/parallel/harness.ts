/** Drives a Scheduler like engine/cluster/scheduler-driver.ts does (pop → scheduleOne → bind → addPod). */
import { createHash } from 'node:crypto';
import type { Node, Pod } from '../../../../engine/api/types.js';
import { Scheduler, loadSchedulerConfig, type SchedulerConfig } from '../../../../engine/scheduler/index.js';
import { ParallelScheduler } from '../../../../engine/scheduler/parallel/index.js';

/** A seeded LCG in [0, 1). */
export function lcg(seed: number): () => number {
  let x = seed % 2147483647 || 1;
  return () => ((x = (x * 16807) % 2147483647), x / 2147483647);
}

/** The default profile with exhaustive scoring (or `pct`). */
export function defaultConfig(pct = 100): SchedulerConfig {
  return loadSchedulerConfig(
    JSON.stringify({
      apiVersion: 'kubescheduler.config.k8s.io/v1',
      kind: 'KubeSchedulerConfiguration',
      percentageOfNodesToScore: pct,
      profiles: [{ schedulerName: 'default-scheduler' }],
    }),
    'test.yaml',
  );
}

/** One step of a run: schedule a pod, or mutate the cluster. */
export type Step = { pod: Pod } | { removeNode: string } | { addNode: Node } | { deletePod: string };

export interface RunOutcome {
  readonly decisions: string[];
  readonly hash: string;
  readonly nextStart: number;
  /** A draw after the run: equal iff the same number of tie-break draws happened. */
  readonly nextDraw: number;
  readonly stats?: ParallelScheduler['stats'];
}

/** Runs `steps` on a fresh scheduler (`workers` 1 = plain Scheduler). */
export async function run(
  nodes: readonly Node[],
  steps: readonly Step[],
  config: SchedulerConfig,
  workers: number,
  batchSize = 16,
  seed = 7,
): Promise<RunOutcome> {
  const random = lcg(seed);
  const core =
    workers === 1
      ? new Scheduler({ config, random })
      : new ParallelScheduler({ config, random, workers, batchSize });
  try {
    if (core instanceof ParallelScheduler) await core.start();
    for (const n of nodes) core.addNode(n);
    const bound = new Map<string, Pod>();
    const decisions: string[] = [];
    for (let i = 0; i < steps.length; i++) {
      const st = steps[i]!;
      if ('removeNode' in st) core.removeNode(st.removeNode);
      else if ('addNode' in st) core.addNode(st.addNode);
      else if ('deletePod' in st) {
        const p = bound.get(st.deletePod);
        if (p) {
          core.removePod(p);
          bound.delete(st.deletePod);
        }
      } else {
        const pod = st.pod;
        if (core instanceof ParallelScheduler && !core.hasSpeculation(pod)) {
          // The queue's next pods: the pod steps ahead, up to the next cluster mutation.
          const batch: Pod[] = [];
          for (let j = i; j < steps.length && batch.length < core.batchSize; j++) {
            const s = steps[j]!;
            if (!('pod' in s)) break;
            batch.push(s.pod);
          }
          core.prepareBatch(batch);
        }
        const r = core.scheduleOne(pod);
        const key = `${pod.metadata!.namespace ?? 'default'}/${pod.metadata!.name}`;
        if (r.code === 'Success') {
          decisions.push(
            `${key} -> ${r.nodeName} score=${r.score} feasible=${r.feasibleNodes} evaluated=${r.evaluatedNodes}`,
          );
          const b = { ...pod, spec: { ...pod.spec!, nodeName: r.nodeName } };
          bound.set(key, b);
          core.addPod(b);
        } else decisions.push(`${key} !! ${r.code} ${r.message}`);
      }
    }
    const hash = createHash('sha256').update(decisions.join('\n')).digest('hex');
    return {
      decisions,
      hash,
      nextStart: core.nextStartNodeIndex,
      nextDraw: random(),
      ...(core instanceof ParallelScheduler ? { stats: { ...core.stats } } : {}),
    };
  } finally {
    if (core instanceof ParallelScheduler) await core.close();
  }
}
