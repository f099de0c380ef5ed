import test from 'ava';
import type { Pod, PodAffinityTerm } from '../../../../engine/api/types.js';
import { CycleState } from '../../../../engine/scheduler/framework/index.js';
import {
  ERR_REASON_AFFINITY,
  ERR_REASON_ANTI_AFFINITY,
  ERR_REASON_EXISTING_ANTI_AFFINITY,
  InterPodAffinity,
  factory,
  minMaxNormalize,
  podAffinityTerms,
} from '../../../../engine/scheduler/plugins/inter-pod-affinity/index.js';
import { NodeIndex } from '../../../../engine/scheduler/index/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';
import { Harness } from './advanced-harness.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

// n1, n2 in zone a; n3 in zone b; n4 has no zone label.
const nodes = () => [
  makeNode('n1').zone('a').build(),
  makeNode('n2').zone('a').build(),
  makeNode('n3').zone('b').build(),
  makeNode('n4').build(),
];

const term = (
  labels: Record<string, string>,
  topologyKey: string,
  extra: Partial<PodAffinityTerm> = {},
): PodAffinityTerm => ({
  labelSelector: { matchLabels: labels },
  topologyKey,
  ...extra,
});

const AFF = `UnschedulableAndUnresolvable: ${ERR_REASON_AFFINITY}`;
const ANTI = `Unschedulable: ${ERR_REASON_ANTI_AFFINITY}`;
const EXISTING = `Unschedulable: ${ERR_REASON_EXISTING_ANTI_AFFINITY}`;

const nsLabels: Record<string, Record<string, string>> = { other: { team: 'x' }, default: { team: 'y' } };

function plugin(h: Harness, hardPodAffinityWeight = 1): InterPodAffinity {
  return factory.create(
    { hardPodAffinityWeight, ignorePreferredTermsOfExistingPods: false },
    h.handle,
  ) as InterPodAffinity;
}

interface FilterCase {
  name: string;
  existing: Pod[];
  pod: Pod;
  want: Record<string, string>;
}

