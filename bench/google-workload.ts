/**
 * The Google-scale workload: a cell of 12,500 nodes (Borg's median cell size in the 2019 trace is
 * about 10-12 k machines) and one simulated day of batch Jobs whose pods, ≈ 1.1 M of them at scale 1,
 * are all created by the Job controller. Seeded (seedrandom alea), streamed (no whole-day array) and
 * plain data, so it can be pinned by a test and replayed through ClusterReplay.
 *
 * Distributions (every draw from one stream `google-scale/<seed>`, in the order listed per Job):
 * - **arrivals**: a homogeneous Poisson process over [0, 24 h): exponential inter-arrival times with
 *   rate λ = {@link EXPECTED_PODS_PER_DAY} × scale / {@link MEAN_COMPLETIONS} / 86,400 s (≈ 0.36
 *   Jobs/s at scale 1); Jobs arriving at or after 24 h (or `hours`) are not generated;
 * - **completions** (pods per Job), a mixture after the Borg traces' heavy tail of tasks per job:
 *   55 % 1, 30 % uniform 2..20, 12 % uniform 21..200, 3 % uniform 201..1,000 (mean 35.125);
 * - **parallelism**: = completions up to 20, else uniform 20..200 capped at completions;
 * - **duration** (`kreplay.io/duration`, shared by the Job's pods): log-normal, median 45 s,
 *   σ = 0.8, rounded to whole seconds and clamped to [5 s, 600 s] (mean ≈ 62 s);
 * - **requests**: cpu 250m / 500m / 1 / 2 (40/30/20/10 %), memory 512Mi / 1Gi / 2Gi / 4Gi
 *   (same weights, drawn independently);
 * - **namespace**: uniform over {@link TENANTS} tenants `tenant-00`..;
 * - every Job has `ttlSecondsAfterFinished: 60`, so the TTL controller deletes it a minute after it
 *   completes and the garbage collector deletes its pods: the store holds only recent work.
 *
 * Nodes are fixed by index (no draws): 50 % 32 cpu / 128Gi, 30 % 64 cpu / 256Gi, 20 % 16 cpu /
 * 64Gi, all 110 pods, zone `zone-<i mod 10>`. At scale s the cell has round(12,500 s) nodes (≥ 1).
 */
import seedrandom from 'seedrandom';
import type { Job, KObject, Node } from '../engine/api/types.js';
import type { InputCall } from '../engine/cluster/replay.js';

/** Nodes at scale 1. */
export const NODES_AT_SCALE_1 = 12_500;
/** Expected pods over the day at scale 1 (the draws give about this many; ≥ 1 M for the seeds used). */
export const EXPECTED_PODS_PER_DAY = 1_100_000;
/** Mean of the completions mixture: 0.55·1 + 0.30·11 + 0.12·110.5 + 0.03·600.5. */
export const MEAN_COMPLETIONS = 35.125;
/** Length of the arrival window, µs. */
export const DAY_US = 86_400_000_000;
/** Tenant namespaces. */
export const TENANTS = 20;
/** `ttlSecondsAfterFinished` of every Job. */
export const JOB_TTL_SECONDS = 60;

const CPU = ['250m', '500m', '1', '2'] as const;
const MEMORY = ['512Mi', '1Gi', '2Gi', '4Gi'] as const;
const WEIGHTS = [0.4, 0.3, 0.2, 0.1] as const;

/** What one Job asks for (its pods share it). */
export interface JobDraw {
  readonly timeUs: number;
  readonly name: string;
  readonly namespace: string;
  readonly completions: number;
  readonly parallelism: number;
  readonly durationSeconds: number;
  readonly cpu: string;
  readonly memory: string;
}

/** Settings of the workload. */
export interface GoogleWorkloadOptions {
  /** Multiplies nodes and the Job arrival rate (1 = 12,500 nodes, ≈ 1.1 M pods). */
  readonly scale: number;
  readonly seed: string | number;
  /** Length of the arrival window, hours (default 24; shorter windows are for profiling). */
  readonly hours?: number;
}

function checkScale(scale: number): void {
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new RangeError(`options.scale must be a positive number, got ${scale}`);
}

