import { ForbiddenError } from '../../api/errors.js';
import { milliValueExact, parseQuantity } from '../../api/quantity.js';
import { podRequests, type ResourceList } from '../../api/resources.js';
import type { Store, Verb, WatchEvent } from '../../api/store.js';
import { objectKey, type KObject, type Pod, type ResourceQuota } from '../../api/types.js';
import { isPodActive } from '../objects.js';
import type { Controller, ControllerContext } from '../types.js';
import { formatAmount, parseAmount } from './quantities.js';

/** Name of the quota status controller. */
export const RESOURCEQUOTA_CONTROLLER = 'resourcequota-controller';

/** `count/<resource>` names of the kinds kreplay stores (`count/pods`, `count/deployments.apps`, …). */
export const COUNT_RESOURCE: Readonly<Record<string, string>> = {
  Pod: 'pods',
  Service: 'services',
  ResourceQuota: 'resourcequotas',
  LimitRange: 'limitranges',
  ReplicaSet: 'replicasets.apps',
  Deployment: 'deployments.apps',
  DaemonSet: 'daemonsets.apps',
  StatefulSet: 'statefulsets.apps',
  Job: 'jobs.batch',
  CronJob: 'cronjobs.batch',
  PodDisruptionBudget: 'poddisruptionbudgets.policy',
};

/** Legacy object-count names (`services: 10`). */
const LEGACY_COUNT: Readonly<Record<string, string>> = {
  Service: 'services',
  ResourceQuota: 'resourcequotas',
};

function isBestEffort(pod: Pod): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  // As GetPodQOS: only cpu or memory requests and limits above zero make a pod not BestEffort.
  const positive = (q: string | number | undefined): boolean =>
    q !== undefined && milliValueExact(parseQuantity(q)) > 0n;
  return all.every((c) => {
    const r = c.resources;
    return !['cpu', 'memory'].some((n) => positive(r?.requests?.[n]) || positive(r?.limits?.[n]));
  });
}

/** Whether a pod falls within a quota's scopes (`spec.scopes` and `spec.scopeSelector`, ANDed). */
export function podMatchesScopes(quota: ResourceQuota, pod: Pod): boolean {
  for (const scope of quota.spec?.scopes ?? []) if (!scopeMatches(scope, 'Exists', [], pod)) return false;
  for (const e of quota.spec?.scopeSelector?.matchExpressions ?? []) {
    if (!scopeMatches(e.scopeName, e.operator, e.values ?? [], pod)) return false;
  }
  return true;
}

function scopeMatches(scope: string, operator: string, values: string[], pod: Pod): boolean {
  switch (scope) {
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'Terminating':
      return pod.spec?.activeDeadlineSeconds != null;
    case 'NotTerminating':
      return pod.spec?.activeDeadlineSeconds == null;
    case 'PriorityClass': {
      const name = pod.spec?.priorityClassName;
      switch (operator) {
        case 'In':
          return name !== undefined && values.includes(name);
        case 'NotIn':
          return name === undefined || !values.includes(name);
        case 'Exists':
          return name !== undefined && name !== '';
        case 'DoesNotExist':
          return name === undefined || name === '';
        default:
          return false;
      }
    }
    default:
      return false;
  }
}

function isScoped(q: ResourceQuota): boolean {
  return (q.spec?.scopes?.length ?? 0) > 0 || (q.spec?.scopeSelector?.matchExpressions?.length ?? 0) > 0;
}

/**
 * What an object charges against one tracked resource name of a quota (0 for what it does not use).
 * Pods: `pods`, `count/pods`, `cpu`/`requests.cpu`, `memory`/`requests.memory`, `limits.*`,
 * `requests.<extended>` (and bare extended names), `ephemeral-storage`. Other kinds: object counts.
 * `requests.storage` is accepted but nothing charges it (the store has no PersistentVolumeClaims).
 */
export function charge(
  quota: ResourceQuota,
  obj: KObject,
  resource: string,
  memo: { req?: ResourceList; lim?: ResourceList },
): number {
  const kind = obj.kind ?? '';
  if (kind !== 'Pod') {
    if (isScoped(quota)) return 0;
    return resource === `count/${COUNT_RESOURCE[kind] ?? '?'}` || resource === LEGACY_COUNT[kind] ? 1 : 0;
  }
  const pod = obj as Pod;
  if (!isPodActive(pod) || !podMatchesScopes(quota, pod)) return 0;
  if (resource === 'pods' || resource === 'count/pods') return 1;
  if (
    resource.startsWith('count/') ||
    resource === 'requests.storage' ||
    resource === 'persistentvolumeclaims'
  )
    return 0;
  if (resource.startsWith('limits.'))
    return (memo.lim ??= podRequests(pod, 'limits')).get(resource.slice(7)) ?? 0;
  const name = resource.startsWith('requests.') ? resource.slice(9) : resource;
  return (memo.req ??= podRequests(pod)).get(name) ?? 0;
}

interface QuotaState {
  hard: Map<string, number>;
  used: Map<string, number>;
}

/**
 * ResourceQuota: the admission check (a validating plugin on create) and the quota controller that
 * keeps `status.used` current. Usage is tallied incrementally from watches — charged when an object
 * is created, released when a pod terminates (Succeeded/Failed) or any object is deleted — and
 * recounted from the store when a quota is created or its `spec.hard` changes. A create that would
 * take any tracked resource over `hard` is refused with Kubernetes' message:
 * `exceeded quota: q, requested: pods=1, used: pods=6, limited: pods=6`.
 */
