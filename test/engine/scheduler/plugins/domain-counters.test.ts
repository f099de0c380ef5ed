/**
 * PodTopologySpread (and InterPodAffinity, for preferred terms) reads its per-domain counts from index counters that live across cycles and are
 * kept current as pods come and go. Whatever happened before, a long-lived scheduler must judge a pod
 * exactly as a fresh one that counts the same bound pods from scratch: same verdicts, same scores.
 */
import test from 'ava';
import seedrandom from 'seedrandom';
import type { Node, Pod, TopologySpreadConstraint } from '../../../../engine/api/types.js';
import { Scheduler, presetConfig } from '../../../../engine/scheduler/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

const nodes = (): Node[] =>
  Array.from({ length: 12 }, (_, i) =>
    makeNode(`n${i}`)
      .zone(['a', 'b', 'c'][i % 3]!)
      .alloc({ cpu: '64', memory: '256Gi', pods: '110' })
      .build(),
  );

function scheduler(): Scheduler {
  const s = new Scheduler({ config: presetConfig('default-scheduler'), random: () => 0 });
  for (const n of nodes()) s.addNode(n);
  return s;
}

/** A probe that spreads `app` pods of its namespace over zones (hard) and hosts (soft). */
function probe(ns: string, app: string, version?: string): Pod {
  const zone: TopologySpreadConstraint = {
    maxSkew: 1,
    topologyKey: ZONE,
    whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: { app } },
    ...(version ? { matchLabelKeys: ['version'] } : {}),
  };
  const host: TopologySpreadConstraint = {
    maxSkew: 2,
    topologyKey: HOST,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { app } },
  };
  return makePod(`probe-${app}`)
    .ns(ns)
    .labels({ app, ...(version ? { version } : {}) })
    .req({ cpu: '100m' })
    .spread(zone)
    .spread(host)
    .build();
}

/** What explain says of every node (verdicts and per-plugin scores), as comparable text. */
function judged(s: Scheduler, pod: Pod): string {
  const e = s.explain(pod);
  // Every node has room: only the spread and affinity rules under test can reject.
  for (const n of e.nodes)
    for (const r of n.reasons) if (/Insufficient|Too many pods/.test(r)) throw new Error(r);
  return JSON.stringify({ nodes: e.nodes, selected: e.selected, tied: e.tiedNodes });
}

test('counters kept across adds and removals judge pods exactly as counting from scratch', (t) => {
  const rand = seedrandom.alea('pts-counters');
  const live = scheduler();
  const bound = new Map<string, Pod>();
  let checks = 0;
  let rejections = 0;
  for (let step = 0; step < 400; step++) {
    if (bound.size > 0 && rand() < 0.3) {
      // Remove a random bound pod.
      const keys = [...bound.keys()];
      const key = keys[Math.floor(rand() * keys.length)]!;
      live.removePod(bound.get(key)!);
      bound.delete(key);
    } else {
      const ns = rand() < 0.7 ? 'a' : 'b';
      const app = ['web', 'db', 'cache'][Math.floor(rand() * 3)]!;
      const version = rand() < 0.5 ? 'v1' : 'v2';
      const pod = makePod(`p${step}`)
        .ns(ns)
        .labels({ app, version })
        .req({ cpu: '100m' })
        .node(`n${Math.floor(rand() * 12)}`)
        .build();
      live.addPod(pod);
      bound.set(`${ns}/p${step}`, pod);
    }
    if (step % 20 === 19) {
      const fresh = scheduler();
      for (const p of bound.values()) fresh.addPod(p);
      for (const p of [
        probe('a', 'web'),
        probe('b', 'db'),
        probe('a', 'cache', 'v1'),
        probe('a', 'web', 'v2'),
      ]) {
        const verdict = judged(live, p);
        t.is(verdict, judged(fresh, p), `step ${step}, ${p.metadata!.namespace}/${p.metadata!.name}`);
        if (verdict.includes('topology spread')) rejections++;
        checks++;
      }
    }
  }
  t.is(checks, 80);
  // The hard constraint did reject nodes along the way (the comparison is not vacuous).
  t.true(rejections > 0);
});

test('past the counter cap the oldest counters are released and results stay exact', (t) => {
  const live = scheduler();
  const pods: Pod[] = [];
  for (let i = 0; i < 60; i++) {
    const pod = makePod(`w${i}`)
      .ns('a')
      .labels({ app: `app-${i % 80}` })
      .node(`n${i % 12}`)
      .build();
    live.addPod(pod);
    pods.push(pod);
  }
  // 80 distinct selectors, two constraints each (zone, hostname): far more than the 64 kept.
  for (let i = 0; i < 80; i++) live.explain(probe('a', `app-${i}`));
  t.true(live.index.counterCount <= 64);
  t.true(live.index.counterCount > 0);
  // Evicted and kept counters alike still agree with a fresh count, after more pods arrive.
  for (let i = 60; i < 90; i++)
    live.addPod(
      makePod(`w${i}`)
        .ns('a')
        .labels({ app: `app-${i % 80}` })
        .node(`n${i % 12}`)
        .build(),
    );
  const fresh = scheduler();
  for (let i = 0; i < 90; i++)
    fresh.addPod(
      i < 60
        ? pods[i]!
        : makePod(`w${i}`)
            .ns('a')
            .labels({ app: `app-${i % 80}` })
            .node(`n${i % 12}`)
            .build(),
    );
  for (const i of [0, 5, 63, 79])
    t.is(judged(live, probe('a', `app-${i}`)), judged(fresh, probe('a', `app-${i}`)));
});

