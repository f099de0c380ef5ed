/**
 * Charts as inline SVG, rendered in Node by vega + vega-lite (no browser, no network). The libraries
 * are imported on first use only: importing them costs ~330 ms, which a replay without a report
 * should not pay.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { BucketRow } from './types.js';

type Libs = [typeof import('vega'), typeof import('vega-lite')];
let libs: Promise<Libs> | undefined;

function loadLibs(): Promise<Libs> {
  libs ??= Promise.all([import('vega'), import('vega-lite')]).then((l) => {
    // Without node-canvas vega guesses 0.8 em per character, which truncates labels early and
    // leaves wide gaps; per-character widths of DejaVu Sans (the charts' first font) do better.
    // `textMetrics` is exported by vega at runtime but missing from its type declarations.
    const metrics = (
      l[0] as unknown as { textMetrics: { width: (item: { fontSize?: number }, text?: string) => number } }
    ).textMetrics;
    metrics.width = (item, text) => textWidth(String(text ?? ''), item.fontSize ?? 11);
    return l;
  });
  return libs;
}

const NARROW = new Set(" ijl.,:;'|!()[]{}/\\`frt-");
const WIDE = new Set('mwMWOQGD@%');

/** Estimated width (px) of `text` in DejaVu Sans at `fontSize` px: deterministic, no canvas. */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) {
    if (NARROW.has(ch)) em += 0.34;
    else if (WIDE.has(ch)) em += 0.86;
    else if (ch >= 'A' && ch <= 'Z') em += 0.7;
    else em += 0.62;
  }
  return Math.ceil(em * fontSize);
}

/** Look shared by every chart: system fonts, no external resources. */
const CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  background: 'white',
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
  title: { fontSize: 14, anchor: 'start' },
  view: { stroke: '#ddd' },
} as const;

/**
 * vega numbers clip paths and gradients with a process-wide counter, so the same chart rendered twice
 * gets different ids. Renames every id of one SVG to `<prefix>-<n>` in order of appearance, making
 * the output depend only on the chart (and ids unique across the charts of one page).
 */
export function normalizeSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    if (!ids.has(m[1]!)) ids.set(m[1]!, `${prefix}-${ids.size + 1}`);
  }
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (all, lead: string, id: string) => {
    const to = ids.get(id);
    return to === undefined ? all : `${lead}${to}`;
  });
}

/** Renders one vega-lite spec (data inline) to an SVG string; `id` prefixes its element ids. */
export async function renderSvg(spec: TopLevelSpec, id: string): Promise<string> {
  const [vega, vl] = await loadLibs();
  const compiled = vl.compile({
    ...spec,
    config: { ...CONFIG, ...(spec.config ?? {}) },
  } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return normalizeSvgIds(await view.toSVG(), id);
  } finally {
    view.finalize();
  }
}

/** A unit of virtual time for chart axes, chosen from a run's length. */
export interface TimeUnit {
  seconds: number;
  label: string;
}

/** Seconds for runs up to 10 minutes, minutes up to 10 hours, hours up to 10 days, else days. */
export function timeUnitFor(totalSeconds: number): TimeUnit {
  if (totalSeconds <= 600) return { seconds: 1, label: 's' };
  if (totalSeconds <= 36_000) return { seconds: 60, label: 'min' };
  if (totalSeconds <= 864_000) return { seconds: 3600, label: 'h' };
  return { seconds: 86_400, label: 'd' };
}

/** Points of an empirical CDF of ascending `sorted`, at most `max` of them (sampled by rank). */
export function cdfPoints(sorted: readonly number[], max = 400): Array<{ x: number; y: number }> {
  const n = sorted.length;
  if (n === 0) return [];
  const out: Array<{ x: number; y: number }> = [];
  const steps = Math.min(n, max);
  for (let j = 1; j <= steps; j++) {
    const rank = Math.ceil((j * n) / steps);
    out.push({ x: sorted[rank - 1]!, y: (rank / n) * 100 });
  }
  return out;
}

/** Most buckets a time chart draws: a 1,000 px chart cannot show more steps than this. */
export const CHART_MAX_BUCKETS = 500;

/**
 * A run's buckets as a time chart draws them, at most `max` (timeseries.csv keeps every bucket): runs
 * of `factor` = ⌈n / max⌉ consecutive buckets become one spanning them, with the time-weighted mean
 * allocation of its buckets, the pods running and pending at its end, and its counts summed. vega's
 * cost grows with the points; a compare sweep spent a fifth of its time drawing 2,000-bucket charts.
 */
export function chartBuckets(
  rows: readonly BucketRow[],
  max = CHART_MAX_BUCKETS,
): { rows: BucketRow[]; factor: number } {
  if (rows.length <= max) return { rows: [...rows], factor: 1 };
  const factor = Math.ceil(rows.length / max);
  const out: BucketRow[] = [];
  for (let i = 0; i < rows.length; i += factor) {
    const group = rows.slice(i, i + factor);
    const first = group[0]!;
    const last = group[group.length - 1]!;
    let covered = 0;
    const sums: Record<string, number> = {};
    for (const r of Object.keys(first.allocation)) sums[r] = 0;
    let bound = 0;
    let created = 0;
    let failedAttempts = 0;
    for (const b of group) {
      const w = b.endSeconds - b.startSeconds;
      covered += w;
      for (const r of Object.keys(sums)) sums[r] = sums[r]! + (b.allocation[r] ?? 0) * w;
      bound += b.bound;
      created += b.created;
      failedAttempts += b.failedAttempts;
    }
    const allocation: Record<string, number> = {};
    for (const r of Object.keys(sums)) allocation[r] = covered > 0 ? sums[r]! / covered : last.allocation[r]!;
    out.push({
      startSeconds: first.startSeconds,
      endSeconds: last.endSeconds,
      allocation,
      running: last.running,
      pending: last.pending,
      bound,
      created,
      failedAttempts,
    });
  }
  return { rows: out, factor };
}

/** Histogram bins of ratios (0..1) in `bins` equal bins from 0 to 100%, a ratio of exactly 1 in the last. */
export function percentBins(ratios: readonly number[], bins = 10): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const r of ratios) {
    const k = Math.min(bins - 1, Math.max(0, Math.floor(r * bins)));
    counts[k]!++;
  }
  return counts;
}

/** Label of bin `k` of {@link percentBins}: `0–10`. */
export function binLabel(k: number, bins = 10): string {
  const w = 100 / bins;
  return `${k * w}–${(k + 1) * w}`;
}