const filterCases: FilterCase[] = [
  {
    name: 'required affinity (zone) to app=db: the db pod is on n1, zone a',
    existing: [makePod('db').label('app', 'db').node('n1').build()],
    pod: makePod('p')
      .podAffinity(term({ app: 'db' }, ZONE))
      .build(),
    want: { n1: 'ok', n2: 'ok', n3: AFF, n4: AFF },
  },
  {
    name: 'required affinity, nothing matches, pod does not match itself',
    existing: [makePod('x').label('app', 'x').node('n1').build()],
    pod: makePod('p')
      .podAffinity(term({ app: 'db' }, ZONE))
      .build(),
    want: { n1: AFF, n2: AFF, n3: AFF, n4: AFF },
  },
  {
    name: 'first pod of a self-affine group lands on any node with the topology key',
    existing: [makePod('x').label('app', 'x').node('n1').build()],
    pod: makePod('p')
      .label('app', 'web')
      .podAffinity(term({ app: 'web' }, ZONE))
      .build(),
    want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: AFF },
  },
  {
    name: 'self-affine pod once a group member exists: only its domain',
    existing: [makePod('w0').label('app', 'web').node('n3').build()],
    pod: makePod('p')
      .label('app', 'web')
      .podAffinity(term({ app: 'web' }, ZONE))
      .build(),
    want: { n1: AFF, n2: AFF, n3: 'ok', n4: AFF },
  },
  {
    name: 'two affinity terms: a pod must match both to count',
    existing: [
      makePod('db').label('app', 'db').node('n1').build(),
      makePod('c').label('tier', 'cache').node('n3').build(),
    ],
    pod: makePod('p')
      .podAffinity(term({ app: 'db' }, ZONE))
      .podAffinity(term({ tier: 'cache' }, ZONE))
      .build(),
    want: { n1: AFF, n2: AFF, n3: AFF, n4: AFF },
  },
  {
    name: 'required anti-affinity (hostname) to app=db on n1',
    existing: [makePod('db').label('app', 'db').node('n1').build()],
    pod: makePod('p')
      .podAffinity(term({ app: 'db' }, HOST), true)
      .build(),
    want: { n1: ANTI, n2: 'ok', n3: 'ok', n4: 'ok' },
  },
  {
    name: 'required anti-affinity (zone): whole zone a excluded; n4 lacks the key and passes',
    existing: [makePod('db').label('app', 'db').node('n2').build()],
    pod: makePod('p')
      .podAffinity(term({ app: 'db' }, ZONE), true)
      .build(),
    want: { n1: ANTI, n2: ANTI, n3: 'ok', n4: 'ok' },
  },
  {
    name: "symmetry: an existing pod's required anti-affinity (zone) to app=web excludes zone b",
    existing: [
      makePod('e')
        .podAffinity(term({ app: 'web' }, ZONE), true)
        .node('n3')
        .build(),
    ],
    pod: makePod('p').label('app', 'web').build(),
    want: { n1: 'ok', n2: 'ok', n3: EXISTING, n4: 'ok' },
  },
  {
    name: 'symmetry does not apply across namespaces (term defaults to its own namespace)',
    existing: [
      makePod('e')
        .ns('other')
        .podAffinity(term({ app: 'web' }, ZONE), true)
        .node('n3')
        .build(),
    ],
    pod: makePod('p').label('app', 'web').build(),
    want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok' },
  },
  {
    name: 'symmetry with a namespaceSelector selecting the incoming pod’s namespace (team=y)',
    existing: [
      makePod('e')
        .ns('other')
        .podAffinity(term({ app: 'web' }, HOST, { namespaceSelector: { matchLabels: { team: 'y' } } }), true)
        .node('n3')
        .build(),
    ],
    pod: makePod('p').label('app', 'web').build(),
    want: { n1: 'ok', n2: 'ok', n3: EXISTING, n4: 'ok' },
  },
  {
    name: 'affinity term naming namespace "other": a db pod in default does not count',
    existing: [makePod('db').label('app', 'db').node('n1').build()],
    pod: makePod('p')
      .podAffinity(term({ app: 'db' }, ZONE, { namespaces: ['other'] }))
      .build(),
    want: { n1: AFF, n2: AFF, n3: AFF, n4: AFF },
  },
  {
    name: 'affinity term naming namespace "other": a db pod there counts',
    existing: [makePod('db').ns('other').label('app', 'db').node('n3').build()],
    pod: makePod('p')
      .podAffinity(term({ app: 'db' }, ZONE, { namespaces: ['other'] }))
      .build(),
    want: { n1: AFF, n2: AFF, n3: 'ok', n4: AFF },
  },
  {
    name: 'affinity term with namespaceSelector team=x selects namespace "other"',
    existing: [
      makePod('db').ns('other').label('app', 'db').node('n1').build(),
      makePod('db2').label('app', 'db').node('n3').build(),
    ],
    pod: makePod('p')
      .podAffinity(term({ app: 'db' }, ZONE, { namespaceSelector: { matchLabels: { team: 'x' } } }))
      .build(),
    want: { n1: 'ok', n2: 'ok', n3: AFF, n4: AFF },
  },
  {
    name: 'empty namespaceSelector selects all namespaces',
    existing: [makePod('db').ns('other').label('app', 'db').node('n3').build()],
    pod: makePod('p')
      .podAffinity(term({ app: 'db' }, ZONE, { namespaceSelector: {} }))
      .build(),
    want: { n1: AFF, n2: AFF, n3: 'ok', n4: AFF },
  },
  {
    name: 'affinity is checked before anti-affinity',
    existing: [makePod('db').label('app', 'db').node('n1').build()],
    pod: makePod('p')
      .podAffinity(term({ app: 'db' }, ZONE))
      .podAffinity(term({ app: 'db' }, HOST), true)
      .build(),
    want: { n1: ANTI, n2: 'ok', n3: AFF, n4: AFF },
  },
];

