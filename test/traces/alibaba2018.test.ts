import test from 'ava';
import { InputError } from '../../engine/api/errors.js';
import {
  parseMachineMeta,
  parseTaskName,
  readAlibaba2018,
  sameNode,
  scanMachineMeta,
} from '../../traces/alibaba2018/index.js';
import { openTrace } from '../../traces/detect.js';
import { collect, tempDir, tempFile } from './helpers.js';
import { runCli } from './cli-helper.js';

const FIX = 'test/fixtures/traces/alibaba2018';
const seq = (recs: Awaited<ReturnType<typeof collect>>): string[] =>
  recs.map((r) => `${r.timeUs / 1e6} ${r.op} ${r.object.kind}/${r.object.metadata!.name}`);

test('task names encode the DAG', (t) => {
  t.deepEqual(parseTaskName('M1'), { id: 1, deps: [] });
  t.deepEqual(parseTaskName('R2_1'), { id: 2, deps: [1] });
  t.deepEqual(parseTaskName('J3_1_2'), { id: 3, deps: [1, 2] });
  t.is(parseTaskName('task_Nzg3ODAwNDgzMTAwNTc5NDA2NQ=='), undefined);
  t.is(parseTaskName('MergeTask'), undefined);
});

test('real machine_meta rows: sorted by time, unchanged events dropped, NotReady status', async (t) => {
  const src = readAlibaba2018({ nodes: `${FIX}/machine_meta.csv` });
  const recs = await collect(src.records);
  t.deepEqual(seq(recs), [
    '0 create Node/m-1',
    '0 create Node/m-2737',
    '0 create Node/m-2738',
    '0 create Node/m-274',
    '317520 create Node/m-1263',
    // failure_domain_2 goes empty and back: each change is an update
    '357600 update Node/m-1263',
    '360232 update Node/m-1263',
    '447218 update Node/m-1263',
    '450071 update Node/m-1263',
    '569729 create Node/m-2739',
  ]);
  t.deepEqual(recs[0]!.object, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'm-1',
      labels: {
        'kubernetes.io/hostname': 'm-1',
        'topology.kubernetes.io/zone': '219',
        'alibaba.com/machine-status': 'USING',
        'alibaba.com/failure-domain-2': '17',
      },
    },
    // 96 cores; mem_size 100 -> 524288 Mi
    status: {
      capacity: { cpu: '96000m', memory: '524288Mi', pods: '110' },
      allocatable: { cpu: '96000m', memory: '524288Mi', pods: '110' },
    },
  });
  const installing = recs[recs.length - 1]!.object;
  t.deepEqual(installing.spec, { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] });
  t.deepEqual((installing.status as { conditions: unknown }).conditions, [
    { type: 'Ready', status: 'False', reason: 'IMPORT_INSTALLING' },
  ]);
  t.true(src.loss.notes.some((n) => n.includes("9 events repeated the machine's state")));
});

