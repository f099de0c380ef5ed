import test from 'ava';
import { makeNode, makePod } from '../../../helpers/builders.js';
import { cluster, onlyPlugins, scoresOf, verdicts } from '../helpers.js';
import {
  brokenLinear,
  leastRequestedScore,
  mostRequestedScore,
} from '../../../../engine/scheduler/plugins/node-resources-fit/index.js';

const fit = (args?: unknown) =>
  onlyPlugins([{ name: 'NodeResourcesFit' }], args ? [{ name: 'NodeResourcesFit', args }] : []);

test('filter: reasons per resource, extended resources, pod count', (t) => {
  const nodes = [
    makeNode('n1').cap({ cpu: '4', memory: '8Gi', pods: 110 }).build(),
    makeNode('n2').cap({ cpu: '1', memory: '8Gi', pods: 110 }).build(),
    makeNode('n3').cap({ cpu: '1', memory: '1Gi', pods: 110 }).build(),
    makeNode('n4').cap({ cpu: '4', memory: '8Gi', pods: 1 }).build(),
    makeNode('n5').cap({ cpu: '4', memory: '8Gi', pods: 110, 'nvidia.com/gpu': 1 }).build(),
  ];
  // n4 already runs one pod: 1 + 1 > 1 → Too many pods.
  const bound = [makePod('b').req({ cpu: '100m' }).node('n4').build()];
  const cases: { name: string; pod: ReturnType<typeof makePod>; want: Record<string, string> }[] = [
    {
      name: 'cpu and memory',
      pod: makePod('p').req({ cpu: '2', memory: '2Gi' }),
      want: {
        n1: 'ok',
        n2: 'Unschedulable: Insufficient cpu',
        n3: 'Unschedulable: Insufficient cpu; Insufficient memory',
        n4: 'Unschedulable: Too many pods',
        n5: 'ok',
      },
    },
    {
      name: 'extended resource: only n5 has it',
      pod: makePod('p').req({ cpu: '100m', 'nvidia.com/gpu': 1 }),
      want: {
        n1: 'Unschedulable: Insufficient nvidia.com/gpu',
        n2: 'Unschedulable: Insufficient nvidia.com/gpu',
        n3: 'Unschedulable: Insufficient nvidia.com/gpu',
        n4: 'Unschedulable: Too many pods; Insufficient nvidia.com/gpu',
        n5: 'ok',
      },
    },
    {
      name: 'empty pod: only the pod count matters',
      pod: makePod('p').container(),
      want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'Unschedulable: Too many pods', n5: 'ok' },
    },
    {
      name: 'init container max wins over sum of containers',
      // max(sum(500m), init 3) = 3 cores > 1 core on n2/n3.
      pod: makePod('p').req({ cpu: '500m' }).initReq({ cpu: '3' }),
      want: {
        n1: 'ok',
        n2: 'Unschedulable: Insufficient cpu',
        n3: 'Unschedulable: Insufficient cpu',
        n4: 'Unschedulable: Too many pods',
        n5: 'ok',
      },
    },
  ];
  for (const c of cases) {
    const s = cluster(nodes, bound, fit());
    t.deepEqual(verdicts(s.explain(c.pod.build())), c.want, c.name);
  }
});

test('filter: ignoredResources and ignoredResourceGroups', (t) => {
  const nodes = [makeNode('n1').cap({ cpu: '4', memory: '8Gi', pods: 110 }).build()];
  const pod = makePod('p').req({ cpu: '1', 'example.com/foo': 1, 'vendor.io/bar': 2 }).build();
  t.deepEqual(verdicts(cluster(nodes, [], fit()).explain(pod)), {
    n1: 'Unschedulable: Insufficient example.com/foo; Insufficient vendor.io/bar',
  });
  t.deepEqual(verdicts(cluster(nodes, [], fit({ ignoredResources: ['example.com/foo'] })).explain(pod)), {
    n1: 'Unschedulable: Insufficient vendor.io/bar',
  });
  t.deepEqual(
    verdicts(cluster(nodes, [], fit({ ignoredResourceGroups: ['example.com', 'vendor.io'] })).explain(pod)),
    { n1: 'ok' },
  );
});

test('score: LeastAllocated', (t) => {
  const nodes = [
    makeNode('n1').cap({ cpu: '4', memory: '10000', pods: 110 }).build(),
    makeNode('n2').cap({ cpu: '6', memory: '10000', pods: 110 }).build(),
  ];
  const bound = [makePod('b').req({ cpu: '1', memory: '2000' }).node('n2').build()];
  const pod = makePod('p').req({ cpu: '3', memory: '5000' }).build();
  // n1: CPU ((4000 - 3000) * 100) / 4000 = 25; memory ((10000 - 5000) * 100) / 10000 = 50; (25 + 50) / 2 = 37
  // n2: CPU ((6000 - 4000) * 100) / 6000 = 33; memory ((10000 - 7000) * 100) / 10000 = 30; (33 + 30) / 2 = 31
  t.deepEqual(scoresOf(cluster(nodes, bound, fit()).explain(pod), 'NodeResourcesFit'), { n1: 37, n2: 31 });
  // Weighted: cpu 3, memory 1 → n1 (25*3 + 50) / 4 = 31; n2 (33*3 + 30) / 4 = 32
  const w = fit({
    scoringStrategy: {
      type: 'LeastAllocated',
      resources: [
        { name: 'cpu', weight: 3 },
        { name: 'memory', weight: 1 },
      ],
    },
  });
  t.deepEqual(scoresOf(cluster(nodes, bound, w).explain(pod), 'NodeResourcesFit'), { n1: 31, n2: 32 });
});

