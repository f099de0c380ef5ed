/**
 * Seeded synthetic traces (distributions in docs/generator.md). Same options and seed => byte-identical
 * output. Rows are produced lazily and written through streams: memory does not grow with --pods.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import seedrandom from 'seedrandom';
import { OPENB_NODE_COLUMNS, OPENB_POD_COLUMNS } from '../openb/rows.js';
import { readOpenb } from '../openb/reader.js';
import { writeNative } from '../native/index.js';
import { isGzip } from '../input.js';
import { generateGoogle2011, generateGoogle2019 } from './google.js';
import { makeOutputDirs } from '../../engine/files/make-dirs.js';
import { removeOnInterrupt } from '../../engine/files/interrupt-cleanup.js';

export { generateGoogle2011, generateGoogle2019, type GoogleGenCounts } from './google.js';

/** Formats the generator writes. */
export const GENERATOR_FORMATS = ['openb', 'native', 'google2011', 'google2019'] as const;
/** A format the generator writes. */
export type GeneratorFormat = (typeof GENERATOR_FORMATS)[number];

/** Options of the generator. */
export interface GenerateOptions {
  readonly nodes: number;
  readonly pods: number;
  /** Span of pod arrivals in days. */
  readonly days: number;
  readonly seed: string | number;
}

/** The defaults of `kreplay generate`. */
export const GENERATE_DEFAULTS: GenerateOptions = { nodes: 100, pods: 1000, days: 1, seed: 1 };

type Rng = () => number;

/** Node shapes of the openb GPU node list with their share of nodes (1,213 nodes, top 10 shapes). */
export const NODE_SHAPES: readonly {
  cpuMilli: number;
  memoryMib: number;
  gpu: number;
  model: string;
  weight: number;
}[] = [
  { cpuMilli: 96000, memoryMib: 393216, gpu: 8, model: 'G2', weight: 549 },
  { cpuMilli: 104000, memoryMib: 524288, gpu: 2, model: 'T4', weight: 387 },
  { cpuMilli: 16000, memoryMib: 122880, gpu: 2, model: 'P100', weight: 107 },
  { cpuMilli: 128000, memoryMib: 786432, gpu: 8, model: 'G3', weight: 39 },
  { cpuMilli: 32000, memoryMib: 131072, gpu: 4, model: 'V100M16', weight: 28 },
  { cpuMilli: 64000, memoryMib: 262144, gpu: 2, model: 'P100', weight: 22 },
  { cpuMilli: 96000, memoryMib: 786432, gpu: 8, model: 'V100M32', weight: 21 },
  { cpuMilli: 8000, memoryMib: 32768, gpu: 1, model: 'V100M16', weight: 19 },
  { cpuMilli: 96000, memoryMib: 393216, gpu: 4, model: 'T4', weight: 17 },
  { cpuMilli: 48000, memoryMib: 376832, gpu: 4, model: 'V100M32', weight: 9 },
];

function pick<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  const total = items.reduce((a, b) => a + b.weight, 0);
  let x = rng() * total;
  for (const it of items) if ((x -= it.weight) < 0) return it;
  return items[items.length - 1]!;
}

const POD_KINDS = [
  { kind: 'cpu', weight: 1088 },
  { kind: 'share', weight: 3078 },
  { kind: 'one', weight: 3911 },
  { kind: 'multi', weight: 75 },
] as const;
const QOS = [
  { v: 'LS', weight: 4647 },
  { v: 'BE', weight: 3398 },
  { v: 'Burstable', weight: 100 },
  { v: 'Guaranteed', weight: 7 },
];
const CPU_CHOICES = [1000, 2000, 4000, 6000, 8000, 12000, 16000, 32000];
const MEM_PER_CPU_MIB = [1, 2, 4, 8]; // MiB per milli-core: 1 GiB..8 GiB per core
const MULTI_GPUS = [2, 4, 8];
const MODELS = [...new Set(NODE_SHAPES.map((s) => s.model))];

function pad(i: number, width: number): string {
  return String(i).padStart(width, '0');
}

/** The node rows, as CSV lines (header first). */
export function* openbNodeLines(opts: GenerateOptions): Generator<string> {
  const rng = seedrandom.alea(`${opts.seed}/nodes`);
  yield OPENB_NODE_COLUMNS.join(',');
  const w = Math.max(4, String(opts.nodes - 1).length);
  for (let i = 0; i < opts.nodes; i++) {
    const s = pick(rng, NODE_SHAPES);
    yield `openb-node-${pad(i, w)},${s.cpuMilli},${s.memoryMib},${s.gpu},${s.model}`;
  }
}

