import test from 'ava';
import {
  openbNodeRowBatches,
  openbPodRowBatches,
  parseOpenbPodRow,
  readOpenbNodeRows,
  readOpenbPodRows,
  scanOpenbPodRow,
  type OpenbNodeRow,
  type OpenbPodRow,
} from '../../traces/openb/index.js';

const FIX = 'test/fixtures/traces/openb';

test('node rows: typed values as written', async (t) => {
  const rows = await readOpenbNodeRows(`${FIX}/nodes.csv`);
  t.is(rows.length, 4);
  t.deepEqual(rows[0], {
    sn: 'openb-node-0000',
    cpuMilli: 64000,
    memoryMib: 262144,
    gpu: 2,
    model: 'P100',
    line: 2,
  });
  const cpu = await readOpenbNodeRows(`${FIX}/nodes-cpu.csv`);
  t.deepEqual(cpu[0], {
    sn: 'openb-node-0000',
    cpuMilli: 32000,
    memoryMib: 262144,
    gpu: 0,
    model: '',
    line: 2,
  });
});

test('pod rows: full list with times, pending pod without scheduled_time', async (t) => {
  const rows = await readOpenbPodRows(`${FIX}/pods.csv`);
  t.is(rows.length, 8);
  t.deepEqual(rows[1], {
    name: 'openb-pod-0001',
    cpuMilli: 6000,
    memoryMib: 12288,
    numGpu: 1,
    gpuMilli: 460,
    gpuSpec: [],
    qos: 'LS',
    phase: 'Running',
    creationTime: 427061,
    deletionTime: 12902960,
    scheduledTime: 427061,
    line: 3,
  });
  const pending = rows[7]!;
  t.is(pending.phase, 'Pending');
  t.is(pending.scheduledTime, undefined);
  t.is(pending.deletionTime, 10001403);
});

test('pod rows: gpu_spec split on | and deduplicated', async (t) => {
  const rows = await readOpenbPodRows(`${FIX}/pods-gpuspec.csv`);
  t.deepEqual(rows[0]!.gpuSpec, ['V100M16', 'V100M32']);
  t.deepEqual(rows[3]!.gpuSpec, ['T4']);
  // written A10|G2|P100|T4|V100M16|V100M32|V100M32
  t.deepEqual(rows[4]!.gpuSpec, ['A10', 'G2', 'P100', 'T4', 'V100M16', 'V100M32']);
});

test('pod rows: five-column multigpu list has no qos nor times', async (t) => {
  const rows = await readOpenbPodRows(`${FIX}/pods-multigpu.csv`);
  t.deepEqual(rows[2], {
    name: 'openb-pod-0017',
    cpuMilli: 88000,
    memoryMib: 327680,
    numGpu: 8,
    gpuMilli: 1000,
    gpuSpec: [],
    qos: '',
    line: 4,
  });
});

test('openbNodeRowBatches / openbPodRowBatches: the rows of the row readers, a chunk at a time', async (t) => {
  const nodes: OpenbNodeRow[] = [];
  for await (const b of openbNodeRowBatches(`${FIX}/nodes.csv`)) nodes.push(...b);
  t.deepEqual(nodes, await readOpenbNodeRows(`${FIX}/nodes.csv`));
  t.is(nodes.length, 4);
  let columns = 0;
  const pods: OpenbPodRow[] = [];
  for await (const b of openbPodRowBatches(`${FIX}/pods.csv`, { onHeader: (c) => (columns = c) }))
    pods.push(...b);
  t.is(columns, 11);
  t.deepEqual(pods, await readOpenbPodRows(`${FIX}/pods.csv`));
  t.is(pods.length, 8);
});

