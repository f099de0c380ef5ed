/**
 * The Google-scale benchmark: one simulated day of the workload of `google-workload.ts` (12,500
 * nodes, ≈ 1.1 M pods created by Jobs at scale 1) through `ClusterReplay` with the control plane
 * installed (Job, TTL-after-finished and garbage-collector controllers create and delete every pod),
 * the default scheduler profile, kubelets and the hashed event log (no file writer, no report fold).
 * The run goes on after the last arrival until every Job has finished and been garbage-collected.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { stringify } from 'csv-stringify/sync';
import { ClusterReplay } from '../engine/cluster/replay.js';
import { EVENT } from '../engine/cluster/events.js';
import { presetConfig } from '../engine/scheduler/index.js';
import { googleWorkload, nodeCount } from './google-workload.js';
import { machine } from './stats.js';

/** Settings of one run. */
export interface GoogleScaleOptions {
  /** 1 = the full cell and day; 0.05 = 625 nodes and ≈ 55 k pods (same day, 1/20 the arrival rate). */
  readonly scale: number;
  readonly seed: string;
  /** Arrival window, hours (default 24: the benchmark; shorter only for profiling). */
  readonly hours?: number;
  /** Progress lines (one per simulated hour). */
  readonly log?: (line: string) => void;
}

/** What one run measured. */
export interface GoogleScaleResult {
  readonly scale: number;
  readonly hours: number;
  readonly seed: string;
  readonly nodes: number;
  readonly jobs: number;
  /** Pods created (all by the Job controller). */
  readonly pods: number;
  readonly podsSucceeded: number;
  readonly binds: number;
  readonly schedulingAttempts: number;
  /** Virtual seconds from the first to the last event. */
  readonly virtualSeconds: number;
  readonly wallSeconds: number;
  /** CPU seconds (user + system) of this process over the run: less sensitive than wall time to other load. */
  readonly cpuSeconds: number;
  /** 1-minute load average of the machine when the run ended (the machine may be shared). */
  readonly loadAverage: number;
  /** Event-log entries (hashed). */
  readonly logEntries: number;
  /** Simulation queue events handled. */
  readonly simEvents: number;
  readonly eventLogSha256: string;
  /** Peak resident set size, MiB (`process.resourceUsage().maxRSS`). */
  readonly peakRssMiB: number;
  /** Most Pods / Jobs in the store at any hourly sample. */
  readonly maxLivePods: number;
  readonly maxLiveJobs: number;
  /** Pods and Jobs left in the store at the end (0 once TTL and garbage collection have run). */
  readonly livePodsAtEnd: number;
  readonly liveJobsAtEnd: number;
}

const MIB = 1024 * 1024;

/** Runs the benchmark once in this process. */
export async function runGoogleScale(opts: GoogleScaleOptions): Promise<GoogleScaleResult> {
  const log = opts.log ?? (() => {});
  const replay = new ClusterReplay({
    seed: opts.seed,
    config: presetConfig('default-scheduler'),
    policy: 'default-scheduler',
    trace: `google-scale/${opts.scale}`,
  });
  let jobs = 0;
  let pods = 0;
  let succeeded = 0;
  let binds = 0;
  let attempts = 0;
  let maxLivePods = 0;
  let maxLiveJobs = 0;
  let nextReportUs = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const sample = (virtualUs: number, force = false): void => {
    const livePods = replay.store.count('Pod');
    const liveJobs = replay.store.count('Job');
    maxLivePods = Math.max(maxLivePods, livePods);
    maxLiveJobs = Math.max(maxLiveJobs, liveJobs);
    if (!force && virtualUs < nextReportUs) return;
    nextReportUs = (Math.floor(virtualUs / 3.6e9) + 1) * 3.6e9;
    const wall = (performance.now() - t0) / 1000;
    log(
      `  t=${(virtualUs / 3.6e9).toFixed(2)}h wall=${wall.toFixed(1)}s pods=${pods} live pods=${livePods}` +
        ` live jobs=${liveJobs} rss=${(process.memoryUsage.rss() / MIB).toFixed(0)}MiB`,
    );
  };
  replay.sim.log.listenEntries((e) => {
    switch (e.type) {
      case EVENT.API:
        if (e.verb === 'create') {
          if (e.kind === 'Pod') {
            // Live counts and progress every 1,024 pods (store.count is O(1)).
            if ((++pods & 1023) === 0) sample(e.time);
          } else if (e.kind === 'Job') jobs++;
        }
        break;
      case EVENT.BIND:
        binds++;
        attempts++;
        break;
      case EVENT.FAIL:
        attempts++;
        break;
      case EVENT.FINISH:
        if (e.phase === 'Succeeded') succeeded++;
        break;
      default:
        break;
    }
  });
  await replay.run(googleWorkload({ scale: opts.scale, seed: opts.seed, hours: opts.hours ?? 24 }));
  replay.end();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  sample(replay.sim.now(), true);
  return {
    scale: opts.scale,
    hours: opts.hours ?? 24,
    seed: opts.seed,
    nodes: nodeCount(opts.scale),
    jobs,
    pods,
    podsSucceeded: succeeded,
    binds,
    schedulingAttempts: attempts,
    virtualSeconds: replay.sim.now() / 1e6,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    loadAverage: loadavg()[0]!,
    logEntries: replay.sim.log.seq,
    simEvents: replay.sim.processed,
    eventLogSha256: replay.sim.log.hash,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    maxLivePods,
    maxLiveJobs,
    livePodsAtEnd: replay.store.count('Pod'),
    liveJobsAtEnd: replay.store.count('Job'),
  };
}

