import test from 'ava';
import type { LabelSelector, Node, Pod, TopologySpreadConstraint } from '../../../../engine/api/types.js';
import {
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
  ERR_REASON_NODE_LABEL_NOT_MATCH,
  factory,
  type PodTopologySpread,
} from '../../../../engine/scheduler/plugins/pod-topology-spread/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';
import { Harness } from './advanced-harness.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const SKEW = `Unschedulable: ${ERR_REASON_CONSTRAINTS_NOT_MATCH}`;
const LABEL = `UnschedulableAndUnresolvable: ${ERR_REASON_NODE_LABEL_NOT_MATCH}`;

// n1, n2: zone a; n3, n4: zone b; n5: zone c, tainted NoSchedule; n6: no zone label.
const filterNodes = (): Node[] => [
  makeNode('n1').zone('a').build(),
  makeNode('n2').zone('a').build(),
  makeNode('n3').zone('b').build(),
  makeNode('n4').zone('b').build(),
  makeNode('n5').zone('c').taint('dedicated', 'x', 'NoSchedule').build(),
  makeNode('n6').build(),
];

const web = (name: string, node: string, extra: Record<string, string> = {}): Pod =>
  makePod(name)
    .labels({ app: 'web', ...extra })
    .node(node)
    .build();

const zoneConstraint = (extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew: 1,
  topologyKey: ZONE,
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
  ...extra,
});

function plugin(h: Harness, defaultingType: 'System' | 'List' = 'System'): PodTopologySpread {
  return factory.create(
    factory.parseArgs!(defaultingType === 'List' ? { defaultingType } : undefined, 'args'),
    h.handle,
  ) as PodTopologySpread;
}

interface FilterCase {
  name: string;
  existing: Pod[];
  pod: Pod;
  want: Record<string, string>;
}

