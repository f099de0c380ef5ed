import type { Store, WatchEvent } from '../api/store.js';
import { compileLabelSelector } from '../api/selector.js';
import type { Pod, ReplicaSet } from '../api/types.js';
import { controllerRef, isPodActive, isPodReady, podFromTemplate, type OwnerIndex } from './objects.js';
import type { Controller, ControllerContext } from './types.js';

/** Name of the ReplicaSet controller (work queue, `by` of its rejections). */
export const REPLICASET_CONTROLLER = 'replicaset-controller';

/**
 * The `n` pods to delete on scale-down, in Kubernetes' order (`controller.ActivePods`, simplified):
 * unscheduled before scheduled, not ready before ready, then the most recently created first.
 * `pods` must be in creation order.
 */
export function podsToDelete(pods: readonly Pod[], n: number): Pod[] {
  const rank = pods.map((p, i) => ({ p, i, s: p.spec?.nodeName ? 1 : 0, r: isPodReady(p) ? 1 : 0 }));
  rank.sort((a, b) => a.s - b.s || a.r - b.r || b.i - a.i);
  return rank.slice(0, n).map((x) => x.p);
}

/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods owned by each ReplicaSet. Pods are
 * created one by one until the first refusal (Kubernetes' slowStartBatch stops creating after a
 * failed batch); a refusal is logged and the key retried with the work-queue backoff. Orphans are
 * not adopted. Status: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas
 * (minReadySeconds is not modelled: ready is available).
 */
export class ReplicaSetController implements Controller {
  readonly name = REPLICASET_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #store: Store;
  readonly #owners: OwnerIndex;

  constructor(ctx: ControllerContext, owners: OwnerIndex) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#owners = owners;
    ctx.store.watch('ReplicaSet', undefined, (ev) => {
      if (ev.type !== 'DELETED') ctx.enqueue(this.name, ev.key);
    });
    ctx.store.watch('Pod', undefined, (ev) => this.#onPod(ev));
  }

  #onPod(ev: WatchEvent): void {
    const ref = controllerRef(ev.object);
    if (ref?.kind !== 'ReplicaSet') return;
    if (ev.type === 'MODIFIED') {
      const a = ev.old as Pod;
      const b = ev.object as Pod;
      if (isPodActive(a) === isPodActive(b) && isPodReady(a) === isPodReady(b)) return;
    }
    this.#ctx.enqueue(this.name, `${ev.object.metadata!.namespace!}/${ref.name}`);
  }

  resync(): void {
    for (const rs of this.#store.values('ReplicaSet')) {
      this.#ctx.enqueue(this.name, `${rs.metadata!.namespace!}/${rs.metadata!.name!}`);
    }
  }

  sync(key: string): void {
    const rs = this.#store.getByKey<ReplicaSet>('ReplicaSet', key);
    if (!rs) return;
    const uid = rs.metadata!.uid!;
    const selector = compileLabelSelector(rs.spec?.selector, 'spec.selector');
    const pods = this.#owners.controlled<Pod>(uid, 'Pod').filter(isPodActive);
    const want = rs.spec?.replicas ?? 1;
    let failed = false;
    if (pods.length < want) {
      for (let i = pods.length; i < want; i++) {
        const pod = this.#ctx.tryCreate(
          this.name,
          podFromTemplate(rs.spec?.template, rs, { generateName: `${rs.metadata!.name!}-` }),
        );
        if (!pod) {
          failed = true;
          break;
        }
        pods.push(pod);
      }
    } else if (pods.length > want) {
      const victims = podsToDelete(pods, pods.length - want);
      for (const v of victims) this.#ctx.tryDelete('Pod', v.metadata!.name!, v.metadata!.namespace);
      const gone = new Set(victims);
      pods.splice(0, pods.length, ...pods.filter((p) => !gone.has(p)));
    }
    if (failed) this.#ctx.retry(this.name, key);
    else this.#ctx.forget(this.name, key);
    this.#updateStatus(rs, pods, selector);
  }

  #updateStatus(
    rs: ReplicaSet,
    pods: Pod[],
    selector: (l: Record<string, string> | undefined) => boolean,
  ): void {
    const ready = pods.filter(isPodReady).length;
    const status = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) => selector(p.metadata?.labels)).length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata!.generation ?? 1,
    };
    const s = rs.status;
    if (
      s?.replicas === status.replicas &&
      s.fullyLabeledReplicas === status.fullyLabeledReplicas &&
      s.readyReplicas === status.readyReplicas &&
      s.availableReplicas === status.availableReplicas &&
      s.observedGeneration === status.observedGeneration
    ) {
      return;
    }
    this.#store.update<ReplicaSet>({ ...rs, status: { ...s, ...status } });
  }
}
