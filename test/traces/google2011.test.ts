import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../engine/api/errors.js';
import {
  BorgMapper,
  parseGoogle2011Row,
  parseTaskEventLine,
  readGoogle2011,
  taskEventBatches,
  type BorgCounts,
  type BorgEvent,
} from '../../traces/google2011/index.js';
import { SkipCounter, splitCsvLine } from '../../traces/input.js';
import { openTrace } from '../../traces/detect.js';
import { collect, tempDir } from './helpers.js';
import { runCli } from './cli-helper.js';

const FIX = 'test/fixtures/traces/google2011';
const TE = '601000000,,7,0,,0,u,3,9,0.125,0.07446,0.0004244,1';

/** A trace folder holding only the given tables (`name.csv` => text; `.gz` names are gzipped). */
function traceDir(tables: Record<string, string | Buffer>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(tables)) {
    const p = join(dir, name);
    if (name.includes('/')) mkdirSync(join(dir, name.split('/')[0]!), { recursive: true });
    writeFileSync(p, name.endsWith('.gz') && typeof text === 'string' ? gzipSync(text) : text);
  }
  return dir;
}

async function firstError(dir: string): Promise<InputError> {
  try {
    await collect(readGoogle2011({ trace: dir }).records);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('no error');
}

test('fixture: records in time order, exact sequence', async (t) => {
  const src = readGoogle2011({ trace: FIX });
  const recs = await collect(src.records);
  const seq = recs
    .filter((r) => r.object.kind !== 'PriorityClass')
    .map((r) => `${r.timeUs} ${r.op} ${r.object.kind}/${r.object.metadata!.name}`);
  t.deepEqual(seq, [
    '0 create Node/machine-5',
    '0 create Node/machine-6',
    '0 create Node/machine-7',
    // 601 s - 600 s offset = 1 s
    '1000000 create Job/job-3418309',
    '1000000 create Job/job-3418314',
    '1000000 create Pod/job-3418309-0',
    '1000000 create Pod/job-3418309-1',
    '1000000 create Pod/job-3418314-0',
    '5000000 update Node/machine-7',
    // EVICT at 650 s, re-SUBMIT at 651 s as the second incarnation
    '50000000 delete Pod/job-3418309-1',
    '51000000 create Pod/job-3418309-1-1',
    '100000000 update Node/machine-6',
    '100000000 delete Pod/job-3418314-0',
    '200000000 delete Job/job-3418314',
    '300000000 delete Node/machine-5',
  ]);
  t.is(recs.filter((r) => r.object.kind === 'PriorityClass').length, 12);
  for (let i = 1; i < recs.length; i++) t.true(recs[i]!.timeUs >= recs[i - 1]!.timeUs);
  t.deepEqual(src.loss.skipped, {});
  t.true(
    src.loss.notes.includes(
      "3 SCHEDULE events (the trace's own placements) counted for comparison, never used as input",
    ),
  );
  t.true(src.loss.notes.includes('1 events at time 2^63-1 (after the trace) ignored'));
  t.true(src.loss.notes.includes("1 UPDATE events ignored (a pod's requests and priority are immutable)"));
});

test('fixture: node capacity, attributes as labels', async (t) => {
  const recs = await collect(readGoogle2011({ trace: FIX }).records);
  const m5 = recs.find((r) => r.object.metadata!.name === 'machine-5')!.object;
  t.deepEqual(m5, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'machine-5',
      labels: {
        'kubernetes.io/hostname': 'machine-5',
        'attr.kreplay.io/GtXakjpd0CD41G8M1QS3rwZ5RGJ': '5',
        'attr.kreplay.io/nT6zMOa9XDuI': 'Ga',
        'kreplay.io/platform': 'HofLGzk1Or_8Ildj2_Lqv0UGGvY82NLoni8_J_Yy0RU_x',
      },
    },
    // 0.5 x 64000 m = 32000 m; 0.2493 x 262144 Mi = 65352.4992 (in binary floating point) -> 65352 Mi
    status: {
      capacity: { cpu: '32000m', memory: '65352Mi', pods: '110' },
      allocatable: { cpu: '32000m', memory: '65352Mi', pods: '110' },
    },
  });
  const m7 = recs.filter((r) => r.object.metadata!.name === 'machine-7');
  // ADD without capacity -> 0; UPDATE 0.25/0.125 -> 16000 m / 32768 Mi
  t.deepEqual((m7[0]!.object.status as { capacity: unknown }).capacity, {
    cpu: '0m',
    memory: '0Mi',
    pods: '110',
  });
  t.deepEqual((m7[1]!.object.status as { capacity: unknown }).capacity, {
    cpu: '16000m',
    memory: '32768Mi',
    pods: '110',
  });
});

