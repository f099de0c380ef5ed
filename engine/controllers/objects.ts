import { shallowWith } from '../api/copy.js';
import type { ObjectLike, Store } from '../api/store.js';
import {
  KINDS,
  objectKey,
  type KObject,
  type ObjectMeta,
  type OwnerReference,
  type Pod,
  type PodSpec,
} from '../api/types.js';

/** `namespace/name` (or `name` when cluster-scoped) of any stored object. */
export function keyOf(obj: ObjectLike): string {
  return objectKey(obj as KObject);
}

/** A pod template as found in workload specs. */
export interface PodTemplate {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

/** The controller reference of an object (the owner with `controller: true`), if any. */
export function controllerRef(obj: ObjectLike): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** An ownerReference to `owner` with `controller: true`, as workload controllers set it. */
export function ownerRefTo(owner: ObjectLike): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? KINDS[owner.kind as keyof typeof KINDS] ?? 'v1',
    kind: owner.kind!,
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A pod that has not terminated (Succeeded or Failed) still counts as a replica. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** Ready (no readiness probes are modelled: a Running pod is ready, and available at once). */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running';
}

/** `{...base, ...more}`, or `base` itself when `more` adds nothing; undefined when both are empty. */
function merged(
  base: Record<string, string> | undefined,
  more: Record<string, string> | undefined,
): Record<string, string> | undefined {
  const hasMore = more !== undefined && hasKeys(more);
  if (!hasMore) return base !== undefined && hasKeys(base) ? base : undefined;
  return shallowWith(base, more);
}

function hasKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

/**
 * A pod stamped from a template: `generateName: <prefix>`, the template's labels and annotations
 * (so `kreplay.io/duration` and `kreplay.io/exit` carry over), an ownerReference with
 * `controller: true`. The template's spec object is shared, not copied (the store validates a shared
 * spec once).
 */
export function podFromTemplate(
  template: PodTemplate | undefined,
  owner: ObjectLike,
  naming: { generateName: string } | { name: string },
  extra: { labels?: Record<string, string>; annotations?: Record<string, string>; spec?: PodSpec } = {},
): Pod {
  const tm = template?.metadata;
  // Stored objects are immutable, so a template's own maps are shared when there is nothing to add.
  const labels = merged(tm?.labels, extra.labels);
  const annotations = merged(tm?.annotations, extra.annotations);
  const metadata: ObjectMeta =
    'name' in naming ? { name: naming.name } : { generateName: naming.generateName };
  metadata.namespace = owner.metadata!.namespace ?? 'default';
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  metadata.ownerReferences = [ownerRefTo(owner)];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: extra.spec ?? template?.spec ?? { containers: [] },
  };
}

interface Ref {
  readonly kind: string;
  readonly key: string;
  /** The object as last stored (kept current from the watch, so listing dependents needs no lookups). */
  obj: KObject;
}

/**
 * Who owns whom: ownerReference uid → dependents, and uid → live object, kept current from a watch
 * on every kind. Workload controllers list their pods through it and the garbage collector finds
 * orphans with it. Iteration follows insertion order.
 */
export class OwnerIndex {
  /** Owner uid → its dependents by their uid. */
  readonly #byOwner = new Map<string, Map<string, Ref>>();
  readonly #byUid = new Map<string, Ref>();
  /** Called with the uids of owners that vanished, and with a dependent created without any live owner. */
  onOrphans: ((ownerUid: string) => void) | undefined;

  constructor(store: Store) {
    for (const kind of Object.keys(KINDS))
      for (const obj of store.values(kind)) this.#add(obj, kind, objectKey({ ...obj, kind }));
    store.watch('*', undefined, (ev) => {
      if (ev.type === 'ADDED') {
        this.#add(ev.object, ev.kind, ev.key);
        const refs = ev.object.metadata?.ownerReferences;
        if (refs && refs.length > 0 && refs.every((r) => !this.#byUid.has(r.uid)))
          this.onOrphans?.(refs[0]!.uid);
      } else if (ev.type === 'MODIFIED') {
        const uid = ev.object.metadata?.uid;
        const ref = uid === undefined ? undefined : this.#byUid.get(uid);
        if (ref) ref.obj = ev.object;
        const before = ev.old?.metadata?.ownerReferences;
        const after = ev.object.metadata?.ownerReferences;
        if (before !== after && ref) {
          this.#unlink(ev.old!, uid!);
          this.#link(ev.object, uid!, ref);
        }
      } else {
        const uid = ev.object.metadata?.uid;
        if (uid === undefined) return;
        this.#byUid.delete(uid);
        this.#unlink(ev.object, uid);
        if (this.#byOwner.has(uid)) this.onOrphans?.(uid);
      }
    });
  }

  /** Whether an object with this uid exists. */
  exists(uid: string): boolean {
    return this.#byUid.has(uid);
  }

  /** The live dependents of `ownerUid` (of one kind, if given), in the order they were created. */
  dependents<T extends ObjectLike = KObject>(ownerUid: string, kind?: string): T[] {
    const deps = this.#byOwner.get(ownerUid);
    if (!deps) return [];
    const out: T[] = [];
    for (const r of deps.values()) if (kind === undefined || r.kind === kind) out.push(r.obj as unknown as T);
    return out;
  }

  /** Dependents whose controller reference is `ownerUid`. */
  controlled<T extends ObjectLike = KObject>(ownerUid: string, kind: string): T[] {
    return this.dependents<T>(ownerUid, kind).filter((o) => controllerRef(o)?.uid === ownerUid);
  }

  /** Owner uids that no longer exist but still have dependents. */
  *vanishedOwners(): IterableIterator<string> {
    for (const uid of this.#byOwner.keys()) if (!this.#byUid.has(uid)) yield uid;
  }

  #add(obj: KObject, kind: string, key: string): void {
    const uid = obj.metadata?.uid;
    if (uid === undefined) return;
    const ref: Ref = { kind, key, obj };
    this.#byUid.set(uid, ref);
    this.#link(obj, uid, ref);
  }

  #link(obj: KObject, uid: string, ref: Ref): void {
    const refs = obj.metadata?.ownerReferences;
    if (!refs) return;
    for (const r of refs) {
      let deps = this.#byOwner.get(r.uid);
      if (!deps) this.#byOwner.set(r.uid, (deps = new Map()));
      deps.set(uid, ref);
    }
  }

  #unlink(obj: KObject, uid: string): void {
    const refs = obj.metadata?.ownerReferences;
    if (!refs) return;
    for (const r of refs) {
      const deps = this.#byOwner.get(r.uid);
      if (!deps) continue;
      deps.delete(uid);
      if (deps.size === 0) this.#byOwner.delete(r.uid);
    }
  }
}
