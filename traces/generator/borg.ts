/**
 * A seeded Borg-like workload (machines, attributes, jobs, tasks) as time-ordered events, formatted by
 * the google2011 and google2019 writers. Distributions in docs/generator.md. Future events (a task's
 * schedule and end) wait in a time-ordered heap, so memory follows the live tasks, not the trace.
 */
import seedrandom from 'seedrandom';
import { TimeHeap } from '../heap.js';

type Rng = () => number;

/** What the Borg generator takes. */
export interface BorgGenOptions {
  /** Machines. */
  readonly nodes: number;
  /** Tasks (each gives 3 task events, 6 when evicted once). */
  readonly pods: number;
  readonly days: number;
  readonly seed: string | number;
}

/** Borg event types, by name (2011 numbering; the 2019 writer renumbers). */
export type GenTaskType = 'SUBMIT' | 'SCHEDULE' | 'EVICT' | 'FAIL' | 'FINISH' | 'KILL' | 'LOST';

/** One generated machine event. */
export interface GenMachine {
  readonly timeUs: number;
  readonly machine: number;
  readonly type: 'ADD' | 'REMOVE' | 'UPDATE';
  readonly cpu: number;
  readonly memory: number;
  readonly platform: string;
}

/** One generated machine attribute row. */
export interface GenAttr {
  readonly timeUs: number;
  readonly machine: number;
  readonly name: string;
  readonly value: string;
}

/** One generated job or task event (a job event has index -1). */
export interface GenTaskEvent {
  readonly timeUs: number;
  readonly kind: 'job' | 'task';
  readonly type: GenTaskType;
  readonly job: number;
  readonly index: number;
  readonly machine: number;
  readonly job_: GenJob;
  /** The task's first SUBMIT (a resubmission after an eviction is not). */
  readonly first: boolean;
}

/** A generated job's fixed properties. */
export interface GenJob {
  readonly id: number;
  readonly size: number;
  readonly priority: number;
  readonly schedulingClass: number;
  readonly cpu: number;
  readonly memory: number;
  readonly disk: number;
  readonly differentMachines: boolean;
  /** Attribute constraint of every task, if any: [name, relation (0 = 1 != 2 < 3 >), value]. */
  readonly constraint: readonly [string, number, string] | undefined;
  readonly user: string;
  /** 2019: a job this one starts after, if any. */
  readonly after: number | undefined;
}

/** Machine shapes (normalised cpu, memory) and their share, after the 2011 trace's machine mix. */
export const BORG_MACHINE_SHAPES = [
  { cpu: 0.5, memory: 0.2493, weight: 53 },
  { cpu: 0.5, memory: 0.4995, weight: 30 },
  { cpu: 0.5, memory: 0.749, weight: 8 },
  { cpu: 1, memory: 1, weight: 6 },
  { cpu: 0.25, memory: 0.2498, weight: 3 },
] as const;
/** Task priorities and their share. */
export const BORG_PRIORITIES = [
  { p: 0, weight: 30 },
  { p: 1, weight: 15 },
  { p: 2, weight: 10 },
  { p: 4, weight: 25 },
  { p: 9, weight: 15 },
  { p: 10, weight: 4 },
  { p: 11, weight: 1 },
] as const;
/** Normalised cpu requests (uniform). */
export const BORG_CPU_REQUESTS = [0.00625, 0.0125, 0.025, 0.0625, 0.125, 0.25];
/** Attribute names (obfuscated-looking, as the trace's are) and how their values are drawn. */
export const BORG_ATTRS = ['GtXakjpd0CD41G8M1QS3rwZ5RGJ', 'nT6zMOa9XDuI', 'w5QalEI8nLf5GSlWy'] as const;
const PLATFORMS = [
  'HofLGzk1Or/8Ildj2+Lqv0UGGvY82NLoni8+J/Yy0RU=',
  '70ZOvysYGtB6j9MUHMPzA2Iy7GRzWu2e5LgpFy0w2e8=',
];
const ZONES = ['Ga', 'Gb', 'Gc', 'Gd'];
const END_TYPES = [
  { v: 'FINISH', weight: 80 },
  { v: 'KILL', weight: 10 },
  { v: 'FAIL', weight: 8 },
  { v: 'LOST', weight: 2 },
] as const;
/** First job id (the traces' ids are large integers). */
export const FIRST_JOB_ID = 6_000_000_000;
/** Mean tasks per job. */
export const MEAN_JOB_SIZE = 10;

function pick<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  let total = 0;
  for (const it of items) total += it.weight;
  let x = rng() * total;
  for (const it of items) if ((x -= it.weight) < 0) return it;
  return items[items.length - 1]!;
}

function lognormalUs(rng: Rng, medianS: number, sigma: number): number {
  const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return Math.max(1, Math.round(medianS * Math.exp(sigma * z))) * 1_000_000;
}

/** Machine events in time order: every machine ADDed at 0; 1 % removed and re-added 10 min later. */
export function* borgMachineEvents(o: BorgGenOptions): Generator<GenMachine> {
  const rng = seedrandom.alea(`${o.seed}/machines`);
  const span = Math.max(1, Math.round(o.days * 86_400)) * 1_000_000;
  const later = new TimeHeap<GenMachine>();
  for (let i = 0; i < o.nodes; i++) {
    const s = pick(rng, BORG_MACHINE_SHAPES);
    const platform = PLATFORMS[Math.floor(rng() * PLATFORMS.length)]!;
    const machine = i + 1;
    yield { timeUs: 0, machine, type: 'ADD', cpu: s.cpu, memory: s.memory, platform };
    if (rng() < 0.01) {
      const at = 1_000_000 + Math.floor(rng() * (span - 1_000_000));
      later.push(at, { timeUs: at, machine, type: 'REMOVE', cpu: s.cpu, memory: s.memory, platform });
      const back = at + 600_000_000;
      later.push(back, { timeUs: back, machine, type: 'ADD', cpu: s.cpu, memory: s.memory, platform });
    }
  }
  for (let e = later.pop(); e; e = later.pop()) yield e.value;
}

