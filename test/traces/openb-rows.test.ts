import test from 'ava';
import {
  openbNodeRowBatches,
  openbPodRowBatches,
  readOpenbNodeRows,
  readOpenbPodRows,
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
