import { ValidationError } from '../api/errors.js';
import type { Store, WatchEvent } from '../api/store.js';
import type { Deployment, LabelSelector, Pod, ReplicaSet } from '../api/types.js';
import { canonicalJson } from '../sim/canonical.js';
import {
  controllerRef,
  isPodActive,
  isPodReady,
  ownerRefTo,
  type OwnerIndex,
  type PodTemplate,
} from './objects.js';
import type { Controller, ControllerContext } from './types.js';

/** Name of the Deployment controller. */
export const DEPLOYMENT_CONTROLLER = 'deployment-controller';
/** Label carrying the template hash on ReplicaSets and their pods. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** Annotation carrying a ReplicaSet's revision. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The pod-template hash as Kubernetes computes it in spirit: FNV-32a over the template (here its
 * canonical JSON, Kubernetes hashes its Go dump) and the collision count, written with
 * `rand.SafeEncodeString` of the decimal value. Equal templates give equal hashes.
 */
export function podTemplateHash(template: PodTemplate | undefined, collisionCount = 0): string {
  const text = canonicalJson(template ?? {}) + (collisionCount ? String(collisionCount) : '');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let out = '';
  for (const ch of String(h)) out += SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length]!;
  return out;
}

/**
 * Resolves an int-or-percent against `total`; percentages round up for surge, down otherwise. A string
 * that is not a percentage throws, as intstr's GetScaledValueFromIntOrPercent errors (the store
 * refuses such a Deployment at create, so a sync never sees one).
 */
