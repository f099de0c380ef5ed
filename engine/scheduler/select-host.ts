/**
 * selectHost: the node with the highest total score; ties at the top are broken uniformly from the
 * seeded stream with a single draw (kube-scheduler samples its reservoir from an unseeded source, one
 * draw per tied node; the distribution is the same, uniform over the tied nodes).
 */

/** The pick of {@link selectHost}: position in the scored list, its score, and how many tied at the top. */
export interface HostPick {
  readonly index: number;
  readonly score: number;
  readonly ties: number;
}

/**
 * Picks among `total[0..count)` (count ≥ 1, in node-slot order): the highest score; with several at
 * that score, the `floor(random() × ties)`-th of them in slot order. Draws only when ties > 1.
 */
export function selectHost(total: ArrayLike<number>, count: number, random: () => number): HostPick {
  let best = 0;
  let bestScore = total[0]!;
  let ties = 1;
  for (let j = 1; j < count; j++) {
    const s = total[j]!;
    if (s > bestScore) {
      bestScore = s;
      best = j;
      ties = 1;
    } else if (s === bestScore) ties++;
  }
  if (ties > 1) {
    let k = Math.floor(random() * ties);
    for (let j = best; j < count; j++) {
      if (total[j] === bestScore && k-- === 0) {
        best = j;
        break;
      }
    }
  }
  return { index: best, score: bestScore, ties };
}