/** Attribute rows at time 0: three attributes per machine. */
export function* borgAttrEvents(o: BorgGenOptions): Generator<GenAttr> {
  const rng = seedrandom.alea(`${o.seed}/attributes`);
  for (let i = 0; i < o.nodes; i++) {
    const machine = i + 1;
    yield { timeUs: 0, machine, name: BORG_ATTRS[0], value: String(1 + Math.floor(rng() * 12)) };
    yield { timeUs: 0, machine, name: BORG_ATTRS[1], value: ZONES[Math.floor(rng() * ZONES.length)]! };
    if (rng() < 0.5) yield { timeUs: 0, machine, name: BORG_ATTRS[2], value: '' };
  }
}

/**
 * Job and task events in time order. Jobs arrive as a Poisson process over `days`; a job has
 * 1 + Exp(mean 9) tasks (until `pods` tasks are made); each task is SUBMITted with its job, SCHEDULEd
 * 1–5 s later, runs log-normal (median 10 min, σ 1.5) and ends FINISH/KILL/FAIL/LOST (80/10/8/2); 3 % of
 * tasks are EVICTed part-way, resubmitted 1 s later and run again. The job ends (FINISH) with its last task.
 */
export function* borgTaskEvents(o: BorgGenOptions): Generator<GenTaskEvent> {
  const rng = seedrandom.alea(`${o.seed}/jobs`);
  const span = Math.max(1, Math.round(o.days * 86_400)) * 1_000_000;
  const jobs = Math.max(1, Math.ceil(o.pods / MEAN_JOB_SIZE));
  const meanGapUs = span / jobs;
  const heap = new TimeHeap<GenTaskEvent>();
  let left = o.pods;
  let t = 0;
  let id = FIRST_JOB_ID;
  let prevJob: number | undefined;
  const machines = Math.max(1, o.nodes);
  while (left > 0) {
    if (id > FIRST_JOB_ID) t = Math.min(span, t + Math.round(-Math.log(1 - rng()) * meanGapUs));
    while (heap.size > 0 && heap.peekTime()! <= t) yield heap.pop()!.value;
    const size = Math.min(left, 1 + Math.floor(-Math.log(1 - rng()) * (MEAN_JOB_SIZE - 1)));
    left -= size;
    const cpu = BORG_CPU_REQUESTS[Math.floor(rng() * BORG_CPU_REQUESTS.length)]!;
    const c = rng();
    const job: GenJob = {
      id: id++,
      size,
      priority: pick(rng, BORG_PRIORITIES).p,
      schedulingClass: Math.floor(rng() * 4),
      cpu,
      memory: Number((cpu * (0.5 + rng() * 1.5)).toFixed(5)),
      disk: Number((rng() * 0.001).toFixed(6)),
      differentMachines: rng() < 0.1,
      constraint:
        c < 0.03
          ? [BORG_ATTRS[1], 0, ZONES[Math.floor(rng() * ZONES.length)]!]
          : c < 0.05
            ? [BORG_ATTRS[0], 3, String(Math.floor(rng() * 6))]
            : undefined,
      user: `user${Math.floor(rng() * 500)}`,
      after: prevJob !== undefined && rng() < 0.05 ? prevJob : undefined,
    };
    prevJob = job.id;
    const ev = (
      timeUs: number,
      kind: 'job' | 'task',
      type: GenTaskType,
      index: number,
      machine: number,
      first = false,
    ): GenTaskEvent => ({ timeUs, kind, type, job: job.id, index, machine, job_: job, first });
    yield ev(t, 'job', 'SUBMIT', -1, 0);
    let jobEnd = t;
    for (let i = 0; i < size; i++) {
      yield ev(t, 'task', 'SUBMIT', i, 0, true);
      let at = t + (1 + Math.floor(rng() * 5)) * 1_000_000;
      let machine = 1 + Math.floor(rng() * machines);
      heap.push(at, ev(at, 'task', 'SCHEDULE', i, machine));
      let run = lognormalUs(rng, 600, 1.5);
      if (rng() < 0.03) {
        const evictAt = at + Math.max(1_000_000, Math.floor(run * rng()));
        heap.push(evictAt, ev(evictAt, 'task', 'EVICT', i, machine));
        heap.push(evictAt + 1_000_000, ev(evictAt + 1_000_000, 'task', 'SUBMIT', i, 0));
        at = evictAt + 2_000_000;
        machine = 1 + Math.floor(rng() * machines);
        heap.push(at, ev(at, 'task', 'SCHEDULE', i, machine));
        run = lognormalUs(rng, 600, 1.5);
      }
      const end = at + run;
      heap.push(end, ev(end, 'task', pick(rng, END_TYPES).v, i, machine));
      if (end > jobEnd) jobEnd = end;
    }
    heap.push(jobEnd, ev(jobEnd, 'job', 'FINISH', -1, 0));
  }
  for (let e = heap.pop(); e; e = heap.pop()) yield e.value;
}
