import seedrandom from 'seedrandom';

/** Saved state of every named stream, for checkpoints. */
export type RngState = Record<string, seedrandom.State.Alea>;

/** A uniform [0, 1) draw. */
export type Random = () => number;

/**
 * Named random streams derived from the run seed. Each stream is seeded by `seed/name` alone, so
 * adding a stream never shifts another's draws. Alea is used for speed and exact state save/restore.
 */
export class RngStreams {
  readonly seed: string;
  #streams = new Map<string, seedrandom.StatefulPRNG<seedrandom.State.Alea>>();

  constructor(seed: string | number, state?: RngState) {
    this.seed = String(seed);
    if (state) {
      for (const name of Object.keys(state).sort()) {
        this.#streams.set(name, seedrandom.alea('', { state: state[name]! }));
      }
    }
  }

  /** The stream called `name` (created on first use), e.g. `rng('scheduler/tiebreak')`. */
  stream(name: string): Random {
    let s = this.#streams.get(name);
    if (!s) {
      s = seedrandom.alea(`${this.seed}/${name}`, { state: true });
      this.#streams.set(name, s);
    }
    const prng = s;
    return () => prng();
  }

  /** The state of every stream used so far, by name. */
  state(): RngState {
    const out: RngState = {};
    for (const name of [...this.#streams.keys()].sort()) out[name] = this.#streams.get(name)!.state();
    return out;
  }
}
