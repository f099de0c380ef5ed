import test from 'ava';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kreplay } from '../helpers/cli.js';

const TRACE = 'test/fixtures/replay/small.ndjson';
const SUMMARY_KEYS = [
  'eventLogSha256',
  'events',
  'virtualSeconds',
  'wallSeconds',
  'nodes',
  'podsSubmitted',
  'podsScheduled',
  'podsUnschedulable',
  'podsPreempted',
  'podsRejectedByQuota',
  'podsSucceeded',
  'podsFailed',
  'schedulingAttempts',
  'decisionsPerSecond',
  'invalidSkipped',
  'pendingSeconds',
  'utilization',
];

/** `replay --on-invalid skip --json` of `trace`: exit code, podsSubmitted, podsSucceeded, invalidSkipped. */
async function replaySkipping(trace: string): Promise<number[]> {
  const r = await kreplay(['replay', '--trace', trace, '--on-invalid', 'skip', '--json', '--no-progress']);
  if (r.code !== 0) return [r.code];
  const s = JSON.parse(r.stdout) as { podsSubmitted: number; podsSucceeded: number; invalidSkipped: number };
  return [r.code, s.podsSubmitted, s.podsSucceeded, s.invalidSkipped];
}

test.serial('replay --json prints exactly the keys of the CLI contract', async (t) => {
  const r = await kreplay(['replay', '--trace', TRACE, '--json', '--no-progress']);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Record<string, unknown>;
  t.deepEqual(Object.keys(s), SUMMARY_KEYS);
  t.deepEqual(Object.keys(s.pendingSeconds as object), ['p50', 'p90', 'p99', 'max']);
  t.deepEqual(Object.keys(s.utilization as object), ['cpu', 'memory']);
  t.is(s.podsSubmitted, 12);
  t.is(r.stderr, '');
});

test.serial(
  'the same seed gives the same eventLogSha256 from the command line; another seed may not',
  async (t) => {
    const a = JSON.parse((await kreplay(['replay', '--trace', TRACE, '--json', '--seed', '4'])).stdout);
    const b = JSON.parse((await kreplay(['replay', '--trace', TRACE, '--json', '--seed', '4'])).stdout);
    t.is(a.eventLogSha256, b.eventLogSha256);
    const c = JSON.parse((await kreplay(['replay', '--trace', TRACE, '--json', '--seed', '5'])).stdout);
    // run.start records the seed, so the log differs even when every decision is the same.
    t.not(a.eventLogSha256, c.eventLogSha256);
  },
);

test.serial('bad input: one line on stderr, exit 2, no stack, nothing written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-cli-'));
  const cases: [string[], RegExp][] = [
    [
      ['replay', '--trace', '/nope/x.ndjson', '--out', join(dir, 'a')],
      /^kreplay: \/nope\/x\.ndjson: no such file or directory\n$/,
    ],
    [
      ['replay', '--trace', TRACE, '--policy', 'nope', '--out', join(dir, 'b')],
      /^kreplay: --policy: unknown policy "nope"/,
    ],
    [['replay', '--trace', TRACE, '--until', 'soon'], /^kreplay: --until: "soon" is not a duration/],
    [
      ['replay', '--trace', TRACE, '--workers', '-1'],
      /^kreplay: --workers: "-1" is not auto or a positive integer\n$/,
    ],
    [
      ['replay', '--trace', TRACE, '--config', 'a.yaml', '--policy', 'balanced'],
      /^kreplay: pass --config or --policy, not both\n$/,
    ],
    [['compare', '--trace', TRACE, '--out', join(dir, 'c')], /^kreplay: --policies is required/],
    [['replay', '--bogus'], /^kreplay: unknown option '--bogus'\n$/],
    [['log', 'verify', dir], /^kreplay: .*: is a directory, not an event log\n$/],
    [['log', 'verify', TRACE.replace('.ndjson', '.csv')], /^kreplay: .*: no such file or directory\n$/],
    [
      ['log', 'verify', 'traces/samples/openb/openb_node_list_gpu_node.csv'],
      /^kreplay: traces\/samples\/openb\/openb_node_list_gpu_node.csv:1: is not an event log \(its first line is not JSON\)\n$/,
    ],
    [['nope'], /^kreplay: unknown command 'nope'\n$/],
    [
      ['experiment', 'fill', '--nodes', 'x', '--pods', 'y', '--policies', 'tetris', '--out', join(dir, 'd')],
      /^kreplay: option '--policies <p,...>' argument 'tetris' is invalid/,
    ],
  ];
  for (const [args, re] of cases) {
    const r = await kreplay(args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, re);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.false(r.stderr.includes('    at '));
  }
  t.deepEqual(readdirSync(dir), []);
});

