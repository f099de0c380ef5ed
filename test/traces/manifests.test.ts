import test from 'ava';
import { openTrace } from '../../traces/detect.js';
import { collect } from './helpers.js';

test('manifests: created at t=0, namespace first, detected from --manifests alone', async (t) => {
  const o = await openTrace({ manifests: ['test/fixtures/traces/manifests/app.yaml'] });
  t.is(o.format, 'manifests');
  const recs = await collect(o.records);
  t.deepEqual(
    recs.map((r) => [r.timeUs, r.op, r.object.kind, r.object.metadata?.name]),
    [
      [0, 'create', 'Namespace', 'shop'],
      [0, 'create', 'Deployment', 'web'],
    ],
  );
});

test('manifests before an openb trace', async (t) => {
  const o = await openTrace({
    manifests: ['test/fixtures/traces/manifests/app.yaml'],
    nodes: 'test/fixtures/traces/openb/nodes.csv',
  });
  t.is(o.format, 'openb');
  const kinds = (await collect(o.records)).map((r) => r.object.kind);
  t.deepEqual(kinds, ['Namespace', 'Deployment', 'Node', 'Node', 'Node', 'Node']);
  t.true(o.loss.notes[0]!.startsWith('manifests:'));
});