test('fixture: a task pod with priority, constraints and different-machines anti-affinity', async (t) => {
  const recs = await collect(readGoogle2011({ trace: FIX }).records);
  const pod = recs.find((r) => r.object.metadata!.name === 'job-3418309-0')!.object;
  t.deepEqual(pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'job-3418309-0',
      namespace: 'default',
      labels: { 'kreplay.io/job': 'job-3418309', 'kreplay.io/scheduling-class': '3' },
      annotations: {
        'kreplay.io/task-index': '0',
        'kreplay.io/trace-disk-request': '0.0004244',
        'kreplay.io/owner': 'Job/job-3418309',
      },
    },
    spec: {
      restartPolicy: 'Never',
      // 0.125 x 64000 = 8000 m; 0.07446 x 262144 = 19519.2 -> 19519 Mi
      containers: [
        {
          name: 'main',
          image: 'registry.k8s.io/pause:3.10',
          resources: { requests: { cpu: '8000m', memory: '19519Mi' } },
        },
      ],
      priorityClassName: 'google2011-priority-9',
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'attr.kreplay.io/GtXakjpd0CD41G8M1QS3rwZ5RGJ', operator: 'Gt', values: ['4'] },
                  { key: 'attr.kreplay.io/nT6zMOa9XDuI', operator: 'In', values: ['Ga'] },
                ],
              },
            ],
          },
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              labelSelector: { matchLabels: { 'kreplay.io/job': 'job-3418309' } },
              topologyKey: 'kubernetes.io/hostname',
            },
          ],
        },
      },
    },
  });
  // a task without different_machines_restriction or constraints has no affinity
  const plain = recs.find((r) => r.object.metadata!.name === 'job-3418314-0')!.object;
  t.is((plain.spec as { affinity?: unknown }).affinity, undefined);
});

test.serial('detection and trace stats on the fixture', async (t) => {
  t.is((await openTrace({ trace: FIX })).format, 'google2011');
  const r = await runCli(['trace', 'stats', '--trace', FIX, '--json']);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as {
    nodes: number;
    pods: number;
    records: number;
    ops: Record<string, number>;
    objectsByKind: Record<string, number>;
    cpuMilli: number;
  };
  t.is(s.records, 27);
  t.deepEqual(s.ops, { create: 21, update: 2, delete: 4 });
  t.deepEqual(s.objectsByKind, { PriorityClass: 12, Node: 3, Job: 2, Pod: 4 });
  // stats count every node the trace created, at its last shape: 32000 + 64000 + 16000 m
  t.is(s.nodes, 3);
  t.is(s.cpuMilli, 112000);
});

const BAD: [string, Record<string, string>, string][] = [
  [
    'wrong column count',
    { 'task_events.csv': '601000000,,7,0,,0,u,3,9' },
    'task_events.csv:1: has 9 columns, task_events has 13',
  ],
  [
    'non-numeric',
    { 'task_events.csv': TE.replace('0.125', 'abc') },
    'task_events.csv:1: cpu_request: "abc" is not a non-negative number',
  ],
  ['negative', { 'machine_events.csv': '0,5,0,p,-0.5,1' }, 'machine_events.csv:1: cpus: "-0.5" is negative'],
  [
    'unknown event type',
    { 'task_events.csv': `${TE}\n601000000,,7,1,,12,u,3,9,0.1,0.1,0,0` },
    'task_events.csv:2: event_type: unknown event type 12 (want 0..8)',
  ],
  [
    'priority out of range',
    { 'task_events.csv': TE.replace(',3,9,', ',3,12,') },
    'task_events.csv:1: priority: 12 is outside 0..11',
  ],
  [
    'time backwards',
    { 'job_events.csv': '601000000,,7,0,u,3,n,l\n600000001,,8,0,u,3,n,l' },
    'job_events.csv:2: time: goes backwards (600000001 after 601000000); job_events must be sorted by time',
  ],
  [
    'bad operator',
    { 'task_constraints.csv': '601000000,7,0,a,9,1' },
    'task_constraints.csv:1: comparison_operator: unknown operator 9 (want 0..3)',
  ],
];
for (const [name, tables, message] of BAD) {
  test(`bad input: ${name}`, async (t) => {
    const dir = traceDir(tables);
    const err = await firstError(dir);
    t.is(err.message, join(dir, message));
  });
}

test('bad input across parts: the part file and line are named', async (t) => {
  const dir = traceDir({
    'task_events/part-00000-of-00002.csv.gz': TE,
    'task_events/part-00001-of-00002.csv.gz': `${TE}\n601000000,,x,0,,0,u,3,9,0.1,0.1,0,0`,
  });
  const err = await firstError(dir);
  t.is(
    err.message,
    `${join(dir, 'task_events/part-00001-of-00002.csv.gz')}:2: job_id: "x" is not a non-negative integer`,
  );
});

