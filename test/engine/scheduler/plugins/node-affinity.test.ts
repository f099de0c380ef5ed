import test from 'ava';
import type { NodeSelectorRequirement } from '../../../../engine/api/types.js';
import { makeNode, makePod } from '../../../helpers/builders.js';
import { cluster, onlyPlugins, scoresOf, verdicts } from '../helpers.js';

const cfg = (args?: unknown) =>
  onlyPlugins([{ name: 'NodeAffinity' }], args ? [{ name: 'NodeAffinity', args }] : []);
const NO = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";

const nodes = [
  makeNode('a').cap({ cpu: '4', pods: 110 }).labels({ zone: 'z1', gpu: 'true', cores: '8' }).build(),
  makeNode('b').cap({ cpu: '4', pods: 110 }).labels({ zone: 'z2', cores: '16' }).build(),
  makeNode('c').cap({ cpu: '4', pods: 110 }).labels({ zone: 'z3', cores: 'many' }).build(),
];

test('required terms: every operator', (t) => {
  const cases: [string, NodeSelectorRequirement[], Record<string, string>][] = [
    ['In', [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }], { a: 'ok', b: 'ok', c: NO }],
    [
      'NotIn (missing key matches)',
      [{ key: 'gpu', operator: 'NotIn', values: ['true'] }],
      { a: NO, b: 'ok', c: 'ok' },
    ],
    ['Exists', [{ key: 'gpu', operator: 'Exists' }], { a: 'ok', b: NO, c: NO }],
    ['DoesNotExist', [{ key: 'gpu', operator: 'DoesNotExist' }], { a: NO, b: 'ok', c: 'ok' }],
    // 8 > 10 no; 16 > 10 yes; "many" is not an integer → no
    ['Gt', [{ key: 'cores', operator: 'Gt', values: ['10'] }], { a: NO, b: 'ok', c: NO }],
    ['Lt', [{ key: 'cores', operator: 'Lt', values: ['10'] }], { a: 'ok', b: NO, c: NO }],
    [
      'ANDed requirements',
      [
        { key: 'zone', operator: 'In', values: ['z1', 'z2'] },
        { key: 'gpu', operator: 'DoesNotExist' },
      ],
      { a: NO, b: 'ok', c: NO },
    ],
    [
      'invalid Gt (two values) never matches',
      [{ key: 'cores', operator: 'Gt', values: ['1', '2'] }],
      { a: NO, b: NO, c: NO },
    ],
    [
      'In with empty values is invalid',
      [{ key: 'zone', operator: 'In', values: [] }],
      { a: NO, b: NO, c: NO },
    ],
  ];
  for (const [name, exprs, want] of cases) {
    t.deepEqual(
      verdicts(cluster(nodes, [], cfg()).explain(makePod('p').requiredTerm(exprs).build())),
      want,
      name,
    );
  }
});

test('terms are ORed; matchFields metadata.name; nodeSelector ANDed', (t) => {
  const s = cluster(nodes, [], cfg());
  const ored = makePod('p')
    .requiredTerm([{ key: 'zone', operator: 'In', values: ['z1'] }])
    .requiredTerm([{ key: 'zone', operator: 'In', values: ['z3'] }])
    .build();
  t.deepEqual(verdicts(s.explain(ored)), { a: 'ok', b: NO, c: 'ok' });
  const byName = makePod('p')
    .requiredTerm([], [{ key: 'metadata.name', operator: 'In', values: ['b'] }])
    .build();
  const e = s.explain(byName);
  // PreFilter narrows to node b; the others are reported as not satisfying NodeAffinity.
  t.deepEqual(verdicts(e), {
    a: "UnschedulableAndUnresolvable: node(s) didn't satisfy plugin(s) [NodeAffinity]",
    b: 'ok',
    c: "UnschedulableAndUnresolvable: node(s) didn't satisfy plugin(s) [NodeAffinity]",
  });
  const notName = makePod('p')
    .requiredTerm([], [{ key: 'metadata.name', operator: 'NotIn', values: ['b'] }])
    .build();
  t.deepEqual(verdicts(s.explain(notName)), { a: 'ok', b: NO, c: 'ok' });
  const sel = makePod('p')
    .nodeSelector({ zone: 'z1' })
    .requiredTerm([{ key: 'cores', operator: 'Exists' }])
    .build();
  t.deepEqual(verdicts(s.explain(sel)), { a: 'ok', b: NO, c: NO });
  const conflict = makePod('p')
    .requiredTerm(
      [],
      [
        { key: 'metadata.name', operator: 'In', values: ['a'] },
        { key: 'metadata.name', operator: 'In', values: ['b'] },
      ],
    )
    .build();
  const ce = s.explain(conflict);
  t.deepEqual(ce.preFilter, {
    status: 'UnschedulableAndUnresolvable',
    plugin: 'NodeAffinity',
    reasons: ['pod affinity terms conflict'],
  });
  t.is(s.scheduleOne(conflict).code, 'UnschedulableAndUnresolvable');
});

test('addedAffinity is enforced with its own reason', (t) => {
  const s = cluster(
    nodes,
    [],
    cfg({
      addedAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z2'] }] }],
        },
      },
    }),
  );
  t.deepEqual(verdicts(s.explain(makePod('p').build())), {
    a: 'ok',
    b: "UnschedulableAndUnresolvable: node(s) didn't match scheduler-enforced node affinity",
    c: 'ok',
  });
});

test('preferred terms: weights summed, normalized score*100/max; PreScore skips without preferred terms', (t) => {
  const s = cluster(nodes, [], cfg());
  const pod = makePod('p')
    .preferredTerm(5, [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }])
    .preferredTerm(3, [{ key: 'gpu', operator: 'Exists' }])
    .preferredTerm(0, [{ key: 'zone', operator: 'Exists' }])
    .build();
  // raw: a 5+3 = 8, b 5, c 0; max 8: a 100, b 5*100/8 = 62, c 0
  t.deepEqual(scoresOf(s.explain(pod), 'NodeAffinity'), { a: 100, b: 62, c: 0 });
  const e = s.explain(makePod('q').build());
  t.deepEqual(e.preScoreSkipped, ['NodeAffinity']);
  t.deepEqual(e.nodes[0]!.scores, {});
});
