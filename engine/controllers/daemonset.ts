import type { Store, WatchEvent } from '../api/store.js';
import type { DaemonSet, Node, Pod, PodSpec, Toleration } from '../api/types.js';
import {
  controllerRef,
  isPodActive,
  isPodReady,
  keyOf,
  podFromTemplate,
  type OwnerIndex,
} from './objects.js';
import { nodeMatches, taintsTolerated } from './scheduling.js';
import type { Controller, ControllerContext } from './types.js';

/** Name of the DaemonSet controller. */
export const DAEMONSET_CONTROLLER = 'daemonset-controller';

/** Tolerations the DaemonSet controller adds to every daemon pod (Kubernetes' `util.AddOrUpdateDaemonPodTolerations`). */
export const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** The node a daemon pod is meant for: its nodeName, or the `metadata.name` of its required affinity. */
export function daemonPodNode(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return terms?.[0]?.matchFields?.find((f) => f.key === 'metadata.name')?.values?.[0];
}

/**
 * The DaemonSet controller: one pod per eligible node (nodeSelector, required node affinity, taints
 * tolerated with the daemon tolerations added), created unscheduled with a required node affinity on
 * `metadata.name` so that the scheduler places it, as Kubernetes does. Follows node additions,
 * removals and label/taint changes; deletes pods of nodes that no longer qualify or exist. Rolling
 * updates of the template are not modelled (existing pods keep their template).
 */
export class DaemonSetController implements Controller {
  readonly name = DAEMONSET_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #store: Store;
  readonly #owners: OwnerIndex;

  constructor(ctx: ControllerContext, owners: OwnerIndex) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#owners = owners;
    ctx.store.watch('DaemonSet', undefined, (ev) => {
      if (ev.type !== 'DELETED') ctx.enqueue(this.name, ev.key);
    });
    ctx.store.watch('Node', undefined, (ev) => this.#onNode(ev));
    ctx.store.watch('Pod', undefined, (ev) => {
      const ref = controllerRef(ev.object);
      if (ref?.kind !== 'DaemonSet') return;
      if (ev.type === 'MODIFIED' && (ev.old as Pod).status?.phase === (ev.object as Pod).status?.phase)
        return;
      ctx.enqueue(this.name, `${ev.object.metadata!.namespace!}/${ref.name}`);
    });
  }

  #onNode(ev: WatchEvent): void {
    if (ev.type === 'MODIFIED') {
      const a = ev.old as Node;
      const b = ev.object as Node;
      if (a.metadata?.labels === b.metadata?.labels && a.spec?.taints === b.spec?.taints) return;
    }
    this.resync();
  }

  resync(): void {
    for (const ds of this.#store.values('DaemonSet')) this.#ctx.enqueue(this.name, keyOf(ds));
  }

  #podSpec(ds: DaemonSet, node: string): PodSpec {
    const spec = ds.spec!.template.spec!;
    const tolerations = [...(spec.tolerations ?? [])];
    for (const t of DAEMON_TOLERATIONS)
      if (!tolerations.some((x) => x.key === t.key && x.effect === t.effect)) tolerations.push(t);
    return {
      ...spec,
      tolerations,
      affinity: {
        ...spec.affinity,
        nodeAffinity: {
          ...spec.affinity?.nodeAffinity,
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
          },
        },
      },
    };
  }

  sync(key: string): void {
    const ds = this.#store.getByKey<DaemonSet>('DaemonSet', key);
    if (!ds) return;
    const spec = ds.spec!.template.spec;
    const tolerations = [...(spec?.tolerations ?? []), ...DAEMON_TOLERATIONS];
    const byNode = new Map<string, Pod[]>();
    for (const p of this.#owners.controlled<Pod>(ds.metadata!.uid!, 'Pod')) {
      const n = daemonPodNode(p) ?? '';
      if (!isPodActive(p)) {
        // A failed daemon pod is deleted so that a new one replaces it.
        if (p.status?.phase === 'Failed')
          this.#ctx.tryDelete('Pod', p.metadata!.name!, p.metadata!.namespace);
        continue;
      }
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    let desired = 0;
    let failed = false;
    const seen = new Set<string>();
    for (const node of this.#store.values<Node>('Node')) {
      const name = node.metadata!.name!;
      seen.add(name);
      const should = nodeMatches(spec, node) && taintsTolerated(tolerations, node);
      const pods = byNode.get(name) ?? [];
      if (should) {
        desired++;
        if (pods.length === 0 && !failed) {
          const pod = this.#ctx.tryCreate(
            this.name,
            podFromTemplate(
              ds.spec!.template,
              ds,
              { generateName: `${ds.metadata!.name!}-` },
              { spec: this.#podSpec(ds, name) },
            ),
          );
          if (pod) byNode.set(name, [pod]);
          else failed = true;
        }
        for (const extra of pods.slice(1))
          this.#ctx.tryDelete('Pod', extra.metadata!.name!, extra.metadata!.namespace);
      } else {
        for (const p of pods) this.#ctx.tryDelete('Pod', p.metadata!.name!, p.metadata!.namespace);
        byNode.delete(name);
      }
    }
    for (const [n, pods] of byNode) {
      if (seen.has(n)) continue;
      for (const p of pods) this.#ctx.tryDelete('Pod', p.metadata!.name!, p.metadata!.namespace);
      byNode.delete(n);
    }
    if (failed) this.#ctx.retry(this.name, key);
    else this.#ctx.forget(this.name, key);
    const current = [...byNode.values()].map((ps) => ps[0]!);
    const status = {
      desiredNumberScheduled: desired,
      currentNumberScheduled: current.length,
      numberMisscheduled: 0,
      numberReady: current.filter(isPodReady).length,
      numberAvailable: current.filter(isPodReady).length,
      observedGeneration: ds.metadata!.generation ?? 1,
    };
    const s = ds.status as Record<string, unknown> | undefined;
    if (s && Object.entries(status).every(([k, v]) => s[k] === v)) return;
    this.#store.update<DaemonSet>({ ...ds, status: { ...ds.status, ...status } });
  }
}
