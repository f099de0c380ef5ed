import { CronExpressionParser } from 'cron-parser';
import { ValidationError } from '../api/errors.js';
import type { Store, WatchEvent } from '../api/store.js';
import type { CronJob, Job } from '../api/types.js';
import type { TimeUs } from '../sim/types.js';
import { jobFinished } from './job.js';
import { controllerRef, keyOf, ownerRefTo, type OwnerIndex } from './objects.js';
import { parseTimestamp, timestamp } from './time.js';
import type { Controller, ControllerContext } from './types.js';

/** Name of the CronJob controller. */
export const CRONJOB_CONTROLLER = 'cronjob-controller';
/** Annotation on a Job with the schedule time it was created for. */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/**
 * A cron schedule evaluated on the virtual clock, via `cron-parser` 5: five fields with ranges, steps,
 * lists and names (`0 9-17/2 * * MON-FRI`), the macros `@yearly @annually @monthly @weekly @daily
 * @midnight @hourly`, a `CRON_TZ=`/`TZ=` prefix or an explicit IANA time zone (default UTC: the
 * simulated controller manager runs in UTC). Evaluation depends only on the given instant.
 */
export class CronSchedule {
  readonly expression: string;
  readonly timeZone: string;

  constructor(schedule: string, timeZone?: string, path = 'spec.schedule') {
    let expr = schedule.trim();
    let tz = timeZone;
    const m = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(expr);
    if (m) {
      tz ??= m[1]!;
      expr = m[2]!;
    }
    this.expression = expr;
    this.timeZone = tz ?? 'UTC';
    try {
      this.#parse(0);
    } catch (err) {
      throw new ValidationError(
        path,
        `invalid schedule ${JSON.stringify(schedule)}: ${(err as Error).message}`,
        'INVALID_SCHEDULE',
      );
    }
  }

  #parse(atUs: TimeUs) {
    return CronExpressionParser.parse(this.expression, {
      currentDate: new Date(Math.floor(atUs / 1000)),
      tz: this.timeZone,
    });
  }

  /** The first schedule time strictly after `timeUs`. */
  next(timeUs: TimeUs): TimeUs {
    return this.#parse(timeUs).next().getTime() * 1000;
  }

  /** The latest schedule time at or before `timeUs`, if any. */
  latest(timeUs: TimeUs): TimeUs | undefined {
    try {
      return (
        this.#parse(timeUs + 1000)
          .prev()
          .getTime() * 1000
      );
    } catch {
      return undefined;
    }
  }
}

/**
 * The CronJob controller (Kubernetes' controller v2 logic): at each sync it finds the most recent
 * unmet schedule time since `status.lastScheduleTime` (or creation), skips it when older than
 * `startingDeadlineSeconds`, and otherwise starts a Job `<name>-<minutes since epoch>` unless
 * `concurrencyPolicy: Forbid` and a Job is still active (the time stays unmet, so it runs late once
 * the active Job finishes, unless the deadline passes first); `Replace` deletes the active Jobs first.
 * Several missed times start only the latest. Honours `suspend` and the successful (3) / failed (1)
 * history limits. Then it sleeps until the next schedule time.
 */
export class CronJobController implements Controller {
  readonly name = CRONJOB_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #store: Store;
  readonly #owners: OwnerIndex;
  readonly #schedules = new Map<string, CronSchedule>();

  constructor(ctx: ControllerContext, owners: OwnerIndex) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#owners = owners;
    ctx.store.watch('CronJob', undefined, (ev) => {
      if (ev.type !== 'DELETED') ctx.enqueue(this.name, ev.key);
    });
    ctx.store.watch('Job', undefined, (ev) => this.#onJob(ev));
  }

