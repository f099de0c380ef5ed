import test from 'ava';
import { InputError } from '../../engine/api/errors.js';
import { readPai2020 } from '../../traces/pai2020/index.js';
import { openTrace } from '../../traces/detect.js';
import { collect, tempFile } from './helpers.js';
import { runCli } from './cli-helper.js';

const FIX = 'test/fixtures/traces/pai2020/pai_machine_spec.csv';
const REAL = '/work/shared/traces/alibaba-gpu-v2020/pai_machine_spec.csv';

test('real rows: one Node per machine, GPUs and model label', async (t) => {
  const recs = await collect(readPai2020({ nodes: FIX }).records);
  t.is(recs.length, 7);
  t.deepEqual(recs[1], {
    timeUs: 0,
    op: 'create',
    object: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: '0ada2343597a34b8ab9a3d00',
        labels: { 'kubernetes.io/hostname': '0ada2343597a34b8ab9a3d00', 'kreplay.io/gpu-model': 'T4' },
      },
      // 96 cores; 512 GiB = 524288 Mi; 2 GPUs = 2000 gpu-milli
      status: {
        capacity: {
          cpu: '96000m',
          memory: '524288Mi',
          pods: '110',
          'nvidia.com/gpu': '2',
          'kreplay.io/gpu-milli': '2000',
        },
        allocatable: {
          cpu: '96000m',
          memory: '524288Mi',
          pods: '110',
          'nvidia.com/gpu': '2',
          'kreplay.io/gpu-milli': '2000',
        },
      },
    },
    // The spec has no header: its second row is line 2.
    source: { file: FIX, line: 2 },
  });
  // the CPU machine has no GPU resources and no model label
  t.deepEqual(recs[0]!.object.metadata!.labels, { 'kubernetes.io/hostname': '7399a758eb02bae1a3621236' });
});

test('a header line is accepted; bad rows name file:line: column', async (t) => {
  const ok = tempFile('pai_machine_spec.csv', 'machine,gpu_type,cap_cpu,cap_mem,cap_gpu\nabc,T4,96,512,2\n');
  t.is((await collect(readPai2020({ nodes: ok }).records)).length, 1);
  const cases: [string, string][] = [
    ['abc,T4,96,512', 'has 4 columns, pai_machine_spec has 5'],
    ['abc,T4,96,lots,2', 'cap_mem: "lots" is not a non-negative integer'],
    ['abc,T4,-96,512,2', 'cap_cpu: "-96" is negative'],
    ['abc,CPU,96,512,2', 'cap_gpu: 2 GPUs on a CPU machine'],
  ];
  for (const [row, msg] of cases) {
    const f = tempFile('pai_machine_spec.csv', `abc,T4,96,512,2\n${row}\n`);
    const err = await t.throwsAsync(collect(readPai2020({ nodes: f }).records), { instanceOf: InputError });
    t.is(err!.message, `${f}:2: ${msg}`);
  }
  const f = tempFile('pai_machine_spec.csv', 'abc,T4,96,512,2\nx,T4,96\ny,CPU,1,2,3\nz,V100,8,64,1\n');
  const src = readPai2020({ nodes: f, onInvalid: 'skip' });
  t.is((await collect(src.records)).length, 2);
  t.deepEqual(src.loss.skipped, { 'wrong column count': 1, 'invalid cap_gpu': 1 });
});

test.serial('trace stats on the full real spec: 1,897 machines, 6,742 GPUs', async (t) => {
  t.is((await openTrace({ nodes: REAL })).format, 'pai2020');
  const r = await runCli(['trace', 'stats', '--nodes', REAL, '--json']);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { nodes: number; gpus: number; gpusByModel: Record<string, number> };
  t.is(s.nodes, 1897);
  t.is(s.gpus, 6742);
  // P100 798x2, T4 497x2, MISC 280x8, V100M32 135x8, V100 (59+45)x8
  t.deepEqual(s.gpusByModel, { MISC: 2240, P100: 1596, T4: 994, V100: 832, V100M32: 1080 });
});