test.serial('a pod name the trace creates twice while the first lives fails at the second row', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-cli-'));
  const pods = join(dir, 'pods.csv');
  const head =
    'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time';
  // Row 2 lives from 0 to 100 s; row 4 creates the same name at 50 s, while it still exists.
  writeFileSync(
    pods,
    `${head}\np-0,1000,1024,0,0,,LS,Running,0,100,0\np-1,1000,1024,0,0,,LS,Running,10,100,10\np-0,1000,1024,0,0,,LS,Running,50,100,50\n`,
  );
  const nodes = 'test/fixtures/traces/openb/nodes.csv';
  const r = await kreplay(['replay', '--nodes', nodes, '--pods', pods, '--out', join(dir, 'out')]);
  t.is(r.code, 2);
  t.is(r.stderr, `kreplay: ${pods}:4: create: Pod "default/p-0" already exists\n`);
  t.deepEqual(readdirSync(dir), ['pods.csv']);
  // --on-invalid skip: the refused create is skipped and counted, the other two pods run.
  const skip = await kreplay(['replay', '--nodes', nodes, '--pods', pods, '--on-invalid', 'skip', '--json']);
  t.is(skip.code, 0, skip.stderr);
  const s = JSON.parse(skip.stdout) as {
    podsSubmitted: number;
    podsScheduled: number;
    invalidSkipped: number;
  };
  t.deepEqual([s.podsSubmitted, s.podsScheduled, s.invalidSkipped], [2, 2, 1]);
});

test.serial('a bad row in the trace names file and line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-cli-'));
  const bad = join(dir, 'bad.ndjson');
  writeFileSync(
    bad,
    '{"time":0,"op":"create","object":{"kind":"Node","metadata":{"name":"n"}}}\n{"time":1,"op":"explode","object":{}}\n',
  );
  const r = await kreplay(['replay', '--trace', bad, '--out', join(dir, 'out')]);
  t.is(r.code, 2);
  t.regex(r.stderr, /^kreplay: .*bad\.ndjson:2: /);
  t.deepEqual(readdirSync(dir), ['bad.ndjson']);
});

test.serial('log verify: ok on a saved log, exit 1 on a missing file is exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-cli-'));
  t.is((await kreplay(['replay', '--trace', TRACE, '--out', dir])).code, 0);
  const ok = await kreplay(['log', 'verify', join(dir, 'events.ndjson.gz')]);
  t.is(ok.code, 0);
  t.regex(ok.stdout, /^ok: 93 entries, sha256 [0-9a-f]{64}\n$/);
  const missing = await kreplay(['log', 'verify', join(dir, 'nope.gz')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /nope\.gz: no such file or directory/);
});

test.serial(
  'a bad kreplay.io/duration is refused at its line; --on-invalid skip skips that pod',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'kreplay-cli-'));
    const trace = join(dir, 'pods.ndjson');
    const pod = (name: string, duration: string) =>
      JSON.stringify({
        time: 1,
        op: 'create',
        object: {
          kind: 'Pod',
          metadata: { name, namespace: 'default', annotations: { 'kreplay.io/duration': duration } },
          spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }] },
        },
      });
    const node =
      '{"time":0,"op":"create","object":{"kind":"Node","metadata":{"name":"n"},"status":{"allocatable":{"cpu":"4","memory":"8Gi","pods":"110"}}}}';
    for (const bad of ['abc', '-5s', '']) {
      writeFileSync(trace, [node, pod('ok', '30s'), pod('bad', bad)].join('\n') + '\n');
      const r = await kreplay(['replay', '--trace', trace, '--no-progress']);
      t.is(r.code, 2, bad);
      t.is(
        r.stderr,
        `kreplay: ${trace}:3: object.metadata.annotations.kreplay.io/duration: invalid duration ${JSON.stringify(bad)} (use e.g. 90s, 15m, 36h, 30d)\n`,
      );
      t.deepEqual(await replaySkipping(trace), [0, 1, 1, 1]);
    }
    // In a manifest the same check names the document and its line.
    const manifest = join(dir, 'pod.yaml');
    writeFileSync(
      manifest,
      'kind: Pod\nmetadata:\n  name: p\n  annotations:\n    kreplay.io/duration: "5 minutes"\nspec:\n  containers: []\n',
    );
    const m = await kreplay(['replay', '--manifests', manifest, '--no-progress']);
    t.is(m.code, 2);
    t.is(
      m.stderr,
      `kreplay: ${manifest}: document 1 (line 5): metadata.annotations.kreplay.io/duration: invalid duration "5 minutes" (use e.g. 90s, 15m, 36h, 30d)\n`,
    );
  },
);

