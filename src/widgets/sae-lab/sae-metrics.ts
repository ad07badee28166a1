/**
 * How good an SAE is, as models/tiny-lm-saes/MODEL_CARD.md defines it: sparsity (L0), fraction
 * of variance unexplained, loss recovered when the reconstruction replaces the stream, and dead
 * features. Pure functions on typed arrays; the model runs happen in the widget.
 */
import type { SparseCodes } from './sae';

/** Where the tokens are: flat indices (row · length + t) of every position whose token is not <bos>. */
export function tokenPositions(rows: readonly (readonly number[])[], bos: number): Uint32Array {
  const positions: number[] = [];
  rows.forEach((row, r) =>
    row.forEach((token, t) => {
      if (token !== bos) positions.push(r * row.length + t);
    }),
  );
  return Uint32Array.from(positions);
}

/** Rows `positions` of a [n, width] array, as a new [positions.length, width] array. */
export function gatherRows(all: Float32Array, width: number, positions: Uint32Array): Float32Array {
  const out = new Float32Array(positions.length * width);
  positions.forEach((p, i) => out.set(all.subarray(p * width, (p + 1) * width), i * width));
  return out;
}

/** `all` with rows `positions` replaced by the rows of `values` (or by zeros when null). */
export function scatterRows(
  all: Float32Array,
  width: number,
  positions: Uint32Array,
  values: Float32Array | null,
): Float32Array {
  const out = all.slice();
  positions.forEach((p, i) => {
    if (values) out.set(values.subarray(i * width, (i + 1) * width), p * width);
    else out.fill(0, p * width, (p + 1) * width);
  });
  return out;
}

/** Mean number of active features per row. */
export function meanL0(codes: SparseCodes): number {
  return codes.rows === 0 ? 0 : codes.index.length / codes.rows;
}

/** Σ‖x − x̂‖² / Σ‖x − x̄‖², x̄ the mean row: 0 is perfect, 1 is no better than the mean. */
export function fractionOfVarianceUnexplained(
  x: Float32Array,
  reconstruction: Float32Array,
  width: number,
): number {
  const rows = x.length / width;
  const mean = new Float64Array(width);
  for (let r = 0; r < rows; r++) for (let i = 0; i < width; i++) mean[i]! += x[r * width + i]!;
  for (let i = 0; i < width; i++) mean[i]! /= rows;
  let error = 0;
  let variance = 0;
  for (let n = 0; n < x.length; n++) {
    error += (x[n]! - reconstruction[n]!) ** 2;
    variance += (x[n]! - mean[n % width]!) ** 2;
  }
  return error / variance;
}

/**
 * Mean next-token cross-entropy of logits [rows, length, vocab] on `tokens`: position t predicts
 * token t + 1, for t in 0..length − 2.
 */
export function nextTokenLoss(
  logits: Float32Array,
  tokens: readonly (readonly number[])[],
  vocab: number,
): number {
  let total = 0;
  let count = 0;
  tokens.forEach((row, r) => {
    for (let t = 0; t + 1 < row.length; t++) {
      const o = (r * row.length + t) * vocab;
      let max = -Infinity;
      for (let v = 0; v < vocab; v++) max = Math.max(max, logits[o + v]!);
      let sum = 0;
      for (let v = 0; v < vocab; v++) sum += Math.exp(logits[o + v]! - max);
      total += Math.log(sum) + max - logits[o + row[t + 1]!]!;
      count++;
    }
  });
  return total / count;
}

/** (zero − spliced) / (zero − clean): 1 when splicing the SAE in costs nothing, 0 when it is as bad as deleting the stream. */
export function lossRecovered(clean: number, spliced: number, zero: number): number {
  return (zero - spliced) / (zero - clean);
}

/** Features that are active on no row. */
export function deadFeatures(firing: Uint32Array): number {
  let dead = 0;
  for (const count of firing) if (count === 0) dead++;
  return dead;
}
