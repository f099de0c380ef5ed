/**
 * Renders the sample run report and a sample policy comparison, then screenshots both in headless
 * Chromium, to look at them as a person would. Not part of `npm test`:
 *
 *   npx tsx test/reports/screenshot.ts [outDir]     (needs `apt-get install -y chromium`)
 *
 * Prints the paths of report.html, compare.html and their PNGs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReportFold } from '../../reports/fold.js';
import { writeRunOutputs } from '../../reports/run.js';
import { compareRunOf, renderCompareHtml } from '../../reports/html.js';
import type { CompareRun } from '../../reports/html.js';
import { LogBuilder, sampleLog } from './helpers.js';

/** A bigger synthetic run: `nodes` nodes, pods arriving every 30 s for 6 h, some never fitting. */
function syntheticLog(policySpread: boolean, seed: number): LogBuilder {
  const b = new LogBuilder();
  b.at(0).runStart(600, policySpread ? 'LeastAllocated' : 'MostAllocated', String(seed), 'synthetic');
  const nodes = 12;
  for (let i = 0; i < nodes; i++) {
    b.node(
      `node-${i}`,
      { cpu: '16', memory: '64Gi', 'nvidia.com/gpu': '4' },
      { 'kreplay.io/gpu-model': i < 6 ? 'A100' : 'T4' },
    );
  }
  const used = new Array<number>(nodes).fill(0);
  const ends: Array<[number, string, number, number]> = [];
  let x = seed * 7919;
  const next = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let k = 0; k < 720; k++) {
    const t = k * 30;
    ends.sort((a, c) => a[0] - c[0]);
    while (ends.length > 0 && ends[0]![0] <= t) {
      const [te, key, node, gpus] = ends.shift()!;
      b.at(te).finish(key, `node-${node}`, 'Succeeded');
      used[node]! -= gpus;
    }
    const key = `team-${k % 3}/job-${k}`;
    const gpus = 1 + Math.floor(next() * 4);
    b.at(t).pod(
      key,
      { cpu: `${gpus * 2}`, memory: `${gpus * 8}Gi`, 'nvidia.com/gpu': String(gpus) },
      `Job/train-${k}`,
    );
    const order = [...used.keys()];
    if (policySpread) order.sort((a, c) => used[a]! - used[c]! || a - c);
    else order.sort((a, c) => used[c]! - used[a]! || a - c);
    const fit = order.find((i) => used[i]! + gpus <= 4);
    if (fit === undefined) {
      b.fail(key, 1, { NodeResourcesFit: { 'Insufficient nvidia.com/gpu': nodes } });
      if (next() < 0.3)
        b.fail(key, 2, {
          NodeResourcesFit: { 'Insufficient nvidia.com/gpu': nodes - 1 },
          NodeAffinity: { "node(s) didn't match Pod's node affinity/selector": 1 },
        });
      continue;
    }
    b.at(t + 1 + Math.floor(next() * 20))
      .bind(key, `node-${fit}`, 1)
      .start(key, `node-${fit}`);
    used[fit]! += gpus;
    ends.push([t + 600 + Math.floor(next() * 7200), key, fit, gpus]);
  }
  b.at(6 * 3600).runEnd();
  return b;
}

function foldOf(b: LogBuilder, wallSeconds: number) {
  const f = new ReportFold();
  for (const e of b.entries) f.consume(e);
  return f.finish({ wallSeconds, eventLogSha256: 'f'.repeat(64) });
}

function screenshot(html: string, png: string): void {
  const profile = mkdtempSync(join(tmpdir(), 'kreplay-chromium-'));
  try {
    execFileSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        `--screenshot=${png}`,
        '--window-size=1280,2400',
        `file://${html}`,
      ],
      { stdio: 'ignore', timeout: 60_000 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

const out = resolve(process.argv[2] ?? join(tmpdir(), 'kreplay-screens'));
mkdirSync(out, { recursive: true });

await writeRunOutputs(join(out, 'sample'), foldOf(sampleLog(), 2));
await writeRunOutputs(join(out, 'synthetic'), foldOf(syntheticLog(true, 1), 3.5));
const runs: CompareRun[] = [];
for (const spread of [true, false]) {
  for (const seed of [1, 2, 3]) {
    const b = syntheticLog(spread, seed);
    runs.push(
      compareRunOf(
        spread ? 'LeastAllocated' : 'MostAllocated',
        'synthetic',
        String(seed),
        foldOf(b, 2 + seed / 4),
      ),
    );
  }
}
writeFileSync(join(out, 'compare.html'), await renderCompareHtml(runs));

for (const [html, png] of [
  [join(out, 'sample', 'report.html'), join(out, 'sample.png')],
  [join(out, 'synthetic', 'report.html'), join(out, 'synthetic.png')],
  [join(out, 'compare.html'), join(out, 'compare.png')],
] as const) {
  screenshot(html, png);
  process.stdout.write(`${html}\n${png}\n`);
}
