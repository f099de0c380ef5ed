import test from 'ava';
import { balancedScore } from '../../../../engine/scheduler/plugins/node-resources-balanced-allocation/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';
import { cluster, onlyPlugins, scoresOf } from '../helpers.js';

const cfg = (args?: unknown) =>
  onlyPlugins(
    [{ name: 'NodeResourcesBalancedAllocation' }],
    args ? [{ name: 'NodeResourcesBalancedAllocation', args }] : [],
  );

test('two resources: (1 - |f1 - f2| / 2) * 100, actual requests', (t) => {
  const nodes = [
    makeNode('n1').cap({ cpu: '4', memory: '10000', pods: 110 }).build(),
    makeNode('n2').cap({ cpu: '6', memory: '10000', pods: 110 }).build(),
  ];
  const bound = [makePod('b').req({ cpu: '1', memory: '2000' }).node('n2').build()];
  const pod = makePod('p').req({ cpu: '3', memory: '5000' }).build();
  // n1: cpu 3000/4000 = 0.75, mem 5000/10000 = 0.5; std = 0.125; (1 - 0.125) * 100 = 87
  // n2: cpu 4000/6000 = 0.667, mem 7000/10000 = 0.7; std = 0.0167; int(98.33) = 98
  t.deepEqual(scoresOf(cluster(nodes, bound, cfg()).explain(pod), 'NodeResourcesBalancedAllocation'), {
    n1: 87,
    n2: 98,
  });
  // No requests: no non-zero defaults here: fractions 0, 0 → 100.
  t.deepEqual(
    scoresOf(
      cluster(nodes, [], cfg()).explain(makePod('q').container().build()),
      'NodeResourcesBalancedAllocation',
    ),
    { n1: 100, n2: 100 },
  );
});

test('fractions capped at 1; three resources use the standard deviation', (t) => {
  // cpu 8000/4000 → 1, mem 0.5: std 0.25 → 75
  t.is(balancedScore(Float64Array.of(8000, 5000), Float64Array.of(4000, 10000)), 75);
  // fractions 0.5, 0.25, 0 (third alloc 0 dropped: only 2 → std 0.125 → 87)
  t.is(balancedScore(Float64Array.of(2, 1, 0), Float64Array.of(4, 4, 0)), 87);
  // fractions 1, 0.5, 0: mean 0.5, var (0.25+0+0.25)/3 = 0.1667, std 0.408 → int(59.18) = 59
  t.is(balancedScore(Float64Array.of(4, 2, 0), Float64Array.of(4, 4, 4)), 59);
  const nodes = [makeNode('n1').cap({ cpu: '4', memory: '10000', pods: 110, 'example.com/foo': 4 }).build()];
  const three = cfg({
    resources: [
      { name: 'cpu', weight: 1 },
      { name: 'memory', weight: 1 },
      { name: 'example.com/foo', weight: 1 },
    ],
  });
  // foo not requested → ignored: cpu 0.25, mem 0.5 → std 0.125 → 87
  t.deepEqual(
    scoresOf(
      cluster(nodes, [], three).explain(makePod('p').req({ cpu: '1', memory: '5000' }).build()),
      'NodeResourcesBalancedAllocation',
    ),
    { n1: 87 },
  );
});
