import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy, parsePolicy, parsePolicyOption } from '../../../workloads/replay/policy.js';
import { describeInputs } from '../../../workloads/replay/run-replay.js';

test('presets by name, configuration files by extension, anything else refused', (t) => {
  t.deepEqual(parsePolicy('most-allocated'), { name: 'most-allocated', source: 'most-allocated' });
  t.deepEqual(parsePolicy('cfg/binpack.yaml'), { name: 'binpack', source: 'cfg/binpack.yaml' });
  t.throws(() => parsePolicy('binpack'), { message: /--policy: unknown policy "binpack": use a preset/ });
  // compare names its own option; the GPU policies are presets too.
  t.throws(() => parsePolicyOption('binpack', '--policies'), {
    message: /^--policies: unknown policy "binpack"/,
  });
  t.deepEqual(parsePolicyOption('fgd', '--policies'), { name: 'fgd', source: 'fgd' });
});

test("experiment fill's GPU policy names are accepted for the preset of the same policy, named as the preset", (t) => {
  t.deepEqual(
    ['random', 'dotprod', 'clustering', 'packing', 'bestfit', 'fgd'].map((p) =>
      parsePolicyOption(p, '--policies'),
    ),
    ['gpu-random', 'gpu-dotprod', 'gpu-clustering', 'gpu-packing', 'gpu-bestfit', 'fgd'].map((name) => ({
      name,
      source: name,
    })),
  );
  t.deepEqual(parsePolicy('gpu-bestfit'), { name: 'gpu-bestfit', source: 'gpu-bestfit' });
  t.throws(() => parsePolicy('BestFit'), { message: /^--policy: unknown policy "BestFit"/ });
});

test('a configuration file loads its profiles; a bad one names the file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-pol-'));
  const good = join(dir, 'two.yaml');
  writeFileSync(
    good,
    `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
  - schedulerName: packer
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
`,
  );
  t.deepEqual(
    loadPolicy(parsePolicy(good)).profiles.map((p) => p.schedulerName),
    ['default-scheduler', 'packer'],
  );
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - plugins:\n      score:\n        enabled:\n          - name: NoSuchPlugin\n',
  );
  t.throws(() => loadPolicy(parsePolicy(bad)), { message: /bad\.yaml.*NoSuchPlugin/ });
  t.throws(() => loadPolicy(parsePolicy(join(dir, 'missing.yaml'))), {
    message: /missing\.yaml: no such file or directory/,
  });
});

test('inputs are described by their file names (the log must not depend on where they lie)', (t) => {
  t.is(describeInputs({ nodes: '/data/n.csv', pods: 'x/p.csv' }), 'n.csv + p.csv');
  t.is(
    describeInputs({ trace: 't.ndjson', manifests: ['m/a.yaml', 'b.yaml'] }),
    't.ndjson + a.yaml + b.yaml',
  );
});
