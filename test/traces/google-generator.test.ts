import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { generateGoogle2011, generateGoogle2019 } from '../../traces/generator/index.js';
import { openTrace } from '../../traces/detect.js';
import type { TraceRecord } from '../../traces/types.js';
import { tempDir } from './helpers.js';
import { runCli } from './cli-helper.js';

async function tally(
  dir: string,
): Promise<{ format: string; c: Record<string, number>; ordered: boolean; skipped: object }> {
  const t = await openTrace({ trace: dir });
  const c: Record<string, number> = {};
  let prev = 0;
  let ordered = true;
  for await (const r of t.records as AsyncIterable<TraceRecord>) {
    const k = `${r.op} ${r.object.kind}`;
    c[k] = (c[k] ?? 0) + 1;
    if (r.timeUs < prev) ordered = false;
    prev = r.timeUs;
  }
  return { format: t.format, c, ordered, skipped: t.loss.skipped };
}

for (const [format, gen] of [
  ['google2011', generateGoogle2011],
  ['google2019', generateGoogle2019],
] as const) {
  test(`${format} generator -> reader: exact counts, parts, time order`, async (t) => {
    const dir = tempDir();
    // 700 rows per part: the task table spans several parts
    const { counts, files } = await gen(dir, { nodes: 50, pods: 1500, days: 1, seed: 7 }, 700);
    t.is(counts.tasks, 1500);
    t.true(
      files.some(
        (f) =>
          /task_events|instance_events/.test(f) &&
          f.endsWith('part-00001-of-00007.' + (format === 'google2011' ? 'csv' : 'json') + '.gz'),
      ),
    );
    const { format: detected, c, ordered, skipped } = await tally(dir);
    t.is(detected, format);
    t.true(ordered);
    t.deepEqual(skipped, {});
    t.is(c['create Node'], 50 + (counts.machineEvents - 50) / 2);
    t.is(c['delete Node'] ?? 0, (counts.machineEvents - 50) / 2);
    t.is(c['create Job'], counts.jobs);
    t.is(c['delete Job'], counts.jobs);
    // every SUBMIT is a pod; every pod ends (EVICT or its end event)
    t.is(c['create Pod'], counts.submits);
    t.is(c['delete Pod'], counts.submits);
    t.is(c['update Node'] ?? 0, 0);
  });

  test(`${format} generator: same seed => same bytes`, async (t) => {
    const [a, b] = [tempDir(), tempDir()];
    await gen(a, { nodes: 5, pods: 100, days: 1, seed: 'x' });
    await gen(b, { nodes: 5, pods: 100, days: 1, seed: 'x' });
    const table = format === 'google2011' ? 'task_events' : 'instance_events';
    const read = (d: string) => {
      const f = readdirSync(join(d, table))[0]!;
      return gunzipSync(readFileSync(join(d, table, f))).toString();
    };
    t.is(read(a), read(b));
    t.is(read(a).split('\n').length - 1, 100 * 3 + 3 * (read(a).match(/,2,u|"type":4,/g) ?? []).length);
  });
}

test.serial('generate CLI writes google2011 and trace stats reads it', async (t) => {
  const dir = join(tempDir(), 'g');
  const g = await runCli([
    'generate',
    '--format',
    'google2011',
    '--nodes',
    '20',
    '--pods',
    '200',
    '--out',
    dir,
  ]);
  t.is(g.code, 0, g.stderr);
  const s = await runCli(['trace', 'stats', '--trace', dir, '--json']);
  t.is(s.code, 0, s.stderr);
  t.is((JSON.parse(s.stdout) as { nodes: number }).nodes, 20);
});
