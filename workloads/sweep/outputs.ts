import { writeFile } from 'node:fs/promises';
import { compareRows, renderCompareHtml, writeFileSet, type CompareRun } from '../../reports/index.js';
import { writeCsv } from '../../reports/csv.js';

/** The files {@link writeCompareOutputs} writes (next to the cells' `runs/` folder). */
export const COMPARE_OUTPUT_FILES = ['compare.csv', 'timing.csv', 'report.html'] as const;

/** Summary keys measured on the wall clock: they go to timing.csv, never to compare.csv. */
const WALL_CLOCK_KEYS = new Set(['wallSeconds', 'decisionsPerSecond']);

/**
 * Writes a comparison's outputs, all or none: `compare.csv` (deterministic: byte-identical for any
 * worker count, so wall-clock keys are left out), `timing.csv` (wall seconds and decisions/s per
 * run) and `report.html`.
 */
export async function writeCompareOutputs(dir: string, runs: readonly CompareRun[]): Promise<void> {
  const rows = runs.map((r) => ({ policy: r.policy, trace: r.trace, seed: r.seed, summary: r.summary }));
  const html = await renderCompareHtml(runs);
  const deterministic = function* (): Generator<string[]> {
    let drop: boolean[] | undefined;
    for (const row of compareRows(rows)) {
      drop ??= row.map((k) => WALL_CLOCK_KEYS.has(k));
      yield row.filter((_, i) => !drop![i]);
    }
  };
  const timing = function* (): Generator<string[]> {
    yield ['policy', 'trace', 'seed', 'wallSeconds', 'schedulingAttempts', 'decisionsPerSecond'];
    for (const r of runs) {
      const s = r.summary;
      yield [
        r.policy,
        r.trace,
        r.seed,
        s.wallSeconds.toFixed(3),
        String(s.schedulingAttempts),
        s.decisionsPerSecond.toFixed(1),
      ];
    }
  };
  await writeFileSet(dir, [
    { name: 'compare.csv', write: (p) => writeCsv(p, deterministic()) },
    { name: 'timing.csv', write: (p) => writeCsv(p, timing()) },
    { name: 'report.html', write: (p) => writeFile(p, html, 'utf8') },
  ]);
}
