import type { Store } from '../api/store.js';
import type { Pod, StatefulSet } from '../api/types.js';
import { controllerRef, isPodActive, isPodReady, keyOf, podFromTemplate } from './objects.js';
import type { Controller, ControllerContext } from './types.js';

/** Name of the StatefulSet controller. */
export const STATEFULSET_CONTROLLER = 'statefulset-controller';

/**
 * The StatefulSet controller: pods `<name>-0 … <name>-(n-1)` with stable names, `hostname` and
 * `subdomain` (the serviceName). OrderedReady (default) creates ordinal i only once 0 … i-1 are
 * Running and Ready, and scales down from the highest ordinal one at a time; Parallel creates and
 * deletes all at once. A pod that terminated is deleted and re-created under the same name.
 * Update strategies and volume claim templates are not modelled.
 */
export class StatefulSetController implements Controller {
  readonly name = STATEFULSET_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #store: Store;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    ctx.store.watch('StatefulSet', undefined, (ev) => {
      if (ev.type !== 'DELETED') ctx.enqueue(this.name, ev.key);
    });
    ctx.store.watch('Pod', undefined, (ev) => {
      const ref = controllerRef(ev.object);
      if (ref?.kind !== 'StatefulSet') return;
      if (ev.type === 'MODIFIED' && (ev.old as Pod).status?.phase === (ev.object as Pod).status?.phase)
        return;
      ctx.enqueue(this.name, `${ev.object.metadata!.namespace!}/${ref.name}`);
    });
  }

  resync(): void {
    for (const s of this.#store.values('StatefulSet')) this.#ctx.enqueue(this.name, keyOf(s));
  }

  sync(key: string): void {
    const sts = this.#store.getByKey<StatefulSet>('StatefulSet', key);
    if (!sts) return;
    const ns = sts.metadata!.namespace!;
    const base = sts.metadata!.name!;
    const uid = sts.metadata!.uid!;
    const replicas = sts.spec?.replicas ?? 1;
    const parallel = sts.spec?.podManagementPolicy === 'Parallel';
    const podAt = (i: number): Pod | undefined => {
      const p = this.#store.get<Pod>('Pod', `${base}-${i}`, ns);
      return p && controllerRef(p)?.uid === uid ? p : undefined;
    };
    let failed = false;
    for (let i = 0; i < replicas; i++) {
      let pod = podAt(i);
      if (pod && !isPodActive(pod)) {
        this.#ctx.tryDelete('Pod', pod.metadata!.name!, ns);
        pod = undefined;
        if (!parallel) break;
        continue;
      }
      if (!pod) {
        const name = `${base}-${i}`;
        const tpl = sts.spec!.template;
        const created = this.#ctx.tryCreate(
          this.name,
          podFromTemplate(
            tpl,
            sts,
            { name },
            {
              labels: {
                'statefulset.kubernetes.io/pod-name': name,
                'apps.kubernetes.io/pod-index': String(i),
              },
              spec: {
                ...tpl.spec!,
                hostname: name,
                ...(sts.spec?.serviceName ? { subdomain: sts.spec.serviceName } : {}),
              },
            },
          ),
        );
        if (!created) {
          failed = true;
          break;
        }
        if (!parallel) break;
        continue;
      }
      if (!parallel && !isPodReady(pod)) break;
    }
    // Scale down: ordinals ≥ replicas, highest first.
    const extra = this.#store
      .list<Pod>('Pod', { namespace: ns })
      .filter((p) => controllerRef(p)?.uid === uid)
      .map((p) => ({ p, i: Number(p.metadata!.name!.slice(base.length + 1)) }))
      .filter((x) => x.i >= replicas)
      .sort((a, b) => b.i - a.i);
    for (const { p } of parallel ? extra : extra.slice(0, 1))
      this.#ctx.tryDelete('Pod', p.metadata!.name!, ns);
    if (failed) this.#ctx.retry(this.name, key);
    else this.#ctx.forget(this.name, key);

    const pods = Array.from({ length: replicas }, (_, i) => podAt(i)).filter(
      (p): p is Pod => p !== undefined && isPodActive(p),
    );
    const status = {
      replicas: pods.length,
      readyReplicas: pods.filter(isPodReady).length,
      currentReplicas: pods.length,
      availableReplicas: pods.filter(isPodReady).length,
      observedGeneration: sts.metadata!.generation ?? 1,
    };
    const s = sts.status as Record<string, unknown> | undefined;
    if (s && Object.entries(status).every(([k, v]) => s[k] === v)) return;
    this.#store.update<StatefulSet>({ ...sts, status: { ...sts.status, ...status } });
  }
}
