import test from 'ava';
import { parseBucket, parseSeed, parseSeeds, parseUntil, parseWorkers } from '../../cli/options.js';
import { uniquePolicies } from '../../cli/commands/compare.js';
import { formatSummaryTable } from '../../cli/summary-table.js';
import { createProgress } from '../../cli/progress.js';
import type { RunSummary } from '../../reports/types.js';

test('--seeds: ranges and lists', (t) => {
  t.deepEqual(parseSeeds('42..45'), ['42', '43', '44', '45']);
  t.deepEqual(parseSeeds('7'), ['7']);
  t.deepEqual(parseSeeds('1, 5,9'), ['1', '5', '9']);
  t.throws(() => parseSeeds('5..1'), { message: /--seeds: "5\.\.1": the range goes backwards/ });
  // Not a literal seed "a..b": a range must be whole numbers.
  t.throws(() => parseSeeds('a..b'), {
    message:
      "--seeds: \"a..b\" is not a range a..b of whole numbers or a comma list of seeds (letters, digits, '.', '_', '-')",
  });
  t.throws(() => parseSeeds('1,2,1'), { message: '--seeds: seed "1" is given twice' });
  t.throws(() => parseSeeds('1,,2'), { message: /is not a range a\.\.b of whole numbers or a comma list/ });
  // A seed names its run's folder: no path separators, spaces or leading dots.
  for (const bad of ['x/y', '1 2', '.hidden', '../up', 'a\\b'])
    t.throws(
      () => parseSeeds(bad),
      { message: /is not a range a\.\.b of whole numbers or a comma list of seeds/ },
      bad,
    );
  t.deepEqual(parseSeeds('run-1,v2.0,b_3'), ['run-1', 'v2.0', 'b_3']);
});

test('--seed: any non-blank string', (t) => {
  for (const seed of ['1', 'x', 'run 7', '42..45']) t.is(parseSeed(seed), seed);
  t.throws(() => parseSeed(''), {
    message: '--seed: "" is not a seed: give a non-empty one, e.g. --seed 42',
  });
  t.throws(() => parseSeed(' '), {
    message: '--seed: " " is not a seed: give a non-empty one, e.g. --seed 42',
  });
});

test('--bucket', (t) => {
  t.is(parseBucket('60'), 60);
  t.is(parseBucket('0.5'), 0.5);
  for (const bad of ['0', '-1', 'x', undefined])
    t.throws(() => parseBucket(bad), { message: /^--bucket: .* is not a positive number of seconds$/ });
});

test('--until and --workers', (t) => {
  t.is(parseUntil('36h'), 36 * 3600 * 1e6);
  t.is(parseUntil(undefined), undefined);
  t.throws(() => parseUntil('later'), { message: /--until: "later" is not a duration/ });
  t.is(parseWorkers('auto'), 'auto');
  t.is(parseWorkers(undefined), 'auto');
  t.is(parseWorkers('4'), 4);
  for (const bad of ['0', '1.5', 'many', '-2'])
    t.throws(() => parseWorkers(bad), { message: /is not auto or a positive integer/ });
});

test('the summary table aligns columns and shows utilization as percent', (t) => {
  const s = {
    podsSubmitted: 10,
    podsScheduled: 9,
    podsUnschedulable: 1,
    pendingSeconds: { p50: 0, p90: 2, p99: 12.34, max: 20 },
    utilization: { cpu: { mean: 0.5, peak: 1 }, 'kreplay.io/gpu-milli': { mean: 0.25, peak: 0.5 } },
    decisionsPerSecond: 12345.6,
  } as unknown as RunSummary;
  t.is(
    formatSummaryTable([{ name: 'fgd', summary: s }]),
    [
      'policy  pods  scheduled  unschedulable  pending p50 s  pending p99 s  cpu mean  gpu mean  decisions/s',
      '------  ----  ---------  -------------  -------------  -------------  --------  --------  -----------',
      'fgd       10          9              1            0.0           12.3     50.0%     25.0%       12,346',
      '',
    ].join('\n'),
  );
});

test('progress is silent when stderr is not a terminal', (t) => {
  const writes: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (writes.push(s), true)) as typeof process.stderr.write;
  try {
    const p = createProgress('x', 100, 'runs');
    p.update(50);
    p.stop();
    const q = createProgress('x', 0, 'events');
    q.update(5);
    q.stop();
  } finally {
    process.stderr.write = orig;
  }
  t.deepEqual(writes, []);
});

test('compare --policies: each policy once, in first-seen order', (t) => {
  t.deepEqual(uniquePolicies('default-scheduler,most-allocated,default-scheduler, balanced,'), [
    'default-scheduler',
    'most-allocated',
    'balanced',
  ]);
});
