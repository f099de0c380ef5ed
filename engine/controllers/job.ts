import { shallowWith } from '../api/copy.js';
import type { Store, WatchEvent } from '../api/store.js';
import type { JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Job, Pod } from '../api/types.js';
import type { TimeUs } from '../sim/types.js';
import { controllerRef, isPodActive, keyOf, podFromTemplate, type OwnerIndex } from './objects.js';
import { podsToDelete } from './replicaset.js';
import { parseTimestamp, timestamp } from './time.js';
import type { Controller, ControllerContext } from './types.js';

/** Name of the Job controller. */
export const JOB_CONTROLLER = 'job-controller';
/** Name of the TTL-after-finished controller. */
export const TTL_CONTROLLER = 'ttl-after-finished-controller';
/** Annotation (and label) with the completion index of a pod of an Indexed Job. */
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

/** The finished condition of a Job (`Complete` or `Failed` with status True), if any. */
export function jobFinished(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

function indexOf(pod: Pod): number | undefined {
  const v = pod.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION];
  return v === undefined ? undefined : Number(v);
}

/** `0-2,4,6-7` as Kubernetes writes `status.completedIndexes`. */
export function formatIndexes(sorted: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * The Job controller: keeps `min(parallelism, remaining completions)` pods running (restartPolicy
 * Never semantics: a failed pod is replaced by a new one; with OnFailure the kubelet restarts the
 * container in place and those restarts do not count toward backoffLimit), re-creates after failures with exponential backoff (10 s doubling to 6 min, from the
 * last failure), fails the Job past `backoffLimit` (default 6) failures or `activeDeadlineSeconds`,
 * supports `suspend`, NonIndexed and Indexed completion modes. Also runs the TTL-after-finished
 * controller: a finished Job with `ttlSecondsAfterFinished` is deleted that long after it finished
 * (the garbage collector then deletes its pods).
 */
export class JobController implements Controller {
  readonly name = JOB_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #store: Store;
  readonly #owners: OwnerIndex;
  /** Job uid → virtual time of the last pod failure seen. */
  readonly #lastFailure = new Map<string, TimeUs>();

  constructor(ctx: ControllerContext, owners: OwnerIndex) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#owners = owners;
    ctx.store.watch('Job', undefined, (ev) => {
      if (ev.type !== 'DELETED') ctx.enqueue(this.name, ev.key);
      else this.#lastFailure.delete(ev.object.metadata!.uid!);
    });
    ctx.store.watch('Pod', undefined, (ev) => this.#onPod(ev));
  }

  #onPod(ev: WatchEvent): void {
    const ref = controllerRef(ev.object);
    if (ref?.kind !== 'Job') return;
    const pod = ev.object as Pod;
    const old = ev.old as Pod | undefined;
    if (ev.type === 'MODIFIED' && old?.status?.phase === pod.status?.phase) return;
    if (ev.type !== 'DELETED' && pod.status?.phase === 'Failed')
      this.#lastFailure.set(ref.uid, this.#ctx.sim.now());
    this.#ctx.enqueue(this.name, `${pod.metadata!.namespace!}/${ref.name}`);
  }

  resync(): void {
    for (const j of this.#store.values('Job')) this.#ctx.enqueue(this.name, keyOf(j));
  }

  sync(key: string): void {
    const job = this.#store.getByKey<Job>('Job', key);
    if (!job) return;
    const now = this.#ctx.sim.now();
    const finished = jobFinished(job);
    if (finished) {
      this.#ttl(job, key, parseTimestamp(finished.lastTransitionTime as unknown as string) ?? now);
      return;
    }
    const spec = job.spec ?? { template: {} };
    const uid = job.metadata!.uid!;
    const pods = this.#owners.controlled<Pod>(uid, 'Pod');
    let active = pods.filter(isPodActive);
    const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded');
    const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? undefined;
    const suspended = spec.suspend === true;
    const startUs =
      parseTimestamp(job.status?.startTime as unknown as string) ?? (suspended ? undefined : now);
    const done = new Set<number>();
    if (indexed) for (const p of succeeded) done.add(indexOf(p) ?? -1);

    let verdict: { type: 'Complete' | 'Failed'; reason: string; message: string } | undefined;
    if (failed > (spec.backoffLimit ?? 6)) {
      verdict = {
        type: 'Failed',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      };
    } else if (
      spec.activeDeadlineSeconds != null &&
      startUs !== undefined &&
      now >= startUs + spec.activeDeadlineSeconds * 1e6
    ) {
      verdict = {
        type: 'Failed',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      };
    } else if (
      indexed
        ? done.size >= (completions ?? 1)
        : completions != null
          ? succeeded.length >= completions
          : succeeded.length > 0 && active.length === 0
    ) {
      verdict = { type: 'Complete', reason: 'Completed', message: 'Job completed' };
    }

    if (verdict || suspended) {
      for (const p of active) this.#ctx.tryDelete('Pod', p.metadata!.name!, p.metadata!.namespace);
      active = [];
    } else {
      active = this.#manage(job, active, succeeded.length, failed, done, startUs ?? now);
    }
    if (spec.activeDeadlineSeconds != null && startUs !== undefined && !verdict) {
      this.#ctx.enqueueAt(this.name, key, startUs + spec.activeDeadlineSeconds * 1e6);
    }

    const status: NonNullable<Job['status']> = {
      ...job.status,
      active: active.length,
      succeeded: succeeded.length,
      failed,
      ready: active.filter((p) => p.status?.phase === 'Running').length,
    };
    if (startUs !== undefined && !job.status?.startTime)
      status.startTime = timestamp(startUs) as unknown as typeof status.startTime;
    if (indexed)
      status.completedIndexes = formatIndexes([...done].filter((i) => i >= 0).sort((a, b) => a - b));
    if (verdict) {
      const ts = timestamp(now);
      status.conditions = [
        ...(job.status?.conditions ?? []),
        {
          type: verdict.type,
          status: 'True',
          reason: verdict.reason,
          message: verdict.message,
          lastTransitionTime: ts as never,
          lastProbeTime: ts as never,
        },
      ];
      if (verdict.type === 'Complete') status.completionTime = ts as never;
    }
    const s = job.status ?? {};
    const same = Object.keys(status).every(
      (k) => (s as Record<string, unknown>)[k] === (status as Record<string, unknown>)[k],
    );
    if (!same) this.#store.update<Job>(shallowWith(job, { status }));
    if (verdict) this.#ttl(job, key, now);
  }

  /** Creates (or removes) pods towards the wanted active count; returns the active pods. */
  #manage(
    job: Job,
    active: Pod[],
    succeeded: number,
    failed: number,
    done: Set<number>,
    _startUs: TimeUs,
  ): Pod[] {
    const spec = job.spec!;
    const key = keyOf(job);
    const parallelism = spec.parallelism ?? 1;
    const completions = spec.completions ?? undefined;
    let toCreate: (number | undefined)[] = [];
    if (spec.completionMode === 'Indexed') {
      const running = new Set(active.map(indexOf));
      const missing: number[] = [];
      for (let i = 0; i < (completions ?? 1); i++) if (!done.has(i) && !running.has(i)) missing.push(i);
      toCreate = missing.slice(0, Math.max(0, parallelism - active.length));
    } else {
      const want =
        completions != null
          ? Math.min(parallelism, completions - succeeded)
          : succeeded > 0
            ? 0
            : parallelism;
      if (want < active.length) {
        const victims = podsToDelete(active, active.length - want);
        for (const v of victims) this.#ctx.tryDelete('Pod', v.metadata!.name!, v.metadata!.namespace);
        return active.filter((p) => !victims.includes(p));
      }
      toCreate = Array.from({ length: want - active.length }, () => undefined);
    }
    if (toCreate.length === 0) return active;
    if (failed > 0) {
      const t = this.#ctx.timings;
      const delay = Math.min(t.jobBackoffBaseUs * 2 ** (failed - 1), t.jobBackoffMaxUs);
      const readyAt = (this.#lastFailure.get(job.metadata!.uid!) ?? 0) + delay;
      if (this.#ctx.sim.now() < readyAt) {
        this.#ctx.enqueueAt(this.name, key, readyAt);
        return active;
      }
    }
    const name = job.metadata!.name!;
    const labels = {
      'batch.kubernetes.io/job-name': name,
      'batch.kubernetes.io/controller-uid': job.metadata!.uid!,
      'job-name': name,
    };
    const out = [...active];
    for (const index of toCreate) {
      const pod = this.#ctx.tryCreate(
        this.name,
        podFromTemplate(
          spec.template,
          job,
          { generateName: index === undefined ? `${name}-` : `${name}-${index}-` },
          {
            labels:
              index === undefined ? labels : { ...labels, [COMPLETION_INDEX_ANNOTATION]: String(index) },
            ...(index === undefined ? {} : { annotations: { [COMPLETION_INDEX_ANNOTATION]: String(index) } }),
          },
        ),
      );
      if (!pod) {
        this.#ctx.retry(this.name, key);
        break;
      }
      out.push(pod);
    }
    return out;
  }

  #ttl(job: Job, key: string, finishedUs: TimeUs): void {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl == null) return;
    const at = finishedUs + ttl * 1e6;
    if (this.#ctx.sim.now() >= at) this.#ctx.tryDelete('Job', job.metadata!.name!, job.metadata!.namespace);
    else this.#ctx.enqueueAt(this.name, key, at);
  }

  /** Checkpoint state. */
  snapshot(): unknown {
    return [...this.#lastFailure];
  }

  restore(state: unknown): void {
    this.#lastFailure.clear();
    for (const [k, v] of state as [string, number][]) this.#lastFailure.set(k, v);
  }
}
