import type { Store } from '../api/store.js';
import { CLUSTER_SCOPED, KINDS, type KObject } from '../api/types.js';
import type { OwnerIndex } from './objects.js';
import type { Controller, ControllerContext } from './types.js';

/** Name of the garbage collector. */
export const GARBAGE_COLLECTOR = 'garbage-collector';

/**
 * The garbage collector with background propagation: once every owner of an object is gone, the
 * object is deleted (its own dependents follow in later syncs). Keys are owner uids. Foreground and
 * orphan propagation and `blockOwnerDeletion` are not modelled.
 */
export class GarbageCollector implements Controller {
  readonly name = GARBAGE_COLLECTOR;
  readonly #ctx: ControllerContext;
  readonly #owners: OwnerIndex;

  constructor(ctx: ControllerContext, owners: OwnerIndex) {
    this.#ctx = ctx;
    this.#owners = owners;
    owners.onOrphans = (uid) => ctx.enqueue(this.name, uid);
  }

  resync(): void {
    for (const uid of this.#owners.vanishedOwners()) this.#ctx.enqueue(this.name, uid);
  }

  sync(ownerUid: string): void {
    if (this.#owners.exists(ownerUid)) return;
    for (const dep of this.#owners.dependents(ownerUid)) {
      const refs = dep.metadata?.ownerReferences ?? [];
      if (refs.some((r) => this.#owners.exists(r.uid))) continue;
      this.#ctx.tryDelete(dep.kind!, dep.metadata!.name!, dep.metadata!.namespace);
    }
  }
}

/** Name of the namespace controller. */
export const NAMESPACE_CONTROLLER = 'namespace-controller';

// Workload owners first, so that nothing re-creates what has just been deleted; pods after them.
const DELETION_ORDER: readonly string[] = [
  'CronJob',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'ReplicaSet',
  'Pod',
  ...Object.keys(KINDS).filter(
    (k) =>
      !CLUSTER_SCOPED.has(k) &&
      !['CronJob', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet', 'Pod'].includes(k),
  ),
];

/**
 * The namespace controller: after a Namespace is deleted, everything in it is deleted (the store has
 * no Terminating phase: the Namespace object goes at once, its contents one reaction delay later,
 * unless a Namespace of that name was created again meanwhile).
 */
export class NamespaceController implements Controller {
  readonly name = NAMESPACE_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #store: Store;
  /** Namespaces deleted and not yet emptied (re-listed by a new leader). */
  readonly #deleted = new Set<string>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    ctx.store.watch('Namespace', undefined, (ev) => {
      if (ev.type !== 'DELETED') return;
      const ns = ev.object.metadata!.name!;
      this.#deleted.add(ns);
      ctx.enqueue(this.name, ns);
    });
  }

  resync(): void {
    for (const ns of this.#deleted) this.#ctx.enqueue(this.name, ns);
  }

  sync(ns: string): void {
    this.#deleted.delete(ns);
    if (this.#store.get('Namespace', ns)) return;
    for (const kind of DELETION_ORDER) {
      for (const obj of this.#store.list<KObject>(kind, { namespace: ns })) {
        this.#ctx.tryDelete(kind, obj.metadata!.name!, ns);
      }
    }
  }
}
