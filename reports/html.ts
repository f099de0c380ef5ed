/**
 * The self-contained HTML reports: `report.html` of one run and the policy comparison of `compare`.
 * One file each, inline CSS, charts as inline SVG; no scripts and no network references.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ControlPlaneCounts, ReasonCount, RunReport, RunSummary } from './types.js';
import { CONTROLLER_OWNER_KINDS } from './types.js';
import { fixed, flattenSummary, nearestRank, summaryCell } from './format.js';
import { binLabel, cdfPoints, chartBuckets, percentBins, renderSvg, timeUnitFor } from './charts.js';
import { mean } from './stats.js';

const WIDTH = 1000;
const HEIGHT = 220;
/** Reasons shown in the failure charts (the most frequent). */
const TOP_REASONS = 12;

const CSS = `
body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; margin: 24px 32px; color: #222; max-width: 1180px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
p.meta { color: #555; margin: 0 0 12px; }
p.note { color: #555; font-size: 13px; margin: 2px 0 8px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; }
figure { margin: 8px 0 16px; }
figure svg { max-width: 100%; height: auto; }
`;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const SUMMARY_NOTES: Record<string, string> = {
  eventLogSha256: 'SHA-256 chain head of the event log',
  events: 'event log entries',
  virtualSeconds: 'virtual time simulated (s)',
  wallSeconds: 'wall-clock time of the replay (s)',
  nodes: 'nodes created',
  podsSubmitted: 'pods created or refused by admission',
  podsScheduled: 'pods bound at least once',
  podsUnschedulable: 'pods still unscheduled at the end',
  podsPreempted: 'pods evicted by preemption',
  podsRejectedByQuota: 'pods refused by ResourceQuota at least once',
  podsSucceeded: 'pods ending Succeeded',
  podsFailed: 'pods ending Failed',
  schedulingAttempts: 'scheduling attempts (binds + failures)',
  decisionsPerSecond: 'scheduling attempts per wall-clock second',
  invalidSkipped: 'invalid trace rows skipped',
};

function noteOf(key: string): string {
  if (SUMMARY_NOTES[key]) return SUMMARY_NOTES[key];
  const p = /^pendingSeconds\.(\w+)$/.exec(key);
  if (p) return `pending time ${p[1]} (s, nearest rank)`;
  const u = /^utilization\.(.+)\.(mean|peak)$/.exec(key);
  if (u) return `${u[1]} allocated / allocatable, ${u[2] === 'mean' ? 'time-weighted mean' : 'peak'} (0..1)`;
  return '';
}

function summaryTable(s: RunSummary): string {
  const rows = flattenSummary(s)
    .map(
      ([k, v]) =>
        `<tr><th>${escapeHtml(k)}</th><td class="num">${escapeHtml(summaryCell(k, v))}</td><td>${escapeHtml(noteOf(k))}</td></tr>`,
    )
    .join('\n');
  return `<table class="summary">\n<tr><th>key</th><th>value</th><th>meaning</th></tr>\n${rows}\n</table>`;
}

function controlPlaneTable(c: ControlPlaneCounts): string {
  const byKind = [...CONTROLLER_OWNER_KINDS, 'Other'].map((k) => `${k} ${c.createdBy[k] ?? 0}`).join(', ');
  const rows: Array<[string, number, string]> = [
    ['evictions', c.evictions, 'pods evicted from NoExecute-tainted nodes (taint manager)'],
    ['podsCreatedByControllers', c.podsCreatedByControllers, `pods created by controllers: ${byKind}`],
    ['quotaRejections', c.quotaRejections, 'creates refused by ResourceQuota'],
    ['leaderChangesScheduler', c.leaderChangesScheduler, 'kube-scheduler lease acquired by a new leader'],
    [
      'leaderChangesControllerManager',
      c.leaderChangesControllerManager,
      'kube-controller-manager lease acquired by a new leader',
    ],
    ['nodeFailures', c.nodeFailures, 'node-down faults'],
  ];
  const body = rows
    .map(
      ([k, v, note]) =>
        `<tr><th>${escapeHtml(k)}</th><td class="num">${v}</td><td>${escapeHtml(note)}</td></tr>`,
    )
    .join('\n');
  return `<table class="controlplane">\n<tr><th>key</th><th>value</th><th>meaning</th></tr>\n${body}\n</table>`;
}