test('truncated gzip part is fatal even with skip', async (t) => {
  const gz = gzipSync(Array.from({ length: 2000 }, () => TE).join('\n'));
  const dir = traceDir({ 'task_events/part-00000-of-00001.csv.gz': gz.subarray(0, gz.length - 40) });
  const err = await t.throwsAsync(collect(readGoogle2011({ trace: dir, onInvalid: 'skip' }).records), {
    instanceOf: InputError,
  });
  t.is(err!.code, 'BAD_GZIP');
  t.regex(err!.message, /part-00000-of-00001\.csv\.gz:\d+: truncated or corrupt gzip data/);
});

test.serial('--on-invalid skip counts bad rows by column', async (t) => {
  const dir = traceDir({
    'task_events.csv': [
      TE,
      '601000000,,7,1,,0,u,3,9,0.1',
      TE.replace(',0,u,', ',13,u,').replace(',7,0,', ',7,2,'),
      TE.replace('0.125', '-1').replace(',7,0,', ',7,3,'),
      TE.replace(',7,0,', ',7,4,'),
    ].join('\n'),
  });
  const src = readGoogle2011({ trace: dir, onInvalid: 'skip' });
  const recs = await collect(src.records);
  t.deepEqual(src.loss.skipped, {
    'wrong column count': 1,
    'invalid event_type': 1,
    'invalid cpu_request': 1,
  });
  t.deepEqual(
    recs.filter((r) => r.object.kind === 'Pod').map((r) => r.object.metadata!.name),
    ['job-7-0', 'job-7-4'],
  );
  const cli = await runCli(['trace', 'stats', '--trace', dir, '--on-invalid', 'skip', '--json']);
  t.is(cli.code, 0, cli.stderr);
  t.deepEqual((JSON.parse(cli.stdout) as { loss: { skipped: unknown } }).loss.skipped, src.loss.skipped);
  const fail = await runCli(['trace', 'stats', '--trace', dir]);
  t.is(fail.code, 2);
  t.regex(fail.stderr, /task_events\.csv:2: has 10 columns/);
});

test('parseTaskEventLine: the event parseGoogle2011Row makes of the same fields, fast path or not', (t) => {
  const lines = [
    // fast path: plain digits and decimals
    '600000000,,6000000000,0,,0,user274,3,0,0.025,0.02612,0.000233,0',
    '700000000,,42,7,17,1,u,,11,1,0.5,,1',
    // slow path: zero-padded job id, long job id, a decimal of 16 digits, time "after the trace"
    '800000000,,0042,1,,4,u,0,2,0.1,0.1,0.1,0',
    '800000000,,1234567890123,1,,4,u,0,2,0.1,0.1,0.1,0',
    '800000000,,5,1,,4,u,0,2,0.1234567890123456,0.1,0.1,0',
    '9223372036854775807,,5,1,,4,u,0,2,0.1,0.1,0.1,0',
  ];
  for (const [i, text] of lines.entries()) {
    const row = { line: i + 1, text };
    t.deepEqual(
      parseTaskEventLine('te.csv', row),
      parseGoogle2011Row('task_events', 'te.csv', { line: i + 1, fields: text.split(',') }),
      text,
    );
  }
  t.deepEqual(parseTaskEventLine('te.csv', { line: 2, text: lines[1]! }), {
    t: 'task',
    // 700 s - 600 s offset
    timeUs: 100_000_000,
    kind: 'schedule',
    typeName: 'SCHEDULE',
    jobId: '42',
    index: 7,
    schedulingClass: undefined,
    priority: 11,
    cpu: 1,
    memory: 0.5,
    disk: undefined,
    differentMachines: true,
    constraints: undefined,
    allocCollection: undefined,
  });
  t.is(parseTaskEventLine('te.csv', { line: 6, text: lines[5]! }), undefined);
  // "0042" -> job id "42", as the strict parser gives it
  t.is((parseTaskEventLine('te.csv', { line: 3, text: lines[2]! }) as { jobId: string }).jobId, '42');
  // errors are the strict parser's: file, line, column
  for (const [text, message] of [
    ['600000000,,1,0,,9,u,0,0,0.1,0.1,0.1,0', 'te.csv:1: event_type: unknown event type 9 (want 0..8)'],
    ['600000000,,1,0,,0,u,0,12,0.1,0.1,0.1,0', 'te.csv:1: priority: 12 is outside 0..11'],
    ['600000000,,1,0,,0,u,0,0,-0.1,0.1,0.1,0', 'te.csv:1: cpu_request: "-0.1" is negative'],
    ['600000000,,1,0,,0,u,0,0,0.1,0.1,0.1,2', 'te.csv:1: different_machines_restriction: "2" is not 0 or 1'],
    ['600000000,,1,0,,0,u,0,0,0.1,0.1,0.1', 'te.csv:1: has 12 columns, task_events has 13'],
  ] as const)
    t.throws(
      () => parseTaskEventLine('te.csv', { line: 1, text }),
      { instanceOf: InputError, message },
      text,
    );
});

