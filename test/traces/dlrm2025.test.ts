import test from 'ava';
import { InputError } from '../../engine/api/errors.js';
import {
  DLRM_COLUMNS,
  DLRM_ROW_CODEC,
  dlrmRunLine,
  parseDlrmRow,
  readDlrm2025,
} from '../../traces/dlrm2025/index.js';
import { openTrace } from '../../traces/detect.js';
import { collect, tempDir, tempFile } from './helpers.js';
import { readFileSync, readdirSync } from 'node:fs';
import { runCli } from './cli-helper.js';

const FIX = 'test/fixtures/traces/dlrm2025/disaggregated_DLRM_trace.csv';
const HEADER = DLRM_COLUMNS.join(',');

test('real rows: creates at creation_time (t=0 when unknown), deletes at deletion_time', async (t) => {
  const src = readDlrm2025({ pods: FIX });
  const recs = await collect(src.records);
  t.deepEqual(
    recs.map((r) => `${r.timeUs} ${r.op} ${r.object.metadata!.name}`),
    [
      '0 create instance-0',
      '0 create instance-2454',
      '85000000 delete instance-2454',
      // 475.00000000000006 s -> 475000000 µs
      '475000000 create instance-7280',
      '610000000 create instance-7281',
      '3973000000 create instance-7300',
      '3974000000 create instance-7301',
      '5647000000 delete instance-7300',
      '5658000000 delete instance-7301',
      '91730000000 delete instance-7281',
      '1869332000000 create instance-18552',
      '1901809000000 delete instance-18552',
    ],
  );
  t.deepEqual(src.loss.skipped, {});
  t.true(src.loss.notes.some((n) => n.includes('2 instances without creation_time')));
});

test('a pod: requests and limits, app owner, cap annotation, duration', async (t) => {
  const recs = await collect(readDlrm2025({ pods: FIX }).records);
  const p = recs.find((r) => r.object.metadata!.name === 'instance-7300')!.object;
  t.deepEqual(p, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'instance-7300',
      namespace: 'default',
      labels: { 'alibaba.com/app': 'app_0', 'alibaba.com/role': 'HN' },
      annotations: {
        'kreplay.io/owner': 'Deployment/app-0',
        'kreplay.io/rdma-request': '25',
        'kreplay.io/rdma-limit': '25',
        'kreplay.io/disk-request': '680Gi',
        'kreplay.io/disk-limit': '800Gi',
        'kreplay.io/max-instance-per-node': '8',
        'kreplay.io/trace-scheduled-time': '3973.0000000000005',
        // 5647 - 3973.0000000000005 = 1673.9999999999995 -> 1674 s (µs precision)
        'kreplay.io/duration': '1674s',
      },
    },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'registry.k8s.io/pause:3.10',
          // 120 GiB = 122880 Mi
          resources: {
            requests: { cpu: '12', memory: '122880Mi', 'nvidia.com/gpu': '1' },
            limits: { cpu: '12', memory: '122880Mi', 'nvidia.com/gpu': '1' },
          },
        },
      ],
    },
  });
});

test('a per-node cap of 1 is a required anti-affinity on hostname per app; arrival-only', async (t) => {
  const f = tempFile(
    'dlrm.csv',
    `${HEADER}\ninstance_1,CN,app_9,8,8,0,0,1,1,40.0,40.0,85.0,100.0,1,10.0,11.0,20.0\n`,
  );
  const [pod] = await collect(readDlrm2025({ pods: f, mode: 'arrival-only' }).records);
  t.is(pod!.timeUs, 0);
  t.deepEqual((pod!.object.spec as { affinity: unknown }).affinity, {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: { matchLabels: { 'alibaba.com/app': 'app_9' } },
          topologyKey: 'kubernetes.io/hostname',
        },
      ],
    },
  });
});

test('bad rows name file:line: column; skip counts them', async (t) => {
  const good = 'instance_1,CN,app_9,8,8,0,0,1,1,40.0,40.0,85.0,100.0,2,10.0,11.0,20.0';
  const cases: [string, string][] = [
    ['instance_2,CN,app_9,8,8', 'has 5 columns, the header has 17'],
    [good.replace(',8,8,', ',eight,8,'), 'cpu_request: "eight" is not a non-negative integer'],
    [good.replace(',40.0,40.0,', ',-40.0,40.0,'), 'memory_request: "-40.0" is negative'],
    [good.replace(',8,8,', ',8,4,'), 'cpu_limit: 4 is below cpu_request 8'],
    [good.replace('10.0,11.0,20.0', '10.0,11.0,5.0'), 'deletion_time: 5 is before creation_time 10'],
  ];
  for (const [row, msg] of cases) {
    const f = tempFile('dlrm.csv', `${HEADER}\n${good}\n${row}\n`);
    const err = await t.throwsAsync(collect(readDlrm2025({ pods: f }).records), { instanceOf: InputError });
    t.is(err!.message, `${f}:3: ${msg}`);
  }
  const f = tempFile('dlrm.csv', `${HEADER}\n${good}\n${cases[0]![0]}\n${cases[3]![0]}\n`);
  const src = readDlrm2025({ pods: f, onInvalid: 'skip' });
  t.is((await collect(src.records)).length, 2);
  t.deepEqual(src.loss.skipped, { 'wrong column count': 1, 'invalid cpu_limit': 1 });
});

