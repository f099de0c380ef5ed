import test from 'ava';
import type { Node } from '../../../../engine/api/types.js';
import {
  ParallelScheduler,
  chooseWorkers,
  parseWorkersOption,
} from '../../../../engine/scheduler/parallel/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';
import { defaultConfig, lcg, run, type Step } from './harness.js';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';

function nodes(n: number, f: (i: number, b: ReturnType<typeof makeNode>) => void = () => {}): Node[] {
  return Array.from({ length: n }, (_, i) => {
    const b = makeNode(`n${i}`)
      .cap({ cpu: '8', memory: '32Gi', pods: 110 })
      .label(HOST, `n${i}`)
      .label(ZONE, `z${i % 3}`);
    f(i, b);
    return b.build();
  });
}

const SIZES = [
  { cpu: '500m', memory: '1Gi' },
  { cpu: '2', memory: '4Gi' },
  { cpu: '1', memory: '8Gi' },
  { cpu: '6', memory: '30Gi' },
];

async function sameAcrossWorkers(
  t: import('ava').ExecutionContext,
  ns: Node[],
  steps: Step[],
  config = defaultConfig(100),
  batchSizes = [16],
): Promise<void> {
  const base = await run(ns, steps, config, 1);
  for (const w of [2, 4]) {
    for (const b of batchSizes) {
      const r = await run(ns, steps, config, w, b);
      t.is(r.hash, base.hash, `workers ${w} batch ${b}: event hash`);
      t.deepEqual(r.decisions, base.decisions);
      t.is(r.nextStart, base.nextStart, 'start index');
      t.is(r.nextDraw, base.nextDraw, 'same number of tie-break draws');
      t.log(`workers ${w} batch ${b}: ${JSON.stringify(r.stats)}`);
    }
  }
}

test('resources only, exhaustive scoring, 1,200 nodes: identical for 1, 2, 4 workers (node churn, failures)', async (t) => {
  const ns = nodes(1200);
  const steps: Step[] = [];
  for (let i = 0; i < 160; i++) {
    steps.push({
      pod: makePod(`p${i}`)
        .req(SIZES[i % 4]!)
        .build(),
    });
    if (i === 100) steps.push({ removeNode: 'n7' });
    if (i === 120) steps.push({ addNode: ns[7]! });
    if (i === 140) steps.push({ deletePod: 'default/p3' });
  }
  // Pods that fit nowhere (the sequential failure path).
  for (let i = 0; i < 3; i++) steps.push({ pod: makePod(`huge${i}`).req({ cpu: '64' }).build() });
  await sameAcrossWorkers(t, ns, steps, defaultConfig(100), [16, 5]);
});

test('taints, node affinity, tolerations and required anti-affinity: identical for 1, 2, 4 workers', async (t) => {
  const ns = nodes(800, (i, b) => {
    if (i % 5 === 0) b.taint('soft', 'x', 'PreferNoSchedule');
    if (i % 7 === 0) b.taint('hard', 'y', 'NoSchedule');
    b.label('disk', i % 2 ? 'ssd' : 'hdd');
  });
  const steps: Step[] = [];
  for (let i = 0; i < 120; i++) {
    const p = makePod(`p${i}`)
      .req(SIZES[i % 3]!)
      .label('app', i % 2 ? 'web' : 'batch');
    if (i % 3 === 0) p.toleration({ key: 'soft', operator: 'Exists', effect: 'PreferNoSchedule' });
    if (i % 4 === 0) p.preferredTerm(10, [{ key: 'disk', operator: 'In', values: ['ssd'] }]);
    if (i % 6 === 0) p.nodeSelector({ disk: 'hdd' });
    if (i % 2 === 1)
      p.podAffinity({ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: HOST }, true);
    steps.push({ pod: p.build() });
  }
  await sameAcrossWorkers(t, ns, steps);
});

test('a shape that must fall back: sampling profile (sequential) and topology spread (recomputed)', async (t) => {
  const ns = nodes(400);
  const steps: Step[] = [];
  for (let i = 0; i < 120; i++) {
    const p = makePod(`p${i}`)
      .req(SIZES[i % 3]!)
      .label('app', 'spread');
    if (i % 2 === 0)
      p.spread({
        maxSkew: 1,
        topologyKey: ZONE,
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { app: 'spread' } },
      });
    steps.push({ pod: p.build() });
  }
  await sameAcrossWorkers(t, ns, steps);
  const sampling = defaultConfig(0);
  const seq = new ParallelScheduler({ config: sampling, random: lcg(1), workers: 2 });
  t.regex(seq.ineligible ?? '', /percentageOfNodesToScore/);
  await sameAcrossWorkers(t, ns, steps.slice(0, 60), sampling);
});

test('chooseWorkers: auto stays sequential where threads do not pay; numbers are forced', (t) => {
  const config = defaultConfig(100);
  t.is(chooseWorkers({ requested: 'auto', config, nodes: 500, batchSize: 16, cores: 2 }), 1);
  t.is(
    chooseWorkers({ requested: 'auto', config: defaultConfig(0), nodes: 50_000, batchSize: 16, cores: 2 }),
    1,
  );
  t.is(chooseWorkers({ requested: 'auto', config, nodes: 50_000, batchSize: 16, cores: 1 }), 1);
  t.is(chooseWorkers({ requested: 'auto', config, nodes: 50_000, batchSize: 16, cores: 2 }), 1);
  t.is(chooseWorkers({ requested: 'auto', config, nodes: 50_000, batchSize: 16, cores: 4 }), 4);
  t.is(chooseWorkers({ requested: 'auto', config, nodes: 50_000, batchSize: 16, cores: 8 }), 8);
  // One thread per core up to AUTO_MAX_WORKERS (8: the best count measured on 16 cores).
  t.is(chooseWorkers({ requested: 'auto', config, nodes: 50_000, batchSize: 16, cores: 16 }), 8);
  t.is(chooseWorkers({ requested: 3, config, nodes: 10, batchSize: 1, cores: 2 }), 3);
  t.is(parseWorkersOption('auto'), 'auto');
  t.is(parseWorkersOption('4'), 4);
  t.throws(() => parseWorkersOption('0'), { instanceOf: RangeError, message: /--workers/ });
});
