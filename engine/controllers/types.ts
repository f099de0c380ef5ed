import type { ObjectLike, Store } from '../api/store.js';
import type { Simulation } from '../sim/simulation.js';
import type { TimeUs } from '../sim/types.js';

/**
 * One reconcile loop of kube-controller-manager. It watches the store itself (in its constructor)
 * and asks the manager to sync keys; `sync` reads the store (the informer cache) and writes back
 * through it. Controllers never call each other.
 */
export interface Controller {
  /** The controller's name: its work-queue name and the `by` of its admission rejections. */
  readonly name: string;
  /** Reconciles one key (usually `namespace/name`). */
  sync(key: string): void;
  /** Enqueues every object it manages (a freshly elected leader does this; informers re-list). */
  resync(): void;
}

/** What the manager offers its controllers. */
export interface ControllerContext {
  readonly sim: Simulation;
  readonly store: Store;
  /** The controllers' settings, defaults filled in. */
  readonly timings: ControllerTimings;
  /** Queues a sync of `key` by `controller` after its reaction delay (or `delayUs`). */
  enqueue(controller: string, key: string, delayUs?: TimeUs): void;
  /** Queues a sync at an absolute virtual time (a timer: deadlines, schedules, TTLs). */
  enqueueAt(controller: string, key: string, timeUs: TimeUs): void;
  /** Requeues after a failure with the work queue's per-item exponential backoff. */
  retry(controller: string, key: string): void;
  /** Resets the per-item backoff after a successful sync. */
  forget(controller: string, key: string): void;
  /**
   * Creates an object on behalf of `by`. Admission or validation refusals are logged as
   * `admission.reject` and answered with `undefined`; so is a name that already exists.
   */
  tryCreate<T extends ObjectLike>(by: string, obj: T): T | undefined;
  /** Deletes if present; returns whether something was deleted. */
  tryDelete(kind: string, name: string, namespace?: string): boolean;
}

/** Reaction delays and retry settings of the controllers, all in virtual µs. */
export interface ControllerTimings {
  /** Watch event → sync (informer delivery + work-queue hand-off). Default 10 ms. */
  reactionDelayUs: TimeUs;
  /** First retry after a failed sync (client-go DefaultControllerRateLimiter: 5 ms). */
  retryBaseUs: TimeUs;
  /** Cap of the retry backoff (client-go: 1000 s). */
  retryMaxUs: TimeUs;
  /** Job pod re-creation backoff after a failure: 10 s, doubling. */
  jobBackoffBaseUs: TimeUs;
  /** Cap of the Job backoff: 6 min. */
  jobBackoffMaxUs: TimeUs;
}

/** Default controller timings (see docs/controllers.md). */
export const DEFAULT_TIMINGS: ControllerTimings = {
  reactionDelayUs: 10_000,
  retryBaseUs: 5_000,
  retryMaxUs: 1_000_000_000,
  jobBackoffBaseUs: 10_000_000,
  jobBackoffMaxUs: 360_000_000,
};
