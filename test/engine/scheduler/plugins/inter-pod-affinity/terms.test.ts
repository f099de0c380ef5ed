import test from 'ava';
import { NodeIndex } from '../../../../../engine/scheduler/index/index.js';
import {
  matchesAll,
  podAffinityTerms,
  termMatches,
  type AffinityTerm,
} from '../../../../../engine/scheduler/plugins/inter-pod-affinity/terms.js';
import type { Pod, PodAffinityTerm } from '../../../../../engine/api/types.js';
import { makePod } from '../../../../helpers/builders.js';

// kube-scheduler's AffinityTerm.Matches: the pod's namespace is in the term's namespaces, or the
// term's namespaceSelector selects the labels of the pod's namespace; then the label selector must
// match the pod's labels. Namespaces (GetNamespacesFromPodAffinityTerm): no namespaces and no
// namespaceSelector = the namespace of the pod declaring the term; namespaceSelector {} = all
// namespaces, nil = none. A nil labelSelector matches nothing. podMatchesAllAffinityTerms is false
// for an empty list.

const ZONE = 'topology.kubernetes.io/zone';

/** The compiled required affinity terms declared by a pod in `ns`. */
function terms(ns: string, ...ts: Omit<PodAffinityTerm, 'topologyKey'>[]): AffinityTerm[] {
  const b = makePod('owner').ns(ns);
  for (const t of ts) b.podAffinity({ topologyKey: ZONE, ...t });
  return [...podAffinityTerms(new NodeIndex(), b.build()).requiredAffinity];
}

function pod(ns: string, labels: Record<string, string>): Pod {
  return makePod('p').ns(ns).labels(labels).build();
}

const WEB = { matchLabels: { app: 'web' } };

test('termMatches: default namespace is that of the pod declaring the term', (t) => {
  const [term] = terms('prod', { labelSelector: WEB });
  t.true(termMatches(term!, pod('prod', { app: 'web' }), undefined));
  t.false(termMatches(term!, pod('dev', { app: 'web' }), undefined));
  t.false(termMatches(term!, pod('prod', { app: 'db' }), undefined));
});

test('termMatches: explicit namespaces', (t) => {
  const [term] = terms('prod', { labelSelector: WEB, namespaces: ['dev', 'test'] });
  t.false(termMatches(term!, pod('prod', { app: 'web' }), undefined));
  t.true(termMatches(term!, pod('dev', { app: 'web' }), undefined));
  t.true(termMatches(term!, pod('test', { app: 'web' }), undefined));
});

test('termMatches: a pod without a namespace is in "default"', (t) => {
  const [term] = terms('default', { labelSelector: WEB });
  const p = makePod('p').labels({ app: 'web' }).build();
  delete p.metadata!.namespace;
  t.true(termMatches(term!, p, undefined));
});

test('termMatches: namespaceSelector evaluated on the namespace labels', (t) => {
  const [term] = terms('prod', { labelSelector: WEB, namespaceSelector: { matchLabels: { team: 'a' } } });
  t.true(termMatches(term!, pod('x', { app: 'web' }), { team: 'a' }));
  t.false(termMatches(term!, pod('x', { app: 'web' }), { team: 'b' }));
  t.false(termMatches(term!, pod('x', { app: 'web' }), undefined));
  // With a selector and no namespaces, the owner's namespace is not implied.
  t.false(termMatches(term!, pod('prod', { app: 'web' }), { team: 'b' }));
  t.false(termMatches(term!, pod('x', { app: 'db' }), { team: 'a' }));
});

test('termMatches: empty namespaceSelector selects every namespace; namespaces and selector are ORed', (t) => {
  const [all] = terms('prod', { labelSelector: WEB, namespaceSelector: {} });
  t.true(termMatches(all!, pod('anything', { app: 'web' }), undefined));
  const [either] = terms('prod', {
    labelSelector: WEB,
    namespaces: ['dev'],
    namespaceSelector: { matchLabels: { team: 'a' } },
  });
  t.true(termMatches(either!, pod('dev', { app: 'web' }), { team: 'z' }));
  t.true(termMatches(either!, pod('qa', { app: 'web' }), { team: 'a' }));
  t.false(termMatches(either!, pod('qa', { app: 'web' }), { team: 'z' }));
});

test('termMatches: a nil label selector matches nothing, an empty one every pod', (t) => {
  const [nil] = terms('prod', {});
  t.false(termMatches(nil!, pod('prod', { app: 'web' }), undefined));
  const [empty] = terms('prod', { labelSelector: {} });
  t.true(termMatches(empty!, pod('prod', {}), undefined));
  t.true(termMatches(empty!, makePod('bare').ns('prod').build(), undefined));
});

test('matchesAll: every term must match; an empty list matches nothing', (t) => {
  const both = terms(
    'prod',
    { labelSelector: WEB },
    { labelSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] } },
  );
  t.is(both.length, 2);
  t.true(matchesAll(both, pod('prod', { app: 'web', tier: 'front' }), undefined));
  t.false(matchesAll(both, pod('prod', { app: 'web', tier: 'back' }), undefined));
  t.false(matchesAll(both, pod('prod', { tier: 'front' }), undefined));
  t.true(matchesAll(both.slice(0, 1), pod('prod', { app: 'web' }), undefined));
  t.false(matchesAll([], pod('prod', { app: 'web' }), undefined));
});
