import { AlreadyExistsError, ForbiddenError, NotFoundError, ValidationError } from '../api/errors.js';
import type { ObjectLike, Store } from '../api/store.js';
import { CLUSTER_SCOPED, objectKey, type KObject } from '../api/types.js';
import { EVENT, type AdmissionRejectEvent } from '../cluster/events.js';
import { PHASE } from '../sim/heap.js';
import type { Simulation } from '../sim/simulation.js';
import type { TimeUs } from '../sim/types.js';
import { LeaderElection, type LeaseTimings } from './leader-election.js';
import type { Controller, ControllerContext, ControllerTimings } from './types.js';

/** The key a refused create is logged under: `namespace/name`, or `namespace/<generateName>`. */
function rejectedKey(obj: ObjectLike): string {
  const m = obj.metadata ?? {};
  if (m.name) return objectKey(obj as unknown as KObject);
  const name = m.generateName ?? '';
  return CLUSTER_SCOPED.has(obj.kind ?? '') ? name : `${m.namespace ?? 'default'}/${name}`;
}

/** Queue event of one controller sync. */
export const SYNC_EVENT = 'ctrl.sync';

/** Queue event of a killed kube-controller-manager process coming back. */
export const RESTART_EVENT = 'ctrl.restart';

interface SyncData {
  c: string;
  k: string;
}

/** Settings of {@link ControllerManager}. */
export interface ControllerManagerOptions {
  timings: ControllerTimings;
  lease: LeaseTimings;
  /** kube-controller-manager processes competing for the lease (HA control plane). Default 2. */
  replicas: number;
}

/**
 * kube-controller-manager: the controllers' work queues on the virtual clock, behind leader election.
 * Each `enqueue` becomes a `ctrl.sync` event (deduplicated: a key already queued at or before the
 * requested time is not queued again). Only the leader works: while no live process holds the lease,
 * syncs are dropped, and a newly elected leader re-lists (every controller resyncs) with fresh
 * rate limiters — what a restarted kube-controller-manager does.
 */
export class ControllerManager implements ControllerContext {
  readonly sim: Simulation;
  readonly store: Store;
  readonly timings: ControllerTimings;
  readonly election: LeaderElection;
  readonly #controllers = new Map<string, Controller>();
  /** controller\0key → earliest queued sync time. */
  readonly #queued = new Map<string, TimeUs>();
  /** controller\0key → consecutive failures (rate limiter). */
  readonly #failures = new Map<string, number>();
  #leading = false;
  #generation = 0;

  constructor(sim: Simulation, store: Store, opts: ControllerManagerOptions) {
    this.sim = sim;
    this.store = store;
    this.timings = opts.timings;
    sim.on(SYNC_EVENT, (d) => this.#run(d as SyncData));
    sim.on(RESTART_EVENT, () => this.startReplica());
    this.election = new LeaderElection(sim, 'kube-controller-manager', opts.lease, {
      onStartedLeading: () => {
        this.#leading = true;
        this.#failures.clear();
        for (const c of this.#controllers.values()) c.resync();
      },
      onStoppedLeading: () => {
        this.#leading = false;
        this.#queued.clear();
      },
    });
    for (let i = 0; i < opts.replicas; i++) this.election.addCandidate(`kcm-${i}-${this.#generation++}`);
  }

  /** Whether a live process holds the lease (controllers work). */
  get leading(): boolean {
    return this.#leading;
  }

  /** Adds a controller; its syncs run under this manager. */
  add(controller: Controller): void {
    if (this.#controllers.has(controller.name))
      throw new Error(`controller ${controller.name} is already registered`);
    this.#controllers.set(controller.name, controller);
  }

  /** The controller registered under `name`. */
  get(name: string): Controller | undefined {
    return this.#controllers.get(name);
  }

  /** Kills the leading process now (a fault); it comes back as a standby after `restartAfterUs`. */
  killLeader(restartAfterUs?: TimeUs): string | undefined {
    const leader = this.election.leader;
    if (leader === undefined) return undefined;
    this.election.kill(leader);
    if (restartAfterUs !== undefined) this.sim.after(restartAfterUs, PHASE.INPUT, RESTART_EVENT, null);
    return leader;
  }

  /** Starts one more process (a restart after a kill). */
  startReplica(): void {
    this.election.addCandidate(`kcm-r-${this.#generation++}`);
  }

  enqueue(controller: string, key: string, delayUs: TimeUs = this.timings.reactionDelayUs): void {
    this.enqueueAt(controller, key, this.sim.now() + Math.round(delayUs));
  }

  enqueueAt(controller: string, key: string, timeUs: TimeUs): void {
    if (!this.#leading) return;
    const id = `${controller}\0${key}`;
    const at = Math.max(timeUs, this.sim.now());
    const queued = this.#queued.get(id);
    if (queued !== undefined && queued <= at) return;
    this.#queued.set(id, at);
    this.sim.schedule(at, PHASE.CONTROLLER, SYNC_EVENT, { c: controller, k: key } satisfies SyncData);
  }

  retry(controller: string, key: string): void {
    const id = `${controller}\0${key}`;
    const n = this.#failures.get(id) ?? 0;
    this.#failures.set(id, n + 1);
    const delay = Math.min(this.timings.retryBaseUs * 2 ** n, this.timings.retryMaxUs);
    this.enqueue(controller, key, delay);
  }

  forget(controller: string, key: string): void {
    this.#failures.delete(`${controller}\0${key}`);
  }

  tryCreate<T extends ObjectLike>(by: string, obj: T): T | undefined {
    try {
      return this.store.create<T>(obj);
    } catch (err) {
      if (err instanceof AlreadyExistsError) return undefined;
      if (err instanceof ForbiddenError || err instanceof ValidationError) {
        this.sim.log.append(EVENT.ADMISSION_REJECT, {
          kind: obj.kind ?? '',
          key: rejectedKey(obj),
          reason: err.code,
          message: err.message,
          by,
        } satisfies AdmissionRejectEvent);
        return undefined;
      }
      throw err;
    }
  }

  tryDelete(kind: string, name: string, namespace?: string): boolean {
    try {
      this.store.delete(kind, name, CLUSTER_SCOPED.has(kind) ? {} : { namespace: namespace ?? 'default' });
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  #run(d: SyncData): void {
    const id = `${d.c}\0${d.k}`;
    if (this.#queued.get(id) === this.sim.now()) this.#queued.delete(id);
    if (!this.#leading) return;
    this.#controllers.get(d.c)?.sync(d.k);
  }

  /** Checkpoint state. */
  snapshot(): unknown {
    return {
      leading: this.#leading,
      generation: this.#generation,
      queued: [...this.#queued],
      failures: [...this.#failures],
      election: this.election.snapshot(),
    };
  }

  restore(state: unknown): void {
    const s = state as {
      leading: boolean;
      generation: number;
      queued: [string, number][];
      failures: [string, number][];
      election: unknown;
    };
    this.#leading = s.leading;
    this.#generation = s.generation;
    this.#queued.clear();
    for (const [k, v] of s.queued) this.#queued.set(k, v);
    this.#failures.clear();
    for (const [k, v] of s.failures) this.#failures.set(k, v);
    this.election.restore(s.election);
  }
}
