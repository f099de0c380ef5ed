import test from 'ava';
import { runCli } from './cli-helper.js';
import { tempDir, tempFile } from './helpers.js';
import { join } from 'node:path';

const NODES = 'traces/samples/openb/openb_node_list_gpu_node.csv';
const PODS = 'traces/samples/openb/openb_pod_list_default.csv';

test.serial('trace stats --json on the shipped openb sample: the published facts', async (t) => {
  const r = await runCli(['trace', 'stats', '--nodes', NODES, '--pods', PODS, '--json']);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  t.is(s.format, 'openb');
  t.is(s.nodes, 1213);
  t.is(s.gpus, 6212);
  t.is(s.cpuMilli, 107_018_000);
  t.is(s.memoryMib, 503_828_480);
  t.is(s.pods, 8152);
  t.deepEqual(s.podsByKind, { cpuOnly: 1088, gpuSharing: 3078, oneGpu: 3911, multiGpu: 75 });
  t.deepEqual(s.gpusByModel, { A10: 2, G2: 4392, G3: 312, P100: 265, T4: 842, V100M16: 195, V100M32: 204 });
  t.deepEqual(s.requested, { cpuMilli: 85_436_012, memoryMib: 303_546_211, gpuMilli: 6_086_800 });
  // the last record is the last create (pods that ran end by duration, not by a delete record)
  t.deepEqual(s.timeSpan, { firstUs: 0, lastUs: 12_901_761_000_000, seconds: 12_901_761 });
  t.is(s.podsFitNoNode, 0);
  t.deepEqual(s.loss.skipped, {});
});

test.serial('trace stats (text) prints the totals with separators', async (t) => {
  const r = await runCli(['trace', 'stats', '--nodes', NODES]);
  t.is(r.code, 0);
  t.regex(r.stdout, /nodes {9}1,213: cpu 107,018,000 m, memory 503,828,480 Mi, GPUs 6,212/);
});

test.serial('pods that fit no node: a 9-GPU pod, a model no node has', async (t) => {
  const pods = tempFile(
    'pods.csv',
    [
      'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time',
      'big,1000,1024,9,1000,,LS,Running,0,1,0',
      'h100,1000,1024,1,1000,H100,LS,Running,0,1,0',
      'ok,1000,1024,1,1000,V100M32,LS,Running,0,1,0',
      'cpu,200000,1024,0,0,,LS,Running,0,1,0',
    ].join('\n'),
  );
  const r = await runCli([
    'trace',
    'stats',
    '--nodes',
    'test/fixtures/traces/openb/nodes.csv',
    '--pods',
    pods,
    '--json',
  ]);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).podsFitNoNode, 3);
});

test.serial(
  'trace stats --on-invalid skip reports the skips; fail exits 2 naming file:line: field',
  async (t) => {
    const pods = tempFile(
      'pods.csv',
      [
        'name,cpu_milli,memory_mib,num_gpu,gpu_milli',
        'a,1000,1024,0,0',
        'b,1000,-1,0,0',
        'c,1000,1024,0,0',
      ].join('\n'),
    );
    const skip = await runCli(['trace', 'stats', '--pods', pods, '--on-invalid', 'skip', '--json']);
    t.is(skip.code, 0);
    const s = JSON.parse(skip.stdout);
    t.is(s.pods, 2);
    t.deepEqual(s.loss.skipped, { 'invalid memory_mib': 1 });
    const fail = await runCli(['trace', 'stats', '--pods', pods]);
    t.is(fail.code, 2);
    t.is(fail.stderr, `kreplay: ${pods}:3: memory_mib: "-1" is negative\n`);
  },
);

test.serial('trace convert writes native NDJSON.gz that stats reads back identically', async (t) => {
  const out = join(tempDir(), 'openb.ndjson.gz');
  const c = await runCli(['trace', 'convert', '--nodes', NODES, '--pods', PODS, '--out', out]);
  t.is(c.code, 0, c.stderr);
  t.is(c.stdout, `converted 10,262 records (openb) to ${out}\n`);
  const a = JSON.parse((await runCli(['trace', 'stats', '--nodes', NODES, '--pods', PODS, '--json'])).stdout);
  const b = JSON.parse((await runCli(['trace', 'stats', '--trace', out, '--json'])).stdout);
  t.is(b.format, 'native');
  for (const k of [
    'records',
    'nodes',
    'gpus',
    'cpuMilli',
    'memoryMib',
    'pods',
    'podsByKind',
    'requested',
    'timeSpan',
    'podsFitNoNode',
  ]) {
    t.deepEqual(b[k], a[k], k);
  }
});

test.serial('no input and unknown format exit 2 with one line', async (t) => {
  const none = await runCli(['trace', 'stats']);
  t.is(none.code, 2);
  t.regex(none.stderr, /^kreplay: inputs: no input/);
  const f = tempFile('x.csv', 'a,b\n');
  const unk = await runCli(['trace', 'stats', '--trace', f]);
  t.is(unk.code, 2);
  t.regex(unk.stderr, /pass --format/);
  t.is(unk.stderr.split('\n').length, 2);
});