const filterCases: FilterCase[] = [
  {
    // counts a = 2, b = 1, c = 0 (n5 counts: nodeTaintsPolicy defaults to Ignore) → min 0
    // n1/n2: 2 + 1 − 0 = 3 > 1; n3/n4: 1 + 1 − 0 = 2 > 1; n5: 0 + 1 − 0 = 1 ≤ 1
    name: 'maxSkew 1 over zones; tainted zone c is a domain by default',
    existing: [web('w1', 'n1'), web('w2', 'n2'), web('w3', 'n3')],
    pod: makePod('p').label('app', 'web').spread(zoneConstraint()).build(),
    want: { n1: SKEW, n2: SKEW, n3: SKEW, n4: SKEW, n5: 'ok', n6: LABEL },
  },
  {
    // nodeTaintsPolicy Honor: n5 is not tolerated → domains a = 2, b = 1 → min 1
    // n1/n2: 2 + 1 − 1 = 2 > 1; n3/n4: 1 + 1 − 1 = 1; n5: 0 + 1 − 1 = 0
    name: 'nodeTaintsPolicy Honor drops the tainted domain from the minimum',
    existing: [web('w1', 'n1'), web('w2', 'n2'), web('w3', 'n3')],
    pod: makePod('p')
      .label('app', 'web')
      .spread(zoneConstraint({ nodeTaintsPolicy: 'Honor' }))
      .build(),
    want: { n1: SKEW, n2: SKEW, n3: 'ok', n4: 'ok', n5: 'ok', n6: LABEL },
  },
  {
    // a tolerating pod: n5 included again → min 0 (zone c empty)
    name: 'nodeTaintsPolicy Honor with a toleration keeps the domain',
    existing: [web('w1', 'n1'), web('w2', 'n2'), web('w3', 'n3')],
    pod: makePod('p')
      .label('app', 'web')
      .toleration({ key: 'dedicated', operator: 'Exists' })
      .spread(zoneConstraint({ nodeTaintsPolicy: 'Honor' }))
      .build(),
    want: { n1: SKEW, n2: SKEW, n3: SKEW, n4: SKEW, n5: 'ok', n6: LABEL },
  },
  {
    // a = 1, b = 1, c = 1 → min 1: every zone 1 + 1 − 1 = 1
    name: 'balanced: every zone may take one more',
    existing: [web('w1', 'n1'), web('w3', 'n3'), web('w5', 'n5')],
    pod: makePod('p').label('app', 'web').spread(zoneConstraint()).build(),
    want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: 'ok', n6: LABEL },
  },
  {
    // 3 domains < minDomains 4 → global minimum taken as 0: every zone 1 + 1 − 0 = 2 > 1
    name: 'minDomains 4 with 3 domains forces the minimum to 0',
    existing: [web('w1', 'n1'), web('w3', 'n3'), web('w5', 'n5')],
    pod: makePod('p')
      .label('app', 'web')
      .spread(zoneConstraint({ minDomains: 4 }))
      .build(),
    want: { n1: SKEW, n2: SKEW, n3: SKEW, n4: SKEW, n5: SKEW, n6: LABEL },
  },
  {
    // minDomains 3 with 3 domains: as without it (min 1)
    name: 'minDomains equal to the number of domains changes nothing',
    existing: [web('w1', 'n1'), web('w3', 'n3'), web('w5', 'n5')],
    pod: makePod('p')
      .label('app', 'web')
      .spread(zoneConstraint({ minDomains: 3 }))
      .build(),
    want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: 'ok', n6: LABEL },
  },
  {
    // nodeSelector zone in (a, b) with nodeAffinityPolicy Honor (default): domains a = 1, b = 1 → min 1
    // n1: 1 + 1 − 1 = 1 ok. (n5 is excluded by NodeAffinity itself, not by this filter.)
    name: 'nodeAffinityPolicy Honor: only domains of nodes the pod may use',
    existing: [web('w1', 'n1'), web('w3', 'n3')],
    pod: makePod('p')
      .label('app', 'web')
      .requiredTerm([{ key: ZONE, operator: 'In', values: ['a', 'b'] }])
      .spread(zoneConstraint())
      .build(),
    want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: 'ok', n6: LABEL },
  },
  {
    // nodeAffinityPolicy Ignore: zone c (0) counts → min 0; a: 1 + 1 − 0 = 2 > 1
    name: 'nodeAffinityPolicy Ignore: every domain counts',
    existing: [web('w1', 'n1'), web('w3', 'n3')],
    pod: makePod('p')
      .label('app', 'web')
      .requiredTerm([{ key: ZONE, operator: 'In', values: ['a', 'b'] }])
      .spread(zoneConstraint({ nodeAffinityPolicy: 'Ignore' }))
      .build(),
    want: { n1: SKEW, n2: SKEW, n3: SKEW, n4: SKEW, n5: 'ok', n6: LABEL },
  },
  {
    // the pod does not match its own selector: selfMatch 0. a = 2, b = 1, c = 0: n1 2 + 0 − 0 = 2 > 1; n3 1 ≤ 1
    name: 'a pod outside its selector adds no self match',
    existing: [web('w1', 'n1'), web('w2', 'n2'), web('w3', 'n3')],
    pod: makePod('p').label('app', 'other').spread(zoneConstraint()).build(),
    want: { n1: SKEW, n2: SKEW, n3: 'ok', n4: 'ok', n5: 'ok', n6: LABEL },
  },
  {
    // matchLabelKeys [version]: only version=v2 pods count: a = 0, b = 1, c = 0 → min 0
    // n3/n4: 1 + 1 − 0 = 2 > 1; others 0 + 1 = 1
    name: 'matchLabelKeys narrows the selector to the pod’s own value',
    existing: [
      web('w1', 'n1', { version: 'v1' }),
      web('w2', 'n2', { version: 'v1' }),
      web('w3', 'n3', { version: 'v2' }),
    ],
    pod: makePod('p')
      .labels({ app: 'web', version: 'v2' })
      .spread(zoneConstraint({ matchLabelKeys: ['version'] }))
      .build(),
    want: { n1: 'ok', n2: 'ok', n3: SKEW, n4: SKEW, n5: 'ok', n6: LABEL },
  },
  {
    // pods of another namespace do not count: a = 0 → all 0 + 1 − 0 = 1
    name: 'other namespaces do not count',
    existing: [makePod('w1').ns('other').label('app', 'web').node('n1').build()],
    pod: makePod('p').label('app', 'web').spread(zoneConstraint()).build(),
    want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: 'ok', n6: LABEL },
  },
  {
    // two constraints: hostname maxSkew 1 and zone maxSkew 2. host counts n1 = 1 others 0 → min 0;
    // zone a = 1 → min 0 (b, c empty). n1: host 1 + 1 − 0 = 2 > 1 → rejected by the first constraint.
    name: 'every constraint must hold',
    existing: [web('w1', 'n1')],
    pod: makePod('p')
      .label('app', 'web')
      .spread(zoneConstraint({ topologyKey: HOST }))
      .spread(zoneConstraint({ maxSkew: 2 }))
      .build(),
    want: { n1: SKEW, n2: 'ok', n3: 'ok', n4: 'ok', n5: 'ok', n6: LABEL },
  },
  {
    name: 'ScheduleAnyway constraints only: Filter is skipped',
    existing: [web('w1', 'n1'), web('w2', 'n1')],
    pod: makePod('p')
      .label('app', 'web')
      .spread(zoneConstraint({ whenUnsatisfiable: 'ScheduleAnyway' }))
      .build(),
    want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: 'ok', n6: 'ok' },
  },
];