for (const c of filterCases) {
  test(`filter: ${c.name}`, (t) => {
    const h = new Harness(nodes(), c.existing, { namespaceLabels: (ns) => nsLabels[ns] });
    t.deepEqual(h.filter(plugin(h), c.pod), c.want);
  });
}

test('prefilter skips when neither the pod nor any existing pod has required terms', (t) => {
  const h = new Harness(nodes(), [makePod('db').label('app', 'db').node('n1').build()]);
  const st = plugin(h).preFilter(new CycleState(), h.podInfo(makePod('p').build()));
  t.is(st.status.code, 'Skip');
});

test('preFilterExtensions: removing the only db pod makes anti-affinity pass on its node', (t) => {
  const db = makePod('db').label('app', 'db').node('n1').build();
  const h = new Harness(nodes(), [db]);
  const pl = plugin(h);
  const pod = makePod('p')
    .podAffinity(term({ app: 'db' }, HOST), true)
    .build();
  const state = new CycleState();
  pl.preFilter(state, h.podInfo(pod));
  const clone = state.clone();
  pl.preFilterExtensions.removePod(clone, h.podInfo(pod), h.index.getPod('default/db')!);
  t.deepEqual(h.filter(pl, pod), { n1: ANTI, n2: 'ok', n3: 'ok', n4: 'ok' });
  const fo = { code: new Int8Array(h.index.size), reason: new Int32Array(h.index.size) };
  pl.filter(clone, h.podInfo(pod), 0, h.index.size, fo);
  t.deepEqual([...fo.code], [0, 0, 0, 0], 'what-if state');
  pl.filter(state, h.podInfo(pod), 0, h.index.size, fo);
  t.is(fo.code[0], 2, 'original state untouched (copy-on-write)');
});

interface ScoreCase {
  name: string;
  existing: Pod[];
  pod: Pod;
  hard?: number;
  want: Record<string, number> | 'skip';
}

