/**
 * Trace reader throughput (a benchmark script, not a test): rows/s of each reader over real data and
 * generated traces, and peak RSS of `trace stats` streaming a generated 10 M-event google2011 trace (in a
 * child process, so the RSS is that command's alone).
 *
 *   npx tsx bench/traces-readers.ts [--quick] [--big-tasks 3400000] [--cache /tmp/kreplay-bench]
 *
 * Generated traces are cached under --cache (same seed => same bytes). Prints one line per measurement.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openTrace, type OpenTraceOptions } from '../traces/detect.js';
import { generateGoogle2011, generateGoogle2019 } from '../traces/generator/index.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const QUICK = args.includes('--quick');
const CACHE = arg('--cache', '/tmp/kreplay-bench');
const BIG_TASKS = Number(arg('--big-tasks', QUICK ? '200000' : '3400000'));
const SHARED = process.env.KREPLAY_TRACES ?? '/work/shared/traces';

async function time(name: string, rows: number, opts: OpenTraceOptions): Promise<void> {
  const t0 = performance.now();
  const t = await openTrace(opts);
  let records = 0;
  for await (const r of t.records) {
    void r;
    records++;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(
    `${name.padEnd(34)} ${String(rows).padStart(10)} rows ${String(records).padStart(10)} records ${s.toFixed(2).padStart(7)} s ${Math.round(
      rows / s,
    )
      .toLocaleString('en-US')
      .padStart(11)} rows/s`,
  );
}

async function main(): Promise<void> {
  if (existsSync(join(SHARED, 'alibaba2018/machine_meta.csv')))
    await time('alibaba2018 machine_meta (real)', 17_592, {
      format: 'alibaba2018',
      nodes: join(SHARED, 'alibaba2018/machine_meta.csv'),
    });
  if (existsSync(join(SHARED, 'alibaba-gpu-v2020/pai_machine_spec.csv')))
    await time('pai2020 machine spec (real)', 1_897, {
      format: 'pai2020',
      nodes: join(SHARED, 'alibaba-gpu-v2020/pai_machine_spec.csv'),
    });
  if (existsSync(join(SHARED, 'alibaba-gpu-v2025/disaggregated_DLRM_trace.csv')))
    await time('dlrm2025 instances (real)', 23_871, {
      format: 'dlrm2025',
      pods: join(SHARED, 'alibaba-gpu-v2025/disaggregated_DLRM_trace.csv'),
    });
  const small = { nodes: 12_500, pods: QUICK ? 50_000 : 300_000, days: 1, seed: 1 };
  for (const [fmt, gen] of [
    ['google2011', generateGoogle2011],
    ['google2019', generateGoogle2019],
  ] as const) {
    const dir = join(CACHE, `${fmt}-${small.nodes}-${small.pods}`);
    const t0 = performance.now();
    const { counts } = await gen(dir, small);
    const gs = (performance.now() - t0) / 1000;
    const rows =
      counts.machineEvents + counts.attributes + counts.jobEvents + counts.taskEvents + counts.constraints;
    console.log(
      `generate ${fmt}: ${rows} rows in ${gs.toFixed(2)} s (${Math.round(rows / gs).toLocaleString('en-US')} rows/s)`,
    );
    await time(`${fmt} (generated)`, rows, { format: fmt, trace: dir });
  }
  // Peak RSS of `trace stats` over a 10 M-event google2011 trace, in its own process.
  const big = join(CACHE, `google2011-big-${BIG_TASKS}`);
  if (!existsSync(join(big, 'task_events'))) {
    const t0 = performance.now();
    const { counts } = await generateGoogle2011(big, { nodes: 12_500, pods: BIG_TASKS, days: 29, seed: 1 });
    console.log(
      `generate google2011 big: ${counts.taskEvents.toLocaleString('en-US')} task events, ${counts.machineEvents} machine events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const r = spawnSync(
    'bash',
    [
      '-c',
      `/usr/bin/time -v npx tsx test/traces/cli-helper.ts trace stats --trace ${big} --json 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed"`,
    ],
    { encoding: 'utf8' },
  );
  console.log(`trace stats on the big google2011 trace:\n${r.stdout}${r.stderr}`);
}

await main();
