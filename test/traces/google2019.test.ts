import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../engine/api/errors.js';
import { readGoogle2019 } from '../../traces/google2019/index.js';
import { openTrace } from '../../traces/detect.js';
import { collect, tempDir } from './helpers.js';
import { runCli } from './cli-helper.js';

const FIX = 'test/fixtures/traces/google2019';
const IE =
  '{"time":"601000000","type":0,"collection_id":"7","priority":103,"instance_index":0,"resource_request":{"cpus":0.1,"memory":0.1}}';

test('fixture: exact record sequence (priority classes on first use, alloc set not replayed)', async (t) => {
  const src = readGoogle2019({ trace: FIX });
  const recs = await collect(src.records);
  t.deepEqual(
    recs.map((r) => `${r.timeUs} ${r.op} ${r.object.kind}/${r.object.metadata!.name}`),
    [
      '0 create Node/machine-102',
      '0 create Node/machine-103',
      '1000000 create Job/job-400',
      '1000000 create Job/job-401',
      '1000000 create PriorityClass/google2019-priority-200',
      '1000000 create Pod/job-400-0',
      '1000000 create PriorityClass/google2019-priority-103',
      '1000000 create Pod/job-401-0',
      '50000000 delete Pod/job-400-0',
      // EVICT then re-SUBMIT as a new incarnation
      '60000000 delete Pod/job-401-0',
      '61000000 create Pod/job-401-0-1',
      '100000000 delete Job/job-400',
      '300000000 delete Node/machine-103',
    ],
  );
  t.deepEqual(src.loss.skipped, {});
  t.true(
    src.loss.notes.includes(
      '1 alloc sets not replayed (Kubernetes cannot reserve room for other pods); 1 instances ran inside one (annotation kreplay.io/trace-alloc-set)',
    ),
  );
});

test('fixture: max_per_machine, start_after, constraints (>= as Gt v-1)', async (t) => {
  const recs = await collect(readGoogle2019({ trace: FIX }).records);
  const p400 = recs.find((r) => r.object.metadata!.name === 'job-400-0')!.object;
  t.deepEqual((p400.spec as { affinity: unknown }).affinity, {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        // kernel >= 6  ->  kernel > 5
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'attr.kreplay.io/kernel', operator: 'Gt', values: ['5'] }] },
        ],
      },
    },
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: { matchLabels: { 'kreplay.io/job': 'job-400' } },
          topologyKey: 'kubernetes.io/hostname',
        },
      ],
    },
  });
  const p401 = recs.find((r) => r.object.metadata!.name === 'job-401-0')!.object;
  t.deepEqual(p401.metadata!.annotations, {
    'kreplay.io/task-index': '0',
    'kreplay.io/trace-alloc-set': 'job-500',
    'kreplay.io/owner': 'Job/job-401',
    'kreplay.io/max-per-machine': '3',
    'kreplay.io/depends-on': 'job-400',
  });
  t.deepEqual((p401.spec as { topologySpreadConstraints: unknown }).topologySpreadConstraints, [
    {
      maxSkew: 3,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { 'kreplay.io/job': 'job-401' } },
    },
  ]);
  // 0.0625 x 64000 m = 4000 m; 0.03125 x 262144 Mi = 8192 Mi
  t.deepEqual((p401.spec as { containers: { resources: unknown }[] }).containers[0]!.resources, {
    requests: { cpu: '4000m', memory: '8192Mi' },
  });
});

const BAD: [string, string, string][] = [
  ['not JSON', '{"time":', 'instance_events.json:1: not JSON'],
  [
    'non-numeric',
    IE.replace('"collection_id":"7"', '"collection_id":"x7"'),
    'instance_events.json:1: collection_id: "x7" is not an integer',
  ],
  [
    'negative',
    IE.replace('"cpus":0.1', '"cpus":-0.1'),
    'instance_events.json:1: resource_request.cpus: -0.1 is negative',
  ],
  [
    'unknown event type',
    IE.replace('"type":0', '"type":11'),
    'instance_events.json:1: type: unknown event type 11 (want 0..10)',
  ],
  [
    'time backwards',
    `${IE}\n${IE.replace('601000000', '600500000')}`,
    'instance_events.json:2: time: goes backwards (600500000 after 601000000); instance_events must be sorted by time',
  ],
];
for (const [name, text, message] of BAD) {
  test(`bad input: ${name}`, async (t) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'instance_events.json'), text + '\n');
    const err = await t.throwsAsync(collect(readGoogle2019({ trace: dir }).records), {
      instanceOf: InputError,
    });
    t.true(err!.message.startsWith(join(dir, message)), err!.message);
  });
}

test.serial('skip counts; detection; trace stats', async (t) => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'instance_events.json'),
    [IE, '[1]', IE.replace('"type":0', '"type":42')].join('\n'),
  );
  const src = readGoogle2019({ trace: dir, onInvalid: 'skip' });
  t.is((await collect(src.records)).filter((r) => r.object.kind === 'Pod').length, 1);
  t.deepEqual(src.loss.skipped, { 'invalid row': 1, 'invalid type': 1 });
  t.is((await openTrace({ trace: FIX })).format, 'google2019');
  const r = await runCli(['trace', 'stats', '--trace', FIX, '--json']);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { objectsByKind: Record<string, number>; ops: Record<string, number> };
  t.deepEqual(s.objectsByKind, { Node: 2, Job: 2, PriorityClass: 2, Pod: 3 });
  t.deepEqual(s.ops, { create: 9, update: 0, delete: 4 });
});