test('whole fixture folder: containers, DAG-released batch pods, merged by time', async (t) => {
  const src = readAlibaba2018({ trace: FIX });
  const recs = await collect(src.records);
  t.deepEqual(
    seq(recs).filter((s) => !s.includes('Node/')),
    [
      '0 create Pod/c-1',
      '0 create Pod/c-3',
      '40 create Pod/c-2',
      '50 create Job/j-2-task-nzg3odawndgzmtawntc5nda2nq',
      '50 create Pod/j-2-task-nzg3odawndgzmtawntc5nda2nq-0',
      '100 create Job/j-1-m1',
      '100 create Pod/j-1-m1-0',
      '210 create Job/j-1-r2-1',
      '210 create Pod/j-1-r2-1-0',
      '212 create Pod/j-1-r2-1-1',
      // J3 depends on M1 (end 200) and R2 (end 300), starts at 320: released at 320
      '320 create Job/j-1-j3-1-2',
      '320 create Pod/j-1-j3-1-2-0',
      // R4 depends on J3 (end 400); its instance started at 391 in the trace: released at 400
      '400 create Job/j-1-r4-3',
      '400 create Pod/j-1-r4-3-0',
    ],
  );
  for (let i = 1; i < recs.length; i++) t.true(recs[i]!.timeUs >= recs[i - 1]!.timeUs);
  const c2 = recs.find((r) => r.object.metadata!.name === 'c-2')!.object;
  t.deepEqual((c2.spec as { containers: { resources: unknown }[] }).containers[0]!.resources, {
    // 400 = 4 cores, limit 800 = 8 cores; 1.56 % of 524288 Mi = 8178.89 -> 8179 Mi
    requests: { cpu: '4000m', memory: '8179Mi' },
    limits: { cpu: '8000m', memory: '8179Mi' },
  });
  t.deepEqual(c2.metadata!.labels, { 'alibaba.com/app-du': 'app_5052' });
  const r4 = recs.find((r) => r.object.metadata!.name === 'j-1-r4-3-0')!.object;
  t.deepEqual(r4.metadata!.annotations, {
    'kreplay.io/owner': 'Job/j-1-r4-3',
    'kreplay.io/trace-phase': 'Failed',
    // 500 - 391
    'kreplay.io/duration': '109s',
    'kreplay.io/exit': 'failed',
    'kreplay.io/depends-on': 'j-1-j3-1-2',
    'kreplay.io/trace-instance': 'ins_41',
    'kreplay.io/trace-node': 'm-274',
  });
  t.deepEqual((r4.spec as { containers: { resources: unknown }[] }).containers[0]!.resources, {
    // plan_cpu 100 -> 1000 m; plan_mem 0.1 % of 524288 Mi = 524.288 -> 524 Mi
    requests: { cpu: '1000m', memory: '524Mi' },
  });
  const job = recs.find((r) => r.object.metadata!.name === 'j-1-r2-1')!.object;
  t.like(job.spec as object, { completions: 2, parallelism: 0 });
  t.is(job.metadata!.annotations!['kreplay.io/trace-parallelism'], '2');
});

test('without batch_instance: instance_num pods per task at its release', async (t) => {
  const dir = tempDir();
  tempFile(
    'batch_task.csv',
    'M1,2,j_1,1,Terminated,100,200,100,0.39\nR2_1,1,j_1,1,Terminated,150,300,50,0.2\n',
    dir,
  );
  const recs = await collect(readAlibaba2018({ trace: dir }).records);
  t.deepEqual(seq(recs), [
    '100 create Job/j-1-m1',
    '100 create Pod/j-1-m1-0',
    '100 create Pod/j-1-m1-1',
    '200 create Job/j-1-r2-1',
    '200 create Pod/j-1-r2-1-0',
  ]);
  // the task's span: 300 - 150
  t.is(recs[4]!.object.metadata!.annotations!['kreplay.io/duration'], '150s');
});

const BAD: [string, string, string, string][] = [
  [
    'wrong column count',
    'machine_meta.csv',
    'm_1,0,219,17,96,100',
    'machine_meta.csv:1: has 6 columns, machine_meta has 7',
  ],
  [
    'non-numeric',
    'machine_meta.csv',
    'm_1,0,219,17,ninety,100,USING',
    'machine_meta.csv:1: cpu_num: "ninety" is not a non-negative integer',
  ],
  [
    'negative',
    'container_meta.csv',
    'c_1,m_1,-5,app_1,started,400,400,1.5',
    'container_meta.csv:1: time_stamp: "-5" is negative',
  ],
  [
    'out of range',
    'machine_meta.csv',
    'm_1,0,219,17,96,101,USING',
    'machine_meta.csv:1: mem_size: 101 is outside 0..100',
  ],
  [
    'end before start',
    'batch_task.csv',
    'M1,1,j_1,1,Terminated,100,50,100,0.39',
    'batch_task.csv:1: end_time: 50 is before start_time 100',
  ],
];
for (const [name, file, text, message] of BAD) {
  test(`bad input: ${name}`, async (t) => {
    const dir = tempDir();
    const p = tempFile(file, `${text}\n`, dir);
    const err = await t.throwsAsync(collect(readAlibaba2018({ trace: dir }).records), {
      instanceOf: InputError,
    });
    t.is(err!.message, p.replace(file, message));
  });
}

