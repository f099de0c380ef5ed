import test from 'ava';
import { NodeIndex } from '../../../../../engine/scheduler/index/index.js';
import {
  PodGroups,
  type PodGroup,
} from '../../../../../engine/scheduler/plugins/inter-pod-affinity/pod-groups.js';
import { podAffinityTerms } from '../../../../../engine/scheduler/plugins/inter-pod-affinity/terms.js';
import { makeNode, makePod } from '../../../../helpers/builders.js';

const ZONE = 'topology.kubernetes.io/zone';

function setup() {
  const idx = new NodeIndex();
  for (let i = 0; i < 4; i++)
    idx.addNode(
      makeNode(`n${i}`)
        .zone(i < 2 ? 'a' : 'b')
        .build(),
    );
  const pod = (name: string, app: string) =>
    makePod(name)
      .labels({ app })
      .podAffinity({ labelSelector: { matchLabels: { app } }, topologyKey: ZONE }, true)
      .build();
  const groups = new PodGroups(idx, (t) => t.requiredAntiAffinity.map((a) => a.keyId));
  return { idx, pod, groups, zone: idx.labelKeyId(ZONE), v: (s: string) => idx.labelValuesTable.get(s) };
}

const sorted = (m: ReadonlyMap<number, number>) => [...m].sort((a, b) => a[0] - b[0]);

test('pods with the same affinity share one group; slots and zone counts follow adds and removals', (t) => {
  const { idx, pod, groups, zone, v } = setup();
  const web = [pod('w0', 'web'), pod('w1', 'web'), pod('w2', 'web')];
  const db = pod('d0', 'db');
  // Same namespace and same terms by content → the same compiled terms object → one group.
  const termsWeb = podAffinityTerms(idx, web[0]!);
  t.is(podAffinityTerms(idx, web[2]!), termsWeb);
  t.not(podAffinityTerms(idx, db), termsWeb);
  groups.track(termsWeb, idx.slotOf('n0'), 1);
  groups.track(termsWeb, idx.slotOf('n0'), 1);
  groups.track(termsWeb, idx.slotOf('n3'), 1);
  groups.track(podAffinityTerms(idx, db), idx.slotOf('n1'), 1);
  const all = [...groups.values()];
  t.is(all.length, 2);
  const g = all.find((x) => x.terms === termsWeb)!;
  // n0 holds two web pods, n3 one; zone a = n0 + n1 → 2, zone b = n2 + n3 → 1.
  t.deepEqual(
    sorted(g.slots),
    sorted(
      new Map([
        [idx.slotOf('n0'), 2],
        [idx.slotOf('n3'), 1],
      ]),
    ),
  );
  t.deepEqual(
    sorted(g.domains(zone)),
    sorted(
      new Map([
        [v('a'), 2],
        [v('b'), 1],
      ]),
    ),
  );
  groups.track(termsWeb, idx.slotOf('n3'), -1);
  t.deepEqual(sorted(g.domains(zone)), [[v('a'), 2]]);
  // The last pod out removes the group.
  groups.track(podAffinityTerms(idx, db), idx.slotOf('n1'), -1);
  t.deepEqual(
    [...groups.values()].map((x: PodGroup) => x.terms),
    [termsWeb],
  );
});

test('a relabelled node moves its pods to their new domain', (t) => {
  const { idx, pod, groups, zone, v } = setup();
  const terms = podAffinityTerms(idx, pod('w0', 'web'));
  groups.track(terms, idx.slotOf('n0'), 1);
  groups.track(terms, idx.slotOf('n2'), 1);
  const g = [...groups.values()][0]!;
  t.deepEqual(
    sorted(g.domains(zone)),
    sorted(
      new Map([
        [v('a'), 1],
        [v('b'), 1],
      ]),
    ),
  );
  idx.updateNode(makeNode('n0').zone('c').build());
  groups.nodeChanged(idx.slotOf('n0'));
  // n0 now in zone c: a 0 (absent), b 1, c 1. Removals after the change use the new domain.
  t.deepEqual(
    sorted(g.domains(zone)),
    sorted(
      new Map([
        [v('b'), 1],
        [v('c'), 1],
      ]),
    ),
  );
  groups.track(terms, idx.slotOf('n0'), -1);
  t.deepEqual(sorted(g.domains(zone)), [[v('b'), 1]]);
  // Keys the group was not asked to keep have no counts.
  t.is(g.domains(idx.labelKeyId('kubernetes.io/hostname')).size, 0);
});
