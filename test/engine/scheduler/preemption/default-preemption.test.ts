import test from 'ava';
import type { Node, Pod, PodDisruptionBudget } from '../../../../engine/api/types.js';
import {
  CODE,
  CycleState,
  type Diagnosis,
  type PostFilterResult,
} from '../../../../engine/scheduler/framework/index.js';
import { factory as fitFactory } from '../../../../engine/scheduler/plugins/node-resources-fit/index.js';
import { factory as ipaFactory } from '../../../../engine/scheduler/plugins/inter-pod-affinity/index.js';
import { factory as preemptionFactory } from '../../../../engine/scheduler/plugins/default-preemption/index.js';
import {
  numCandidates,
  pickOneNode,
  splitByPDBViolation,
  type Candidate,
} from '../../../../engine/scheduler/preemption/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';
import { Harness } from '../plugins/advanced-harness.js';

function pdb(
  name: string,
  labels: Record<string, string>,
  disruptionsAllowed: number,
  disruptedPods?: Record<string, string>,
): PodDisruptionBudget {
  return {
    metadata: { name, namespace: 'default' },
    spec: { selector: { matchLabels: labels } },
    status: {
      disruptionsAllowed,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
      ...(disruptedPods ? { disruptedPods } : {}),
    },
  };
}

/** A cluster with NodeResourcesFit (+ InterPodAffinity) as filters and DefaultPreemption. */
function cluster(nodes: Node[], pods: Pod[], pdbs: PodDisruptionBudget[] = []): Harness {
  const h = new Harness(nodes, pods, {
    podDisruptionBudgets: (ns) => pdbs.filter((p) => p.metadata?.namespace === ns),
    preemptionRandom: () => 0,
  });
  h.filters = [
    fitFactory.create(fitFactory.parseArgs!(undefined, 'a'), h.handle),
    ipaFactory.create(ipaFactory.parseArgs!(undefined, 'a'), h.handle),
  ];
  return h;
}

/** Runs PreFilter + Filter like the scheduler, then DefaultPreemption's PostFilter. */
function preempt(
  h: Harness,
  pod: Pod,
  override?: (d: Diagnosis) => void,
): PostFilterResult & { names: string[] } {
  const pi = h.podInfo(pod);
  const state = new CycleState();
  for (const f of h.filters) {
    const r = f.preFilter!(state, pi);
    if (r.status.code === 'Skip') state.skipFilterPlugins.add(f.name);
  }
  const size = h.index.size;
  const d: Diagnosis = { code: new Int8Array(size), reason: new Int32Array(size), size };
  h.handle.runFilterPlugins(state, pi, 0, size, d);
  override?.(d);
  const before = JSON.stringify(h.index.pods.map((ps) => ps.map((p) => p.key)));
  const r = preemptionFactory.create(preemptionFactory.parseArgs!(undefined, 'a'), h.handle).postFilter!(
    state,
    pi,
    d,
  );
  if (JSON.stringify(h.index.pods.map((ps) => ps.map((p) => p.key))) !== before)
    throw new Error('index not restored');
  return { ...r, names: (r.victims ?? []).map((v) => v.metadata?.name ?? '') };
}

const node = (name: string, cpu: number) => makeNode(name).cap({ cpu, memory: '64Gi', pods: 110 }).build();
const running = (
  name: string,
  nodeName: string,
  priority: number,
  cpu: number,
  start = '2024-01-01T00:00:00Z',
) =>
  makePod(name)
    .priority(priority)
    .req({ cpu })
    .node(nodeName)
    .with((p) => Object.assign(p, { status: { phase: 'Running', startTime: start } }))
    .build();
const preemptor = (priority: number, cpu: number) =>
  makePod('preemptor').priority(priority).req({ cpu }).build();