function page(title: string, meta: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(meta)}</p>
${body}
</body>
</html>
`;
}

function section(heading: string, note: string, content: string): string {
  return `<h2>${escapeHtml(heading)}</h2>\n${note ? `<p class="note">${escapeHtml(note)}</p>\n` : ''}${content}\n`;
}

const figure = (svg: string): string => `<figure>${svg}</figure>`;

function round(x: number): number {
  return Number(fixed(x));
}

function lineSpec(
  values: object[],
  x: { field: string; title: string; domain?: [number, number] },
  y: { field: string; title: string; domain?: [number, number]; integer?: boolean },
  color?: { field: string; title: string },
  interpolate = 'step-after',
): TopLevelSpec {
  return {
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', interpolate, strokeWidth: 1.6 } as never,
    encoding: {
      x: {
        field: x.field,
        type: 'quantitative',
        title: x.title,
        ...(x.domain ? { scale: { domain: x.domain, nice: false } } : {}),
      },
      y: {
        field: y.field,
        type: 'quantitative',
        title: y.title,
        ...(y.domain ? { scale: { domain: y.domain } } : {}),
        ...(y.integer ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
      },
      ...(color ? { color: { field: color.field, type: 'nominal', title: color.title, sort: null } } : {}),
    },
  } as TopLevelSpec;
}

function reasonLabel(r: { plugin: string; reason: string }): string {
  return r.plugin ? `${r.plugin}: ${r.reason}` : r.reason || '(no reason given)';
}

function topReasons(reasons: readonly ReasonCount[]): ReasonCount[] {
  return [...reasons]
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.attempts - a.r.attempts || a.i - b.i)
    .slice(0, TOP_REASONS)
    .map((x) => x.r);
}

/**
 * Renders a run's `report.html`: the summary table first, then allocation over time per resource,
 * running/pending pods over time, the pending-time CDF, failed-attempt reasons and the per-node
 * allocation histogram. Deterministic: the same report gives the same bytes.
 */
export async function renderRunHtml(report: RunReport): Promise<string> {
  const s = report.summary;
  const unit = timeUnitFor(s.virtualSeconds);
  const tTitle = `virtual time (${unit.label})`;
  const tDomain: [number, number] = [0, round(s.virtualSeconds / unit.seconds)];
  const parts: string[] = [
    section('Summary', '', summaryTable(s)),
    section(
      'Control plane',
      'Counted from the event log; also in controlplane.csv.',
      controlPlaneTable(report.controlPlane),
    ),
  ];

  const alloc: object[] = [];
  const pods: object[] = [];
  const { rows: drawn, factor } = chartBuckets(report.timeseries);
  const bucketText =
    factor === 1
      ? `${report.run.bucketSeconds} s bucket`
      : `${report.run.bucketSeconds * factor} s (${factor} buckets of timeseries.csv drawn as one)`;
  for (const b of drawn) {
    const t = round(b.startSeconds / unit.seconds);
    for (const r of report.resources)
      alloc.push({ t, resource: r, pct: round((b.allocation[r] ?? 0) * 100) });
    pods.push({ t, series: 'running', pods: b.running }, { t, series: 'pending', pods: b.pending });
  }
  const last = drawn[drawn.length - 1];
  if (last) {
    // Close the step lines at the end of the last bucket.
    const t = round(last.endSeconds / unit.seconds);
    for (const r of report.resources)
      alloc.push({ t, resource: r, pct: round((last.allocation[r] ?? 0) * 100) });
    pods.push({ t, series: 'running', pods: last.running }, { t, series: 'pending', pods: last.pending });
  }
  parts.push(
    section(
      'Allocation over time',
      `Requested / allocatable of the whole cluster per resource, time-weighted mean per ${bucketText}.`,
      figure(
        await renderSvg(
          lineSpec(
            alloc,
            { field: 't', title: tTitle, domain: tDomain },
            { field: 'pct', title: 'allocated (% of allocatable)', domain: [0, 100] },
            { field: 'resource', title: 'resource' },
          ),
          'alloc',
        ),
      ),
    ),
  );
  parts.push(
    section(
      'Pods running and pending over time',
      `Pods running, and pods waiting to be scheduled, at the end of each ${bucketText}.`,
      figure(
        await renderSvg(
          lineSpec(
            pods,
            { field: 't', title: tTitle, domain: tDomain },
            { field: 'pods', title: 'pods', integer: true },
            { field: 'series', title: 'pods' },
          ),
          'pods',
        ),
      ),
    ),
  );

  const pending = report.pods.flatMap((p) => (p.pendingSeconds === undefined ? [] : [p.pendingSeconds]));
  pending.sort((a, b) => a - b);
  const cdf = cdfPoints(pending).map((p) => ({ x: round(p.x), y: round(p.y) }));
  parts.push(
    section(
      'Pending time',
      `Time from creation to first bind (never bound: to deletion or run end), ${pending.length} pods. p50 ${fixed(s.pendingSeconds.p50)} s, p90 ${fixed(s.pendingSeconds.p90)} s, p99 ${fixed(s.pendingSeconds.p99)} s.`,
      pending.length === 0
        ? '<p class="note">No pods were created.</p>'
        : figure(
            await renderSvg(
              lineSpec(
                cdf,
                { field: 'x', title: 'pending time (s)' },
                { field: 'y', title: 'pods pending at most this long (%)', domain: [0, 100] },
              ),
              'cdf',
            ),
          ),
    ),
  );

  const reasons = topReasons(report.reasons).map((r) => ({
    reason: reasonLabel(r),
    attempts: r.attempts,
    nodes: r.nodes,
  }));
  parts.push(
    section(
      'Failed scheduling attempts by reason',
      `${s.schedulingAttempts} attempts in all; failed attempts that named each plugin reason (an attempt can name several)${report.reasons.length > TOP_REASONS ? `, the ${TOP_REASONS} most frequent` : ''}.`,
      reasons.length === 0
        ? '<p class="note">No failed scheduling attempts.</p>'
        : figure(
            await renderSvg(
              {
                width: 560,
                height: { step: 22 },
                data: { values: reasons },
                mark: { type: 'bar', color: '#4c78a8' },
                encoding: {
                  y: {
                    field: 'reason',
                    type: 'nominal',
                    sort: null,
                    title: null,
                    axis: { labelLimit: 420 },
                  },
                  x: {
                    field: 'attempts',
                    type: 'quantitative',
                    title: 'failed attempts',
                    axis: { tickMinStep: 1, tickCount: 8 },
                  },
                },
              } as TopLevelSpec,
              'reasons',
            ),
          ),
    ),
  );

  const hist: object[] = [];
  for (const r of report.resources) {
    // Only nodes that have the resource: a CPU-only node is not a 0%-allocated GPU node.
    const having = report.nodes.filter((n) => (n.allocatable[r] ?? 0) > 0);
    const counts = percentBins(having.map((n) => n.allocation[r]?.mean ?? 0));
    counts.forEach((c, k) => hist.push({ bin: binLabel(k), resource: r, nodes: c }));
  }
  parts.push(
    section(
      'Per-node allocation',
      `Nodes by their time-weighted mean allocation per resource (requested / allocatable over the node's lifetime); ${report.nodes.length} nodes, each counted for the resources it has.`,
      figure(
        await renderSvg(
          {
            width: WIDTH,
            height: HEIGHT,
            data: { values: hist },
            mark: 'bar',
            encoding: {
              x: {
                field: 'bin',
                type: 'ordinal',
                sort: null,
                title: 'mean allocation (% of the node’s allocatable)',
                axis: { labelAngle: 0 },
              },
              xOffset: { field: 'resource', sort: null },
              y: { field: 'nodes', type: 'quantitative', title: 'nodes', axis: { tickMinStep: 1 } },
              color: { field: 'resource', type: 'nominal', sort: null, title: 'resource' },
            },
          } as TopLevelSpec,
          'nodes',
        ),
      ),
    ),
  );

  const run = report.run;
  const meta = `policy ${run.policy || '?'} · trace ${run.trace || '?'} · seed ${run.seed || '?'} · ${fixed(s.virtualSeconds)} s of virtual time · buckets of ${run.bucketSeconds} s`;
  return page('kreplay run report', meta, parts.join('\n'));
}

