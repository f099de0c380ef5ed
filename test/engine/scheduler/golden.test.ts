/**
 * Golden decisions: a seeded mixed workload (resources, taints and tolerations, node affinity,
 * required and preferred pod (anti-)affinity, topology spread with own and system-default constraints,
 * host ports, priorities and preemption) over a few hundred nodes, scheduled with the default profile.
 * The sha256 of every attempt's outcome is pinned: performance work on the scheduling core must never
 * change a decision. If this hash changes, a decision changed — find out why before touching it.
 */
import { createHash } from 'node:crypto';
import test from 'ava';
import seedrandom from 'seedrandom';
import type { LabelSelector, Node, Pod } from '../../../engine/api/types.js';
import { Scheduler, presetConfig } from '../../../engine/scheduler/index.js';
import { provideClusterLookups } from '../../../engine/scheduler/plugins/cluster-lookups.js';
import { makeNode, makePod } from '../../helpers/builders.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

function goldenNodes(rand: () => number, n: number): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < n; i++) {
    const cpu = [2, 4, 8][Math.floor(rand() * 3)]!;
    const b = makeNode(`node-${String(i).padStart(4, '0')}`)
      .cap({ cpu: String(cpu), memory: `${cpu * 4}Gi`, pods: 20 + Math.floor(rand() * 20) })
      .zone(`zone-${i % 5}`)
      .label('disk', rand() < 0.3 ? 'ssd' : 'hdd')
      .label('rack', `r${Math.floor(rand() * 12)}`);
    const t = rand();
    if (t < 0.06) b.taint('dedicated', 'gpu', 'NoSchedule');
    else if (t < 0.14) b.taint('spot', 'true', 'PreferNoSchedule');
    if (rand() < 0.02) b.unschedulable();
    if (rand() < 0.2) b.image(['registry/app:v1'], 300 * 1024 * 1024);
    out.push(b.build());
  }
  return out;
}

function goldenPods(rand: () => number, n: number): Pod[] {
  const out: Pod[] = [];
  for (let i = 0; i < n; i++) {
    const app = `app-${Math.floor(rand() * 8)}`;
    const b = makePod(`pod-${String(i).padStart(5, '0')}`)
      .ns(rand() < 0.8 ? 'default' : 'team-b')
      .label('app', app)
      .priority([0, 0, 0, 100, 1000][Math.floor(rand() * 5)]!);
    const cpuM = [100, 250, 500, 1000, 2000][Math.floor(rand() * 5)]!;
    if (rand() < 0.1) b.container('registry/app:v1');
    else b.req({ cpu: `${cpuM}m`, memory: `${Math.floor(cpuM * (1 + rand() * 3))}Mi` }, 'registry/app:v1');
    const k = rand();
    if (k < 0.08) b.toleration({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' });
    else if (k < 0.14) b.nodeSelector({ disk: 'ssd' });
    else if (k < 0.2) b.requiredTerm([{ key: ZONE, operator: 'In', values: ['zone-1', 'zone-2'] }]);
    else if (k < 0.26) b.preferredTerm(10, [{ key: 'disk', operator: 'In', values: ['ssd'] }]);
    else if (k < 0.32) b.podAffinity({ labelSelector: { matchLabels: { app } }, topologyKey: HOST }, true);
    else if (k < 0.36) b.podAffinity({ labelSelector: { matchLabels: { app } }, topologyKey: ZONE });
    else if (k < 0.44)
      b.preferredPodAffinity(5, { labelSelector: { matchLabels: { app } }, topologyKey: HOST }, rand() < 0.5);
    else if (k < 0.52)
      b.spread({
        maxSkew: 1 + Math.floor(rand() * 3),
        topologyKey: rand() < 0.5 ? ZONE : HOST,
        whenUnsatisfiable: rand() < 0.5 ? 'DoNotSchedule' : 'ScheduleAnyway',
        labelSelector: { matchLabels: { app } },
      });
    else if (k < 0.55) b.hostPort(8080 + Math.floor(rand() * 3));
    out.push(b.build());
  }
  return out;
}

/** Schedules every pod in order; a preemptor deletes its victims and is retried once. */
function runGolden(): { lines: string[]; placed: number; preempted: number } {
  const rand = seedrandom.alea('kreplay-golden');
  const s = new Scheduler({ config: presetConfig('default-scheduler'), random: seedrandom.alea('tiebreak') });
  const ownerSel = (pod: Pod): LabelSelector[] => {
    const app = pod.metadata?.labels?.app;
    // Pods of app-0..3 belong to a ReplicaSet (system default spread constraints apply).
    return app && app < 'app-4' ? [{ matchLabels: { app } }] : [];
  };
  const preemptRand = seedrandom.alea('preemption');
  provideClusterLookups(s.index, {
    namespaceLabels: (ns) => ({ 'kubernetes.io/metadata.name': ns }),
    ownerSelectors: ownerSel,
    preemptionRandom: () => preemptRand(),
  });
  for (const n of goldenNodes(rand, 250)) s.addNode(n);
  const bound = new Map<string, Pod>();
  const lines: string[] = [];
  let placed = 0;
  let preempted = 0;
  const attempt = (pod: Pod): string => {
    const r = s.scheduleOne(pod);
    if (r.code === 'Success') {
      const b: Pod = { ...pod, spec: { ...pod.spec!, nodeName: r.nodeName } };
      s.addPod(b);
      bound.set(`${pod.metadata!.namespace}/${pod.metadata!.name}`, b);
      placed++;
      return `${r.nodeName} ${r.score} ${r.feasibleNodes}/${r.evaluatedNodes}`;
    }
    return `${r.code} ${r.nominatedNodeName ?? ''} [${(r.victims ?? []).map((v) => v.metadata?.name).join(',')}] ${r.message}`;
  };
  for (const pod of goldenPods(rand, 2500)) {
    const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
    let line = attempt(pod);
    const r = line.split(' ');
    if (r[0] === 'Unschedulable' && line.includes('[') && !line.includes('[]')) {
      // Victims: delete them, then retry the preemptor once.
      const names = line.slice(line.indexOf('[') + 1, line.indexOf(']')).split(',');
      for (const [k, b] of bound) {
        if (names.includes(b.metadata!.name!)) {
          s.removePod(b);
          bound.delete(k);
          preempted++;
        }
      }
      line += ' → ' + attempt(pod);
    }
    lines.push(`${key} ${line}`);
  }
  return { lines, placed, preempted };
}

test('golden: the bindings of a seeded mixed workload never change', (t) => {
  const { lines, placed, preempted } = runGolden();
  const hash = createHash('sha256').update(lines.join('\n')).digest('hex');
  // Sanity: the workload exercises placement, failure and preemption.
  t.true(placed > 1500, `placed ${placed}`);
  t.true(preempted > 0, `preempted ${preempted}`);
  t.true(lines.some((l) => l.includes('Unschedulable')));
  t.is(hash, '0eaea27e7020a487cfba501c4933f6f1afa639c6d6ca0210697524bc3a5d250e');
});
