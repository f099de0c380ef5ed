import test from 'ava';
import { InputError } from '../../engine/api/errors.js';
import { readOpenb, readOpenbPodRows } from '../../traces/openb/index.js';
import { collect, tempFile } from './helpers.js';

/** The fields these tests read, without the optionality of the real types. */
interface PodView {
  metadata: { annotations: Record<string, string> };
  spec: { affinity?: unknown; containers: { resources: { requests: Record<string, string> } }[] };
}

const FIX = 'test/fixtures/traces/openb';
const POD_HEADER =
  'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time';

test('nodes: allocatable/capacity, GPU resources and labels', async (t) => {
  const recs = await collect(readOpenb({ nodes: `${FIX}/nodes.csv` }).records);
  t.is(recs.length, 4);
  t.deepEqual(recs[0], {
    timeUs: 0,
    op: 'create',
    object: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'openb-node-0000',
        labels: { 'kubernetes.io/hostname': 'openb-node-0000', 'kreplay.io/gpu-model': 'P100' },
      },
      status: {
        capacity: {
          cpu: '64000m',
          memory: '262144Mi',
          pods: '110',
          'nvidia.com/gpu': '2',
          'kreplay.io/gpu-milli': '2000',
        },
        allocatable: {
          cpu: '64000m',
          memory: '262144Mi',
          pods: '110',
          'nvidia.com/gpu': '2',
          'kreplay.io/gpu-milli': '2000',
        },
      },
    },
    // The node list's first data row is line 2 (after the header).
    source: { file: `${FIX}/nodes.csv`, line: 2 },
  });
  const cpu = await collect(readOpenb({ nodes: `${FIX}/nodes-cpu.csv` }).records);
  t.deepEqual(cpu[0]!.object.metadata, {
    name: 'openb-node-0000',
    labels: { 'kubernetes.io/hostname': 'openb-node-0000' },
  });
  t.deepEqual((cpu[0]!.object.status as { allocatable: unknown }).allocatable, {
    cpu: '32000m',
    memory: '262144Mi',
    pods: '110',
  });
});

test('pods: a GPU-sharing pod as a bare Pod with extended request and annotations', async (t) => {
  const recs = await collect(readOpenb({ pods: `${FIX}/pods.csv` }).records);
  const p1 = recs.find((r) => r.op === 'create' && r.object.metadata?.name === 'openb-pod-0001')!;
  // creation 427061 s - earliest 0 s = 427061 s
  t.is(p1.timeUs, 427_061_000_000);
  t.deepEqual(p1.object, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'openb-pod-0001',
      namespace: 'default',
      labels: { 'alibaba.com/qos': 'LS' },
      annotations: {
        'kreplay.io/gpu-count': '1',
        'kreplay.io/gpu-milli-per-gpu': '460',
        'kreplay.io/trace-phase': 'Running',
        'kreplay.io/trace-scheduled-time': '427061',
        // 12902960 - 427061
        'kreplay.io/duration': '12475899s',
      },
    },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'registry.k8s.io/pause:3.10',
          resources: {
            requests: { cpu: '6000m', memory: '12288Mi', 'kreplay.io/gpu-milli': '460' },
            limits: { 'kreplay.io/gpu-milli': '460' },
          },
        },
      ],
    },
  });
});

