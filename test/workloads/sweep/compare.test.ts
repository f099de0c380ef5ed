import test from 'ava';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCompare, compareTasks, traceName } from '../../../workloads/sweep/compare.js';
import { writeCompareOutputs } from '../../../workloads/sweep/outputs.js';
import { parsePolicy } from '../../../workloads/replay/policy.js';

const TRACE = 'test/fixtures/replay/small.ndjson';
const tmp = () => mkdtempSync(join(tmpdir(), 'kreplay-cmp-'));

test('cells are ordered trace, policy, seed, each with its own report folder', (t) => {
  const tasks = compareTasks({
    traces: [{ trace: TRACE }],
    policies: [parsePolicy('default-scheduler'), parsePolicy('most-allocated')],
    seeds: ['1', '2'],
    workers: 1,
    outDir: 'out',
  });
  t.deepEqual(
    tasks.map((c) => [c.policy.name, c.seed, c.outDir]),
    [
      ['default-scheduler', '1', 'out/runs/default-scheduler--small--seed1'],
      ['default-scheduler', '2', 'out/runs/default-scheduler--small--seed2'],
      ['most-allocated', '1', 'out/runs/most-allocated--small--seed1'],
      ['most-allocated', '2', 'out/runs/most-allocated--small--seed2'],
    ],
  );
  t.is(traceName({ pods: 'x/openb_pod_list_default.csv.gz' }), 'openb_pod_list_default');
});

test('compare with 1 and 2 workers writes byte-identical compare.csv', async (t) => {
  const outs: string[] = [];
  for (const workers of [1, 2]) {
    const out = tmp();
    const runs = await runCompare({
      traces: [{ trace: TRACE }],
      policies: [parsePolicy('default-scheduler'), parsePolicy('most-allocated')],
      seeds: ['1', '2'],
      workers,
      outDir: out,
    });
    await writeCompareOutputs(out, runs);
    outs.push(out);
  }
  const a = readFileSync(join(outs[0]!, 'compare.csv'), 'utf8');
  t.is(a, readFileSync(join(outs[1]!, 'compare.csv'), 'utf8'));
  // 4 run rows + (mean, sd, ci95) for each of the 2 policies + the header.
  const lines = a.trim().split('\n');
  t.is(lines.length, 1 + 4 + 6);
  t.false(lines[0]!.includes('wallSeconds'));
  t.false(lines[0]!.includes('decisionsPerSecond'));
  t.deepEqual(
    lines.slice(1).map((l) => l.split(',').slice(0, 4).join(',')),
    [
      'run,default-scheduler,small,1',
      'run,default-scheduler,small,2',
      'run,most-allocated,small,1',
      'run,most-allocated,small,2',
      'mean,default-scheduler,small,',
      'sd,default-scheduler,small,',
      'ci95,default-scheduler,small,',
      'mean,most-allocated,small,',
      'sd,most-allocated,small,',
      'ci95,most-allocated,small,',
    ],
  );
  t.deepEqual(readdirSync(outs[1]!).sort(), ['compare.csv', 'report.html', 'runs', 'timing.csv']);
  t.is(readdirSync(join(outs[1]!, 'runs')).length, 4);
});

test('a bad policy file fails before any cell runs', async (t) => {
  const out = tmp();
  await t.throwsAsync(
    () =>
      runCompare({
        traces: [{ trace: TRACE }],
        policies: [parsePolicy('/nope/k.yaml')],
        seeds: ['1'],
        workers: 2,
        outDir: out,
      }),
    { message: /\/nope\/k\.yaml: no such file or directory/ },
  );
  t.deepEqual(readdirSync(out), []);
});