export function intOrPercent(
  v: number | string | undefined,
  total: number,
  roundUp: boolean,
  dflt: string,
): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  if (!x.endsWith('%'))
    throw new ValidationError(
      '',
      'invalid value for IntOrString: invalid type: string is not a percentage',
      'INVALID_INT_OR_PERCENT',
    );
  const m = /^(\d+)%$/.exec(x);
  if (!m)
    throw new ValidationError(
      '',
      `invalid value for IntOrString: invalid value ${JSON.stringify(x)}`,
      'INVALID_INT_OR_PERCENT',
    );
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** maxSurge and maxUnavailable of a Deployment (both 0 makes maxUnavailable 1, as Kubernetes does). */
export function surgeAndUnavailable(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const replicas = d.spec?.replicas ?? 1;
  const ru = d.spec?.strategy?.rollingUpdate;
  const maxSurge = intOrPercent(ru?.maxSurge, replicas, true, '25%');
  let maxUnavailable = intOrPercent(ru?.maxUnavailable, replicas, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}

function revision(rs: ReplicaSet): number {
  return Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
}

interface RsView {
  rs: ReplicaSet;
  spec: number;
  active: number;
  ready: number;
}

/**
 * The Deployment controller: one ReplicaSet per pod-template hash (`<name>-<hash>`), revisions in
 * `deployment.kubernetes.io/revision`, RollingUpdate within maxSurge/maxUnavailable, Recreate,
 * scaling, revisionHistoryLimit. Counts use the pods actually present (the store is the cache), so
 * the total never exceeds replicas + maxSurge even while a ReplicaSet has not caught up. Proportional
 * scaling in the middle of a rollout, pause and progressDeadlineSeconds are not modelled.
 */
export class DeploymentController implements Controller {
  readonly name = DEPLOYMENT_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #store: Store;
  readonly #owners: OwnerIndex;

  constructor(ctx: ControllerContext, owners: OwnerIndex) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#owners = owners;
    ctx.store.watch('Deployment', undefined, (ev) => {
      if (ev.type !== 'DELETED') ctx.enqueue(this.name, ev.key);
    });
    ctx.store.watch('ReplicaSet', undefined, (ev) => this.#onOwned(ev));
  }

  #onOwned(ev: WatchEvent): void {
    const ref = controllerRef(ev.object);
    if (ref?.kind === 'Deployment')
      this.#ctx.enqueue(this.name, `${ev.object.metadata!.namespace!}/${ref.name}`);
  }

  resync(): void {
    for (const d of this.#store.values('Deployment')) {
      this.#ctx.enqueue(this.name, `${d.metadata!.namespace!}/${d.metadata!.name!}`);
    }
  }

  #view(rs: ReplicaSet): RsView {
    const pods = this.#owners.controlled<Pod>(rs.metadata!.uid!, 'Pod').filter(isPodActive);
    return { rs, spec: rs.spec?.replicas ?? 1, active: pods.length, ready: pods.filter(isPodReady).length };
  }

  #scale(v: RsView, replicas: number): void {
    if (v.spec === replicas) return;
    v.rs = this.#store.update<ReplicaSet>({ ...v.rs, spec: { ...v.rs.spec!, replicas } });
    v.spec = replicas;
  }

  sync(key: string): void {
    const d = this.#store.getByKey<Deployment>('Deployment', key);
    if (!d) return;
    const replicas = d.spec?.replicas ?? 1;
    const hash = podTemplateHash(d.spec?.template, d.status?.collisionCount ?? 0);
    const all = this.#owners
      .controlled<ReplicaSet>(d.metadata!.uid!, 'ReplicaSet')
      .map((rs) => this.#view(rs));
    let newV = all.find((v) => v.rs.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] === hash);
    const old = all.filter((v) => v !== newV);
    const maxOldRevision = old.reduce((m, v) => Math.max(m, revision(v.rs)), 0);
    const recreate = d.spec?.strategy?.type === 'Recreate';
    const { maxSurge, maxUnavailable } = surgeAndUnavailable(d);

    if (!newV) {
      const total = all.reduce((s, v) => s + Math.max(v.spec, v.active), 0);
      const oldActive = old.reduce((s, v) => s + v.active + v.spec, 0);
      const initial = recreate
        ? oldActive > 0
          ? 0
          : replicas
        : Math.max(0, Math.min(replicas + maxSurge - total, replicas));
      const rs = this.#createReplicaSet(d, hash, initial, maxOldRevision + 1);
      if (!rs) return;
      newV = { rs, spec: initial, active: 0, ready: 0 };
      all.push(newV);
    } else if (revision(newV.rs) <= maxOldRevision) {
      // A rollback to an older template: its ReplicaSet becomes the newest revision again.
      const annotations = {
        ...newV.rs.metadata!.annotations,
        [REVISION_ANNOTATION]: String(maxOldRevision + 1),
      };
      newV.rs = this.#store.update<ReplicaSet>({
        ...newV.rs,
        metadata: { ...newV.rs.metadata!, annotations },
      });
    }

    if (recreate) {
      for (const v of old) this.#scale(v, 0);
      if (old.every((v) => v.active === 0)) this.#scale(newV, replicas);
    } else if (!this.#reconcileNew(newV, all, replicas, maxSurge)) {
      this.#reconcileOld(newV, old, all, replicas, maxUnavailable);
    }
    this.#cleanup(d, old);
    this.#updateStatus(d, all, newV);
  }

  #createReplicaSet(d: Deployment, hash: string, replicas: number, rev: number): ReplicaSet | undefined {
    const tpl = d.spec?.template ?? {};
    const labels = { ...tpl.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const selector: LabelSelector = {
      ...d.spec?.selector,
      matchLabels: { ...d.spec?.selector?.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash },
    };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata!.name!}-${hash}`,
        namespace: d.metadata!.namespace!,
        labels,
        annotations: {
          [REVISION_ANNOTATION]: String(rev),
          'deployment.kubernetes.io/desired-replicas': String(d.spec?.replicas ?? 1),
        },
        ownerReferences: [ownerRefTo(d)],
      },
      spec: {
        replicas,
        selector,
        template: { ...tpl, metadata: { ...tpl.metadata, labels } },
        ...(d.spec?.minReadySeconds !== undefined ? { minReadySeconds: d.spec.minReadySeconds } : {}),
      },
    };
    return this.#ctx.tryCreate(this.name, rs);
  }

  /** Scales the new ReplicaSet towards `replicas` within the surge bound; true when it scaled. */
  #reconcileNew(newV: RsView, all: RsView[], replicas: number, maxSurge: number): boolean {
    if (newV.spec === replicas) return false;
    if (newV.spec > replicas) {
      this.#scale(newV, replicas);
      return true;
    }
    const current = all.reduce((s, v) => s + Math.max(v.spec, v.active), 0);
    const room = replicas + maxSurge - current;
    if (room <= 0) return false;
    this.#scale(newV, newV.spec + Math.min(room, replicas - newV.spec));
    return true;
  }

  /** Scales old ReplicaSets down as far as maxUnavailable allows (Kubernetes' reconcileOldReplicaSets). */
  #reconcileOld(newV: RsView, old: RsView[], all: RsView[], replicas: number, maxUnavailable: number): void {
    if (old.every((v) => v.spec === 0)) return;
    const allCount = all.reduce((s, v) => s + v.spec, 0);
    const minAvailable = replicas - maxUnavailable;
    const newUnavailable = Math.max(0, newV.spec - newV.ready);
    let maxScaledDown = allCount - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    const oldestFirst = [...old].sort((a, b) => revision(a.rs) - revision(b.rs));
    // First drop old replicas that are not available anyway.
    for (const v of oldestFirst) {
      if (maxScaledDown <= 0) break;
      const unhealthy = v.spec - v.ready;
      if (v.spec === 0 || unhealthy <= 0) continue;
      const down = Math.min(maxScaledDown, unhealthy);
      this.#scale(v, v.spec - down);
      maxScaledDown -= down;
    }
    const available = all.reduce((s, v) => s + Math.min(v.ready, v.spec), 0);
    let total = available - minAvailable;
    for (const v of oldestFirst) {
      if (total <= 0) break;
      if (v.spec === 0) continue;
      const down = Math.min(v.spec, total);
      this.#scale(v, v.spec - down);
      total -= down;
    }
  }

  /** Deletes the oldest empty old ReplicaSets beyond `revisionHistoryLimit` (default 10). */
  #cleanup(d: Deployment, old: RsView[]): void {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const empty = old
      .filter((v) => v.spec === 0 && v.active === 0)
      .sort((a, b) => revision(a.rs) - revision(b.rs));
    for (const v of empty.slice(0, Math.max(0, empty.length - limit))) {
      this.#ctx.tryDelete('ReplicaSet', v.rs.metadata!.name!, v.rs.metadata!.namespace);
    }
  }

  #updateStatus(d: Deployment, all: RsView[], newV: RsView): void {
    const replicas = all.reduce((s, v) => s + v.active, 0);
    const ready = all.reduce((s, v) => s + v.ready, 0);
    const status = {
      observedGeneration: d.metadata!.generation ?? 1,
      replicas,
      updatedReplicas: newV.active,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, (d.spec?.replicas ?? 1) - ready),
    };
    const s = d.status ?? {};
    if (Object.entries(status).every(([k, v]) => (s as Record<string, unknown>)[k] === v)) return;
    this.#store.update<Deployment>({ ...d, status: { ...s, ...status } });
  }
}