test('pods: multi-GPU request is num_gpu x gpu_milli; CPU-only pod has no GPU fields; pending pod has no scheduled time', async (t) => {
  const recs = await collect(readOpenb({ pods: `${FIX}/pods.csv` }).records);
  const byName = (n: string) =>
    recs.find((r) => r.op === 'create' && r.object.metadata?.name === n)!.object as unknown as PodView;
  // 8 GPUs x 1000 milli
  t.is(byName('openb-pod-0017').spec.containers[0].resources.requests['kreplay.io/gpu-milli'], '8000');
  t.is(byName('openb-pod-0017').metadata.annotations['kreplay.io/gpu-count'], '8');
  t.deepEqual(byName('openb-pod-0005').spec.containers[0].resources, {
    requests: { cpu: '20000m', memory: '65536Mi' },
  });
  // Failed in the trace after running 839 s: it fails after its run here too (kreplay.io/exit).
  t.is(byName('openb-pod-0128').metadata.annotations['kreplay.io/duration'], '839s');
  t.is(byName('openb-pod-0128').metadata.annotations['kreplay.io/exit'], 'failed');
  t.false('kreplay.io/exit' in byName('openb-pod-0017').metadata.annotations); // Succeeded
  // Pending in the trace (never ran): no duration; it is deleted at its deletion_time instead.
  t.deepEqual(byName('openb-pod-0061').metadata.annotations, {
    'kreplay.io/trace-phase': 'Pending',
    'kreplay.io/gpu-count': '1',
    'kreplay.io/gpu-milli-per-gpu': '1000',
  });
});

test('pods: gpu_spec becomes required node affinity and an annotation', async (t) => {
  const recs = await collect(readOpenb({ pods: `${FIX}/pods-gpuspec.csv` }).records);
  const pod = recs.find((r) => r.object.metadata?.name === 'openb-pod-0053')!.object as unknown as PodView;
  t.deepEqual(pod.spec.affinity, {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'kreplay.io/gpu-model', operator: 'In', values: ['V100M16', 'V100M32'] },
            ],
          },
        ],
      },
    },
  });
  t.is(pod.metadata.annotations['kreplay.io/gpu-spec'], 'V100M16|V100M32');
});

test('time-faithful: shifted to the earliest creation, non-decreasing; pods that ran get durations, not deletes', async (t) => {
  const recs = await collect(readOpenb({ pods: `${FIX}/pods-gpuspec.csv` }).records);
  // Every row has a scheduled_time: five creates, no deletes.
  t.is(recs.length, 5);
  t.true(recs.every((r) => r.op === 'create'));
  // earliest creation is openb-pod-0007 at 3019932 s
  t.is(recs[0]!.timeUs, 0);
  t.is(recs[0]!.object.metadata?.name, 'openb-pod-0007');
  for (let i = 1; i < recs.length; i++) t.true(recs[i]!.timeUs >= recs[i - 1]!.timeUs);
  const p53 = recs.find((r) => r.object.metadata?.name === 'openb-pod-0053')!;
  t.is(p53.timeUs, (9993753 - 3019932) * 1e6);
  // deletion 10061253 − scheduled 9993753 = 67500 s of work once started
  t.is(p53.object.metadata?.annotations?.['kreplay.io/duration'], '67500s');
});

test('time-faithful on the whole default list: 8,152 creates, and deletes for the 897 pods that never ran', async (t) => {
  const src = readOpenb({ pods: 'traces/samples/openb/openb_pod_list_default.csv' });
  let creates = 0;
  let deletes = 0;
  let last = 0;
  let ordered = true;
  for await (const r of src.records) {
    if (r.op === 'create') creates++;
    else deletes++;
    if (r.timeUs < last) ordered = false;
    last = r.timeUs;
  }
  t.is(creates, 8152);
  // rows with a deletion_time but no scheduled_time (awk -F, '$10!="" && $11==""' → 897)
  t.is(deletes, 897);
  t.true(ordered);
});

test('arrival-only: creates only, at t=0, in file order', async (t) => {
  const recs = await collect(readOpenb({ pods: `${FIX}/pods-gpuspec.csv`, mode: 'arrival-only' }).records);
  t.deepEqual(
    recs.map((r) => [r.timeUs, r.op, r.object.metadata?.name]),
    ['0053', '0129', '0148', '0007', '0528'].map((n) => [0, 'create', `openb-pod-${n}`]),
  );
});