test('score: non-zero defaults for missing requests (scoring only)', (t) => {
  const nodes = [makeNode('n1').cap({ cpu: '1', memory: '1Gi', pods: 110 }).build()];
  // No requests: counted as 100m cpu, 200Mi memory.
  // CPU ((1000 - 100) * 100) / 1000 = 90; memory ((1024 - 200) * 100) / 1024 = 80; (90 + 80) / 2 = 85
  t.deepEqual(
    scoresOf(cluster(nodes, [], fit()).explain(makePod('p').container().build()), 'NodeResourcesFit'),
    { n1: 85 },
  );
  // Explicit "0" is not defaulted: CPU 100, memory 100 → 100.
  t.deepEqual(
    scoresOf(
      cluster(nodes, [], fit()).explain(makePod('p').req({ cpu: '0', memory: '0' }).build()),
      'NodeResourcesFit',
    ),
    { n1: 100 },
  );
});

test('score: MostAllocated', (t) => {
  const nodes = [
    makeNode('n1').cap({ cpu: '4', memory: '10000', pods: 110 }).build(),
    makeNode('n2').cap({ cpu: '6', memory: '10000', pods: 110 }).build(),
  ];
  const bound = [makePod('b').req({ cpu: '1', memory: '2000' }).node('n2').build()];
  const pod = makePod('p').req({ cpu: '3', memory: '5000' }).build();
  // n1: CPU (3000 * 100) / 4000 = 75; memory (5000 * 100) / 10000 = 50; (75 + 50) / 2 = 62
  // n2: CPU (4000 * 100) / 6000 = 66; memory (7000 * 100) / 10000 = 70; (66 + 70) / 2 = 68
  const cfg = fit({ scoringStrategy: { type: 'MostAllocated' } });
  t.deepEqual(scoresOf(cluster(nodes, bound, cfg).explain(pod), 'NodeResourcesFit'), { n1: 62, n2: 68 });
});

test('score: RequestedToCapacityRatio with a shape, zero-scored resources dropped', (t) => {
  const nodes = [makeNode('n1').cap({ cpu: '4', memory: '10000', pods: 110 }).build()];
  const cfg = (shape: unknown) =>
    fit({
      scoringStrategy: {
        type: 'RequestedToCapacityRatio',
        resources: [
          { name: 'cpu', weight: 1 },
          { name: 'memory', weight: 2 },
        ],
        requestedToCapacityRatio: { shape },
      },
    });
  const pod = makePod('p').req({ cpu: '1', memory: '5000' }).build();
  // Shape (0,0) (100,10) → ×10: cpu 25% → 25, memory 50% → 50; round((25*1 + 50*2) / 3) = round(41.67) = 42
  t.deepEqual(
    scoresOf(
      cluster(
        nodes,
        [],
        cfg([
          { utilization: 0, score: 0 },
          { utilization: 100, score: 10 },
        ]),
      ).explain(pod),
      'NodeResourcesFit',
    ),
    { n1: 42 },
  );
  // Shape (0,10) (50,0) (100,0): cpu 25% → 100 + (0-100)*(25-0)/50 = 50; memory 50% → 0 drops out: round(50*1 / 1) = 50
  t.deepEqual(
    scoresOf(
      cluster(
        nodes,
        [],
        cfg([
          { utilization: 0, score: 10 },
          { utilization: 50, score: 0 },
          { utilization: 100, score: 0 },
        ]),
      ).explain(pod),
      'NodeResourcesFit',
    ),
    { n1: 50 },
  );
});

test('score: an extended resource the pod does not request is ignored', (t) => {
  const nodes = [makeNode('n1').cap({ cpu: '4', memory: '10000', pods: 110, 'nvidia.com/gpu': 8 }).build()];
  const cfg = fit({
    scoringStrategy: {
      type: 'LeastAllocated',
      resources: [
        { name: 'cpu', weight: 1 },
        { name: 'memory', weight: 1 },
        { name: 'nvidia.com/gpu', weight: 5 },
      ],
    },
  });
  // gpu skipped: CPU ((4000-1000)*100)/4000 = 75; memory ((10000-5000)*100)/10000 = 50 → 62
  t.deepEqual(
    scoresOf(
      cluster(nodes, [], cfg).explain(makePod('p').req({ cpu: '1', memory: '5000' }).build()),
      'NodeResourcesFit',
    ),
    { n1: 62 },
  );
  // gpu requested 2 of 8: ((8-2)*100)/8 = 75 → (75 + 50 + 75*5) / 7 = 500/7 = 71
  t.deepEqual(
    scoresOf(
      cluster(nodes, [], cfg).explain(
        makePod('p').req({ cpu: '1', memory: '5000', 'nvidia.com/gpu': 2 }).build(),
      ),
      'NodeResourcesFit',
    ),
    { n1: 71 },
  );
});

test('score functions: integer arithmetic', (t) => {
  t.is(leastRequestedScore(3000, 4000), 25);
  t.is(leastRequestedScore(5000, 4000), 0);
  t.is(mostRequestedScore(5000, 4000), 100);
  t.is(mostRequestedScore(1, 3), 33);
  const shape = [
    { utilization: 0, score: 0 },
    { utilization: 100, score: 100 },
  ];
  t.is(brokenLinear(shape, 33), 33);
  t.is(brokenLinear(shape, 150), 100);
});