/** A fresh BorgMapper's counts (what taskEventBatches counts into). */
function freshCounts(): BorgCounts {
  return new BorgMapper({ format: 'google2011', priorities: [], freeBelow: 2 }).counts;
}

async function taskEvents(files: string[], skips: SkipCounter, counts = freshCounts()): Promise<BorgEvent[]> {
  const out: BorgEvent[] = [];
  for await (const batch of taskEventBatches(files, skips, counts)) out.push(...batch);
  return out;
}

test('taskEventBatches: CRLF, blank and quoted lines as read; SCHEDULE/UPDATE counted, not emitted; bad quoting fatal', async (t) => {
  const dir = tempDir();
  const f = join(dir, 'task_events.csv');
  writeFileSync(
    f,
    [
      '601000000,,7,0,,0,u,3,9,0.125,0.07446,0.0004244,1\r',
      '',
      '602000000,,7,1,,0,"u,x",3,9,0.125,0.07446,0.0004244,0',
      '603000000,,7,0,,1,u,3,9,0.125,0.07446,0.0004244,1',
      '603000000,,7,1,,8,u,3,9,0.125,0.07446,0.0004244,1',
      '604000000,,7,0,,4,u,3,9,0.125,0.07446,0.0004244,1',
    ].join('\n'),
  );
  const counts = freshCounts();
  const events = await taskEvents([f], new SkipCounter('fail'), counts);
  t.deepEqual(
    events.map((e) => (e.t === 'task' ? `${e.timeUs} ${e.typeName} ${e.jobId}/${e.index}` : e.t)),
    ['1000000 SUBMIT 7/0', '2000000 SUBMIT 7/1', '4000000 FINISH 7/0'],
  );
  t.is(counts.schedules, 1);
  t.is(counts.updatesIgnored, 1);
  writeFileSync(f, 'a,b\n"x"y,z\n');
  // The quoted line is split before any line of its chunk is parsed: fatal even with skip.
  await t.throwsAsync(() => taskEvents([f], new SkipCounter('skip')), {
    instanceOf: InputError,
    message: /^.*task_events\.csv:2: malformed CSV quoting/,
  });
});

test('taskEventBatches: the events parseTaskEventLine makes of each line, across chunks, parts and gzip', async (t) => {
  const dir = tempDir();
  const lines: string[] = [];
  const forms = [
    (i: number) =>
      `${600000000 + i * 10},,${6000000000 + (i % 97)},${i % 13},,${i % 9},user${i},${i % 4},${i % 12},0.${i % 1000},0.0${i},,${i % 2}`,
    // slow path: zero-padded job id, a 16-digit decimal, a quoted user
    (i: number) => `${600000000 + i * 10},,00${i % 7},${i},${i},0,u,,,0.1234567890123456,1,0.5,`,
    (i: number) => `${600000000 + i * 10},,${i},${i},${i},4,"u,${i}",1,2,1.5,0.25,0.125,0`,
  ];
  for (let i = 0; i < 6000; i++) lines.push(forms[i % 7 === 0 ? 1 : i % 11 === 0 ? 2 : 0]!(i));
  const half = lines.length / 2;
  writeFileSync(join(dir, 'part-0.csv.gz'), gzipSync(lines.slice(0, half).join('\r\n') + '\r\n'));
  writeFileSync(join(dir, 'part-1.csv'), lines.slice(half).join('\n'));
  const counts = freshCounts();
  const got = await taskEvents(
    [join(dir, 'part-0.csv.gz'), join(dir, 'part-1.csv')],
    new SkipCounter(),
    counts,
  );
  const want: BorgEvent[] = [];
  let schedules = 0;
  let updates = 0;
  for (const [i, text] of lines.entries()) {
    const fields = text.includes('"') ? splitCsvLine('x', i + 1, text) : undefined;
    const ev = parseTaskEventLine('x', fields ? { line: i + 1, fields } : { line: i + 1, text })!;
    if (ev.t === 'task' && ev.kind === 'schedule') schedules++;
    else if (ev.t === 'task' && ev.kind === 'update') updates++;
    else want.push(ev);
  }
  t.deepEqual(got, want);
  t.is(counts.schedules, schedules);
  t.is(counts.updatesIgnored, updates);
});