test('victims: remove all lower-priority pods, then reprieve the most important ones that still fit', (t) => {
  // n1 cpu 4: low1 (prio 1, 2 cpu), low2 (prio 2, 1 cpu), high (prio 100, 1 cpu) — full. Preemptor prio 50, 2 cpu.
  // Remove low1, low2 → used 1, free 3 → fits. Reprieve low2 (more important): used 2, free 2 → fits, kept.
  // Reprieve low1: used 4, free 0 → does not fit → victim.
  const h = cluster(
    [node('n1', 4)],
    [running('low1', 'n1', 1, 2), running('low2', 'n1', 2, 1), running('high', 'n1', 100, 1)],
  );
  const r = preempt(h, preemptor(50, 2));
  t.is(r.status.code, 'Success');
  t.is(r.nominatedNodeName, 'n1');
  t.deepEqual(r.names, ['low1']);
});

test('victims: PDB-violating pods are reprieved first', (t) => {
  // n1 cpu 4: a (prio 1, 2 cpu, PDB allows 0 disruptions), b (prio 2, 2 cpu). Preemptor prio 10, 2 cpu.
  // Without PDB: reprieve b (more important) first → a is the victim.
  // With PDB: a is violating → reprieved first → b is the victim.
  const pods = () => [
    makePod('a').label('app', 'a').priority(1).req({ cpu: 2 }).node('n1').build(),
    running('b', 'n1', 2, 2),
  ];
  t.deepEqual(preempt(cluster([node('n1', 4)], pods()), preemptor(10, 2)).names, ['a']);
  t.deepEqual(
    preempt(cluster([node('n1', 4)], pods(), [pdb('pa', { app: 'a' }, 0)]), preemptor(10, 2)).names,
    ['b'],
  );
});

test('no lower-priority pods, or not fitting even without them: no candidate', (t) => {
  const h = cluster([node('n1', 4)], [running('same', 'n1', 50, 4)]);
  const r = preempt(h, preemptor(50, 2));
  t.is(r.status.code, 'Unschedulable');
  t.is(r.nominatedNodeName, undefined);
  t.deepEqual('reasons' in r.status ? r.status.reasons : [], [
    'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod',
  ]);
  const h2 = cluster([node('n1', 4)], [running('low', 'n1', 1, 1), running('high', 'n1', 100, 3)]);
  const r2 = preempt(h2, preemptor(50, 2));
  t.deepEqual(
    'reasons' in r2.status ? r2.status.reasons : [],
    ['preemption: 0/1 nodes are available: 1 Insufficient cpu'],
    '1 cpu freed is not enough',
  );
});

test('preemptionPolicy Never does not preempt', (t) => {
  const h = cluster([node('n1', 4)], [running('low', 'n1', 1, 4)]);
  const p = preemptor(50, 2);
  p.spec!.preemptionPolicy = 'Never';
  const r = preempt(h, p);
  t.is(r.status.code, 'Unschedulable');
  t.regex('reasons' in r.status ? r.status.reasons[0]! : '', /preemptionPolicy=Never/);
});

test('only nodes that failed Unschedulable are candidates (not UnschedulableAndUnresolvable)', (t) => {
  const h = cluster([node('n1', 4), node('n2', 4)], [running('l1', 'n1', 1, 4), running('l2', 'n2', 1, 4)]);
  const r = preempt(h, preemptor(50, 2), (d) => {
    d.code[0] = CODE.UnschedulableAndUnresolvable;
  });
  t.is(r.nominatedNodeName, 'n2');
  const none = preempt(h, preemptor(50, 2), (d) => d.code.fill(CODE.UnschedulableAndUnresolvable));
  t.deepEqual('reasons' in none.status ? none.status.reasons : [], [
    'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling',
  ]);
});

