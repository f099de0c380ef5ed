import test from 'ava';
import {
  ConfigError,
  loadSchedulerConfig,
  presetConfig,
  PRESET_NAMES,
} from '../../../../engine/scheduler/index.js';
import { coreRegistry } from '../helpers.js';

const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const load = (body: string) => loadSchedulerConfig(HEAD + body, 'sched.yaml', coreRegistry());

test('defaults: the default multiPoint set expanded per point, weights from KUBERNETES.md', (t) => {
  const p = load('').profiles[0]!;
  t.is(p.schedulerName, 'default-scheduler');
  t.deepEqual(p.points.filter, [
    'NodeUnschedulable',
    'NodeName',
    'TaintToleration',
    'NodeAffinity',
    'NodePorts',
    'NodeResourcesFit',
  ]);
  t.deepEqual(p.points.preFilter, ['NodeAffinity', 'NodePorts', 'NodeResourcesFit']);
  t.deepEqual(p.points.preScore, [
    'TaintToleration',
    'NodeAffinity',
    'NodeResourcesFit',
    'NodeResourcesBalancedAllocation',
  ]);
  t.deepEqual(p.points.score, [
    'TaintToleration',
    'NodeAffinity',
    'NodeResourcesFit',
    'NodeResourcesBalancedAllocation',
    'ImageLocality',
  ]);
  t.deepEqual(
    [...p.weights],
    [
      ['TaintToleration', 3],
      ['NodeAffinity', 2],
      ['NodeResourcesFit', 1],
      ['NodeResourcesBalancedAllocation', 1],
      ['ImageLocality', 1],
    ],
  );
  t.deepEqual(p.points.queueSort, ['PrioritySort']);
  t.deepEqual(p.points.bind, ['DefaultBinder']);
  t.deepEqual(p.points.preEnqueue, ['SchedulingGates']);
  t.true(
    p.unavailable.includes('InterPodAffinity') &&
      p.unavailable.includes('PodTopologySpread') &&
      p.unavailable.includes('DefaultPreemption'),
  );
  t.is(load('').percentageOfNodesToScore, 0);
});

test('score point: disabled removes, enabled re-weights in place or appends', (t) => {
  const p = load(`profiles:
  - schedulerName: a
    plugins:
      score:
        disabled: [{ name: ImageLocality }]
        enabled: [{ name: NodeResourcesFit, weight: 5 }]
`).profiles[0]!;
  // An explicit score entry overrides the multiPoint one and goes first (override part of the expansion).
  t.deepEqual(p.points.score, [
    'NodeResourcesFit',
    'TaintToleration',
    'NodeAffinity',
    'NodeResourcesBalancedAllocation',
  ]);
  t.is(p.weights.get('NodeResourcesFit'), 5);
  t.false(p.weights.has('ImageLocality'));
  // Filter is untouched.
  t.true(p.points.filter.includes('NodeResourcesFit'));
});

test("'*' disables all defaults of a point", (t) => {
  const p = load(`profiles:
  - plugins:
      score:
        disabled: [{ name: '*' }]
        enabled: [{ name: NodeResourcesBalancedAllocation, weight: 2 }]
`).profiles[0]!;
  t.deepEqual(p.points.score, ['NodeResourcesBalancedAllocation']);
  t.is(p.weights.get('NodeResourcesBalancedAllocation'), 2);
  t.deepEqual(p.points.preScore, [
    'TaintToleration',
    'NodeAffinity',
    'NodeResourcesFit',
    'NodeResourcesBalancedAllocation',
  ]);
});

test('multiPoint: disabling * and enabling a few plugins', (t) => {
  const p = load(`profiles:
  - schedulerName: tiny
    percentageOfNodesToScore: 30
    plugins:
      multiPoint:
        disabled: [{ name: '*' }]
        enabled: [{ name: PrioritySort }, { name: DefaultBinder }, { name: NodeResourcesFit, weight: 4 }]
`).profiles[0]!;
  t.deepEqual(p.points.filter, ['NodeResourcesFit']);
  t.deepEqual(p.points.score, ['NodeResourcesFit']);
  t.is(p.weights.get('NodeResourcesFit'), 4);
  t.is(p.percentageOfNodesToScore, 30);
  t.deepEqual(p.unavailable, []);
});

test('several profiles; global percentage', (t) => {
  const c = load(`percentageOfNodesToScore: 50
profiles:
  - schedulerName: default-scheduler
  - schedulerName: packer
    pluginConfig:
      - name: NodeResourcesFit
        args: { scoringStrategy: { type: MostAllocated } }
`);
  t.is(c.percentageOfNodesToScore, 50);
  t.deepEqual(
    c.profiles.map((p) => p.schedulerName),
    ['default-scheduler', 'packer'],
  );
  t.is(
    (c.profiles[1]!.args.get('NodeResourcesFit') as { scoringStrategy: { type: string } }).scoringStrategy
      .type,
    'MostAllocated',
  );
});