test('task names that differ only in case (base64 ids) get Jobs of their own, the later one suffixed', async (t) => {
  const dir = tempDir();
  tempFile(
    'batch_task.csv',
    'task_AbC==,1,j_9,12,Terminated,50,60,100,0.39\ntask_aBc==,1,j_9,12,Terminated,55,70,100,0.39\n',
    dir,
  );
  tempFile(
    'batch_instance.csv',
    'ins_1,task_AbC==,j_9,12,Terminated,50,60,m_1,1,1,,,,\nins_2,task_aBc==,j_9,12,Terminated,55,70,m_1,1,1,,,,\n',
    dir,
  );
  const src = readAlibaba2018({ trace: dir });
  const recs = await collect(src.records);
  t.deepEqual(
    seq(recs).filter((r) => r.includes('create')),
    [
      '50 create Job/j-9-task-abc',
      '50 create Pod/j-9-task-abc-0',
      '55 create Job/j-9-task-abc-2',
      '55 create Pod/j-9-task-abc-2-0',
    ],
  );
  t.true(src.loss.notes.some((n) => n.includes('1 Jobs renamed with a -<n> suffix')));
});

test('truncated gzip is fatal', async (t) => {
  const dir = tempDir();
  const { gzipSync } = await import('node:zlib');
  const { writeFileSync } = await import('node:fs');
  const gz = gzipSync(Array.from({ length: 3000 }, (_, i) => `m_${i},0,1,2,96,100,USING`).join('\n'));
  writeFileSync(`${dir}/machine_meta.csv.gz`, gz.subarray(0, gz.length - 30));
  const err = await t.throwsAsync(collect(readAlibaba2018({ trace: dir, onInvalid: 'skip' }).records), {
    instanceOf: InputError,
  });
  t.is(err!.code, 'BAD_GZIP');
});

test.serial('--on-invalid skip counts; trace stats on the fixture', async (t) => {
  const dir = tempDir();
  tempFile(
    'machine_meta.csv',
    'm_1,0,219,17,96,100,USING\nm_2,0,219\nm_3,x,1,1,96,100,USING\nm_4,5,1,1,96,100,USING\n',
    dir,
  );
  const src = readAlibaba2018({ trace: dir, onInvalid: 'skip' });
  t.deepEqual(seq(await collect(src.records)), ['0 create Node/m-1', '5 create Node/m-4']);
  t.deepEqual(src.loss.skipped, { 'wrong column count': 1, 'invalid time_stamp': 1 });
  t.is((await openTrace({ trace: FIX })).format, 'alibaba2018');
  const r = await runCli(['trace', 'stats', '--trace', FIX, '--json']);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as {
    nodes: number;
    pods: number;
    objectsByKind: Record<string, number>;
    cpuMilli: number;
  };
  t.is(s.nodes, 6);
  t.is(s.cpuMilli, 6 * 96000);
  t.deepEqual(s.objectsByKind, { Node: 6, Pod: 9, Job: 5 });
});

test('sameNode: every field the Node is made of, memory as the Mi it becomes', (t) => {
  const a = { fd1: '17', fd2: '', cpu: 96, mem: 50, status: 'USING' };
  t.true(sameNode(a, { ...a }));
  // 50.00001 % of 524,288 Mi = 262,144.05 -> 262,144 Mi, the same as 50 %
  t.true(sameNode(a, { ...a, mem: 50.00001 }));
  // 50.0001 % -> 262,144.52 -> 262,145 Mi
  t.false(sameNode(a, { ...a, mem: 50.0001 }));
  t.false(sameNode(a, { ...a, cpu: 64 }));
  t.false(sameNode(a, { ...a, fd1: '3' }));
  t.false(sameNode(a, { ...a, fd2: 'a' }));
  t.false(sameNode(a, { ...a, status: 'IMPORT_INSTALLING' }));
});

