import test from 'ava';
import { InputError } from '../../engine/api/errors.js';
import {
  DLRM_COLUMNS,
  dlrmPodObject,
  dlrmSortCodec,
  type DlrmTimed,
  dlrmFields,
  dlrmFieldsOf,
  dlrmRowOf,
  parseDlrmRow,
  scanDlrmFields,
  readDlrm2025,
} from '../../traces/dlrm2025/index.js';
import { ExternalSorter } from '../../traces/sort.js';
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

test('a row read in place is the row parseDlrmRow makes; the sort columns give it back exactly', (t) => {
  const lines = [
    'instance_7280,CN,app_22,64,64,0,0,1,1,320.0,320.0,544.0,640.0,-1,475.00000000000006,623.0,',
    'instance_1,HN,a,1,2,0,0,0,0,1.5,2,0,0,8,,7.25,9',
    'Instance_X.y,cn,App-9,0,0,8,8,100,100,0.125,1,0,0.5,1,12.5,,4031.0000000000005',
    'a,b,c,1,1,0,0,0,0,1,1,1,1,-1,,,',
  ];
  // Each row twice into one sort (read in place, then the slow path's fields), keys 0..7 in that order.
  const sorter = new ExternalSorter(dlrmSortCodec());
  const wants: DlrmTimed[] = [];
  for (const [i, text] of lines.entries()) {
    const want = parseDlrmRow('f.csv', { line: i + 2, fields: text.split(',') });
    const f = dlrmFields();
    t.true(scanDlrmFields(text, 0, text.length, i + 2, f), text);
    t.deepEqual(dlrmRowOf(f.nums, 0, f.name, f.role, f.app), want, text);
    const slow = dlrmFieldsOf(want, dlrmFields()); // what the slow path stores
    t.deepEqual([slow.nums, slow.name, slow.role, slow.app], [f.nums, f.name, f.role, f.app], text);
    sorter.add(2 * i, f);
    sorter.add(2 * i + 1, slow);
    const timed = {
      pod: dlrmPodObject(want),
      createUs: Math.round((want.creation ?? 0) * 1e6),
      deleteUs: want.deletion === undefined ? NaN : Math.round(want.deletion * 1e6),
      line: i + 2,
    };
    wants.push(timed, timed);
  }
  // through the sort's columns (15 numbers, role and app ids, the name as bytes): the Pod and its times
  t.deepEqual([...sorter.sorted()].flat(), wants);
  const f = dlrmFields();
  const pad = 'xx' + lines[1]! + 'yy';
  t.true(scanDlrmFields(pad, 2, pad.length - 2, 9, f)); // reads only text[start, end)
  t.deepEqual(dlrmRowOf(f.nums, 0, f.name, f.role, f.app), {
    name: 'instance-1',
    role: 'HN',
    app: 'a',
    cpu: [1, 2],
    gpu: [0, 0],
    rdma: [0, 0],
    memory: [1.5, 2],
    disk: [0, 0],
    maxPerNode: 8,
    creation: undefined,
    scheduled: 7.25,
    deletion: 9,
    line: 9,
  });
});

test('rows the in-place reader is not sure of go to parseDlrmRow (which names the field)', (t) => {
  const ok = 'instance_1,HN,a,1,2,0,0,0,0,1.5,2,0,0,8,1,7.25,9';
  const cases: [string, string | undefined][] = [
    [ok.replace(',1,2,', ',-1,2,'), 'cpu_request'],
    [ok.replace(',1,2,', ',3,2,'), 'cpu_limit'],
    [ok.replace(',1.5,2,', ',2.5,2,'), 'memory_limit'],
    [ok.replace(',8,1,', ',0,1,'), 'max_instance_per_node'],
    [ok.replace(',8,1,', ',-10,1,'), 'max_instance_per_node'],
    [ok.replace(',8,1,', ',-1x,1,'), 'max_instance_per_node'],
    [ok.replace(',7.25,9', ',7.25,0.5'), 'deletion_time'],
    [ok.replace(',1.5,', ',1e3,'), 'memory_request'],
    [ok.replace('instance_1', 'instance_'), 'instance_sn'],
    [ok.replace(',HN,', ',H N,'), 'role'],
    [ok + ',', undefined],
    [ok.slice(0, ok.lastIndexOf(',')), undefined],
  ];
  for (const [text, field] of cases) {
    t.false(scanDlrmFields(text, 0, text.length, 3, dlrmFields()), text);
    const err = t.throws(() => parseDlrmRow('f.csv', { line: 3, fields: text.split(',') }), {
      instanceOf: InputError,
    });
    t.is(err?.field, field, text);
  }
  // a time beyond 15 digits is read by Number(), as udec reads it; one above 2^53 - 1 is udec's error
  const long = ok.replace(',7.25,9', ',7.25,9.0000000000000001');
  const f = dlrmFields();
  t.true(scanDlrmFields(long, 0, long.length, 3, f));
  t.is(f.nums[14], 9);
  const huge = ok.replace(',7.25,9', ',7.25,90071992547409930');
  t.false(scanDlrmFields(huge, 0, huge.length, 3, f));
  t.throws(() => parseDlrmRow('f.csv', { line: 3, fields: huge.split(',') }), {
    message: /deletion_time.*too large/,
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