test.serial('detection by header and trace stats on the fixture', async (t) => {
  t.is((await openTrace({ pods: FIX })).format, 'dlrm2025');
  const r = await runCli(['trace', 'stats', '--pods', FIX, '--json']);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as {
    pods: number;
    ops: Record<string, number>;
    requested: { cpuMilli: number };
  };
  t.is(s.pods, 7);
  t.deepEqual(s.ops, { create: 7, update: 0, delete: 5 });
  // cores of instances 0, 2454, 7280, 7281, 7300, 7301, 18552
  t.is(s.requested.cpuMilli, 1000 * (12 + 64 + 64 + 64 + 12 + 12 + 8));
});

test('a row as a sort-run line and back: exact values', (t) => {
  const fields =
    'instance_7280,CN,app_22,64,64,0,0,1,1,320.0,320.0,544.0,640.0,-1,475.00000000000006,623.0,'.split(',');
  const row = { line: 4, fields };
  const r = parseDlrmRow('f.csv', row);
  const line = dlrmRunLine(r, row);
  // line number, Pod name, then the other fields as written
  t.is(line, '4,instance-7280,CN,app_22,64,64,0,0,1,1,320.0,320.0,544.0,640.0,-1,475.00000000000006,623.0,');
  t.deepEqual(DLRM_ROW_CODEC.decode(line), {
    name: 'instance-7280',
    role: 'CN',
    app: 'app_22',
    cpu: [64, 64],
    gpu: [0, 0],
    rdma: [1, 1],
    memory: [320, 320],
    disk: [544, 640],
    maxPerNode: undefined,
    creation: 475.00000000000006,
    scheduled: 623,
    deletion: undefined,
    line: 4,
  });
  t.deepEqual(DLRM_ROW_CODEC.decode(line), r);
  t.is(DLRM_ROW_CODEC.key(r), 475.00000000000006);
  const capRow = { line: 9, fields: 'instance_1,HN,a,1,2,0,0,0,0,1.5,2,0,0,8,,7.25,9'.split(',') };
  const cap = parseDlrmRow('f.csv', capRow);
  t.is(dlrmRunLine(cap, capRow), '9,instance-1,HN,a,1,2,0,0,0,0,1.5,2,0,0,8,,7.25,9');
  t.deepEqual(DLRM_ROW_CODEC.decode(dlrmRunLine(cap, capRow)), {
    ...cap,
    memory: [1.5, 2],
    maxPerNode: 8,
    creation: undefined,
    scheduled: 7.25,
    deletion: 9,
  });
});

test('a list out of time order: sorted by creation, file order at equal times, also via runs on disk', async (t) => {
  const [header, ...rows] = readFileSync(FIX, 'utf8').trim().split('\n');
  const f = tempFile('dlrm.csv', [header, ...rows.reverse()].join('\n') + '\n');
  const want = [
    // instance_2454 and instance_0 both have no creation_time (t=0): reversed file order kept
    '0 create instance-2454',
    '0 create instance-0',
    '85000000 delete instance-2454',
    '475000000 create instance-7280',
    '610000000 create instance-7281',
    '3973000000 create instance-7300',
    '3974000000 create instance-7301',
    '5647000000 delete instance-7300',
    '5658000000 delete instance-7301',
    '91730000000 delete instance-7281',
    '1869332000000 create instance-18552',
    '1901809000000 delete instance-18552',
  ];
  const show = (recs: { timeUs: number; op: string; object: { metadata?: { name?: string } } }[]): string[] =>
    recs.map((r) => `${r.timeUs} ${r.op} ${r.object.metadata!.name}`);
  const inMemory = readDlrm2025({ pods: f });
  t.deepEqual(show(await collect(inMemory.records)), want);
  const tmp = tempDir();
  // 7 rows, 2 per run: 4 runs, merged 2 at a time
  const onDisk = readDlrm2025({ pods: f, sort: { runItems: 2, fanIn: 2, tmp } });
  const recs = await collect(onDisk.records);
  t.deepEqual(show(recs), want);
  t.deepEqual(recs, await collect(readDlrm2025({ pods: f }).records));
  t.deepEqual(onDisk.loss, inMemory.loss);
  t.deepEqual(readdirSync(tmp), []);
});
