import seedrandom from 'seedrandom';

/** A uniform [0, 1) draw. */
export type Draw = () => number;

/**
 * A named seedrandom `alea` stream derived from a run seed: seeded by `seed/name` alone, so one
 * purpose (shuffle, tie-break, GPU pick) never shifts another's draws.
 */
export function namedStream(seed: number | string, name: string): Draw {
  const prng = seedrandom.alea(`${seed}/${name}`);
  return () => prng();
}

/** A uniform integer in [0, n), n ≥ 1. */
export function drawIndex(draw: Draw, n: number): number {
  const i = Math.floor(draw() * n);
  return i < n ? i : n - 1;
}