for (const c of filterCases) {
  test(`filter: ${c.name}`, (t) => {
    const h = new Harness(filterNodes(), c.existing);
    t.deepEqual(h.filter(plugin(h), c.pod), c.want);
  });
}

// n1, n2: zone a; n3, n4: zone b.
const scoreNodes = (): Node[] => [
  makeNode('n1').zone('a').build(),
  makeNode('n2').zone('a').build(),
  makeNode('n3').zone('b').build(),
  makeNode('n4').zone('b').build(),
];

interface ScoreCase {
  name: string;
  nodes?: Node[];
  existing: Pod[];
  pod: Pod;
  owners?: LabelSelector[];
  want: Record<string, number> | 'skip';
}

const soft = (topologyKey: string, maxSkew: number): TopologySpreadConstraint => ({
  maxSkew,
  topologyKey,
  whenUnsatisfiable: 'ScheduleAnyway',
  labelSelector: { matchLabels: { app: 'web' } },
});

const scoreCases: ScoreCase[] = [
  {
    // zone domains among feasible nodes: 2 → weight ln(2 + 2) = 1.3863; counts a = 2, b = 1
    // n1, n2: 2 × 1.3863 + (1 − 1) = 2.77 → 3; n3, n4: 1.3863 → 1
    // normalize (max 3, min 1): n1 100 × (3 + 1 − 3) / 3 = 33; n3 100 × (3 + 1 − 1) / 3 = 100
    name: 'zone constraint',
    existing: [web('w1', 'n1'), web('w2', 'n1'), web('w3', 'n3')],
    pod: makePod('p').label('app', 'web').spread(soft(ZONE, 1)).build(),
    want: { n1: 33, n2: 33, n3: 100, n4: 100 },
  },
  {
    // hostname: 4 feasible nodes → weight ln(6) = 1.7918; + (maxSkew 2 − 1) = 1
    // n1: 2 × 1.7918 + 1 = 4.58 → 5; n2: 1; n3: 1.7918 + 1 = 2.79 → 3; n4: 1
    // normalize (max 5, min 1): n1 100 × 1 / 5 = 20; n2 100 × 5 / 5 = 100; n3 100 × 3 / 5 = 60
    name: 'hostname constraint with maxSkew 2',
    existing: [web('w1', 'n1'), web('w2', 'n1'), web('w3', 'n3')],
    pod: makePod('p').label('app', 'web').spread(soft(HOST, 2)).build(),
    want: { n1: 20, n2: 100, n3: 60, n4: 100 },
  },
  {
    // n5 lacks the zone key: ignored (score 0), and not among the hostname domains:
    // hostname weight ln(4 + 2) over n1..n4; zone weight ln(2 + 2).
    // n1: host 1 × 1.7918 + 0 + zone a 1 × 1.3863 + 0 = 3.18 → 3; n2: 1.3863 → 1; n3, n4: 0
    // normalize (max 3, min 0): n1 100 × (3 + 0 − 3) / 3 = 0; n2 100 × 2 / 3 = 66; n3 100
    name: 'a node lacking a key is ignored',
    nodes: [...scoreNodes(), makeNode('n5').build()],
    existing: [web('w1', 'n1')],
    pod: makePod('p').label('app', 'web').spread(soft(HOST, 1)).spread(soft(ZONE, 1)).build(),
    want: { n1: 0, n2: 66, n3: 100, n4: 100, n5: 0 },
  },
  {
    // system defaults (owners select app=web): hostname maxSkew 3 (weight ln 6 = 1.7918), zone maxSkew 5
    // (weight ln 4 = 1.3863). n1: 1.7918 + 2 + 1.3863 + 4 = 9.18 → 9; n2: 2 + 5.3863 = 7.39 → 7;
    // n3, n4: 2 + 4 = 6. normalize (max 9, min 6): n1 100 × 6 / 9 = 66; n2 100 × 8 / 9 = 88; n3 100
    name: 'system default constraints from the owners’ selector',
    existing: [web('w1', 'n1')],
    pod: makePod('p').label('app', 'web').build(),
    owners: [{ matchLabels: { app: 'web' } }],
    want: { n1: 66, n2: 88, n3: 100, n4: 100 },
  },
  {
    // system defaulting does not require all keys: n5 (no zone) scores its hostname part only.
    // hostname weight ln(5 + 2) = 1.9459; zone weight ln 4. n1: 1.9459 + 2 + 1.3863 + 4 = 9.33 → 9;
    // n2: 2 + 5.3863 → 7; n3, n4: 6; n5: 2. normalize (max 9, min 2): n1 100 × 2 / 9 = 22;
    // n2 100 × 4 / 9 = 44; n3 100 × 5 / 9 = 55; n5 100 × 9 / 9 = 100
    name: 'system defaults score nodes lacking a key',
    nodes: [...scoreNodes(), makeNode('n5').build()],
    existing: [web('w1', 'n1')],
    pod: makePod('p').label('app', 'web').build(),
    owners: [{ matchLabels: { app: 'web' } }],
    want: { n1: 22, n2: 44, n3: 55, n4: 55, n5: 100 },
  },
  {
    name: 'system defaults without owners: Skip',
    existing: [web('w1', 'n1')],
    pod: makePod('p').label('app', 'web').build(),
    want: 'skip',
  },
  {
    name: 'DoNotSchedule constraints only: Skip',
    existing: [web('w1', 'n1')],
    pod: makePod('p').label('app', 'web').spread(zoneConstraint()).build(),
    want: 'skip',
  },
  {
    // no matching pods anywhere: all raw scores (maxSkew 1 − 1) = 0 → max 0 → every node 100
    name: 'nothing matches: all 100',
    existing: [],
    pod: makePod('p').label('app', 'web').spread(soft(ZONE, 1)).build(),
    want: { n1: 100, n2: 100, n3: 100, n4: 100 },
  },
];

