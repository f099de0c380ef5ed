import test from 'ava';
import { ReportFold } from '../../reports/fold.js';
import { compareRunOf, escapeHtml, renderCompareHtml, renderRunHtml } from '../../reports/html.js';
import { normalizeSvgIds } from '../../reports/charts.js';
import { sampleLog } from './helpers.js';

function sampleReport() {
  const f = new ReportFold();
  for (const e of sampleLog().entries) f.consume(e);
  return f.finish({ wallSeconds: 2, eventLogSha256: 'abc' });
}

/** Network references other than XML namespace declarations. */
function externalRefs(html: string): string[] {
  return [...html.replace(/\sxmlns(:\w+)?="[^"]*"/g, '').matchAll(/https?:\/\/[^\s"'<>)]*/g)].map(
    (m) => m[0],
  );
}

test('report.html: summary table first, five charts, nothing external', async (t) => {
  const html = await renderRunHtml(sampleReport());
  t.true(html.startsWith('<!DOCTYPE html>'));
  const table = html.indexOf('<table class="summary">');
  t.true(table > 0 && table < html.indexOf('<svg'));
  t.regex(html, /<tr><th>podsUnschedulable<\/th><td class="num">1<\/td>/);
  t.regex(html, /<tr><th>utilization\.cpu\.mean<\/th><td class="num">0\.471875<\/td>/);
  t.is(html.match(/<svg/g)?.length, 5);
  for (const title of [
    'allocated (% of allocatable)',
    'virtual time (s)',
    'pending time (s)',
    'failed attempts',
    'nodes',
  ]) {
    t.true(html.includes(title), title);
  }
  t.deepEqual(externalRefs(html), []);
  t.false(/<script|<link|<img|@import/i.test(html));
  t.is(await renderRunHtml(sampleReport()), html, 'deterministic within one process');
});

test('report.html: a long run draws at most 500 buckets per time chart and says how many it merged', async (t) => {
  const r = sampleReport();
  const b = r.timeseries[0]!;
  // 1,200 buckets of the sample's width: drawn 3 at a time (⌈1,200 / 500⌉), so 400 steps per series
  const timeseries = Array.from({ length: 1200 }, (_, i) => ({
    ...b,
    startSeconds: i * r.run.bucketSeconds,
    endSeconds: (i + 1) * r.run.bucketSeconds,
  }));
  const html = await renderRunHtml({ ...r, timeseries });
  const merged = `${3 * r.run.bucketSeconds} s (3 buckets of timeseries.csv drawn as one)`;
  t.true(html.includes(`time-weighted mean per ${merged}.`));
  t.true(html.includes(`at the end of each ${merged}.`));
  const plain = await renderRunHtml(r);
  t.true(plain.includes(`time-weighted mean per ${r.run.bucketSeconds} s bucket.`));
});

test('svg ids are renumbered per chart', (t) => {
  const svg =
    '<svg><clipPath id="clip7"><rect/></clipPath><g clip-path="url(#clip7)"/><use href="#clip7"/></svg>';
  t.is(
    normalizeSvgIds(svg, 'alloc'),
    '<svg><clipPath id="alloc-1"><rect/></clipPath><g clip-path="url(#alloc-1)"/><use href="#alloc-1"/></svg>',
  );
});

test('text is escaped', (t) => {
  t.is(escapeHtml('<a href="x">&</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
});

test('compare.html: a chart per resource plus CDF, unschedulable, reasons, decisions/s', async (t) => {
  const r = sampleReport();
  const runs = [
    compareRunOf('spread', 'hand-built', '1', r),
    compareRunOf('spread', 'hand-built', '2', r),
    compareRunOf('<binpack>', 'hand-built', '1', r),
  ];
  t.is(runs[0]!.pendingPercentiles.length, 101);
  t.is(runs[0]!.pendingPercentiles[50], 2);
  const html = await renderCompareHtml(runs);
  // 3 resources + CDF + unschedulable + reasons + decisions/s
  t.is(html.match(/<svg/g)?.length, 7);
  t.true(html.includes('&lt;binpack&gt;'));
  t.false(html.includes('<binpack>'));
  t.deepEqual(externalRefs(html), []);
});
