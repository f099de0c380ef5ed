/**
 * What two cores give at most: fixed pieces of plain JavaScript work that share nothing, timed in one
 * process alone and in two processes at once (suite.ts). Their throughput ratio is the ceiling any
 * worker scaling of similar work can reach on the machine: integer arithmetic alone (no memory
 * traffic) scales with the cores; allocation-heavy work like a replay's is held back by the memory
 * system and by V8's own helper threads (concurrent marking, compilation), which share the cores.
 */

/** The ceiling workloads. */
export type CeilingWork = 'integer' | 'allocation';

/** Human names (parallel.csv). */
export const CEILING_NAMES: Record<CeilingWork, string> = {
  integer: 'ceiling: integer loop without allocation',
  allocation: 'ceiling: short-lived objects and strings',
};

/** Runs one fixed piece of `work` (about a second on a 2020s server core); returns a checksum. */
export function ceilingWork(work: CeilingWork): number {
  if (work === 'integer') {
    let x = 1;
    for (let i = 0; i < 600_000_000; i++) x = (Math.imul(x, 1_664_525) + 1_013_904_223) | 0;
    return x;
  }
  // Objects, arrays and strings that die young, plus a window of survivors: the shape of a replay's
  // allocation (pods, patches, log lines) without any of its logic.
  let sum = 0;
  const window: { id: number; name: string; tags: number[] }[] = [];
  for (let i = 0; i < 15_000_000; i++) {
    const o = { id: i, name: `pod-${i}`, tags: [i & 7, i & 15] };
    sum += o.name.length + o.tags[1]!;
    window[i & 4095] = o;
  }
  return sum + window.length;
}