test('errors name the file, line and path', (t) => {
  const cases: [string, string][] = [
    [
      `profiles:
  - plugins:
      score:
        enabled: [{ name: NoSuchPlugin }]
`,
      'sched.yaml:6: profiles[0].plugins.score.enabled[0]: unknown plugin "NoSuchPlugin"',
    ],
    [
      `profiles:
  - schedulerName: x
    pluginConfig:
      - name: NodeAffinity
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: Foo
`,
      'sched.yaml:10: profiles[0].pluginConfig[1].args.scoringStrategy.type: unknown strategy "Foo" (supported: LeastAllocated, MostAllocated, RequestedToCapacityRatio)',
    ],
    [
      `profiles:
  - plugins:
      filter:
        enabled: [{ name: ImageLocality }]
`,
      'sched.yaml:6: profiles[0].plugins.filter.enabled[0]: plugin "ImageLocality" does not extend filter',
    ],
    [
      `percentageOfNodesToScore: 150\n`,
      'sched.yaml:3: percentageOfNodesToScore: must be an integer in 0..100, got 150',
    ],
    [
      `profiles:
  - pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            resources: [{ name: cpu, weight: 200 }]
`,
      'sched.yaml:8: profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight: resource weight of cpu not in valid range [1, 100]',
    ],
    [
      `profiles:\n  - schedulerName: a\n  - schedulerName: a\n`,
      'sched.yaml:5: profiles[1].schedulerName: duplicate profile "a"',
    ],
    [
      `profiles:
  - plugins:
      queueSort:
        disabled: [{ name: '*' }]
`,
      'sched.yaml:6: profiles[0].plugins.queueSort: only one queue sort plugin required for profile with scheduler name "default-scheduler", but got 0',
    ],
    // Strict decoding (kube-scheduler rejects unknown fields): misspelt fields are errors, not defaults.
    [`profilez: []\n`, 'sched.yaml:3: profilez: unknown field "profilez" of a KubeSchedulerConfiguration'],
    [
      `profiles:\n  - schedulerNam: x\n`,
      'sched.yaml:4: profiles[0].schedulerNam: unknown field "schedulerNam" of a profile',
    ],
    [
      `profiles:
  - plugins:
      score:
        enable: [{ name: ImageLocality }]
`,
      'sched.yaml:6: profiles[0].plugins.score.enable: unknown field "enable" (want enabled, disabled)',
    ],
  ];
  for (const [body, message] of cases) {
    const e = t.throws(() => load(body), { instanceOf: ConfigError });
    t.is(e?.message, message);
  }
  t.throws(
    () =>
      loadSchedulerConfig('apiVersion: kubescheduler.config.k8s.io/v1beta2\n', 'old.yaml', coreRegistry()),
    {
      message: /old.yaml:1: apiVersion: unsupported apiVersion/,
    },
  );
  // Invalid YAML names the line the parser stopped at (line 5: the item indented one space short).
  const badYaml =
    'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - schedulerName: x\n   bad: 1\n';
  t.throws(() => loadSchedulerConfig(badYaml, 'bad.yaml', coreRegistry()), {
    instanceOf: ConfigError,
    message: 'bad.yaml:5: invalid YAML: Sequence item without - indicator',
  });
  // A manifest of another kind (a Pod given as --config) says so, not that its fields are misspelt.
  t.throws(
    () =>
      loadSchedulerConfig('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n', 'pod.yaml', coreRegistry()),
    {
      instanceOf: ConfigError,
      message: 'pod.yaml:2: kind: expected kind "KubeSchedulerConfiguration", got "Pod"',
    },
  );
  t.throws(() => loadSchedulerConfig('# nothing here\n', 'empty.yaml', coreRegistry()), {
    instanceOf: ConfigError,
    message: 'empty.yaml: empty file: expected a KubeSchedulerConfiguration',
  });
});

test('presets load', (t) => {
  t.deepEqual(
    [...PRESET_NAMES],
    [
      'default-scheduler',
      'most-allocated',
      'requested-to-capacity-ratio',
      'balanced',
      'fgd',
      'gpu-packing',
      'gpu-clustering',
      'gpu-bestfit',
      'gpu-dotprod',
      'gpu-random',
    ],
  );
  // The GPU presets need the GPU plugins of the default registry; the others load on the core one.
  const gpu = (n: string) => n === 'fgd' || n.startsWith('gpu-');
  for (const n of PRESET_NAMES)
    t.is(
      presetConfig(n, gpu(n) ? undefined : coreRegistry()).profiles[0]!.schedulerName,
      'default-scheduler',
    );
  t.false(presetConfig('balanced', coreRegistry()).profiles[0]!.points.score.includes('NodeResourcesFit'));
  t.throws(() => presetConfig('nope'), { message: /unknown policy "nope"/ });
});