const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['date', 'date'],
  ['scale', 'scale'],
  ['hours', 'hours'],
  ['seed', 'seed'],
  ['nodes', 'nodes'],
  ['jobs', 'jobs'],
  ['pods', 'pods'],
  ['podsSucceeded', 'pods_succeeded'],
  ['schedulingAttempts', 'scheduling_attempts'],
  ['virtualSeconds', 'virtual_seconds'],
  ['wallSeconds', 'wall_seconds'],
  ['cpuSeconds', 'cpu_seconds'],
  ['loadAverage', 'load_avg_1m'],
  ['virtualPerWall', 'virtual_s_per_wall_s'],
  ['logEntriesPerSecond', 'log_entries_per_s'],
  ['simEventsPerSecond', 'sim_events_per_s'],
  ['podsPerSecond', 'pods_per_s'],
  ['peakRssMiB', 'peak_rss_mib'],
  ['maxLivePods', 'max_live_pods'],
  ['maxLiveJobs', 'max_live_jobs'],
  ['logEntries', 'log_entries'],
  ['simEvents', 'sim_events'],
  ['eventLogSha256', 'event_log_sha256'],
  ['cpuModel', 'cpu_model'],
  ['cores', 'cores'],
  ['node', 'node_version'],
];

const r1 = (x: number): number => Math.round(x * 10) / 10;

/** Appends one row to the CSV at `path` (header first when the file is new). */
export function appendGoogleCsv(path: string, r: GoogleScaleResult, date = new Date()): void {
  const m = machine();
  const record: Record<string, unknown> = {
    ...r,
    date: date.toISOString(),
    wallSeconds: r1(r.wallSeconds),
    cpuSeconds: r1(r.cpuSeconds),
    loadAverage: Math.round(r.loadAverage * 100) / 100,
    virtualPerWall: r1(r.virtualSeconds / r.wallSeconds),
    logEntriesPerSecond: Math.round(r.logEntries / r.wallSeconds),
    simEventsPerSecond: Math.round(r.simEvents / r.wallSeconds),
    podsPerSecond: r1(r.pods / r.wallSeconds),
    peakRssMiB: Math.round(r.peakRssMiB),
    cpuModel: m.cpuModel,
    cores: m.cores,
    node: m.node,
  };
  mkdirSync(dirname(path), { recursive: true });
  const header = !existsSync(path);
  const columns = COLUMNS.map(([key, h]) => ({ key, header: h }));
  appendFileSync(path, stringify([record], { header, columns }));
}

/**
 * Runs `google.js` (or `google.ts` through tsx) in a child process, so that its peak RSS is its own,
 * with its output passed through; resolves when it has appended its row to `csv`.
 */
export function runGoogleScaleChild(opts: { scale: number; seed?: string; csv: string }): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const ts = self.endsWith('.ts');
  const entry = join(self, '..', ts ? 'google.ts' : 'google.js');
  const args = [
    ...(ts ? ['--import', 'tsx'] : []),
    entry,
    '--scale',
    String(opts.scale),
    '--seed',
    opts.seed ?? '1',
    '--csv',
    opts.csv,
  ];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`google-scale benchmark failed (exit ${code})`)),
    );
  });
}