/** A probe with preferred affinity to `app` (zone) and preferred anti-affinity to `avoid` (host). */
function affinityProbe(ns: string, app: string, avoid: string, otherNs?: string): Pod {
  return makePod(`aff-${app}`)
    .ns(ns)
    .labels({ app: 'probe' })
    .req({ cpu: '100m' })
    .preferredPodAffinity(7, {
      labelSelector: { matchLabels: { app } },
      topologyKey: ZONE,
      ...(otherNs ? { namespaces: [ns, otherNs] } : {}),
    })
    .preferredPodAffinity(3, { labelSelector: { matchLabels: { app: avoid } }, topologyKey: HOST }, true)
    .build();
}

/** A probe that requires pods of `app` in its zone and no `avoid` pod on its host. */
function requiredProbe(ns: string, app: string, avoid: string): Pod {
  return makePod(`req-${app}`)
    .ns(ns)
    .labels({ app: 'probe' })
    .req({ cpu: '100m' })
    .podAffinity({ labelSelector: { matchLabels: { app } }, topologyKey: ZONE })
    .podAffinity({ labelSelector: { matchLabels: { app: avoid } }, topologyKey: HOST }, true)
    .build();
}

test('InterPodAffinity counters for preferred and required terms judge exactly as counting from scratch', (t) => {
  const rand = seedrandom.alea('ipa-counters');
  const live = scheduler();
  // Zones move now and then (node updates): kept counts per domain must follow the node's labels.
  const zones = nodes().map((n) => n.metadata!.labels![ZONE]!);
  const zoned = (i: number): Node =>
    makeNode(`n${i}`).zone(zones[i]!).alloc({ cpu: '64', memory: '256Gi', pods: '110' }).build();
  const bound = new Map<string, Pod>();
  let scored = 0;
  let rejected = 0;
  let rejectedByExisting = 0;
  for (let step = 0; step < 300; step++) {
    if (step % 40 === 39) {
      const i = step % 12;
      zones[i] = zones[i] === 'a' ? 'b' : zones[i] === 'b' ? 'c' : 'a';
      live.updateNode(zoned(i));
    }
    if (bound.size > 0 && rand() < 0.3) {
      const keys = [...bound.keys()];
      const key = keys[Math.floor(rand() * keys.length)]!;
      live.removePod(bound.get(key)!);
      bound.delete(key);
    } else {
      const ns = rand() < 0.7 ? 'a' : 'b';
      const app = ['web', 'db', 'cache'][Math.floor(rand() * 3)]!;
      const b = makePod(`p${step}`)
        .ns(ns)
        .labels({ app })
        .node(`n${Math.floor(rand() * 12)}`);
      // Some existing pods carry terms matching the probes (symmetry: they score the probe's nodes),
      // grouped by content in the plugin and kept across adds and removals.
      const toProbe = { labelSelector: { matchLabels: { app: 'probe' } } };
      const kind = Math.floor(rand() * 24);
      if (kind < 4) b.preferredPodAffinity(5, { ...toProbe, topologyKey: ZONE });
      else if (kind < 8) b.preferredPodAffinity(4, { ...toProbe, topologyKey: HOST }, true);
      else if (kind < 12) b.podAffinity({ ...toProbe, topologyKey: ZONE });
      // Required anti-affinity of existing pods (symmetry: they keep the probe off their hosts).
      else if (kind === 12) b.podAffinity({ ...toProbe, topologyKey: HOST }, true);
      // …and off their zones, for namespace b's probes only (ns a's keep some feasible nodes).
      else if (kind === 13) b.podAffinity({ ...toProbe, namespaces: ['b'], topologyKey: ZONE }, true);
      const pod = b.build();
      live.addPod(pod);
      bound.set(`${ns}/p${step}`, pod);
    }
    if (step % 25 === 24) {
      const fresh = new Scheduler({ config: presetConfig('default-scheduler'), random: () => 0 });
      for (let i = 0; i < 12; i++) fresh.addNode(zoned(i));
      for (const p of bound.values()) fresh.addPod(p);
      for (const p of [
        affinityProbe('a', 'web', 'db'),
        affinityProbe('b', 'cache', 'web', 'a'),
        requiredProbe('a', 'web', 'db'),
        requiredProbe('b', 'cache', 'web'),
      ]) {
        const verdict = judged(live, p);
        t.is(verdict, judged(fresh, p), `step ${step}, ${p.metadata!.namespace}/${p.metadata!.name}`);
        if (verdict.includes('"InterPodAffinity":100')) scored++;
        if (verdict.includes('pod affinity rules') || verdict.includes('pod anti-affinity rules')) rejected++;
        if (verdict.includes('existing pods anti-affinity rules')) rejectedByExisting++;
      }
    }
  }
  // The preferred terms did move scores and the required ones rejected nodes (not vacuous).
  t.true(scored > 0);
  t.true(rejected > 0);
  t.true(rejectedByExisting > 0);
});
