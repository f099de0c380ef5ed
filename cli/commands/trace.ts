/** `kreplay trace stats|convert`: look into a trace, or turn it into the native format. */
import type { Command } from 'commander';
import { addTraceInputOptions, traceInputsFromOptions, type TraceInputFlags } from '../trace-inputs.js';
import { openTrace } from '../../traces/detect.js';
import { traceStats, type TraceStats } from '../../traces/stats.js';
import { writeNative } from '../../traces/native/index.js';

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 3 });

/** Renders stats for a terminal: one topic per line, thousands separated. */
export function formatStats(s: TraceStats): string {
  const kinds = Object.entries(s.objectsByKind)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  const models = Object.entries(s.gpusByModel)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  const k = s.podsByKind;
  const lines = [
    `format        ${s.format}`,
    `records       ${fmt(s.records)} (create ${fmt(s.ops.create)}, update ${fmt(s.ops.update)}, delete ${fmt(s.ops.delete)})`,
    `objects       ${kinds || 'none'}`,
    `nodes         ${fmt(s.nodes)}: cpu ${fmt(s.cpuMilli)} m, memory ${fmt(s.memoryMib)} Mi, GPUs ${fmt(s.gpus)}${models ? ` (${models})` : ''}`,
    `pods          ${fmt(s.pods)}${s.podsFromControllers > 0 ? ` + ${fmt(s.podsFromControllers)} from controllers' templates` : ''}: cpu-only ${fmt(k.cpuOnly)}, GPU-sharing ${fmt(k.gpuSharing)}, one-GPU ${fmt(k.oneGpu)}, multi-GPU ${fmt(k.multiGpu)}`,
    `requested     cpu ${fmt(s.requested.cpuMilli)} m, memory ${fmt(s.requested.memoryMib)} Mi, GPU ${fmt(s.requested.gpuMilli / 1000)}`,
    `time span     ${fmt(s.timeSpan.seconds)} s (${fmt(s.timeSpan.firstUs)} µs .. ${fmt(s.timeSpan.lastUs)} µs)`,
    `fit no node   ${fmt(s.podsFitNoNode)} pods fit on no node even when it is empty`,
    'loss report:',
    ...s.loss.notes.map((n) => `  - ${n}`),
  ];
  const skipped = Object.entries(s.loss.skipped);
  lines.push(
    skipped.length === 0
      ? 'skipped       none'
      : `skipped       ${skipped.map(([r, v]) => `${r}: ${fmt(v)}`).join(', ')}`,
  );
  return lines.join('\n') + '\n';
}

/** Registers `trace stats` and `trace convert`. */
export function register(program: Command): void {
  const trace = program
    .command('trace')
    .description('inspect a trace or convert it to the native format')
    .addHelpText(
      'after',
      '\nExample:\n  kreplay trace stats --nodes traces/samples/openb/openb_node_list_gpu_node.csv \\\n    --pods traces/samples/openb/openb_pod_list_default.csv\n',
    );
  addTraceInputOptions(
    trace
      .command('stats')
      .description('counts and totals of a trace, plus its loss report')
      .option('--json', 'print one JSON object')
      .addHelpText(
        'after',
        '\nExample:\n  kreplay trace stats --nodes traces/samples/openb/openb_node_list_gpu_node.csv \\\n    --pods traces/samples/openb/openb_pod_list_default.csv --json\n',
      ),
  ).action(async (opts: TraceInputFlags & { json?: boolean }) => {
    const t = await openTrace(traceInputsFromOptions(opts));
    const stats = await traceStats(t.format, t.records, t.loss);
    process.stdout.write(opts.json ? JSON.stringify(stats) + '\n' : formatStats(stats));
  });
  addTraceInputOptions(
    trace
      .command('convert')
      .description('convert a trace to the native NDJSON format (gzipped when --out ends in .gz)')
      .requiredOption('--out <file>', 'output file, e.g. trace.ndjson.gz')
      .addHelpText(
        'after',
        '\nExample:\n  kreplay trace convert --pods traces/samples/openb/openb_pod_list_default.csv --out pods.ndjson.gz\n',
      ),
  ).action(async (opts: TraceInputFlags & { out: string }) => {
    const t = await openTrace(traceInputsFromOptions(opts));
    const n = await writeNative(t.records, opts.out);
    const skipped = Object.values(t.loss.skipped).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `converted ${fmt(n)} records (${t.format}) to ${opts.out}${skipped ? `; skipped ${fmt(skipped)} invalid rows` : ''}\n`,
    );
  });
}
