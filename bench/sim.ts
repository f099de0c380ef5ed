/**
 * engine/sim kernels under tinybench: the event queue (one op = one push + one pop at a steady depth
 * of 10,000) and the event log (one op = one entry appended: canonical JSON, SHA-256 chain, line
 * written to a gzip file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { EventQueue, PHASE, type QueuedEvent } from '../engine/sim/heap.js';
import { EventLog } from '../engine/sim/log.js';
import { LogFileWriter } from '../engine/sim/log-file.js';

/** Per-iteration rates (ops/s) of one kernel. */
export interface KernelSample {
  readonly name: string;
  /** ops per second of each measured iteration. */
  readonly rates: number[];
}

const QUEUE_DEPTH = 10_000;
const QUEUE_BATCH = 100_000;
const LOG_BATCH = 5_000;

function rates(bench: Bench, opsPerIteration: number): KernelSample[] {
  return bench.tasks.map((t) => {
    const r = t.result;
    if (r.state !== 'completed') throw new Error(`benchmark ${t.name} did not complete (${r.state})`);
    const samples = r.latency.samples ?? [];
    return { name: t.name, rates: [...samples].map((ms) => (opsPerIteration * 1000) / ms) };
  });
}

/** Event queue push+pop pairs per second. */
export async function benchQueue(iterations: number): Promise<KernelSample[]> {
  const q = new EventQueue();
  let serial = 0;
  let time = 0;
  // Pseudo-random but fixed time offsets, like a mix of near and far future events.
  let x = 12345;
  const next = (): QueuedEvent => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return { time: time + (x % 10_000_000), phase: PHASE.SCHEDULER, serial: serial++, type: 'e', data: null };
  };
  for (let i = 0; i < QUEUE_DEPTH; i++) q.push(next());
  const bench = new Bench({ iterations, time: 0, warmupIterations: 2, retainSamples: true });
  bench.add('sim.queue push+pop', () => {
    for (let i = 0; i < QUEUE_BATCH; i++) {
      q.push(next());
      time = q.pop()!.time;
    }
  });
  await bench.run();
  return rates(bench, QUEUE_BATCH);
}

/** Log entries per second, hashed and gzip-written. */
export async function benchLog(iterations: number): Promise<KernelSample[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-bench-'));
  let now = 0;
  const log = new EventLog({ now: () => now });
  const writer = new LogFileWriter(join(dir, 'events.ndjson.gz'));
  log.listen(writer.listener);
  let n = 0;
  const bench = new Bench({ iterations, time: 0, warmupIterations: 2, retainSamples: true });
  bench.add('sim.log append+hash+gzip', () => {
    for (let i = 0; i < LOG_BATCH; i++) {
      n++;
      now += 1000;
      // The two most frequent entries of a replay: a bind and a pod status change.
      if (n & 1)
        log.append('sched.bind', {
          pod: `default/pod-${n}`,
          node: `node-${n % 5000}`,
          profile: 'default-scheduler',
          attempt: 1,
          feasible: 500,
          evaluated: 500,
        });
      else
        log.append('pod.phase', { pod: `default/pod-${n - 1}`, phase: 'Running', node: `node-${n % 5000}` });
    }
  });
  try {
    await bench.run();
  } finally {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rates(bench, LOG_BATCH);
}