test.serial(
  'a container resource name the API server rejects is refused at its line; --on-invalid skip skips that pod',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'kreplay-cli-'));
    const trace = join(dir, 'pods.ndjson');
    const pod = (name: string, requests: Record<string, string>, limits?: Record<string, string>) =>
      JSON.stringify({
        time: 1,
        op: 'create',
        object: {
          kind: 'Pod',
          metadata: { name, namespace: 'default', annotations: { 'kreplay.io/duration': '30s' } },
          spec: { containers: [{ name: 'c', resources: { requests, ...(limits ? { limits } : {}) } }] },
        },
      });
    const node =
      '{"time":0,"op":"create","object":{"kind":"Node","metadata":{"name":"n"},"status":{"allocatable":{"cpu":"4","memory":"8Gi","pods":"110","example.com/foo":"4"}}}}';
    const cases: [string, string][] = [
      [
        pod('bad', { cpu: '100m', gpu: '1' }),
        'object.spec.containers[0].resources.requests.gpu: invalid resource name "gpu": must be a standard resource for containers (cpu, memory, ephemeral-storage, hugepages-<size>) or a domain-qualified name (e.g. example.com/foo)',
      ],
      [
        pod('bad', { cpu: '100m', 'example.com/foo': '500m' }),
        'object.spec.containers[0].resources.requests.example.com/foo: must be an integer (example.com/foo is an extended resource), got "500m"',
      ],
      [
        pod('bad', { cpu: '100m', 'example.com/foo': '1' }, { 'example.com/foo': '2' }),
        'object.spec.containers[0].resources.requests.example.com/foo: must be equal to example.com/foo limit of 2 (example.com/foo cannot be overcommitted)',
      ],
    ];
    for (const [bad, message] of cases) {
      writeFileSync(trace, [node, pod('ok', { cpu: '100m', 'example.com/foo': '1' }), bad].join('\n') + '\n');
      const r = await kreplay(['replay', '--trace', trace, '--no-progress']);
      t.is(r.code, 2, message);
      t.is(r.stderr, `kreplay: ${trace}:3: ${message}\n`);
      t.deepEqual(await replaySkipping(trace), [0, 1, 1, 1]);
    }
  },
);

test.serial('replay: an empty or blank --seed is refused', async (t) => {
  for (const seed of ['', '  ']) {
    const r = await kreplay(['replay', '--trace', TRACE, '--seed', seed, '--json', '--no-progress']);
    t.is(r.code, 2);
    t.is(r.stdout, '');
    t.is(
      r.stderr,
      `kreplay: --seed: ${JSON.stringify(seed)} is not a seed: give a non-empty one, e.g. --seed 42\n`,
    );
  }
});

test.serial(
  'a Deployment whose maxSurge is a string but not a percentage is refused at its line',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'kreplay-cli-'));
    const trace = join(dir, 'deploy.ndjson');
    const deployment = {
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '5' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } },
      },
    };
    writeFileSync(trace, `${JSON.stringify({ time: 0, op: 'create', object: deployment })}\n`);
    const r = await kreplay(['replay', '--trace', trace, '--no-progress']);
    t.is(r.code, 2);
    t.is(
      r.stderr,
      `kreplay: ${trace}:1: object.spec.strategy.rollingUpdate.maxSurge: invalid value "5": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%' or '93%')\n`,
    );
  },
);