export class ResourceQuotaAdmission implements Controller {
  readonly name = RESOURCEQUOTA_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #store: Store;
  /** Quota key → hard limits and tally. */
  readonly #quotas = new Map<string, QuotaState>();
  /** Namespace → quota keys in it. */
  readonly #byNs = new Map<string, string[]>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    for (const q of ctx.store.values<ResourceQuota>('ResourceQuota'))
      this.#recount(q, objectKey(q as KObject));
    ctx.store.watch('*', undefined, (ev) => this.#onEvent(ev));
    ctx.store.admission.validating.push((op, obj) => this.#admit(op, obj));
  }

  #onEvent(ev: WatchEvent): void {
    if (ev.kind === 'ResourceQuota') {
      const q = ev.object as ResourceQuota;
      if (ev.type === 'DELETED') {
        this.#quotas.delete(ev.key);
        const ns = q.metadata!.namespace!;
        const rest = (this.#byNs.get(ns) ?? []).filter((k) => k !== ev.key);
        if (rest.length) this.#byNs.set(ns, rest);
        else this.#byNs.delete(ns);
      } else if (ev.type === 'ADDED' || (ev.old as ResourceQuota).spec?.hard !== q.spec?.hard) {
        this.#recount(q, ev.key);
        this.#ctx.enqueue(this.name, ev.key);
      }
    }
    const ns = ev.object.metadata?.namespace;
    const keys = ns === undefined ? undefined : this.#byNs.get(ns);
    if (!keys) return;
    for (const key of keys) {
      const state = this.#quotas.get(key)!;
      const quota = this.#store.getByKey<ResourceQuota>('ResourceQuota', key);
      if (!quota || (ev.kind === 'ResourceQuota' && ev.key === key && ev.type !== 'DELETED')) continue;
      let changed = false;
      const mNew = {};
      const mOld = {};
      for (const [res, used] of state.used) {
        const after = ev.type === 'DELETED' ? 0 : charge(quota, ev.object, res, mNew);
        const before = ev.old ? charge(quota, ev.old, res, mOld) : 0;
        if (after !== before) {
          state.used.set(res, used + after - before);
          changed = true;
        }
      }
      if (changed) this.#ctx.enqueue(this.name, key);
    }
  }

  #recount(q: ResourceQuota, key: string): void {
    const ns = q.metadata!.namespace!;
    const hard = new Map<string, number>();
    for (const [res, v] of Object.entries(q.spec?.hard ?? {}))
      hard.set(res, parseAmount(res, v as string, `spec.hard.${res}`));
    const used = new Map<string, number>();
    for (const res of hard.keys()) used.set(res, 0);
    for (const kind of ['Pod', ...Object.keys(COUNT_RESOURCE).filter((k) => k !== 'Pod')]) {
      for (const obj of this.#store.list(kind, { namespace: ns })) {
        const memo = {};
        for (const res of hard.keys()) used.set(res, used.get(res)! + charge(q, { ...obj, kind }, res, memo));
      }
    }
    if (!this.#quotas.has(key)) this.#byNs.set(ns, [...(this.#byNs.get(ns) ?? []), key]);
    this.#quotas.set(key, { hard, used });
  }

  #admit(op: Verb, obj: KObject): void {
    if (op !== 'create') return;
    const ns = obj.metadata?.namespace;
    const keys = ns === undefined ? undefined : this.#byNs.get(ns);
    if (!keys) return;
    for (const key of keys) {
      const quota = this.#store.getByKey<ResourceQuota>('ResourceQuota', key);
      const state = this.#quotas.get(key);
      if (!quota || !state) continue;
      const exceeded: string[] = [];
      const requested = new Map<string, number>();
      const memo = {};
      for (const [res, hard] of state.hard) {
        const c = charge(quota, obj, res, memo);
        if (c === 0) continue;
        requested.set(res, c);
        if (state.used.get(res)! + c > hard) exceeded.push(res);
      }
      if (exceeded.length === 0) continue;
      exceeded.sort();
      const fmt = (f: (r: string) => number): string =>
        exceeded.map((r) => `${r}=${formatAmount(r, f(r))}`).join(',');
      throw new ForbiddenError(
        obj.kind ?? '',
        objectKey(obj),
        `exceeded quota: ${quota.metadata!.name!}, requested: ${fmt((r) => requested.get(r)!)}, used: ${fmt((r) => state.used.get(r)!)}, limited: ${fmt((r) => state.hard.get(r)!)}`,
      );
    }
  }

  /** The tallied usage of a quota (`namespace/name`), in canonical units. */
  used(key: string): ReadonlyMap<string, number> | undefined {
    return this.#quotas.get(key)?.used;
  }

  resync(): void {
    for (const key of this.#quotas.keys()) this.#ctx.enqueue(this.name, key);
  }

  /** Writes `status.hard` and `status.used` when they differ from the tally. */
  sync(key: string): void {
    const q = this.#store.getByKey<ResourceQuota>('ResourceQuota', key);
    const state = this.#quotas.get(key);
    if (!q || !state) return;
    const used: Record<string, string> = {};
    for (const [res, v] of state.used) used[res] = formatAmount(res, v);
    const hard = q.spec?.hard ?? {};
    const s = q.status;
    if (
      s?.hard === hard &&
      s.used &&
      Object.keys(used).every((r) => s.used![r] === used[r]) &&
      Object.keys(s.used).length === Object.keys(used).length
    ) {
      return;
    }
    this.#store.update<ResourceQuota>({ ...q, status: { hard, used } });
  }
}