const scoreCases: ScoreCase[] = [
  {
    // zone a: +5 → raw n1 5, n2 5, n3 0, n4 0; min 0, max 5: 100·(5/5) = 100, 100·(0/5) = 0
    name: 'preferred affinity weight 5 (zone) to app=db on n1',
    existing: [makePod('db').label('app', 'db').node('n1').build()],
    pod: makePod('p')
      .preferredPodAffinity(5, term({ app: 'db' }, ZONE))
      .build(),
    want: { n1: 100, n2: 100, n3: 0, n4: 0 },
  },
  {
    // zone a: −3 (anti, db on n2); host n3: +2 (cache). raw n1 −3, n2 −3, n3 2, n4 0
    // min −3, max 2, diff 5: n1 100·(0/5) = 0; n3 100·(5/5) = 100; n4 100·(3/5) = 60
    name: 'preferred anti-affinity (zone) and preferred affinity (hostname) with min–max',
    existing: [
      makePod('db').label('app', 'db').node('n2').build(),
      makePod('cache').label('app', 'cache').node('n3').build(),
    ],
    pod: makePod('p')
      .preferredPodAffinity(3, term({ app: 'db' }, ZONE), true)
      .preferredPodAffinity(2, term({ app: 'cache' }, HOST))
      .build(),
    want: { n1: 0, n2: 0, n3: 100, n4: 60 },
  },
  {
    // only negative scores: raw n1 −4 (two db pods × 2 on host n1), n2 0; min −4, max 0 (max starts at 0)
    // n1 100·(0/4) = 0, others 100·(4/4) = 100
    name: 'preferred anti-affinity only: max stays at 0',
    existing: [
      makePod('db1').label('app', 'db').node('n1').build(),
      makePod('db2').label('app', 'db').node('n1').build(),
    ],
    pod: makePod('p')
      .preferredPodAffinity(2, term({ app: 'db' }, HOST), true)
      .build(),
    want: { n1: 0, n2: 100, n3: 100, n4: 100 },
  },
  {
    // existing pod on n3 requires affinity (hostname) to app=web; incoming is app=web:
    // hardPodAffinityWeight 1 on host n3 → raw n3 1, others 0 → 100 / 0
    name: "symmetry: existing pod's required affinity scores hardPodAffinityWeight",
    existing: [
      makePod('e')
        .podAffinity(term({ app: 'web' }, HOST))
        .node('n3')
        .build(),
    ],
    pod: makePod('p').label('app', 'web').build(),
    want: { n1: 0, n2: 0, n3: 100, n4: 0 },
  },
  {
    name: 'hardPodAffinityWeight 0 and nothing else: Skip',
    existing: [
      makePod('e')
        .podAffinity(term({ app: 'web' }, HOST))
        .node('n3')
        .build(),
    ],
    pod: makePod('p').label('app', 'web').build(),
    hard: 0,
    want: 'skip',
  },
  {
    // existing preferred affinity weight 10 (zone) to app=web from n1 → zone a +10;
    // existing preferred anti-affinity weight 4 (hostname) to app=web on n2 → host n2 −4.
    // raw n1 10, n2 10 − 4 = 6, n3 0, n4 0; min 0, max 10: 100, 100·(6/10) = 60, 0, 0
    name: "symmetry: existing pods' preferred terms",
    existing: [
      makePod('e1')
        .preferredPodAffinity(10, term({ app: 'web' }, ZONE))
        .node('n1')
        .build(),
      makePod('e2')
        .preferredPodAffinity(4, term({ app: 'web' }, HOST), true)
        .node('n2')
        .build(),
    ],
    pod: makePod('p').label('app', 'web').build(),
    want: { n1: 100, n2: 60, n3: 0, n4: 0 },
  },
  {
    // Existing required anti-affinity matching the pod filters (PreFilter) but never scores; with
    // the pod's own preferred term, e2's required anti-affinity still adds nothing: n2 scores by
    // e2's labels alone (preferred affinity weight 3 to app=db on host n2 → 3; min 0, max 3 → 100).
    name: 'existing required anti-affinity never scores',
    existing: [
      makePod('e1')
        .label('app', 'web')
        .podAffinity(term({ app: 'web' }, HOST), true)
        .node('n1')
        .build(),
      makePod('e2')
        .label('app', 'db')
        .podAffinity(term({ app: 'web' }, ZONE), true)
        .node('n2')
        .build(),
    ],
    pod: makePod('p')
      .label('app', 'web')
      .preferredPodAffinity(3, term({ app: 'db' }, HOST))
      .build(),
    want: { n1: 0, n2: 100, n3: 0, n4: 0 },
  },
  {
    name: 'existing required anti-affinity only, pod without preferred terms: Skip',
    existing: [
      makePod('e1')
        .label('app', 'web')
        .podAffinity(term({ app: 'web' }, HOST), true)
        .node('n1')
        .build(),
    ],
    pod: makePod('p').label('app', 'web').build(),
    want: 'skip',
  },
  {
    name: 'no terms anywhere: Skip',
    existing: [makePod('db').label('app', 'db').node('n1').build()],
    pod: makePod('p').build(),
    want: 'skip',
  },
  {
    // preferred affinity matches nothing but the pod has constraints: no topology score → Skip
    name: 'preferred term matching no pod: Skip',
    existing: [makePod('db').label('app', 'db').node('n1').build()],
    pod: makePod('p')
      .preferredPodAffinity(5, term({ app: 'nope' }, ZONE))
      .build(),
    want: 'skip',
  },
];

for (const c of scoreCases) {
  test(`score: ${c.name}`, (t) => {
    const h = new Harness(nodes(), c.existing, { namespaceLabels: (ns) => nsLabels[ns] });
    t.deepEqual(h.score(plugin(h, c.hard ?? 1), c.pod), c.want);
  });
}

test('score: only feasible nodes are scored, but domains come from all nodes', (t) => {
  // db on n1 (zone a) counts for n2 even when n1 is not among the scored nodes: raw n2 5, n3 0.
  const h = new Harness(nodes(), [makePod('db').label('app', 'db').node('n1').build()]);
  t.deepEqual(
    h.score(
      plugin(h),
      makePod('p')
        .preferredPodAffinity(5, term({ app: 'db' }, ZONE))
        .build(),
      ['n2', 'n3'],
    ),
    { n2: 100, n3: 0 },
  );
});