test('scanOpenbPodRow: the row parseOpenbPodRow makes of the same line, or undefined (then the strict path)', (t) => {
  const lines11 = [
    'openb-pod-0001,8000,64000,1,1000,,LS,Running,0,5966,0',
    'openb-pod-0002,6000,48000,0,0,,BE,Pending,12.5,,',
    'a.b-c,1,2,2,1000,,Guaranteed,Succeeded,3,4,3.25',
    'pod,1,2,1,500,,LS,Running,7,,9',
    // strict path: gpu_spec, bad names and values, wrong column counts, 16 digits, sign, exponent
    'pod,1,2,1,500,V100M16|G3|V100M16,LS,Running,7,,9',
    'Pod,1,2,1,500,,LS,Running,7,,9',
    'pod-,1,2,1,500,,LS,Running,7,,9',
    'pod,1,2,0,500,,LS,Running,7,,9',
    'pod,1,2,2,500,,LS,Running,7,,9',
    'pod,1,2,1,1001,,LS,Running,7,,9',
    'pod,1,2,1,500,,L S,Running,7,,9',
    'pod,1,2,1,500,,,Running,7,,9',
    'pod,1,2,1,500,,LS,Run1,7,,9',
    'pod,1,2,1,500,,LS,Running,,,9',
    'pod,1,2,1,500,,LS,Running,7,5,9',
    'pod,1,2,1,500,,LS,Running,1234567890123456,,9',
    'pod,-1,2,1,500,,LS,Running,7,,9',
    'pod,1,2,1,500,,LS,Running,7,,1e3',
    'pod,1,2,1,500,,LS,Running,7,,9,',
    'pod,1,2,1,500,,LS,Running,7,9',
    'pod,1,2,1,500,,LS,Bogus,7,,9',
    'pod,1,2,1,500,,LS,Running,7,8,9',
    'pod,1,2,1,500,,LS,Running,7,,5',
  ];
  const lines5 = ['pod,1,2,1,500', 'pod,1,2,4,1000', 'pod,1,2,1,500,', 'pod,1,2,x,500'];
  for (const [columns, lines] of [
    [11, lines11],
    [5, lines5],
  ] as const) {
    for (const [i, text] of lines.entries()) {
      const fast = scanOpenbPodRow(text, 0, text.length, i + 1, columns);
      let strict: OpenbPodRow | undefined;
      try {
        strict = parseOpenbPodRow('p.csv', { line: i + 1, fields: text.split(',') }, columns);
      } catch {
        strict = undefined;
      }
      if (fast !== undefined) t.deepEqual(fast, strict, text);
      // Rows the fast path takes must be good rows (so the strict path never disagrees on errors).
      if (strict === undefined) t.is(fast, undefined, text);
    }
  }
  // In place: a line inside a longer text.
  const text = 'xx\nopenb-pod-0001,8000,64000,1,1000,,LS,Running,0,5966,0\nyy';
  t.deepEqual(
    scanOpenbPodRow(text, 3, text.length - 3, 2, 11),
    parseOpenbPodRow('p.csv', { line: 2, fields: text.slice(3, -3).split(',') }, 11),
  );
});

test('pod rows: a phase Kubernetes does not have, or a scheduled_time outside [creation, deletion], names the column', (t) => {
  const row = (text: string) => () => parseOpenbPodRow('p.csv', { line: 4, fields: text.split(',') }, 11);
  t.throws(row('pod,1,2,1,500,,LS,Bogus,7,,9'), {
    message: 'p.csv:4: pod_phase: "Bogus" is not a pod phase (Pending, Running, Succeeded, Failed, Unknown)',
  });
  // the run time is deletion - scheduled: a pod scheduled after its deletion would run 0 s
  t.throws(row('pod,1,2,1,500,,LS,Running,7,8,9'), {
    message: 'p.csv:4: scheduled_time: 9 is after deletion_time 8',
  });
  t.throws(row('pod,1,2,1,500,,LS,Running,7,,5'), {
    message: 'p.csv:4: scheduled_time: 5 is before creation_time 7',
  });
  t.is(
    parseOpenbPodRow('p.csv', { line: 4, fields: 'pod,1,2,1,500,,LS,Unknown,7,9,9'.split(',') }, 11)
      .scheduledTime,
    9,
  );
});