test('five-column multigpu list: creates at t=0, noted in the loss report', async (t) => {
  const src = readOpenb({ pods: `${FIX}/pods-multigpu.csv` });
  const recs = await collect(src.records);
  t.is(recs.length, 3);
  t.true(recs.every((r) => r.timeUs === 0 && r.op === 'create'));
  t.true(src.loss.notes.some((n) => n.includes('no times')));
});

test('rows out of creation order are sorted (stable), with a loss note', async (t) => {
  const file = tempFile(
    'pods.csv',
    [
      POD_HEADER,
      'p-b,1000,1024,0,0,,LS,Pending,20,30,',
      'p-a,1000,1024,0,0,,LS,Pending,10,40,',
      'p-c,1000,1024,0,0,,LS,Pending,20,25,',
    ].join('\n'),
  );
  const src = readOpenb({ pods: file });
  const recs = await collect(src.records);
  // origin 10 s: a@0 c... b@10s, c@10s, delete c@15s, delete b@20s, delete a@30s
  t.deepEqual(
    recs.map((r) => [r.timeUs / 1e6, r.op, r.object.metadata?.name]),
    [
      [0, 'create', 'p-a'],
      [10, 'create', 'p-b'],
      [10, 'create', 'p-c'],
      [15, 'delete', 'p-c'],
      [20, 'delete', 'p-b'],
      [30, 'delete', 'p-a'],
    ],
  );
  t.true(src.loss.notes.some((n) => n.includes('sorted in memory')));
});

const bad: [string, string, number, string][] = [
  ['negative cpu', 'p,-5,1024,0,0,,LS,Running,1,2,1', 2, 'cpu_milli'],
  ['text memory', 'p,1000,lots,0,0,,LS,Running,1,2,1', 2, 'memory_mib'],
  ['fraction of several GPUs', 'p,1000,1024,2,500,,LS,Running,1,2,1', 2, 'gpu_milli'],
  ['gpu_milli over 1000', 'p,1000,1024,1,1500,,LS,Running,1,2,1', 2, 'gpu_milli'],
  ['deleted before created', 'p,1000,1024,0,0,,LS,Running,5,2,5', 2, 'deletion_time'],
  ['bad name', 'P_1,1000,1024,0,0,,LS,Running,1,2,1', 2, 'name'],
  ['empty creation_time', 'p,1000,1024,0,0,,LS,Running,,2,1', 2, 'creation_time'],
];
for (const [what, row, line, field] of bad) {
  test(`bad pod row (${what}) -> InputError at file:line naming ${field}`, async (t) => {
    const file = tempFile('pods.csv', `${POD_HEADER}\n${row}\n`);
    const err = await t.throwsAsync(readOpenbPodRows(file), { instanceOf: InputError });
    t.is(err!.file, file);
    t.is(err!.line, line);
    t.is(err!.field, field);
    t.true(err!.message.startsWith(`${file}:${line}: ${field}: `));
  });
}

test('negative quantity message says negative', async (t) => {
  const file = tempFile(
    'pods.csv',
    `${POD_HEADER}\nok,1,1,0,0,,LS,Running,1,2,1\np,-5,1024,0,0,,LS,Running,1,2,1\n`,
  );
  const err = await t.throwsAsync(readOpenbPodRows(file), { instanceOf: InputError });
  t.is(err!.message, `${file}:3: cpu_milli: "-5" is negative`);
});

test('wrong column count -> InputError naming the line', async (t) => {
  const file = tempFile('pods.csv', `${POD_HEADER}\np,1000,1024,0,0,,LS\n`);
  const err = await t.throwsAsync(readOpenbPodRows(file), { instanceOf: InputError });
  t.is(err!.message, `${file}:2: has 7 columns, the header has 11`);
});

test('wrong header -> InputError at line 1', async (t) => {
  const file = tempFile('nodes.csv', 'sn,cpu,mem\nn1,1,1\n');
  const err = await t.throwsAsync(collect(readOpenb({ nodes: file }).records), { instanceOf: InputError });
  t.is(err!.line, 1);
  t.regex(err!.message, /unexpected header/);
});