/** The number of nodes at `scale`. */
export function nodeCount(scale: number): number {
  checkScale(scale);
  return Math.max(1, Math.round(NODES_AT_SCALE_1 * scale));
}

/** Node `i` of the cell. */
export function googleNode(i: number): Node {
  const name = `cell-${String(i).padStart(5, '0')}`;
  const size = i % 10 < 5 ? [32, '128Gi'] : i % 10 < 8 ? [64, '256Gi'] : [16, '64Gi'];
  const res = { cpu: String(size[0]), memory: String(size[1]), pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 10}` },
    },
    spec: {},
    status: { capacity: res, allocatable: res },
  };
}

function pick<T>(values: readonly T[], u: number): T {
  let acc = 0;
  for (let i = 0; i < WEIGHTS.length; i++) {
    acc += WEIGHTS[i]!;
    if (u < acc) return values[i]!;
  }
  return values[values.length - 1]!;
}

/** Uniform integer in [lo, hi]. */
function uniformInt(u: number, lo: number, hi: number): number {
  return lo + Math.floor(u * (hi - lo + 1));
}

/** The Jobs of the day, in arrival order (a generator: nothing is kept). */
export function* jobDraws(opts: GoogleWorkloadOptions): Generator<JobDraw> {
  checkScale(opts.scale);
  const rng = seedrandom.alea(`google-scale/${opts.seed}`);
  const ratePerUs = (EXPECTED_PODS_PER_DAY * opts.scale) / MEAN_COMPLETIONS / DAY_US;
  const endUs = ((opts.hours ?? 24) * DAY_US) / 24;
  let t = 0;
  for (let n = 0; ; n++) {
    // 1 − u lies in (0, 1], so the log is finite.
    t += -Math.log(1 - rng()) / ratePerUs;
    const timeUs = Math.floor(t);
    if (timeUs >= endUs) return;
    const m = rng();
    const u = rng();
    const completions =
      m < 0.55
        ? 1
        : m < 0.85
          ? uniformInt(u, 2, 20)
          : m < 0.97
            ? uniformInt(u, 21, 200)
            : uniformInt(u, 201, 1000);
    const p = rng();
    const parallelism = completions <= 20 ? completions : Math.min(completions, uniformInt(p, 20, 200));
    // Box–Muller from two draws; log-normal median 45 s, σ 0.8.
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const durationSeconds = Math.min(600, Math.max(5, Math.round(45 * Math.exp(0.8 * z))));
    const cpu = pick(CPU, rng());
    const memory = pick(MEMORY, rng());
    const tenant = Math.floor(rng() * TENANTS);
    yield {
      timeUs,
      name: `job-${String(n).padStart(6, '0')}`,
      namespace: `tenant-${String(tenant).padStart(2, '0')}`,
      completions,
      parallelism,
      durationSeconds,
      cpu,
      memory,
    };
  }
}

/** The Job object of a draw. */
export function googleJob(d: JobDraw): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: d.name, namespace: d.namespace },
    spec: {
      completions: d.completions,
      parallelism: d.parallelism,
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
      template: {
        metadata: {
          labels: { app: 'batch' },
          annotations: { 'kreplay.io/duration': `${d.durationSeconds}s` },
        },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'task',
              image: 'registry.example/batch-task:1',
              resources: { requests: { cpu: d.cpu, memory: d.memory } },
            },
          ],
        },
      },
    },
  };
}

/**
 * The whole workload as timed API calls: the tenant Namespaces and the nodes at t = 0, then one Job
 * create per draw at its arrival time.
 */
export async function* googleWorkload(opts: GoogleWorkloadOptions): AsyncGenerator<InputCall> {
  for (let i = 0; i < TENANTS; i++) {
    const name = `tenant-${String(i).padStart(2, '0')}`;
    yield {
      timeUs: 0,
      op: 'create',
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KObject,
    };
  }
  const n = nodeCount(opts.scale);
  for (let i = 0; i < n; i++) yield { timeUs: 0, op: 'create', object: googleNode(i) as KObject };
  for (const d of jobDraws(opts)) yield { timeUs: d.timeUs, op: 'create', object: googleJob(d) as KObject };
}