  #onJob(ev: WatchEvent): void {
    const ref = controllerRef(ev.object);
    if (ref?.kind !== 'CronJob') return;
    if (ev.type === 'MODIFIED' && !!jobFinished(ev.old as Job) === !!jobFinished(ev.object as Job)) return;
    this.#ctx.enqueue(this.name, `${ev.object.metadata!.namespace!}/${ref.name}`);
  }

  resync(): void {
    for (const cj of this.#store.values('CronJob')) this.#ctx.enqueue(this.name, keyOf(cj));
  }

  #schedule(cj: CronJob): CronSchedule {
    const id = `${cj.spec!.schedule}\0${cj.spec!.timeZone ?? ''}`;
    let s = this.#schedules.get(id);
    if (!s) this.#schedules.set(id, (s = new CronSchedule(cj.spec!.schedule, cj.spec!.timeZone)));
    return s;
  }

  sync(key: string): void {
    const cj = this.#store.getByKey<CronJob>('CronJob', key);
    if (!cj) return;
    const spec = cj.spec!;
    const now = this.#ctx.sim.now();
    const jobs = this.#owners.controlled<Job>(cj.metadata!.uid!, 'Job');
    let active = jobs.filter((j) => !jobFinished(j));
    this.#cleanupHistory(cj, jobs);
    let lastSchedule = cj.status?.lastScheduleTime as unknown as string | undefined;

    let schedule: CronSchedule;
    try {
      schedule = this.#schedule(cj);
    } catch {
      return; // an invalid schedule never runs (Kubernetes records an event)
    }
    if (!spec.suspend) {
      const since = Math.max(
        parseTimestamp(lastSchedule) ??
          parseTimestamp(cj.metadata!.creationTimestamp as unknown as string) ??
          0,
        spec.startingDeadlineSeconds != null ? now - spec.startingDeadlineSeconds * 1e6 : -Infinity,
      );
      const t = schedule.latest(now);
      if (t !== undefined && t > since) {
        const name = `${cj.metadata!.name!}-${Math.floor(t / 60e6)}`;
        const exists = jobs.some((j) => j.metadata!.name === name);
        const forbidden = spec.concurrencyPolicy === 'Forbid' && active.length > 0;
        if (!exists && !forbidden) {
          if (spec.concurrencyPolicy === 'Replace') {
            for (const j of active) this.#ctx.tryDelete('Job', j.metadata!.name!, j.metadata!.namespace);
            active = [];
          }
          const job = this.#ctx.tryCreate(this.name, this.#jobFor(cj, name, t));
          if (job) {
            active.push(job);
            lastSchedule = timestamp(t);
          } else {
            this.#ctx.retry(this.name, key);
          }
        }
      }
      this.#ctx.enqueueAt(this.name, key, schedule.next(now));
    }
    this.#updateStatus(cj, active, jobs, lastSchedule);
  }

  #jobFor(cj: CronJob, name: string, scheduledUs: TimeUs): Job {
    const tpl = cj.spec!.jobTemplate;
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata!.namespace!,
        ...(tpl.metadata?.labels ? { labels: tpl.metadata.labels } : {}),
        annotations: {
          ...tpl.metadata?.annotations,
          [SCHEDULED_TIMESTAMP_ANNOTATION]: timestamp(scheduledUs),
        },
        ownerReferences: [ownerRefTo(cj)],
      },
      spec: tpl.spec!,
    };
  }

  #cleanupHistory(cj: CronJob, jobs: Job[]): void {
    const limits = {
      Complete: cj.spec!.successfulJobsHistoryLimit ?? 3,
      Failed: cj.spec!.failedJobsHistoryLimit ?? 1,
    };
    for (const type of ['Complete', 'Failed'] as const) {
      const done = jobs.filter((j) => jobFinished(j)?.type === type);
      for (const j of done.slice(0, Math.max(0, done.length - limits[type]))) {
        this.#ctx.tryDelete('Job', j.metadata!.name!, j.metadata!.namespace);
      }
    }
  }

  #updateStatus(cj: CronJob, active: Job[], jobs: Job[], lastSchedule: string | undefined): void {
    const refs = active.map((j) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      name: j.metadata!.name!,
      namespace: j.metadata!.namespace!,
      uid: j.metadata!.uid!,
    }));
    const lastOk = jobs
      .map((j) =>
        jobFinished(j)?.type === 'Complete'
          ? (j.status?.completionTime as unknown as string | undefined)
          : undefined,
      )
      .filter((x): x is string => x !== undefined)
      .sort()
      .at(-1);
    const s = cj.status ?? {};
    const sameActive = (s.active ?? []).map((r) => r.uid).join() === refs.map((r) => r.uid).join();
    if (
      sameActive &&
      (s.lastScheduleTime as unknown) === lastSchedule &&
      (s.lastSuccessfulTime as unknown) === lastOk
    )
      return;
    this.#store.update<CronJob>({
      ...cj,
      status: {
        ...(refs.length ? { active: refs } : {}),
        ...(lastSchedule ? { lastScheduleTime: lastSchedule as never } : {}),
        ...(lastOk ? { lastSuccessfulTime: lastOk as never } : {}),
      },
    });
  }
}