test('gzip lists are read; a truncated gzip is an InputError', async (t) => {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync('traces/samples/openb/openb_pod_list_default.csv', 'utf8');
  const gz = tempFile('pods.csv.gz', text);
  t.is((await readOpenbPodRows(gz)).length, 8152);
  const { writeFileSync } = await import('node:fs');
  const whole = readFileSync(gz);
  writeFileSync(gz, whole.subarray(0, Math.floor(whole.length / 2)));
  const err = await t.throwsAsync(readOpenbPodRows(gz), { instanceOf: InputError });
  t.is(err!.file, gz);
  t.regex(err!.message, /truncated or corrupt gzip/);
  t.true(err!.line! > 1);
});

test('--on-invalid skip counts bad rows by reason and keeps the good ones', async (t) => {
  const file = tempFile(
    'pods.csv',
    [
      POD_HEADER,
      'a,1000,1024,0,0,,LS,Running,1,2,1',
      'b,-1,1024,0,0,,LS,Running,1,2,1',
      'c,1000,1024,0,0,,LS',
      'd,1000,x,0,0,,LS,Running,1,2,1',
      'e,1000,1024,0,0,,LS,Running,3,4,3',
    ].join('\n'),
  );
  const src = readOpenb({ pods: file, onInvalid: 'skip' });
  const recs = await collect(src.records);
  t.deepEqual(
    recs.filter((r) => r.op === 'create').map((r) => r.object.metadata?.name),
    ['a', 'e'],
  );
  t.deepEqual(src.loss.skipped, { 'invalid cpu_milli': 1, 'wrong column count': 1, 'invalid memory_mib': 1 });
});

test('a UTF-8 byte-order mark (Excel) before the header is not part of it, in every CSV reader', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { openTrace } = await import('../../traces/detect.js');
  const show = async (o: Parameters<typeof openTrace>[0]): Promise<string> =>
    JSON.stringify(
      (await collect((await openTrace(o)).records)).map((r) => ({ ...r, source: r.source?.line })),
    );
  const bom = (f: string): string => tempFile(f.split('/').pop()!, '\ufeff' + readFileSync(f, 'utf8'));
  const nodes = 'test/fixtures/traces/openb/nodes.csv';
  const pods = 'test/fixtures/traces/openb/pods.csv';
  t.is(await show({ nodes: bom(nodes), pods: bom(pods) }), await show({ nodes, pods }));
  const dlrm = 'test/fixtures/traces/dlrm2025/disaggregated_DLRM_trace.csv';
  t.is(await show({ pods: bom(dlrm) }), await show({ pods: dlrm }));
});

test('the loss report speaks of the mode and list it read: time-faithful, arrival-only, a list without times', async (t) => {
  const notesOf = async (o: Parameters<typeof readOpenb>[0]): Promise<string[]> => {
    const src = readOpenb(o);
    await collect(src.records);
    return src.loss.notes;
  };
  const tf = await notesOf({ pods: `${FIX}/pods.csv` });
  t.true(tf.some((n) => n.startsWith('time-faithful: times shifted') && n.includes('ends Failed')));
  t.false(tf.some((n) => n.startsWith('arrival-only')));
  const ao = await notesOf({ pods: `${FIX}/pods.csv`, mode: 'arrival-only' });
  t.true(
    ao.some((n) => n.startsWith('arrival-only: every pod is created at t=0') && n.includes('ends Failed')),
  );
  t.false(ao.some((n) => n.startsWith('time-faithful')));
  const short = tempFile('pods.csv', 'name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1000,1024,1,500\n');
  const five = await notesOf({ pods: short });
  t.true(five.some((n) => n.startsWith('the pod list has no times (5 columns)')));
  t.false(five.some((n) => n.startsWith('time-faithful') || n.includes('ends Failed')));
});
