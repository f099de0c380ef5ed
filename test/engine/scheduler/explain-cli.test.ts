import test from 'ava';
import { Command } from 'commander';
import { register, runExplain } from '../../../cli/commands/explain.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FIX = 'test/fixtures/explain';

/** Runs `kreplay explain ...` in-process and captures stdout. */
async function cli(args: string[]): Promise<string> {
  const program = new Command('kreplay').exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string | Uint8Array) => (
    (out += String(s)),
    true
  )) as typeof process.stdout.write;
  try {
    await program.parseAsync(['explain', ...args], { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test.serial('explain --output json: verdicts, per-plugin normalized scores, selection', async (t) => {
  const r = JSON.parse(
    await cli(['--cluster', `${FIX}/cluster.yaml`, '--pod', `${FIX}/pod.yaml`, '--output', 'json']),
  );
  t.is(r.pod, 'default/web');
  t.is(r.profile, 'default-scheduler');
  t.deepEqual(
    r.nodes.map((n: { name: string; feasible: boolean }) => [n.name, n.feasible]),
    [
      ['small', false],
      ['big', true],
      ['tainted', false],
    ],
  );
  // small: 2000m − 1500m running = 500m free < 1 core
  t.like(r.nodes[0], {
    status: 'Unschedulable',
    plugin: 'NodeResourcesFit',
    reasons: ['Insufficient cpu'],
    scores: {},
  });
  t.like(r.nodes[2], {
    status: 'UnschedulableAndUnresolvable',
    plugin: 'TaintToleration',
    reasons: ['node(s) had untolerated taint {dedicated: gpu}'],
  });
  // big, the only feasible node, is still scored:
  // NodeResourcesFit: CPU ((8000 − 1000) × 100) / 8000 = 87; memory ((16 − 2) × 100) / 16 = 87 → 87
  // BalancedAllocation: 1/8 = 0.125 and 2/16 = 0.125 → std 0 → 100; TaintToleration 100; ImageLocality 0
  t.like(r.nodes[1].scores, {
    TaintToleration: 100,
    NodeResourcesFit: 87,
    NodeResourcesBalancedAllocation: 100,
    ImageLocality: 0,
  });
  // Σ weight × score over the profile's plugins (3 × 100 + 87 + 100 + 0 = 487 from the core ones).
  let total = 0;
  for (const [p, v] of Object.entries(r.nodes[1].scores as Record<string, number>)) total += r.weights[p] * v;
  t.is(r.nodes[1].totalScore, total);
  t.true(r.preScoreSkipped.includes('NodeAffinity'));
  t.is(r.selected, 'big');
});

test('explain accepts a config enabling a single score plugin, and a named profile', async (t) => {
  const r = await runExplain({
    cluster: [`${FIX}/cluster.yaml`],
    pod: `${FIX}/pod.yaml`,
    config: `${FIX}/most-allocated-only.yaml`,
    profile: 'packer',
    output: 'json',
  });
  t.is(r.profile, 'packer');
  // No taint filter in this profile: tainted is feasible. MostAllocated:
  // big/tainted: CPU (1000 × 100) / 8000 = 12; memory (2 × 100) / 16 = 12 → 12
  t.deepEqual(
    r.nodes.map((n) => [n.name, n.feasible, n.scores.NodeResourcesFit ?? null]),
    [
      ['small', false, null],
      ['big', true, 12],
      ['tainted', true, 12],
    ],
  );
  t.deepEqual(r.tiedNodes, ['big', 'tainted']);
  t.is(r.selected, 'big');
});

test.serial('explain --output table and bad input', async (t) => {
  const text = await cli(['--cluster', `${FIX}/cluster.yaml`, '--pod', `${FIX}/pod.yaml`]);
  t.regex(text, /^NODE\s+STATUS\s+TaintToleration×3/m);
  t.regex(text, /^big\s+feasible\s+100\s+87\s+100\s+0\s+\d+/m);
  t.regex(text, /selected: big/);
  await t.throwsAsync(
    runExplain({ cluster: [`${FIX}/cluster.yaml`], pod: `${FIX}/pod.yaml`, profile: 'nope', output: 'json' }),
    { message: /--profile: no profile "nope"/ },
  );
  await t.throwsAsync(
    runExplain({ cluster: [`${FIX}/cluster.yaml`], pod: `${FIX}/nope.yaml`, output: 'json' }),
    { message: /no such file or directory/ },
  );
  // A config without the pod's scheduler, and no --profile: the file and the way out are named.
  await t.throwsAsync(
    runExplain({
      cluster: [`${FIX}/cluster.yaml`],
      pod: `${FIX}/pod.yaml`,
      config: `${FIX}/most-allocated-only.yaml`,
      output: 'json',
    }),
    {
      message: `${FIX}/most-allocated-only.yaml: profiles: no profile for the pod's scheduler "default-scheduler" (profiles: packer); pass --profile to pick one`,
    },
  );
});

test('explain: the pod asked about, already running in the cluster, is not counted twice', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-explain-'));
  // The cluster as dumped: web runs on big (1 core, 2 GiB of big's 8 cores, 16 GiB).
  const cluster = join(dir, 'cluster.yaml');
  writeFileSync(
    cluster,
    `${readFileSync(`${FIX}/cluster.yaml`, 'utf8')}\n---\n${readFileSync(`${FIX}/pod.yaml`, 'utf8').replace('spec:\n', 'spec:\n  nodeName: big\n')}`,
  );
  const notes: string[] = [];
  const r = await runExplain({ cluster: [cluster], pod: `${FIX}/pod.yaml`, output: 'json' }, (m) =>
    notes.push(m),
  );
  // Left out, big scores as in the first test: LeastAllocated (8000 − 1000) × 100 / 8000 = 87. Counted
  // twice it would be (8000 − 2000) × 100 / 8000 = 75.
  t.is(r.nodes[1]!.scores.NodeResourcesFit, 87);
  t.deepEqual(notes, [
    `Pod "default/web" already runs on "big" in the cluster (${cluster}); it is left out, so the pod is placed as if it were not running`,
  ]);
});

test('explain: a running pod on a node the cluster does not define names its file, line and field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-explain-'));
  const cluster = join(dir, 'cluster.yaml');
  const text = readFileSync(`${FIX}/cluster.yaml`, 'utf8').replace('nodeName: small', 'nodeName: smal');
  writeFileSync(cluster, text);
  // The running pod's first field, apiVersion, is the line before `kind: Pod`: the 0-based index of
  // `kind: Pod` is apiVersion's 1-based line.
  const line = text.split('\n').indexOf('kind: Pod');
  await t.throwsAsync(runExplain({ cluster: [cluster], pod: `${FIX}/pod.yaml`, output: 'json' }), {
    message: `${cluster}:${line}: spec.nodeName: Pod "default/running" runs on node "smal", which no --cluster file defines`,
  });
});

test('explain --pod takes one file of one Pod: a folder, or a file with cluster objects, is refused', async (t) => {
  const opts = { cluster: [`${FIX}/cluster.yaml`], output: 'json' as const };
  await t.throwsAsync(runExplain({ ...opts, pod: FIX }), {
    message: `${FIX}: is a folder, not a file: --pod takes the file of one Pod`,
  });
  await t.throwsAsync(runExplain({ ...opts, pod: `${FIX}/cluster.yaml` }), {
    message: `${FIX}/cluster.yaml: holds Node "small" beside the Pod: --pod takes a file of one Pod (the cluster's objects go in --cluster)`,
  });
});
