import test from 'ava';
import type { Pod } from '../../../engine/api/types.js';
import { readScenario, runScenario } from '../../../workloads/scenario/index.js';
import { presetConfig } from '../../../engine/scheduler/index.js';

const S = 1_000_000;

const TEXT = `name: quota-and-failure
seed: 7
until: 15m
objects:
  - { apiVersion: v1, kind: Node, metadata: { name: n1 }, status: { allocatable: { cpu: "8", memory: 16Gi, pods: "110" } } }
  - { apiVersion: v1, kind: Node, metadata: { name: n2 }, status: { allocatable: { cpu: "8", memory: 16Gi, pods: "110" } } }
  - { apiVersion: v1, kind: ResourceQuota, metadata: { name: q, namespace: default }, spec: { hard: { pods: "2" } } }
calls:
  - at: 1s
    object:
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: web, namespace: default }
      spec:
        replicas: 4
        selector: { matchLabels: { app: web } }
        template:
          metadata: { labels: { app: web } }
          spec: { containers: [{ name: c, image: web, resources: { requests: { cpu: 100m } } }] }
faults:
  - { at: 2m, quota: { name: q, hard: { pods: "4" } } }
  - { at: 3m, nodeDown: n1 }
  - { at: 4m, controllerManagerKill: { restartAfter: 30s } }
`;

test('a scenario file reads into calls and faults', (t) => {
  const s = readScenario(TEXT, 'demo.yaml');
  t.is(s.name, 'quota-and-failure');
  t.is(s.untilUs, 15 * 60 * S);
  t.deepEqual(
    s.calls.map((c) => [c.timeUs, c.object.kind]),
    [
      [0, 'Node'],
      [0, 'Node'],
      [0, 'ResourceQuota'],
      [S, 'Deployment'],
    ],
  );
  t.deepEqual(s.faults, [
    {
      timeUs: 120 * S,
      fault: { type: 'quota-change', namespace: 'default', name: 'q', hard: { pods: '4' } },
    },
    { timeUs: 180 * S, fault: { type: 'node-down', node: 'n1' } },
    { timeUs: 240 * S, fault: { type: 'controller-manager-kill', restartAfterUs: 30 * S } },
  ]);
});

test('errors name the file, the line and the field', (t) => {
  const bad = TEXT.replace('at: 3m, nodeDown', 'at: soon, nodeDown');
  t.throws(() => readScenario(bad, 'demo.yaml'), {
    message: /^demo\.yaml:22: faults\[1\]\.at: invalid duration "soon"/,
  });
  t.throws(() => readScenario('faults:\n  - { at: 1m, explode: n1 }\n', 'x.yaml'), {
    message:
      /^x\.yaml:2: faults\[0\]: needs exactly one of nodeDown, nodeUp, controllerManagerKill, schedulerKill, quota$/,
  });
  t.throws(() => readScenario('calls:\n  - at: 1m\n    op: patch\n    object: {}\n', 'x.yaml'), {
    message: /^x\.yaml:3: calls\[0\]\.op: must be create, update or delete/,
  });
  t.throws(() => readScenario('objects: [1, 2\n', 'x.yaml'), { message: /^x\.yaml:\d+: / });
});

test('the same scenario twice gives the same log hash, and the faults take effect', async (t) => {
  const opts = { config: presetConfig('default-scheduler'), policy: 'default-scheduler' };
  const a = await runScenario(readScenario(TEXT), opts);
  const b = await runScenario(readScenario(TEXT), opts);
  t.is(a.sim.log.hash, b.sim.log.hash);
  t.is(a.store.count('Pod'), 4);
  // n1 went down at 3 min: by 15 min (3 + 40 s + 300 s, delayed by the controller-manager kill) every
  // pod runs on n2.
  t.true(a.store.list<Pod>('Pod').every((p) => p.spec?.nodeName === 'n2'));
});
