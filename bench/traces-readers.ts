/**
 * Trace reader throughput (a benchmark script, not a test): rows/s of each reader, each in its own
 * child process (JIT state and heap of one reader never colour another's), median over `--runs`
 * passes, the child's peak RSS; and the peak RSS of `trace stats` streaming a generated 10 M-event
 * google2011 trace (openTrace + traceStats, what the CLI command runs, in a child of its own).
 *
 *   npx tsx bench/traces-readers.ts [--quick] [--runs 3] [--only google2011,pai2020…] [--no-big]
 *       [--big-tasks 3400000] [--cache /tmp/kreplay-bench] [--out bench/results/traces-readers.csv]
 *
 * Inputs: the real files under $KREPLAY_TRACES (default /work/shared/traces) as they are, and
 * "scaled" copies whose data rows are repeated until the file has a few hundred thousand rows (the
 * real files are small enough for start-up to dominate); generated google2011/google2019/openb traces.
 * Everything generated is cached under --cache (same seed => same bytes). Writes one CSV row per
 * reader and one for the big `trace stats` run (rows = task events + other rows, seconds = one pass).
 */
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { openTrace, type OpenTraceOptions } from '../traces/detect.js';
import {
  generate,
  generateGoogle2011,
  generateGoogle2019,
  OPENB_GENERATED,
} from '../traces/generator/index.js';
import { traceStats } from '../traces/stats.js';
import { inBatches } from '../traces/input.js';

const SELF = fileURLToPath(import.meta.url);
const SHARED = process.env.KREPLAY_TRACES ?? '/work/shared/traces';

/** One measured reader: what to open and how many input rows that is. */
interface Case {
  readonly reader: string;
  readonly rows: number;
  readonly open: OpenTraceOptions;
}

/** What a child reports. */
interface ChildResult {
  readonly records: number;
  readonly seconds: number[];
  readonly maxRssMib: number;
}

function arg(args: readonly string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Counts the non-empty lines of a plain or gzipped file. */
async function countLines(file: string): Promise<number> {
  const src = createReadStream(file);
  const input = file.endsWith('.gz') ? src.pipe(createGunzip()) : src;
  let n = 0;
  for await (const line of createInterface({ input })) if (line !== '') n++;
  return n;
}

/** Rows of every table of a google2011 folder, and of task_events alone. */
async function googleRows(dir: string): Promise<[number, number]> {
  let all = 0;
  let tasks = 0;
  for (const table of readdirSync(dir)) {
    if (table.startsWith('.')) continue;
    for (const part of readdirSync(join(dir, table))) {
      const n = await countLines(join(dir, table, part));
      all += n;
      if (table === 'task_events') tasks += n;
    }
  }
  return [all, tasks];
}

/** Writes `file` once: the first `header` lines of `src`, then its other lines `times` times over. */
async function scaled(src: string, file: string, times: number, header: number): Promise<void> {
  if (existsSync(file)) return;
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(src) }))
    if (line !== '') lines.push(line);
  const out = createWriteStream(`${file}.tmp`);
  const body = lines.slice(header).join('\n') + '\n';
  out.write(
    lines
      .slice(0, header)
      .map((l) => l + '\n')
      .join(''),
  );
  for (let i = 0; i < times; i++)
    if (!out.write(body)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((res, rej) => {
    out.once('error', rej);
    out.end(() => res());
  });
  renameSync(`${file}.tmp`, file);
}

async function prepare(cache: string, quick: boolean): Promise<Case[]> {
  mkdirSync(cache, { recursive: true });
  const cases: Case[] = [];
  const real = async (
    reader: string,
    rel: string,
    key: 'nodes' | 'pods',
    header: number,
    times: number,
  ): Promise<void> => {
    const src = join(SHARED, rel);
    if (!existsSync(src)) return;
    const n = (await countLines(src)) - header;
    cases.push({ reader: `${reader} (real)`, rows: n, open: { format: reader, [key]: src } });
    const big = join(cache, `${rel.replace(/\//g, '_')}.x${times}.csv`);
    await scaled(src, big, times, header);
    cases.push({
      reader: `${reader} (real x${times})`,
      rows: n * times,
      open: { format: reader, [key]: big },
    });
  };
  await real('alibaba2018', 'alibaba2018/machine_meta.csv', 'nodes', 0, quick ? 5 : 20);
  await real('pai2020', 'alibaba-gpu-v2020/pai_machine_spec.csv', 'nodes', 0, quick ? 50 : 200);
  await real('dlrm2025', 'alibaba-gpu-v2025/disaggregated_DLRM_trace.csv', 'pods', 1, quick ? 4 : 20);
  const podsReal = join(SHARED, 'openb/openb_pod_list_default.csv');
  if (existsSync(podsReal))
    cases.push({
      reader: 'openb (real pods)',
      rows: (await countLines(podsReal)) - 1,
      open: { format: 'openb', pods: podsReal },
    });
  const openbPods = quick ? 100_000 : 500_000;
  const openbDir = join(cache, `openb-1213-${openbPods}`);
  if (!existsSync(join(openbDir, OPENB_GENERATED.pods)))
    await generate('openb', openbDir, { nodes: 1213, pods: openbPods, days: 30, seed: 1 });
  cases.push({
    reader: 'openb (generated)',
    rows: openbPods + 1213,
    open: {
      format: 'openb',
      nodes: join(openbDir, OPENB_GENERATED.nodes),
      pods: join(openbDir, OPENB_GENERATED.pods),
    },
  });
  const small = { nodes: 12_500, pods: quick ? 50_000 : 300_000, days: 1, seed: 1 };
  for (const [fmt, gen] of [
    ['google2011', generateGoogle2011],
    ['google2019', generateGoogle2019],
  ] as const) {
    const dir = join(cache, `${fmt}-${small.nodes}-${small.pods}`);
    const countsFile = join(dir, '.bench-rows');
    let rows: number;
    if (existsSync(countsFile)) rows = Number(readFileSync(countsFile, 'utf8'));
    else {
      const { counts } = await gen(dir, small);
      rows =
        counts.machineEvents + counts.attributes + counts.jobEvents + counts.taskEvents + counts.constraints;
      writeFileSync(countsFile, String(rows));
    }
    cases.push({ reader: `${fmt} (generated)`, rows, open: { format: fmt, trace: dir } });
  }
  return cases;
}

