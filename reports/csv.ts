/**
 * The CSV files of a run (summary, pods, nodes, timeseries, attempts, controlplane) and of a comparison
 * (compare.csv), streamed through csv-stringify. Columns and number formats are fixed here; see
 * docs/reports.md for each column.
 */
import { createWriteStream } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { RunReport, RunSummary } from './types.js';
import { CONTROLLER_OWNER_KINDS } from './types.js';
import { fixed, flattenSummary, summaryCell } from './format.js';
import type { OutputFile } from './files.js';
import { writeFileSet } from './files.js';
import { ci95HalfWidth, mean, sampleSd } from './stats.js';

const MIB = 1024 * 1024;

/** A resource's column name and unit divisor in nodes.csv (`cpuMilli`, `memoryMiB`, `gpu`, `gpuMilli`). */
const RESOURCE_COLUMNS: Record<string, { column: string; divisor: number }> = {
  cpu: { column: 'cpuMilli', divisor: 1 },
  memory: { column: 'memoryMiB', divisor: MIB },
  'nvidia.com/gpu': { column: 'gpu', divisor: 1 },
  'kreplay.io/gpu-milli': { column: 'gpuMilli', divisor: 1 },
};

function amountCell(resource: string, v: number): string {
  const c = RESOURCE_COLUMNS[resource];
  const x = v / (c?.divisor ?? 1);
  return Number.isInteger(x) ? String(x) : fixed(x);
}

/** Streams `rows` (the first one the header) as CSV to `path`. */
export async function writeCsv(path: string, rows: Iterable<string[]>): Promise<void> {
  await pipeline(Readable.from(rows), stringify({ record_delimiter: 'unix' }), createWriteStream(path));
}

/** summary.csv: a header of the flattened summary keys and one row. */
export function* summaryRows(s: RunSummary): Generator<string[]> {
  const flat = flattenSummary(s);
  yield flat.map(([k]) => k);
  yield flat.map(([k, v]) => summaryCell(k, v));
}

/** pods.csv: one row per pod, in the order pods were first seen. */
export function* podRows(r: RunReport): Generator<string[]> {
  yield [
    'namespace',
    'name',
    'ownerKind',
    'ownerName',
    'created',
    'scheduled',
    'node',
    'started',
    'finished',
    'deleted',
    'phase',
    'attempts',
    'pendingSeconds',
    'cpuMilli',
    'memoryMiB',
    'gpu',
    'gpuMilli',
    'gpus',
    'quotaRejections',
    'preemptions',
    'evictions',
    'restarts',
  ];
  for (const p of r.pods) {
    yield [
      p.namespace,
      p.name,
      p.ownerKind,
      p.ownerName,
      fixed(p.created),
      fixed(p.scheduled),
      p.node,
      fixed(p.started),
      fixed(p.finished),
      fixed(p.deleted),
      p.phase,
      String(p.attempts),
      fixed(p.pendingSeconds),
      String(p.cpuMilli),
      fixed(p.memoryMiB),
      String(p.gpu),
      String(p.gpuMilli),
      p.gpus,
      String(p.quotaRejections),
      String(p.preemptions),
      String(p.evictions),
      String(p.restarts),
    ];
  }
}

/** nodes.csv: one row per node; allocatable and allocation columns for the resources present. */
export function* nodeRows(r: RunReport): Generator<string[]> {
  const header = ['name', 'created', 'deleted', 'gpuModel', 'zone'];
  for (const res of r.resources) header.push(RESOURCE_COLUMNS[res]?.column ?? res);
  header.push('podsBound');
  for (const res of r.resources) header.push(`alloc.${res}.mean`, `alloc.${res}.peak`);
  yield header;
  for (const n of r.nodes) {
    const row = [n.name, fixed(n.created), fixed(n.deleted), n.gpuModel, n.zone];
    for (const res of r.resources) row.push(amountCell(res, n.allocatable[res] ?? 0));
    row.push(String(n.podsBound));
    for (const res of r.resources) {
      const a = n.allocation[res];
      row.push(fixed(a?.mean ?? 0), fixed(a?.peak ?? 0));
    }
    yield row;
  }
}

/** timeseries.csv: one row per bucket of virtual time. */
export function* timeseriesRows(r: RunReport): Generator<string[]> {
  yield [
    'start',
    'end',
    ...r.resources.map((res) => `alloc.${res}`),
    'running',
    'pending',
    'bound',
    'created',
    'failedAttempts',
  ];
  for (const b of r.timeseries) {
    yield [
      fixed(b.startSeconds),
      fixed(b.endSeconds),
      ...r.resources.map((res) => fixed(b.allocation[res] ?? 0)),
      String(b.running),
      String(b.pending),
      String(b.bound),
      String(b.created),
      String(b.failedAttempts),
    ];
  }
}

