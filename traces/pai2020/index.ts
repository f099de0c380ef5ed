/**
 * Alibaba PAI 2020 (cluster-trace-gpu-v2020) `pai_machine_spec.csv`: one machine per row,
 * `machine,gpu_type,cap_cpu,cap_mem,cap_gpu` (the published file has no header; its columns are in
 * `pai_machine_spec.header`; a header line is accepted too). Every machine is a Node created at t=0.
 */
import { InputError } from '../../engine/api/errors.js';
import type { KObject } from '../../engine/api/types.js';
import {
  expectColumns,
  FieldParser,
  flattenBatches,
  readCsvRowBatches,
  SkipCounter,
  type CsvRow,
  type OnInvalid,
} from '../input.js';
import { DEFAULT_MAX_PODS, GPU_MILLI, GPU_MODEL_LABEL, makeNode, NVIDIA_GPU } from '../objects.js';
import type { LossReport, TraceRecord, TraceSource } from '../types.js';

/** The columns (the header file's line). */
export const PAI_COLUMNS = 'machine,gpu_type,cap_cpu,cap_mem,cap_gpu';

/** One machine of the spec. */
export interface PaiMachineRow {
  readonly machine: string;
  /** GPU model (`P100`, `T4`, `V100`, `V100M32`, `MISC`), or `CPU` for CPU-only machines. */
  readonly gpuType: string;
  readonly cpu: number;
  /** GiB. */
  readonly memoryGib: number;
  readonly gpus: number;
}

/** Options of {@link readPai2020}. */
export interface Pai2020Options {
  readonly nodes: string;
  readonly onInvalid?: OnInvalid;
}

const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const MODEL_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Parses one machine row. Throws InputError naming the column. */
export function parsePaiMachineRow(file: string, row: CsvRow): PaiMachineRow {
  expectColumns(file, row, 5, 'pai_machine_spec');
  const f = row.fields;
  const p = new FieldParser(file, row.line);
  const machine = f[0]!;
  if (!NAME_RE.test(machine) || machine.length > 253)
    throw p.error('machine', `${JSON.stringify(machine)} is not a valid node name`);
  const gpuType = f[1]!;
  if (!MODEL_RE.test(gpuType)) throw p.error('gpu_type', `${JSON.stringify(gpuType)} is not a GPU type`);
  const cpu = p.uint('cap_cpu', f[2]);
  const memoryGib = p.uint('cap_mem', f[3]);
  const gpus = p.uint('cap_gpu', f[4]);
  if (gpuType === 'CPU' && gpus > 0) throw p.error('cap_gpu', `${gpus} GPUs on a CPU machine`);
  if (gpuType !== 'CPU' && gpus === 0) throw p.error('cap_gpu', `0 GPUs on a ${gpuType} machine`);
  return { machine, gpuType, cpu, memoryGib, gpus };
}

/** The Node of one machine: GPUs as `nvidia.com/gpu` (and kreplay.io/gpu-milli), model as a label. */
export function paiNodeObject(m: PaiMachineRow): KObject {
  const resources: Record<string, string> = {
    cpu: `${m.cpu * 1000}m`,
    memory: `${m.memoryGib * 1024}Mi`,
    pods: DEFAULT_MAX_PODS,
  };
  if (m.gpus > 0) {
    resources[NVIDIA_GPU] = String(m.gpus);
    resources[GPU_MILLI] = String(m.gpus * 1000);
  }
  return makeNode(m.machine, resources, m.gpus > 0 ? { [GPU_MODEL_LABEL]: m.gpuType } : {});
}

/** Opens a PAI 2020 machine spec: one Node per machine at t=0, in file order. */
export function readPai2020(opts: Pai2020Options): TraceSource {
  const skips = new SkipCounter(opts.onInvalid);
  const loss: LossReport = {
    format: 'pai2020',
    notes: [
      'machine spec only: nodes at t=0; the job/task tables of the PAI trace are not read',
      'cap_cpu cores, cap_mem GiB; GPUs as nvidia.com/gpu and kreplay.io/gpu-milli (1000 per GPU); gpu_type as label kreplay.io/gpu-model (CPU machines get none); MISC is kept as a model name',
      'allocatable = capacity; pods capacity 110; no topology (rack/zone) in the spec',
    ],
    skipped: skips.skipped,
  };
  async function* recordBatches(): AsyncGenerator<TraceRecord[]> {
    let first = true;
    let n = 0;
    for await (const batch of readCsvRowBatches(opts.nodes)) {
      const out: TraceRecord[] = [];
      try {
        for (const row of batch) {
          if (first) {
            first = false;
            if (row.fields.join(',') === PAI_COLUMNS) continue;
          }
          let m: PaiMachineRow;
          try {
            m = parsePaiMachineRow(opts.nodes, row);
          } catch (err) {
            skips.handle(err);
            continue;
          }
          n++;
          out.push({
            timeUs: 0,
            op: 'create',
            object: paiNodeObject(m),
            source: { file: opts.nodes, line: row.line },
          });
        }
      } catch (err) {
        // The machines before the bad row come out first, as they would row by row.
        if (out.length > 0) yield out;
        throw err;
      }
      if (out.length > 0) yield out;
    }
    if (n === 0 && first) throw new InputError(opts.nodes, 1, undefined, 'empty machine spec', 'NO_INPUT');
  }
  return { format: 'pai2020', records: flattenBatches(recordBatches()), loss };
}