/** Child: `runs` passes of one reader over its input. */
async function childReader(c: Case, runs: number): Promise<ChildResult> {
  const seconds: number[] = [];
  let records = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const t = await openTrace(c.open);
    records = 0;
    // As trace stats and convert read them: a batch at a time.
    for await (const batch of inBatches(t.records))
      for (const rec of batch) {
        void rec;
        records++;
      }
    seconds.push((performance.now() - t0) / 1000);
  }
  return { records, seconds, maxRssMib: process.resourceUsage().maxRSS / 1024 };
}

/** Child: `trace stats` over one trace, once. */
async function childStats(open: OpenTraceOptions): Promise<ChildResult> {
  const t0 = performance.now();
  const t = await openTrace(open);
  const s = await traceStats(t.format, t.records, t.loss);
  return {
    records: s.records,
    seconds: [(performance.now() - t0) / 1000],
    maxRssMib: process.resourceUsage().maxRSS / 1024,
  };
}

function runChild(spec: unknown): ChildResult {
  const r = spawnSync(process.execPath, [...process.execArgv, SELF, '--child', JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as ChildResult;
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function main(args: string[]): Promise<void> {
  if (args[0] === '--child') {
    const spec = JSON.parse(args[1]!) as
      { kind: 'reader'; c: Case; runs: number } | { kind: 'stats'; open: OpenTraceOptions };
    const res = spec.kind === 'reader' ? await childReader(spec.c, spec.runs) : await childStats(spec.open);
    process.stdout.write(`${JSON.stringify(res)}\n`);
    return;
  }
  const quick = args.includes('--quick');
  const runs = Number(arg(args, '--runs', '3'));
  const cache = arg(args, '--cache', '/tmp/kreplay-bench');
  const out = arg(args, '--out', join(dirname(SELF), 'results', 'traces-readers.csv'));
  const bigTasks = Number(arg(args, '--big-tasks', quick ? '200000' : '3400000'));
  const only = arg(args, '--only', '')
    .split(',')
    .filter((s) => s !== '');
  const cpu = cpus();
  const machine = [(cpu[0]?.model ?? 'unknown').trim(), cpu.length, process.version];
  const rows: (string | number)[][] = [];
  const row = (reader: string, n: number, seconds: number, rss: number): void => {
    rows.push([reader, n, seconds.toFixed(3), Math.round(n / seconds), Math.round(rss), ...machine]);
    console.log(
      `${reader.padEnd(30)} ${String(n).padStart(10)} rows ${seconds.toFixed(2).padStart(7)} s ${Math.round(
        n / seconds,
      )
        .toLocaleString('en-US')
        .padStart(11)} rows/s  peak RSS ${Math.round(rss)} MiB`,
    );
  };
  for (const c of await prepare(cache, quick)) {
    if (only.length > 0 && !only.some((o) => c.reader.startsWith(o))) continue;
    const r = runChild({ kind: 'reader', c, runs });
    row(c.reader, c.rows, median(r.seconds), r.maxRssMib);
  }
  if (!args.includes('--no-big')) {
    const big = join(cache, `google2011-big-${bigTasks}`);
    const countsFile = join(big, '.bench-rows');
    if (!existsSync(join(big, 'task_events')))
      await generateGoogle2011(big, { nodes: 12_500, pods: bigTasks, days: 29, seed: 1 });
    if (!existsSync(countsFile)) writeFileSync(countsFile, (await googleRows(big)).join(' '));
    const [n, taskEvents] = readFileSync(countsFile, 'utf8').split(' ').map(Number);
    const r = runChild({ kind: 'stats', open: { format: 'google2011', trace: big } });
    row(
      `trace stats google2011 (${(taskEvents! / 1e6).toFixed(1)} M task events)`,
      n!,
      r.seconds[0]!,
      r.maxRssMib,
    );
  }
  mkdirSync(dirname(out), { recursive: true });
  const header = [
    'reader',
    'rows',
    'seconds',
    'rows_per_s',
    'peak_rss_mib',
    'cpu_model',
    'cores',
    'node_version',
  ];
  writeFileSync(out, [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n');
  console.log(`wrote ${out}`);
}

await main(process.argv.slice(2));