test('machine_meta repeats dropped by field, not by object: rounding-equal memory is a repeat', async (t) => {
  const f = tempFile(
    'machine_meta.csv',
    [
      'm_1,0,17,,96,50,USING',
      'm_1,10,17,,96,50.00001,USING',
      'm_1,20,17,,96,50.0001,USING',
      'm_1,30,17,a,96,50.0001,USING',
    ].join('\n') + '\n',
  );
  const src = readAlibaba2018({ nodes: f });
  const recs = await collect(src.records);
  t.deepEqual(
    recs.map(
      (r) =>
        `${r.timeUs} ${r.op} ${(r.object.status as { capacity: Record<string, string> }).capacity.memory}`,
    ),
    ['0 create 262144Mi', '20000000 update 262145Mi', '30000000 update 262145Mi'],
  );
  t.true(src.loss.notes.some((n) => n.includes('1 events repeated the machine')));
});

test('scanMachineMeta: the row parseMachineMeta makes of the same line, or undefined (then the strict path)', (t) => {
  const lines = [
    'm_1,0,219,17,96,100,USING',
    'm_2,148984,219,,96,52.25,IMPORT_INSTALLING',
    'm_2,3,007,a.b-c,0,0,USING',
    // strict path: bad id, empty, too many/few columns, sign, > 100, bad status and label value
    'm 1,0,219,17,96,100,USING',
    ',0,219,17,96,100,USING',
    'm_1,0,219,17,96,100,USING,',
    'm_1,0,219,17,96,100',
    'm_1,-1,219,17,96,100,USING',
    'm_1,0,219,17,96,100.5,USING',
    'm_1,0,219,17,96,,USING',
    'm_1,0,219,17,96,100,US ING',
    'm_1,0,219,1/7,96,100,USING',
    'm_1,0,70000,17,96,100,USING',
  ];
  for (const [i, text] of lines.entries()) {
    const fast = scanMachineMeta(text, 0, text.length);
    let strict: ReturnType<typeof parseMachineMeta> | undefined;
    try {
      strict = parseMachineMeta('mm.csv', { line: i + 1, fields: text.split(',') });
    } catch {
      strict = undefined;
    }
    if (fast !== undefined) t.deepEqual(fast, strict, text);
    if (strict === undefined) t.is(fast, undefined, text);
  }
});

test('machine_meta in any row order: the records of a stable sort by time with repeats dropped', async (t) => {
  // m_1's rows out of time order, equal times across machines and within one, repeats and changes.
  const rows = [
    'm_2,5,1,a,8,50,USING',
    'm_1,9,1,a,8,50,USING',
    'm_1,5,1,a,8,50,USING',
    'm_1,5,1,a,16,50,USING',
    'm_2,5,1,a,8,50,USING',
    'm_1,9,1,a,16,50,USING',
    'm_1,0,1,a,8,50,USING',
    'm_2,9,1,a,8,60,USING',
    'm_1,9,1,a,8,50,USING',
  ];
  const file = tempFile('machine_meta.csv', rows.join('\n') + '\n');
  const recs = await collect(readAlibaba2018({ nodes: file }).records);
  const seq = recs.map((r) => {
    const cap = (r.object.status as { capacity: { cpu: string } }).capacity;
    return `${r.timeUs / 1e6} ${r.op} ${r.object.metadata!.name} ${cap.cpu}`;
  });
  // Stable sort by time: m_1@0 8, m_2@5 8, m_1@5 8, m_1@5 16, m_2@5 8 (repeat), m_1@9 8, m_1@9 16, m_2@9 8 (memory), m_1@9 8.
  t.deepEqual(seq, [
    '0 create m-1 8000m',
    '5 create m-2 8000m',
    '5 update m-1 16000m',
    '9 update m-1 8000m',
    '9 update m-1 16000m',
    '9 update m-2 8000m',
    '9 update m-1 8000m',
  ]);
});
