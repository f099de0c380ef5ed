/**
 * Pins the exact bytes of the event log: canonical JSON of a small fixed log and its SHA-256 chain.
 * Other sim tests compare hashes only with each other; this one fails if an optimisation of
 * `canonicalJson` or `chainHash` changes a single byte.
 */
import { createHash } from 'node:crypto';
import test from 'ava';
import { EventLog } from '../../../engine/sim/log.js';
import { canonicalJson } from '../../../engine/sim/canonical.js';

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-7f9c',
    namespace: 'default',
    labels: { 'app.kubernetes.io/name': 'web', tier: 'front', Zeta: 'x', alpha: '' },
    annotations: { note: 'quote " backslash \\ tab \t newline \n unicode é ✓ \u0001 \u2028' },
    resourceVersion: '42',
  },
  spec: {
    containers: [
      { name: 'c', image: 'nginx:1.25', resources: { requests: { cpu: '250m', memory: '64Mi' } } },
      { name: 'd', image: undefined, ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }] },
    ],
    priority: -5,
    nodeName: undefined,
    tolerations: [],
    affinity: {},
  },
};

function fixedLog(): { log: EventLog; lines: string[] } {
  let now = 0;
  const log = new EventLog({ now: () => now });
  const lines: string[] = [];
  log.listen((_e, line) => lines.push(line));
  log.append('run.start', { seed: '42', policy: 'default-scheduler', trace: 't', bucketSeconds: 60 });
  now = 1_000_000;
  log.append('pod.create', { key: 'default/web-7f9c', object: POD, rv: 42 });
  now = 1_500_000;
  log.append('pod.bind', {
    key: 'default/web-7f9c',
    node: 'node-0001',
    score: 187,
    ratio: 0.125,
    big: 1e21,
    tiny: 5e-7,
    neg0: -0,
  });
  log.append('mixed', {
    list: [1, 'two', null, undefined, true, false, [[]], {}],
    nested: { b: { d: 1, c: 2 }, a: [{ z: 0, y: null }] },
    fn: undefined,
  });
  now = 2_000_000;
  log.append('empty', {});
  return { log, lines };
}

test('canonical JSON of a pod-like object is byte-exact', (t) => {
  t.is(
    canonicalJson(POD),
    '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"note":"quote \\" backslash \\\\ tab \\t newline \\n unicode é ✓ \\u0001 \u2028"},"labels":{"Zeta":"x","alpha":"","app.kubernetes.io/name":"web","tier":"front"},"name":"web-7f9c","namespace":"default","resourceVersion":"42"},"spec":{"affinity":{},"containers":[{"image":"nginx:1.25","name":"c","resources":{"requests":{"cpu":"250m","memory":"64Mi"}}},{"name":"d","ports":[{"containerPort":80,"hostPort":8080,"protocol":"TCP"}]}],"priority":-5,"tolerations":[]}}',
  );
});

test('the chain hash of a small fixed log is pinned', (t) => {
  const { log, lines } = fixedLog();
  t.is(log.seq, 5);
  t.is(
    lines[2],
    `{"big":1e+21,"key":"default/web-7f9c","neg0":0,"node":"node-0001","ratio":0.125,"score":187,"seq":3,"time":1500000,"tiny":5e-7,"type":"pod.bind","h":"${lines[2]!.slice(-66, -2)}"}`,
  );
  t.is(lines[4], `{"seq":5,"time":2000000,"type":"empty","h":"${log.hash}"}`);
  const all = createHash('sha256').update(lines.join('\n')).digest('hex');
  t.is(log.hash, '526b2f9486e77cf681150ec49136b6036b170133aed5335b4105d2b67251d6a3');
  t.is(all, '657a715f1ba2e81bc6d913df7387aa6b6f316f247accc065feaf835d561ba66a');
});

test('listenEntries sees every entry without a line; lines are built only for listen listeners', (t) => {
  let now = 0;
  const log = new EventLog({ now: () => now });
  const seen: string[] = [];
  log.listenEntries((e) => seen.push(`${e.seq}:${e.type}@${e.time}`));
  log.append('a', { x: 1 });
  now = 5;
  log.append('b', { y: 2 });
  t.deepEqual(seen, ['1:a@0', '2:b@5']);
  // A line listener added later gets the line with the chain hash; the entry listener goes on.
  const lines: string[] = [];
  log.listen((_e, line) => lines.push(line));
  log.append('c', { z: 3 });
  t.deepEqual(seen, ['1:a@0', '2:b@5', '3:c@5']);
  t.deepEqual(lines, [`{"seq":3,"time":5,"type":"c","z":3,"h":"${log.hash}"}`]);
});