test("score: existing pods' terms count per domain of their key, and follow a relabelled node", (t) => {
  // Two existing pods require zone affinity to app=web (hard weight 2) and one prefers app=web on
  // its host with weight 3 while avoiding it by zone with weight 1. Incoming: app=web.
  const existing = [
    makePod('e1')
      .podAffinity(term({ app: 'web' }, ZONE))
      .node('n1')
      .build(),
    makePod('e2')
      .podAffinity(term({ app: 'web' }, ZONE))
      .node('n3')
      .build(),
    makePod('e3')
      .preferredPodAffinity(3, term({ app: 'web' }, HOST))
      .preferredPodAffinity(1, term({ app: 'web' }, ZONE), true)
      .node('n2')
      .build(),
    makePod('e4')
      .podAffinity(term({ app: 'web' }, ZONE))
      .node('n4')
      .build(), // n4 has no zone: no count
  ];
  const h = new Harness(nodes(), existing);
  const p = plugin(h, 2);
  const web = makePod('p').label('app', 'web').build();
  // raw: zone a (n1, n2): 2 (e1) − 1 (e3 anti, zone a) = 1, plus 3 on n2 (e3's host) → n1 1, n2 4;
  // zone b (n3): 2 (e2) → 2; n4: 0. Normalized over min 0, max 4: 25, 100, 50, 0.
  t.deepEqual(h.score(p, web), { n1: 25, n2: 100, n3: 50, n4: 0 });
  // n3 moves to zone a: zone a now holds e1, e2 (2 + 2) and e3's anti (−1) = 3; n2 + 3 = 6; zone b
  // is empty. Raw n1 3, n2 6, n3 3, n4 0 → 50, 100, 50, 0.
  h.index.updateNode(makeNode('n3').zone('a').build());
  t.deepEqual(h.score(p, web), { n1: 50, n2: 100, n3: 50, n4: 0 });
  // e2 deleted: zone a 2 − 1 = 1 → n1 1, n2 4, n3 1 → 25, 100, 25, 0.
  h.index.removePod(existing[1]!);
  t.deepEqual(h.score(p, web), { n1: 25, n2: 100, n3: 25, n4: 0 });
});

test('minMaxNormalize uses float64 100 × ((s − min) / diff), truncated', (t) => {
  // 29/100 in float64 is 0.29, × 100 = 28.999999999999996 → 28 (not 29 as integer arithmetic would give)
  const s = Float64Array.from([29, 100, 0]);
  minMaxNormalize(s, 3);
  t.deepEqual([...s], [28, 100, 0]);
});

test('args: hardPodAffinityWeight defaults to 1 and is validated', (t) => {
  t.deepEqual(factory.parseArgs!(undefined, 'args'), {
    hardPodAffinityWeight: 1,
    ignorePreferredTermsOfExistingPods: false,
  });
  t.throws(() => factory.parseArgs!({ hardPodAffinityWeight: 101 }, 'args'), {
    message: /hardPodAffinityWeight/,
  });
});

test('podAffinityTerms: pods with the same affinity in one namespace share compiled terms, per index', (t) => {
  const idx = new NodeIndex();
  const mk = (name: string, ns: string): Pod =>
    makePod(name)
      .ns(ns)
      .podAffinity(term({ app: 'web' }, HOST), true)
      .build();
  const a = podAffinityTerms(idx, mk('a', 'x'));
  t.is(podAffinityTerms(idx, mk('b', 'x')), a);
  // Another namespace: a term without namespaces means the pod's own, so the terms differ.
  const c = podAffinityTerms(idx, mk('c', 'y'));
  t.not(c, a);
  t.deepEqual([...c.requiredAntiAffinity[0]!.namespaces], ['y']);
  // Another index interns topology keys on its own: its terms are its own.
  t.not(podAffinityTerms(new NodeIndex(), mk('d', 'x')), a);
});
