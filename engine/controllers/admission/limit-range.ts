import { ForbiddenError } from '../../api/errors.js';
import { resourceAmount } from '../../api/quantity.js';
import { podRequests } from '../../api/resources.js';
import type { Store, Verb } from '../../api/store.js';
import { objectKey, type Container, type KObject, type LimitRange, type Pod } from '../../api/types.js';
import { formatAmount } from './quantities.js';

type Quantities = Record<string, string>;

function withDefaults(
  c: Container,
  defaults: Quantities | undefined,
  defaultRequests: Quantities | undefined,
): Container {
  const limits: Quantities = { ...(c.resources?.limits as Quantities | undefined) };
  const requests: Quantities = { ...(c.resources?.requests as Quantities | undefined) };
  let changed = false;
  for (const [r, v] of Object.entries(defaults ?? {})) {
    if (limits[r] === undefined) {
      limits[r] = v;
      changed = true;
    }
  }
  for (const [r, v] of Object.entries(defaultRequests ?? {})) {
    if (requests[r] === undefined) {
      requests[r] = v;
      changed = true;
    }
  }
  // Kubernetes defaults a missing request to the limit.
  for (const [r, v] of Object.entries(limits)) {
    if (requests[r] === undefined) {
      requests[r] = v;
      changed = true;
    }
  }
  if (!changed) return c;
  return {
    ...c,
    resources: {
      ...c.resources,
      ...(Object.keys(limits).length ? { limits } : {}),
      ...(Object.keys(requests).length ? { requests } : {}),
    },
  };
}

function amount(res: string, q: unknown): number {
  return resourceAmount(res, q as string, res);
}

/**
 * LimitRange: a mutating plugin that fills container `default` limits and `defaultRequest` requests
 * (a request still missing then defaults to the limit), and a validating plugin enforcing `min`,
 * `max` and `maxLimitRequestRatio` for type Container and `min`/`max` for type Pod, on pod creation,
 * with Kubernetes' messages (`minimum cpu usage per Container is 100m, but request is 50m`).
 */
export function installLimitRanger(store: Store): void {
  store.admission.mutating.push((op: Verb, obj: KObject) => {
    if (op !== 'create' || obj.kind !== 'Pod') return;
    const ranges = store.list<LimitRange>('LimitRange', { namespace: obj.metadata?.namespace ?? 'default' });
    if (ranges.length === 0) return;
    const pod = obj as Pod;
    let spec = pod.spec!;
    for (const lr of ranges) {
      for (const item of lr.spec?.limits ?? []) {
        if (item.type !== 'Container') continue;
        const d = item.default as Quantities | undefined;
        const dr = item.defaultRequest as Quantities | undefined;
        if (!d && !dr) continue;
        spec = {
          ...spec,
          containers: spec.containers.map((c) => withDefaults(c, d, dr)),
          ...(spec.initContainers
            ? { initContainers: spec.initContainers.map((c) => withDefaults(c, d, dr)) }
            : {}),
        };
      }
    }
    if (spec !== pod.spec) pod.spec = spec;
  });

  store.admission.validating.push((op: Verb, obj: KObject) => {
    if (op !== 'create' || obj.kind !== 'Pod') return;
    const ranges = store.list<LimitRange>('LimitRange', { namespace: obj.metadata?.namespace ?? 'default' });
    if (ranges.length === 0) return;
    const pod = obj as Pod;
    const fail = (msg: string): never => {
      throw new ForbiddenError('Pod', objectKey(obj), msg);
    };
    for (const lr of ranges) {
      for (const item of lr.spec?.limits ?? []) {
        if (item.type === 'Container') {
          for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
            const req = c.resources?.requests ?? {};
            const lim = c.resources?.limits ?? {};
            for (const [r, q] of Object.entries(item.min ?? {})) {
              const m = amount(r, q);
              if (req[r] !== undefined && amount(r, req[r]) < m)
                fail(
                  `minimum ${r} usage per Container is ${formatAmount(r, m)}, but request is ${formatAmount(r, amount(r, req[r]))}`,
                );
              if (req[r] === undefined && lim[r] === undefined)
                fail(`minimum ${r} usage per Container is ${formatAmount(r, m)}, but request is unspecified`);
            }
            for (const [r, q] of Object.entries(item.max ?? {})) {
              const m = amount(r, q);
              if (lim[r] === undefined)
                fail(`maximum ${r} usage per Container is ${formatAmount(r, m)}, but limit is unspecified`);
              else if (amount(r, lim[r]) > m)
                fail(
                  `maximum ${r} usage per Container is ${formatAmount(r, m)}, but limit is ${formatAmount(r, amount(r, lim[r]))}`,
                );
            }
            for (const [r, q] of Object.entries(item.maxLimitRequestRatio ?? {})) {
              if (lim[r] === undefined || req[r] === undefined) continue;
              const ratio = amount(r, lim[r]) / amount(r, req[r]);
              const maxRatio = Number(q);
              if (ratio > maxRatio)
                fail(
                  `${r} max limit to request ratio per Container is ${q}, but provided ratio is ${ratio.toFixed(6)}`,
                );
            }
          }
        } else if (item.type === 'Pod') {
          const req = podRequests(pod);
          const lim = podRequests(pod, 'limits');
          for (const [r, q] of Object.entries(item.min ?? {})) {
            const m = amount(r, q);
            if ((req.get(r) ?? 0) < m)
              fail(
                `minimum ${r} usage per Pod is ${formatAmount(r, m)}, but request is ${formatAmount(r, req.get(r) ?? 0)}`,
              );
          }
          for (const [r, q] of Object.entries(item.max ?? {})) {
            const m = amount(r, q);
            if ((lim.get(r) ?? 0) > m)
              fail(
                `maximum ${r} usage per Pod is ${formatAmount(r, m)}, but limit is ${formatAmount(r, lim.get(r) ?? 0)}`,
              );
          }
        }
      }
    }
  });
}