/** attempts.csv: one row per (plugin, reason) of each failed scheduling attempt. */
export function* attemptRows(r: RunReport): Generator<string[]> {
  yield ['pod', 'attempt', 'time', 'code', 'plugin', 'reason', 'nodes'];
  for (const a of r.attempts) {
    yield [a.pod, String(a.attempt), fixed(a.time), a.code, a.plugin, a.reason, String(a.nodes)];
  }
}

/**
 * controlplane.csv: one row of control-plane counts (evictions, pods created by controllers in all
 * and per owner kind, quota rejections, leader changes per lease, node failures).
 */
export function* controlPlaneRows(r: RunReport): Generator<string[]> {
  const c = r.controlPlane;
  const kinds = [...CONTROLLER_OWNER_KINDS, 'Other'];
  yield [
    'evictions',
    'podsCreatedByControllers',
    ...kinds.map((k) => `createdBy${k}`),
    'quotaRejections',
    'leaderChangesScheduler',
    'leaderChangesControllerManager',
    'nodeFailures',
  ];
  yield [
    c.evictions,
    c.podsCreatedByControllers,
    ...kinds.map((k) => c.createdBy[k] ?? 0),
    c.quotaRejections,
    c.leaderChangesScheduler,
    c.leaderChangesControllerManager,
    c.nodeFailures,
  ].map(String);
}

/** The CSV files of a run, for {@link writeFileSet}. */
export function runCsvFiles(report: RunReport): OutputFile[] {
  const csv = (name: string, rows: () => Iterable<string[]>): OutputFile => ({
    name,
    write: (path) => writeCsv(path, rows()),
  });
  return [
    csv('summary.csv', () => summaryRows(report.summary)),
    csv('pods.csv', () => podRows(report)),
    csv('nodes.csv', () => nodeRows(report)),
    csv('timeseries.csv', () => timeseriesRows(report)),
    csv('attempts.csv', () => attemptRows(report)),
    csv('controlplane.csv', () => controlPlaneRows(report)),
  ];
}

/**
 * Writes summary.csv, pods.csv, nodes.csv, timeseries.csv, attempts.csv and controlplane.csv into `dir` (created if
 * missing), all or none: see {@link writeFileSet}.
 */
export async function writeRunReports(dir: string, report: RunReport): Promise<void> {
  await writeFileSet(dir, runCsvFiles(report));
}

/** One run of a comparison as compare.csv needs it. */
export interface CompareRow {
  policy: string;
  trace: string;
  seed: string;
  summary: RunSummary;
}

/**
 * compare.csv: a header `row,policy,trace,seed,n,<flattened summary keys>`, one `run` row per run in
 * the given order, then per (policy, trace), in first-seen order, three aggregate rows over its runs:
 * `mean`, `sd` (sample standard deviation, n − 1) and `ci95` (half-width of the 95% confidence
 * interval of the mean, t(0.975, n − 1) × sd / √n). Non-numeric keys and, for n < 2, sd and ci95
 * are left empty.
 */
export function* compareRows(rows: readonly CompareRow[]): Generator<string[]> {
  const keys: string[] = [];
  const seen = new Set<string>();
  const flats = rows.map((r) => new Map(flattenSummary(r.summary)));
  for (const f of flats) {
    for (const k of f.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  yield ['row', 'policy', 'trace', 'seed', 'n', ...keys];
  const groups = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const g = `${r.policy}\u0000${r.trace}`;
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  });
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const f = flats[i]!;
    yield ['run', r.policy, r.trace, r.seed, '1', ...keys.map((k) => summaryCell(k, f.get(k)))];
  }
  const stats: Array<[string, (xs: number[]) => number]> = [
    ['mean', mean],
    ['sd', sampleSd],
    ['ci95', ci95HalfWidth],
  ];
  for (const members of groups.values()) {
    const first = rows[members[0]!]!;
    for (const [label, fn] of stats) {
      const cells = keys.map((k) => {
        const xs: number[] = [];
        for (const i of members) {
          const v = flats[i]!.get(k);
          if (typeof v === 'number') xs.push(v);
        }
        const x = xs.length > 0 ? fn(xs) : NaN;
        return Number.isFinite(x) ? fixed(x) : '';
      });
      yield [label, first.policy, first.trace, '', String(members.length), ...cells];
    }
  }
}

/** Writes compare.csv ({@link compareRows}) to `path` through a temp file, renamed when complete. */
export async function writeCompareCsv(path: string, rows: readonly CompareRow[]): Promise<void> {
  await writeFileSet(dirname(path), [{ name: basename(path), write: (p) => writeCsv(p, compareRows(rows)) }]);
}