test('preemption can lift an anti-affinity conflict (PreFilter extensions)', (t) => {
  // n1 has room but hosts a low-priority app=db pod the preemptor is anti-affine to (hostname).
  const db = makePod('db').label('app', 'db').priority(1).req({ cpu: 1 }).node('n1').build();
  const h = cluster([node('n1', 8)], [db]);
  const p = makePod('preemptor')
    .priority(50)
    .req({ cpu: 1 })
    .podAffinity(
      { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' },
      true,
    )
    .build();
  const r = preempt(h, p);
  t.is(r.nominatedNodeName, 'n1');
  t.deepEqual(r.names, ['db']);
});

/** Required anti-affinity on hostname to pods labelled app=`app`. */
const antiOnHost = (app: string) => ({
  labelSelector: { matchLabels: { app } },
  topologyKey: 'kubernetes.io/hostname',
});

/** A running low-priority app=db pod on n1 (1 cpu), optionally anti-affine to app=`antiTo`. */
const runningDb = (name: string, start: string, antiTo?: string) => {
  const b = makePod(name).label('app', 'db').priority(1).req({ cpu: 1 }).node('n1');
  if (antiTo) b.podAffinity(antiOnHost(antiTo), true);
  return b.with((p) => Object.assign(p, { status: { phase: 'Running', startTime: start } })).build();
};

test('two pods in the way of anti-affinity are both victims: the what-if counts each removal once', (t) => {
  // n1 (8 cpu, room to spare) hosts db1 and db2 (low priority, app=db). Remove both → no db pod on n1
  // → fits. Reprieve the more important first (equal priority: the earlier start, db1): one db pod on
  // n1 → the anti-affinity count is 1 → does not fit → victim; likewise db2. Both are victims. (Were
  // a removal counted twice — in the live index and again in the what-if — the first reprieve would
  // see 1 in the index + (−2 + 1) in the what-if = 0 and keep db1.)
  const h = cluster([node('n1', 8)], [runningDb('db1', at(1)), runningDb('db2', at(2))]);
  const p = makePod('preemptor').priority(50).req({ cpu: 1 }).podAffinity(antiOnHost('db'), true).build();
  const r = preempt(h, p);
  t.is(r.nominatedNodeName, 'n1');
  t.deepEqual([...r.names].sort(), ['db1', 'db2']);
});

test("existing pods' anti-affinity: both pods anti-affine to the preemptor are victims", (t) => {
  // Symmetric case: db1 and db2 carry required anti-affinity to app=web (hostname); the preemptor is
  // app=web. Same reasoning: each reprieve puts one anti-affine pod back on n1 → rejected → victim.
  const h = cluster([node('n1', 8)], [runningDb('db1', at(1), 'web'), runningDb('db2', at(2), 'web')]);
  const p = makePod('preemptor').label('app', 'web').priority(50).req({ cpu: 1 }).build();
  const r = preempt(h, p);
  t.is(r.nominatedNodeName, 'n1');
  t.deepEqual([...r.names].sort(), ['db1', 'db2']);
});

interface NodeChoiceCase {
  name: string;
  nodes: Node[];
  pods: Pod[];
  pdbs?: PodDisruptionBudget[];
  /** Preemptor's cpu (default 2). */
  cpu?: number;
  want: string;
}

const at = (h: number) => `2024-01-01T${String(h).padStart(2, '0')}:00:00Z`;

const choiceCases: NodeChoiceCase[] = [
  {
    // n1's victim violates a PDB (1 violation), n2's does not (even at higher priority) → n2
    name: 'fewest PDB violations',
    nodes: [node('n1', 2), node('n2', 2)],
    pods: [
      makePod('v1').label('app', 'p').priority(1).req({ cpu: 2 }).node('n1').build(),
      running('v2', 'n2', 5, 2),
    ],
    pdbs: [pdb('pp', { app: 'p' }, 0)],
    want: 'n2',
  },
  {
    // highest victim priority: n1 5, n2 3 → n2
    name: 'lowest highest-victim priority',
    nodes: [node('n1', 2), node('n2', 2)],
    pods: [running('v1', 'n1', 5, 2), running('v2', 'n2', 3, 2)],
    want: 'n2',
  },
  {
    // preemptor needs a whole 4-cpu node: n1 victims [3, 1, 1], n2 victims [3, 3]; highest both 3.
    // Σ(p + 2³¹): n1 5 + 3 × 2³¹ > n2 6 + 2 × 2³¹ → n2 (fewer victims dominate the raw sum)
    name: 'smallest sum of priorities offset by 2^31',
    nodes: [node('n1', 4), node('n2', 4)],
    pods: [
      running('a1', 'n1', 3, 2),
      running('a2', 'n1', 1, 1),
      running('a3', 'n1', 1, 1),
      running('b1', 'n2', 3, 2),
      running('b2', 'n2', 3, 2),
    ],
    cpu: 4,
    want: 'n2',
  },
  {
    // both: one victim of priority 3; n1 started 10:00, n2 started 11:00 → the later start (n2)
    name: 'latest start time of the highest-priority victims',
    nodes: [node('n1', 2), node('n2', 2)],
    pods: [running('v1', 'n1', 3, 2, at(10)), running('v2', 'n2', 3, 2, at(11))],
    want: 'n2',
  },
  {
    name: 'all equal: the first candidate',
    nodes: [node('n1', 2), node('n2', 2)],
    pods: [running('v1', 'n1', 3, 2), running('v2', 'n2', 3, 2)],
    want: 'n1',
  },
];

for (const c of choiceCases) {
  test(`node choice: ${c.name}`, (t) => {
    const r = preempt(cluster(c.nodes, c.pods, c.pdbs), preemptor(50, c.cpu ?? 2));
    t.is(r.nominatedNodeName, c.want);
  });
}

test('pickOneNode: criteria in order on synthetic candidates', (t) => {
  const v = (name: string, priority: number, start?: string): Pod =>
    makePod(name)
      .priority(priority)
      .with((p) => Object.assign(p, { status: start ? { startTime: start } : {} }))
      .build();
  const cand = (nodeName: string, victims: Pod[], numPDBViolations = 0): Candidate => ({
    nodeName,
    slot: 0,
    victims,
    numPDBViolations,
  });
  t.is(pickOneNode([cand('a', [v('x', 1)], 1), cand('b', [v('y', 9)], 0)])!.nodeName, 'b');
  t.is(pickOneNode([cand('a', [v('x', 9)]), cand('b', [v('y', 1)])])!.nodeName, 'b');
  // sums: a 2 + 2·2³¹ vs b 1 + 2·2³¹ → b
  t.is(pickOneNode([cand('a', [v('x', 1), v('x2', 1)]), cand('b', [v('y', 1), v('y2', 0)])])!.nodeName, 'b');
  // a victim without a start time counts as "now": later than any start → wins
  t.is(pickOneNode([cand('a', [v('x', 1, at(5))]), cand('b', [v('y', 1)])])!.nodeName, 'b');
  t.is(pickOneNode([])?.nodeName, undefined);
});

test('splitByPDBViolation: budgets are shared across victims; disrupted pods do not count', (t) => {
  const p = (name: string) => makePod(name).label('app', 'x').build();
  // allowed 1: first pod takes it (0 left), second drops to −1 → violating
  const r = splitByPDBViolation([p('a'), p('b')], [pdb('x', { app: 'x' }, 1)]);
  t.deepEqual(
    r.violating.map((x) => x.metadata?.name),
    ['b'],
  );
  const r2 = splitByPDBViolation(
    [p('a'), p('b')],
    [pdb('x', { app: 'x' }, 1, { a: '2024-01-01T00:00:00Z' })],
  );
  t.deepEqual(r2.violating, []);
  // an empty selector matches nothing
  const empty: PodDisruptionBudget = {
    metadata: { name: 'e', namespace: 'default' },
    spec: { selector: {} },
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  };
  t.deepEqual(splitByPDBViolation([p('a')], [empty]).violating, []);
});

test('numCandidates: 10% of potential nodes, at least 100, at most all', (t) => {
  const args = { minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 };
  // 50 → min(max(5, 100), 50) = 50; 1000 → max(100, 100) = 100; 5000 → 500
  t.is(numCandidates(50, args), 50);
  t.is(numCandidates(1000, args), 100);
  t.is(numCandidates(5000, args), 500);
});

test('args are validated', (t) => {
  t.deepEqual(preemptionFactory.parseArgs!(undefined, 'a'), {
    minCandidateNodesPercentage: 10,
    minCandidateNodesAbsolute: 100,
  });
  t.throws(() =>
    preemptionFactory.parseArgs!({ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0 }, 'a'),
  );
  t.throws(() => preemptionFactory.parseArgs!({ minCandidateNodesPercentage: 101 }, 'a'));
});