/** The pod rows, as CSV lines (header first), in creation order. */
export function* openbPodLines(opts: GenerateOptions): Generator<string> {
  // A separate stream per table: changing --nodes never changes the pods.
  const rng = seedrandom.alea(`${opts.seed}/pods`);
  yield OPENB_POD_COLUMNS.join(',');
  const span = opts.days * 86400;
  const rate = opts.pods / Math.max(span, 1);
  const w = Math.max(4, String(opts.pods - 1).length);
  let t = 0;
  for (let i = 0; i < opts.pods; i++) {
    if (i > 0) t += -Math.log(1 - rng()) / rate; // Poisson arrivals
    const creation = Math.min(Math.floor(t), Math.floor(span));
    const kind = pick(rng, POD_KINDS).kind;
    const cpu = CPU_CHOICES[Math.floor(rng() * CPU_CHOICES.length)]!;
    const mem = cpu * MEM_PER_CPU_MIB[Math.floor(rng() * MEM_PER_CPU_MIB.length)]!;
    let numGpu = 0;
    let gpuMilli = 0;
    if (kind === 'share') [numGpu, gpuMilli] = [1, 50 * (1 + Math.floor(rng() * 19))];
    else if (kind === 'one') [numGpu, gpuMilli] = [1, 1000];
    else if (kind === 'multi')
      [numGpu, gpuMilli] = [MULTI_GPUS[Math.floor(rng() * MULTI_GPUS.length)]!, 1000];
    // One GPU pod in ten names allowed models (one or two).
    let spec = '';
    if (numGpu > 0 && rng() < 0.1) {
      const a = MODELS[Math.floor(rng() * MODELS.length)]!;
      const b = MODELS[Math.floor(rng() * MODELS.length)]!;
      spec = a === b ? a : `${a}|${b}`;
    }
    const qos = pick(rng, QOS).v;
    // Log-normal run time, median 1 h, sigma 1.5 (Box-Muller), at least 1 s.
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const duration = Math.max(1, Math.round(3600 * Math.exp(1.5 * z)));
    yield `openb-pod-${pad(i, w)},${cpu},${mem},${numGpu},${gpuMilli},${spec},${qos},Running,${creation},${creation + duration},${creation}`;
  }
}

async function writeLines(lines: Iterable<string>, file: string): Promise<void> {
  function* batched(): Generator<string> {
    let buf = '';
    for (const l of lines) {
      buf += l + '\n';
      if (buf.length >= 1 << 16) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  const tmp = `${file}.kreplay-tmp-${process.pid}`;
  const release = removeOnInterrupt(tmp);
  try {
    if (isGzip(file)) await pipeline(Readable.from(batched()), createGzip(), createWriteStream(tmp));
    else await pipeline(Readable.from(batched()), createWriteStream(tmp));
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    release();
  }
}

/** File names the openb generator writes inside its --out folder (named so detection recognises them). */
export const OPENB_GENERATED = {
  nodes: 'openb_node_list_generated.csv',
  pods: 'openb_pod_list_generated.csv',
} as const;

/**
 * Generates a trace. `openb`: `out` is a folder that receives a node list and a pod list; `native`: `out`
 * is an NDJSON file (gzipped when it ends in .gz) holding the openb-shaped nodes and pods as records.
 * Returns the files written.
 */
export async function generate(
  format: GeneratorFormat,
  out: string,
  options: Partial<GenerateOptions> = {},
): Promise<string[]> {
  const opts: GenerateOptions = { ...GENERATE_DEFAULTS, ...options };
  if (format !== 'native') makeOutputDirs(out, 'write the trace there');
  // google*: `out` is a folder of tables; --nodes machines, --pods tasks (about 3 task events each).
  if (format === 'google2011') return (await generateGoogle2011(out, opts)).files;
  if (format === 'google2019') return (await generateGoogle2019(out, opts)).files;
  if (format === 'openb') {
    const nodes = join(out, OPENB_GENERATED.nodes);
    const pods = join(out, OPENB_GENERATED.pods);
    await writeLines(openbNodeLines(opts), nodes);
    await writeLines(openbPodLines(opts), pods);
    return [nodes, pods];
  }
  // native: generate openb tables beside the output, map them through the openb reader, remove them.
  const tmpDir = `${out}.kreplay-tmp-${process.pid}.d`;
  const release = removeOnInterrupt(tmpDir);
  try {
    const [nodes, pods] = await generate('openb', tmpDir, opts);
    await writeNative(readOpenb({ nodes: nodes!, pods: pods! }).records, out);
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
    release();
  }
  return [out];
}