/** One run of a comparison, reduced to what the comparison charts and compare.csv need. */
export interface CompareRun {
  policy: string;
  trace: string;
  seed: string;
  summary: RunSummary;
  resources: string[];
  bucketSeconds: number;
  /** Bucket start (s) and allocation ratio per resource. */
  timeseries: Array<{ startSeconds: number; allocation: Record<string, number> }>;
  /** Pending-time nearest-rank percentiles p0, p1, …, p100 (s); empty when no pod was created. */
  pendingPercentiles: number[];
  reasons: ReasonCount[];
}

/** Reduces a run's report to a {@link CompareRun} (bounded: no per-pod or per-node rows). */
export function compareRunOf(policy: string, trace: string, seed: string, report: RunReport): CompareRun {
  const pending = report.pods.flatMap((p) => (p.pendingSeconds === undefined ? [] : [p.pendingSeconds]));
  pending.sort((a, b) => a - b);
  return {
    policy,
    trace,
    seed,
    summary: report.summary,
    resources: report.resources,
    bucketSeconds: report.run.bucketSeconds,
    timeseries: report.timeseries.map((b) => ({ startSeconds: b.startSeconds, allocation: b.allocation })),
    pendingPercentiles:
      pending.length === 0 ? [] : Array.from({ length: 101 }, (_, p) => nearestRank(pending, p)),
    reasons: report.reasons,
  };
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/**
 * Renders the policy comparison: per resource, allocation over time per policy (mean over seeds per
 * bucket); the pending-time CDF per policy (percentiles averaged over seeds); unschedulable pods,
 * failure reasons and decisions per second per policy (means over seeds). Policies in first-seen order.
 */
export async function renderCompareHtml(runs: readonly CompareRun[]): Promise<string> {
  const byPolicy = groupBy(runs, (r) => r.policy);
  const policies = [...byPolicy.keys()];
  const resources: string[] = [];
  for (const r of runs) for (const res of r.resources) if (!resources.includes(res)) resources.push(res);
  const longest = Math.max(0, ...runs.map((r) => r.summary.virtualSeconds));
  const unit = timeUnitFor(longest);
  const parts: string[] = [];

  const rows = policies
    .map((p) => {
      const rs = byPolicy.get(p)!;
      const m = (f: (s: RunSummary) => number): string => fixed(mean(rs.map((r) => f(r.summary))));
      return `<tr><th>${escapeHtml(p)}</th><td class="num">${rs.length}</td><td class="num">${m((s) => s.podsScheduled)}</td><td class="num">${m((s) => s.podsUnschedulable)}</td><td class="num">${m((s) => s.pendingSeconds.p50)}</td><td class="num">${m((s) => s.pendingSeconds.p99)}</td><td class="num">${m((s) => s.decisionsPerSecond)}</td></tr>`;
    })
    .join('\n');
  parts.push(
    section(
      'Policies',
      'Means over the runs (seeds) of each policy; compare.csv has every run and the standard deviations and 95% confidence intervals.',
      `<table class="summary">\n<tr><th>policy</th><th>runs</th><th>podsScheduled</th><th>podsUnschedulable</th><th>pending p50 (s)</th><th>pending p99 (s)</th><th>decisions/s</th></tr>\n${rows}\n</table>`,
    ),
  );

  for (const res of resources) {
    const values: object[] = [];
    for (const p of policies) {
      const buckets = new Map<number, number[]>();
      for (const r of byPolicy.get(p)!) {
        for (const b of r.timeseries) {
          const v = b.allocation[res];
          if (v === undefined) continue;
          const list = buckets.get(b.startSeconds);
          if (list) list.push(v);
          else buckets.set(b.startSeconds, [v]);
        }
      }
      for (const [start, vs] of [...buckets].sort((a, b) => a[0] - b[0])) {
        values.push({ t: round(start / unit.seconds), policy: p, pct: round(mean(vs) * 100) });
      }
    }
    parts.push(
      section(
        `Allocation of ${res} over time`,
        'Requested / allocatable of the cluster, mean over the seeds of each policy per bucket.',
        figure(
          await renderSvg(
            lineSpec(
              values,
              {
                field: 't',
                title: `virtual time (${unit.label})`,
                domain: [0, round(longest / unit.seconds)],
              },
              { field: 'pct', title: `${res} allocated (%)`, domain: [0, 100] },
              { field: 'policy', title: 'policy' },
            ),
            `alloc-${resources.indexOf(res)}`,
          ),
        ),
      ),
    );
  }

  const cdf: object[] = [];
  for (const p of policies) {
    const withPods = byPolicy.get(p)!.filter((r) => r.pendingPercentiles.length > 0);
    if (withPods.length === 0) continue;
    for (let q = 0; q <= 100; q++) {
      cdf.push({ x: round(mean(withPods.map((r) => r.pendingPercentiles[q]!))), y: q, policy: p });
    }
  }
  parts.push(
    section(
      'Pending time per policy',
      'Share of pods pending at most x seconds (per-run percentiles averaged over seeds).',
      cdf.length === 0
        ? '<p class="note">No pods were created.</p>'
        : figure(
            await renderSvg(
              lineSpec(
                cdf,
                { field: 'x', title: 'pending time (s)' },
                { field: 'y', title: 'pods pending at most this long (%)', domain: [0, 100] },
                { field: 'policy', title: 'policy' },
              ),
              'cdf',
            ),
          ),
    ),
  );

  const bars = (field: string, title: string, f: (s: RunSummary) => number, id: string): Promise<string> =>
    renderSvg(
      {
        width: 480,
        height: { step: 26 },
        data: {
          values: policies.map((p) => ({
            policy: p,
            [field]: round(mean(byPolicy.get(p)!.map((r) => f(r.summary)))),
          })),
        },
        mark: 'bar',
        encoding: {
          y: { field: 'policy', type: 'nominal', sort: null, title: 'policy', axis: { labelLimit: 300 } },
          x: { field, type: 'quantitative', title, axis: { tickCount: 8 } },
          color: { field: 'policy', type: 'nominal', sort: null, legend: null },
        },
      } as TopLevelSpec,
      id,
    );
  parts.push(
    section(
      'Unschedulable pods',
      'Pods still unscheduled at the end of the run, mean over seeds.',
      figure(
        await bars(
          'unschedulable',
          'pods unschedulable at the end (mean over seeds)',
          (s) => s.podsUnschedulable,
          'unsched',
        ),
      ),
    ),
  );

  const totals = new Map<string, ReasonCount>();
  for (const r of runs) {
    for (const rc of r.reasons) {
      const k = `${rc.plugin}\u0000${rc.reason}`;
      const t = totals.get(k);
      if (t) t.attempts += rc.attempts;
      else totals.set(k, { ...rc });
    }
  }
  const top = topReasons([...totals.values()]);
  const reasonValues: object[] = [];
  for (const rc of top) {
    for (const p of policies) {
      const rs = byPolicy.get(p)!;
      const per = rs.map(
        (r) => r.reasons.find((x) => x.plugin === rc.plugin && x.reason === rc.reason)?.attempts ?? 0,
      );
      reasonValues.push({ reason: reasonLabel(rc), policy: p, attempts: round(mean(per)) });
    }
  }
  parts.push(
    section(
      'Failed scheduling attempts by reason',
      'Failed attempts naming each plugin reason, mean over seeds, per policy.',
      reasonValues.length === 0
        ? '<p class="note">No failed scheduling attempts.</p>'
        : figure(
            await renderSvg(
              {
                width: 480,
                height: { step: 12 },
                data: { values: reasonValues },
                mark: 'bar',
                encoding: {
                  y: { field: 'reason', type: 'nominal', sort: null, title: null, axis: { labelLimit: 420 } },
                  yOffset: { field: 'policy', sort: null },
                  x: {
                    field: 'attempts',
                    type: 'quantitative',
                    title: 'failed attempts (mean over seeds)',
                    axis: { tickCount: 8 },
                  },
                  color: { field: 'policy', type: 'nominal', sort: null, title: 'policy' },
                },
              } as TopLevelSpec,
              'reasons',
            ),
          ),
    ),
  );
  parts.push(
    section(
      'Scheduling throughput',
      'Scheduling attempts per wall-clock second of the replay, mean over seeds (depends on the machine).',
      figure(
        await bars('decisions', 'decisions per second (mean over seeds)', (s) => s.decisionsPerSecond, 'dps'),
      ),
    ),
  );

  const traces = [...new Set(runs.map((r) => r.trace))].join(', ');
  const meta = `${policies.length} policies · ${runs.length} runs · trace ${traces || '?'}`;
  return page('kreplay policy comparison', meta, parts.join('\n'));
}
