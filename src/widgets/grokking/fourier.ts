/**
 * The Fourier view of modular addition's embedding, as models/modadd/analyse.py computes it: an
 * orthonormal basis of functions on Z_p (the constant, then cos and sin of each frequency k), and
 * how much of the embedding W_E lies on each frequency. Pure numbers, no DOM; unit-tested against
 * the exported checkpoints.
 */

/**
 * The orthonormal Fourier basis of functions on Z_p, as rows of a [p, p] row-major array: row 0
 * is the constant, rows 2k−1 and 2k are cos(2πkx/p) and sin(2πkx/p) for k = 1…(p−1)/2, each
 * scaled to norm 1 (analyse.py's `fourier_basis`). p must be odd.
 */
export function fourierBasis(p: number): Float64Array {
  if (!Number.isInteger(p) || p < 3 || p % 2 === 0) throw new RangeError(`p must be odd, got ${p}`);
  const basis = new Float64Array(p * p);
  const normalise = (row: number) => {
    let sq = 0;
    for (let x = 0; x < p; x++) sq += basis[row * p + x]! ** 2;
    const norm = Math.sqrt(sq);
    for (let x = 0; x < p; x++) basis[row * p + x]! /= norm;
  };
  basis.fill(1, 0, p);
  normalise(0);
  for (let k = 1; k <= (p - 1) / 2; k++) {
    for (let x = 0; x < p; x++) {
      const phase = (2 * Math.PI * k * x) / p;
      basis[(2 * k - 1) * p + x] = Math.cos(phase);
      basis[2 * k * p + x] = Math.sin(phase);
    }
    normalise(2 * k - 1);
    normalise(2 * k);
  }
  return basis;
}

/** Number of frequencies k = 1…(p−1)/2 over Z_p. */
export const frequencyCount = (p: number) => (p - 1) / 2;

/**
 * How much of the embedding lies on each frequency: entry 0 is the norm of the constant
 * component, entry k the norm of the cos k and sin k components together,
 * √(‖cos_k · W‖² + ‖sin_k · W‖²) (analyse.py's `embedding_frequency_norms`). The squares add up to
 * ‖W‖² (Parseval).
 *
 * `weights`: the embeddings of the numbers 0…p−1, [p, dModel] row-major (extra rows after the
 * first p, such as '=', are ignored). `basis`: fourierBasis(p), passed in to reuse it.
 */
export function embeddingFrequencyNorms(
  weights: ArrayLike<number>,
  p: number,
  dModel: number,
  basis: Float64Array = fourierBasis(p),
): Float64Array {
  if (weights.length < p * dModel) {
    throw new RangeError(`embedding has ${weights.length} values, needs at least ${p} × ${dModel}`);
  }
  // Squared norm of each basis row's coefficients: Σ_d (Σ_x basis[r, x] W[x, d])².
  const squared = new Float64Array(p);
  const coefficients = new Float64Array(dModel);
  for (let r = 0; r < p; r++) {
    coefficients.fill(0);
    for (let x = 0; x < p; x++) {
      const b = basis[r * p + x]!;
      const offset = x * dModel;
      for (let d = 0; d < dModel; d++) coefficients[d]! += b * weights[offset + d]!;
    }
    let sq = 0;
    for (let d = 0; d < dModel; d++) sq += coefficients[d]! ** 2;
    squared[r] = sq;
  }
  const norms = new Float64Array(frequencyCount(p) + 1);
  norms[0] = Math.sqrt(squared[0]!);
  for (let k = 1; k < norms.length; k++)
    norms[k] = Math.sqrt(squared[2 * k - 1]! + squared[2 * k]!);
  return norms;
}

/**
 * The frequencies that stand out of a spectrum: sort k ≥ 1 by norm, find the largest drop (ratio)
 * between neighbours among the top `maxCount`, and keep the frequencies above it, in ascending
 * order. A grokked embedding is sparse in the Fourier basis, so its few key frequencies sit far
 * above the rest; in a spectrum without such a gap the answer means little.
 */
export function standoutFrequencies(norms: ArrayLike<number>, maxCount = 10): number[] {
  const ranked = Array.from({ length: norms.length - 1 }, (_, i) => i + 1).sort(
    (a, b) => norms[b]! - norms[a]! || a - b,
  );
  const limit = Math.min(maxCount, ranked.length - 1);
  let cut = 1;
  let largestDrop = 0;
  for (let i = 0; i < limit; i++) {
    const drop = norms[ranked[i]!]! / Math.max(norms[ranked[i + 1]!]!, Number.MIN_VALUE);
    if (drop > largestDrop) {
      largestDrop = drop;
      cut = i + 1;
    }
  }
  return ranked.slice(0, cut).sort((a, b) => a - b);
}

/** The `count` frequencies k ≥ 1 with the largest norms, in ascending order of k. */
export function topFrequencies(norms: ArrayLike<number>, count: number): number[] {
  return Array.from({ length: norms.length - 1 }, (_, i) => i + 1)
    .sort((a, b) => norms[b]! - norms[a]! || a - b)
    .slice(0, count)
    .sort((a, b) => a - b);
}

/**
 * The share of the embedding's non-constant squared norm that lies on the given frequencies (0…1):
 * 4 frequencies out of 56 hold about 7% of a random embedding, and most of a grokked one.
 */
export function frequencyShare(norms: ArrayLike<number>, frequencies: readonly number[]): number {
  let total = 0;
  for (let k = 1; k < norms.length; k++) total += norms[k]! ** 2;
  let chosen = 0;
  for (const k of frequencies) chosen += norms[k]! ** 2;
  return total > 0 ? chosen / total : 0;
}
