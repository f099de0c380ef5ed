import type { RunSummary } from '../reports/types.js';

/** One row of a summary table: a run's name and summary. */
export interface NamedSummary {
  readonly name: string;
  readonly summary: RunSummary;
}

function pct(x: number | undefined): string {
  return x === undefined ? '-' : `${(x * 100).toFixed(1)}%`;
}

/** A plain-text table comparing runs, for the terminal. */
export function formatSummaryTable(rows: readonly NamedSummary[]): string {
  const header = [
    'policy',
    'pods',
    'scheduled',
    'unschedulable',
    'pending p50 s',
    'pending p99 s',
    'cpu mean',
    'gpu mean',
    'decisions/s',
  ];
  const body = rows.map(({ name, summary: s }) => [
    name,
    String(s.podsSubmitted),
    String(s.podsScheduled),
    String(s.podsUnschedulable),
    s.pendingSeconds.p50.toFixed(1),
    s.pendingSeconds.p99.toFixed(1),
    pct(s.utilization.cpu?.mean),
    pct(s.utilization['kreplay.io/gpu-milli']?.mean ?? s.utilization['nvidia.com/gpu']?.mean),
    Math.round(s.decisionsPerSecond).toLocaleString('en-US'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}