for (const c of scoreCases) {
  test(`score: ${c.name}`, (t) => {
    const owners = c.owners;
    const h = new Harness(
      c.nodes ?? scoreNodes(),
      c.existing,
      owners ? { ownerSelectors: () => owners } : undefined,
    );
    t.deepEqual(h.score(plugin(h), c.pod), c.want);
  });
}

test('args: System forbids defaultConstraints; List takes them', (t) => {
  t.throws(
    () =>
      factory.parseArgs!(
        { defaultConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' }] },
        'a',
      ),
    {
      message: /defaultConstraints/,
    },
  );
  const args = factory.parseArgs!(
    {
      defaultingType: 'List',
      defaultConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' }],
    },
    'a',
  );
  t.is(args.defaultConstraints.length, 1);
});

test('List defaults with DoNotSchedule filter pods without constraints', (t) => {
  const h = new Harness(scoreNodes(), [web('w1', 'n1')], {
    ownerSelectors: () => [{ matchLabels: { app: 'web' } }],
  });
  const pl = factory.create(
    factory.parseArgs!(
      {
        defaultingType: 'List',
        defaultConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' }],
      },
      'a',
    ),
    h.handle,
  );
  // a = 1, b = 0 → min 0: n1/n2 1 + 1 − 0 = 2 > 1
  t.deepEqual(h.filter(pl, makePod('p').label('app', 'web').build()), {
    n1: SKEW,
    n2: SKEW,
    n3: 'ok',
    n4: 'ok',
  });
});

test('PreFilter reads domain counts from the index when every node counts; same verdicts as the node pass', (t) => {
  // Every node has a zone; zone c has no web pod (count 0, still a domain: min 0).
  const h = new Harness(
    [
      makeNode('n1').zone('a').label('pool', 'x').build(),
      makeNode('n2').zone('a').label('pool', 'x').build(),
      makeNode('n3').zone('b').label('pool', 'x').build(),
      makeNode('n4').zone('c').label('pool', 'x').build(),
    ],
    [web('w1', 'n1'), web('w2', 'n2'), web('w3', 'n3')],
  );
  const p = plugin(h);
  const zoneId = h.index.labelKeys.get(ZONE);
  t.is(h.index.nodesWithKey(zoneId), 4);
  t.deepEqual([...h.index.domainNodes(zoneId).values()], [2, 1, 1]); // a: n1 n2, b: n3, c: n4
  // counts a 2, b 1, c 0; min 0. maxSkew 1: a 2+1−0 > 1, b 1+1−0 > 1, c 0+1−0 ≤ 1.
  const want = { n1: SKEW, n2: SKEW, n3: SKEW, n4: 'ok' };
  const fast = makePod('p').labels({ app: 'web' }).spread(zoneConstraint()).build();
  t.deepEqual(h.filter(p, fast), want);
  // A node selector every node passes sends PreFilter through the per-node pass: same verdicts.
  const slow = makePod('p')
    .labels({ app: 'web' })
    .spread(zoneConstraint())
    .nodeSelector({ pool: 'x' })
    .build();
  t.deepEqual(h.filter(p, slow), want);
  // A node without the key: the per-node pass again, and that node is unresolvable.
  h.index.addNode(makeNode('n5').label('pool', 'x').build());
  t.is(h.index.nodesWithKey(zoneId), 4);
  t.deepEqual(h.filter(p, fast), { ...want, n5: LABEL });
  // Its zone label arrives by an update: every node counts again, zone d (0) joins the domains.
  h.index.updateNode(makeNode('n5').zone('d').label('pool', 'x').build());
  t.deepEqual([...h.index.domainNodes(zoneId).values()], [2, 1, 1, 1]);
  t.deepEqual(h.filter(p, fast), { ...want, n5: 'ok' });
  // Zone c's only node removed: the domain goes; min still 0 (zone d), so only n5 fits.
  h.index.removeNode('n4');
  t.is(h.index.domainNodes(zoneId).size, 3);
  t.deepEqual(h.filter(p, fast), { n1: SKEW, n2: SKEW, n3: SKEW, n5: 'ok' });
  // w3 deleted: b drops to 0 with d; b's n3 now fits (0 + 1 − 0 ≤ 1).
  h.index.removePod(web('w3', 'n3'));
  t.deepEqual(h.filter(p, fast), { n1: SKEW, n2: SKEW, n3: 'ok', n5: 'ok' });
});
