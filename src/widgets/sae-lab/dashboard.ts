/**
 * One feature's dashboard: where it fires (top-activating contexts), how often and how strongly
 * (density and the activations' spread), and which tokens its decoder direction pushes up or
 * down when read straight through the unembedding. Pure: codes and arrays in, plain data out.
 */
import type { Sae, SparseCodes } from './sae';

export interface FeatureActivation {
  /** Row of the codes (an index into the token positions). */
  readonly row: number;
  readonly value: number;
}

/** Every row on which `feature` is active, with its activation. */
export function featureActivations(codes: SparseCodes, feature: number): FeatureActivation[] {
  const found: FeatureActivation[] = [];
  for (let r = 0; r < codes.rows; r++) {
    for (let n = codes.rowStart[r]!; n < codes.rowStart[r + 1]!; n++) {
      if (codes.index[n] === feature) {
        found.push({ row: r, value: codes.value[n]! });
        break;
      }
    }
  }
  return found;
}

/** The `n` strongest activations, strongest first (ties → earlier row). */
export function topActivations(
  activations: readonly FeatureActivation[],
  n: number,
): FeatureActivation[] {
  return [...activations].sort((a, b) => b.value - a.value || a.row - b.row).slice(0, n);
}

/** A token's logit weight: how much the feature's decoder direction adds to it directly. */
export interface TokenWeight {
  readonly token: number;
  readonly weight: number;
}

/**
 * W_dec[feature] · unembed, where unembed [d_in, vocab] is the final LayerNorm's scale times
 * W_U: the direct effect on each token's logit, ignoring the layers in between.
 */
export function logitWeights(sae: Sae, feature: number, unembed: Float32Array): Float32Array {
  const vocab = unembed.length / sae.dIn;
  const out = new Float32Array(vocab);
  for (let i = 0; i < sae.dIn; i++) {
    const d = sae.W_dec[feature * sae.dIn + i]!;
    for (let v = 0; v < vocab; v++) out[v]! += d * unembed[i * vocab + v]!;
  }
  return out;
}

/** The `n` tokens with the largest (or, with `lowest`, smallest) weights. */
export function extremeTokens(weights: Float32Array, n: number, lowest = false): TokenWeight[] {
  const order = Array.from(weights.keys()).sort((a, b) =>
    lowest ? weights[a]! - weights[b]! : weights[b]! - weights[a]!,
  );
  return order.slice(0, n).map((token) => ({ token, weight: weights[token]! }));
}

/**
 * Features in the order the dashboard steps through them: live ones by how many rows they fire
 * on (most first), dead ones last.
 */
export function featuresByDensity(firing: Uint32Array): number[] {
  return Array.from(firing.keys()).sort((a, b) => firing[b]! - firing[a]! || a - b);
}

/**
 * The feature the dashboard opens on: the most frequent one that fires on between 0.2% and 5% of
 * tokens (the densest features tend to fire on everything and say little), else the most frequent.
 */
export function openingFeature(firing: Uint32Array, rows: number): number {
  const order = featuresByDensity(firing);
  const share = (f: number) => firing[f]! / rows;
  return order.find((f) => share(f) <= 0.05 && share(f) >= 0.002) ?? order[0]!;
}
