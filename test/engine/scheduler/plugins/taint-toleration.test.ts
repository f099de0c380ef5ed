import test from 'ava';
import type { Toleration } from '../../../../engine/api/types.js';
import { toleratesTaint } from '../../../../engine/scheduler/plugins/taint-toleration/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';
import { cluster, onlyPlugins, scoresOf, verdicts } from '../helpers.js';

const cfg = () => onlyPlugins([{ name: 'TaintToleration' }]);
const base = () => makeNode('x').cap({ cpu: '4', memory: '8Gi', pods: 110 });

test('toleratesTaint: operators, empty key, effects', (t) => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' as const };
  const cases: [Toleration, boolean, string][] = [
    [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, true, 'Equal same value and effect'],
    [{ key: 'k', value: 'v' }, true, 'empty operator means Equal; empty effect matches all'],
    [{ key: 'k', operator: 'Equal', value: 'w' }, false, 'Equal different value'],
    [{ key: 'k', operator: 'Exists' }, true, 'Exists ignores value'],
    [{ operator: 'Exists' }, true, 'empty key + Exists tolerates everything'],
    [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }, false, 'effect mismatch'],
    [{ key: 'other', operator: 'Exists' }, false, 'key mismatch'],
    [{ key: 'k', operator: 'Bogus' as 'Exists', value: 'v' }, false, 'unknown operator'],
  ];
  for (const [tol, want, name] of cases) t.is(toleratesTaint(tol, taint), want, name);
});

test('filter: NoSchedule and NoExecute reject, PreferNoSchedule does not', (t) => {
  const nodes = [
    base()
      .with((n) => (n.metadata!.name = 'clean'))
      .build(),
    makeNode('nosched').cap({ cpu: '4', pods: 110 }).taint('dedicated', 'gpu', 'NoSchedule').build(),
    makeNode('noexec').cap({ cpu: '4', pods: 110 }).taint('bad', undefined, 'NoExecute').build(),
    makeNode('prefer').cap({ cpu: '4', pods: 110 }).taint('soft', 'x', 'PreferNoSchedule').build(),
  ];
  const s = cluster(nodes, [], cfg());
  t.deepEqual(verdicts(s.explain(makePod('p').build())), {
    clean: 'ok',
    nosched: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}',
    noexec: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {bad: }',
    prefer: 'ok',
  });
  const tolerant = makePod('p')
    .toleration({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' })
    .toleration({ key: 'bad', operator: 'Exists' })
    .build();
  t.deepEqual(verdicts(s.explain(tolerant)), { clean: 'ok', nosched: 'ok', noexec: 'ok', prefer: 'ok' });
});

test('score: untolerated PreferNoSchedule taints, reverse-normalized', (t) => {
  const nodes = [
    makeNode('zero').cap({ cpu: '4', pods: 110 }).build(),
    makeNode('one').cap({ cpu: '4', pods: 110 }).taint('a', '1', 'PreferNoSchedule').build(),
    makeNode('two')
      .cap({ cpu: '4', pods: 110 })
      .taint('a', '1', 'PreferNoSchedule')
      .taint('b', '2', 'PreferNoSchedule')
      .taint('c', '3', 'NoSchedule')
      .build(),
  ];
  const pod = makePod('p').toleration({ key: 'c', operator: 'Exists', effect: 'NoSchedule' }).build();
  // counts 0, 1, 2; max 2: 100 - 100*0/2 = 100; 100 - 100*1/2 = 50; 100 - 100*2/2 = 0
  t.deepEqual(scoresOf(cluster(nodes, [], cfg()).explain(pod), 'TaintToleration'), {
    zero: 100,
    one: 50,
    two: 0,
  });
  // Tolerating 'a' (empty effect matches PreferNoSchedule): counts 0, 0, 1 → 100, 100, 0
  const pod2 = makePod('p')
    .toleration({ key: 'c', operator: 'Exists', effect: 'NoSchedule' })
    .toleration({ key: 'a', operator: 'Exists' })
    .build();
  t.deepEqual(scoresOf(cluster(nodes, [], cfg()).explain(pod2), 'TaintToleration'), {
    zero: 100,
    one: 100,
    two: 0,
  });
  // No PreferNoSchedule anywhere: all counts 0 → all 100.
  t.deepEqual(scoresOf(cluster([nodes[0]!], [], cfg()).explain(pod), 'TaintToleration'), { zero: 100 });
});

test('a cluster without taints skips the work, and a taint added later is seen at once', (t) => {
  const clean = (name: string) => makeNode(name).cap({ cpu: '4', pods: 110 });
  const s = cluster([clean('a').build(), clean('b').build()], [], cfg());
  const pod = makePod('p').build();
  t.is(s.index.taintedNodes, 0);
  t.deepEqual(verdicts(s.explain(pod)), { a: 'ok', b: 'ok' });
  t.deepEqual(scoresOf(s.explain(pod), 'TaintToleration'), { a: 100, b: 100 });
  // b tainted by an update: filtered out; a PreferNoSchedule on a scores it 0 (count 1 of max 1).
  s.updateNode(clean('b').taint('dedicated', 'gpu', 'NoSchedule').build());
  t.deepEqual(verdicts(s.explain(pod)), {
    a: 'ok',
    b: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}',
  });
  s.updateNode(clean('a').taint('soft', 'x', 'PreferNoSchedule').build());
  t.deepEqual(scoresOf(s.explain(pod), 'TaintToleration'), { a: 0 });
  // Both taints gone again: back to the taint-free cluster.
  s.updateNode(clean('a').build());
  s.updateNode(clean('b').build());
  t.is(s.index.taintedNodes, 0);
  t.deepEqual(verdicts(s.explain(pod)), { a: 'ok', b: 'ok' });
});
