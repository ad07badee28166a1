/**
 * The toy model of superposition (Elhage et al., 2022), trained in plain typed-array JS.
 *
 *   x ∈ [0,1]^n  sparse synthetic features: each is 0 with probability S, else uniform[0,1]
 *   h = W x       W: [m, n], m < n hidden dimensions
 *   x' = ReLU(Wᵀ h + b)
 *   loss = mean over the batch of Σ_i I_i (x_i − x'_i)²,  importance I_i = decay^i
 *
 * Trained with Adam on fresh batches. No DOM here: the widget draws, this module computes, so the
 * unit tests and the benchmark run the same code as the page.
 */

// With its extension: scripts/bench-widgets.mjs loads this module in Node as it is.
import { mulberry32 } from '../kit/random.ts';

/** What to train: the shape of the model, the data it sees and the optimiser. */
export interface ToyModelConfig {
  /** Number of features n. */
  readonly features: number;
  /** Number of hidden dimensions m. */
  readonly dimensions: number;
  /** Probability S that a feature is zero in a sample, in [0, 1). */
  readonly sparsity: number;
  /** Feature i has importance decay^i; 1 means every feature matters equally. */
  readonly importanceDecay: number;
  /** Seed of the random number generator: same seed, same weights, same curve. */
  readonly seed?: number;
  /** Samples per step. Default 1024. */
  readonly batchSize?: number;
  /** Adam step size. Default 0.01. */
  readonly learningRate?: number;
}

/** Importance of each feature: decay^i for i = 0..n-1. */
export function importances(features: number, decay: number): Float64Array {
  const out = new Float64Array(features);
  for (let i = 0; i < features; i++) out[i] = decay ** i;
  return out;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** The model and its optimiser state; `step()` trains on one fresh batch. */
export class ToyModel {
  readonly n: number;
  readonly m: number;
  readonly sparsity: number;
  readonly importance: Float64Array;
  readonly batchSize: number;
  readonly learningRate: number;
  /** W, row-major [m, n]: column i (entries W[k*n + i]) is feature i's direction. */
  readonly weights: Float64Array;
  /** b: [n]. */
  readonly bias: Float64Array;
  /** Steps taken so far. */
  steps = 0;
  /** Loss of the last batch. */
  loss = Number.NaN;

  private readonly random: () => number;
  // Adam moments for [W (m*n) | b (n)], and the gradient buffer of the same layout.
  private readonly grad: Float64Array;
  private readonly moment1: Float64Array;
  private readonly moment2: Float64Array;
  // The batch, and scratch buffers for one sample.
  private readonly batch: Float64Array;
  private readonly active: Int32Array;
  private readonly hidden: Float64Array;
  private readonly hiddenGrad: Float64Array;

  constructor(config: ToyModelConfig) {
    const { features: n, dimensions: m } = config;
    if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1) {
      throw new RangeError(`features and dimensions must be positive integers (got ${n}, ${m})`);
    }
    if (!(config.sparsity >= 0 && config.sparsity < 1)) {
      throw new RangeError(`sparsity must lie in [0, 1) (got ${config.sparsity})`);
    }
    this.n = n;
    this.m = m;
    this.sparsity = config.sparsity;
    this.importance = importances(n, config.importanceDecay);
    this.batchSize = config.batchSize ?? 1024;
    this.learningRate = config.learningRate ?? 0.01;
    this.random = mulberry32(config.seed ?? 0);

    // Xavier-normal initialisation of W, b = 0 (as in the paper's notebook).
    this.weights = new Float64Array(m * n);
    const std = Math.sqrt(2 / (m + n));
    for (let j = 0; j < m * n; j++) this.weights[j] = std * this.gaussian();
    this.bias = new Float64Array(n);

    this.grad = new Float64Array(m * n + n);
    this.moment1 = new Float64Array(m * n + n);
    this.moment2 = new Float64Array(m * n + n);
    this.batch = new Float64Array(this.batchSize * n);
    this.active = new Int32Array(n);
    this.hidden = new Float64Array(m);
    this.hiddenGrad = new Float64Array(m);
  }

  private gaussian(): number {
    // Box–Muller; 1 - u keeps the logarithm finite.
    const u = 1 - this.random();
    const v = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Draws a fresh batch of features, row-major [batchSize, n]: each 0 with probability S. */
  sampleBatch(): Float64Array {
    const { n, batch } = this;
    const density = 1 - this.sparsity;
    for (let j = 0; j < this.batchSize * n; j++) {
      batch[j] = this.random() < density ? this.random() : 0;
    }
    return batch;
  }

  /**
   * The loss on `batch` ([rows, n]) and its gradient, written into `gradient` laid out as
   * [W (m*n, row-major) | b (n)]. Hand-written backward pass; the unit tests check it against
   * finite differences.
   */
  lossAndGradient(batch: Float64Array, gradient: Float64Array): number {
    const { n, m, weights: W, bias, active, hidden: h, hiddenGrad: dh } = this;
    const rows = batch.length / n;
    const scale = 2 / rows;
    const biasOffset = m * n;
    gradient.fill(0);
    let loss = 0;

    for (let row = 0; row < rows; row++) {
      const x = row * n; // offset of this sample in the batch
      // Most features are zero at high sparsity: remember the others.
      let count = 0;
      for (let i = 0; i < n; i++) if (batch[x + i] !== 0) active[count++] = i;
      // h = W x  — [m]
      for (let k = 0; k < m; k++) {
        let sum = 0;
        for (let a = 0; a < count; a++) {
          const i = active[a]!;
          sum += W[k * n + i]! * batch[x + i]!;
        }
        h[k] = sum;
        dh[k] = 0;
      }
      // x' = ReLU(Wᵀ h + b)  — [n]; backward through the readout as we go.
      for (let i = 0; i < n; i++) {
        let y = bias[i]!;
        for (let k = 0; k < m; k++) y += W[k * n + i]! * h[k]!;
        const diff = (y > 0 ? y : 0) - batch[x + i]!;
        const weighted = this.importance[i]! * diff;
        loss += weighted * diff;
        if (y <= 0) continue;
        const g = scale * weighted; // dLoss/dy_i
        gradient[biasOffset + i] = gradient[biasOffset + i]! + g;
        for (let k = 0; k < m; k++) {
          gradient[k * n + i] = gradient[k * n + i]! + g * h[k]!;
          dh[k] = dh[k]! + W[k * n + i]! * g;
        }
      }
      // Backward through the embedding h = W x: only active features get a gradient.
      for (let k = 0; k < m; k++) {
        const g = dh[k]!;
        if (g === 0) continue;
        for (let a = 0; a < count; a++) {
          const i = active[a]!;
          gradient[k * n + i] = gradient[k * n + i]! + g * batch[x + i]!;
        }
      }
    }
    return loss / rows;
  }

  /** One Adam step on a fresh batch; returns the batch loss. */
  step(): number {
    this.loss = this.lossAndGradient(this.sampleBatch(), this.grad);
    this.adam();
    return this.loss;
  }

  /** Trains `count` steps; returns the last batch loss. */
  train(count: number): number {
    for (let s = 0; s < count; s++) this.step();
    return this.loss;
  }

  private adam(): void {
    this.steps += 1;
    const { grad, moment1, moment2, weights, bias } = this;
    const correction1 = 1 - BETA1 ** this.steps;
    const correction2 = 1 - BETA2 ** this.steps;
    const size = weights.length;
    for (let j = 0; j < grad.length; j++) {
      const g = grad[j]!;
      const m1 = (moment1[j] = BETA1 * moment1[j]! + (1 - BETA1) * g);
      const m2 = (moment2[j] = BETA2 * moment2[j]! + (1 - BETA2) * g * g);
      const update =
        (this.learningRate * (m1 / correction1)) / (Math.sqrt(m2 / correction2) + EPSILON);
      if (j < size) weights[j] = weights[j]! - update;
      else bias[j - size] = bias[j - size]! - update;
    }
  }
}

/** The geometry of the learned features: what the widget shows and the tests check. */
export interface FeatureGeometry {
  /** WᵀW, row-major [n, n]: how much feature j leaks into feature i's readout. */
  readonly gram: Float64Array;
  /** ‖W_i‖ per feature: near 1 when represented, near 0 when dropped. */
  readonly norms: Float64Array;
  /** Σ_{j≠i} (Ŵ_i·W_j)²: 0 when feature i has its own dimension. */
  readonly superposition: Float64Array;
  /** Feature dimensionality D_i = ‖W_i‖² / Σ_j (Ŵ_i·W_j)²: 1 for a dedicated dimension, 1/2 for an
   *  antipodal pair, 2/5 in the pentagon, 0 for a dropped feature. */
  readonly dimensionality: Float64Array;
  /** m / ‖W‖_F²: hidden dimensions per represented feature (the paper's "dimensions per feature"). */
  readonly dimensionsPerFeature: number;
}

/** Gram matrix, norms, superposition and dimensionality of W ([m, n], row-major). */
export function featureGeometry(weights: Float64Array, n: number, m: number): FeatureGeometry {
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < m; k++) dot += weights[k * n + i]! * weights[k * n + j]!;
      gram[i * n + j] = dot;
      gram[j * n + i] = dot;
    }
  }
  const norms = new Float64Array(n);
  const superposition = new Float64Array(n);
  const dimensionality = new Float64Array(n);
  let frobenius = 0;
  for (let i = 0; i < n; i++) {
    const squared = gram[i * n + i]!;
    frobenius += squared;
    const norm = Math.sqrt(squared);
    norms[i] = norm;
    if (norm < 1e-9) continue;
    let interference = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      interference += (gram[i * n + j]! / norm) ** 2;
    }
    superposition[i] = interference;
    // Σ_j (Ŵ_i·W_j)² over all j, including j = i (which contributes ‖W_i‖²).
    dimensionality[i] = squared / (squared + interference);
  }
  return {
    gram,
    norms,
    superposition,
    dimensionality,
    dimensionsPerFeature: frobenius > 0 ? m / frobenius : Number.POSITIVE_INFINITY,
  };
}

/** Features whose direction has norm above `threshold` (the model keeps them), in index order. */
export function representedFeatures(norms: Float64Array, threshold = 0.5): number[] {
  const kept: number[] = [];
  norms.forEach((norm, i) => {
    if (norm > threshold) kept.push(i);
  });
  return kept;
}

/** For m = 2: each feature's direction as an angle in degrees, in [0, 360). */
export function featureAngles(weights: Float64Array, n: number): Float64Array {
  const angles = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const degrees = (Math.atan2(weights[n + i]!, weights[i]!) * 180) / Math.PI;
    angles[i] = (degrees + 360) % 360;
  }
  return angles;
}

/**
 * For m = 2: the angles between neighbouring represented features going round the circle, in
 * degrees (they sum to 360). The pentagon gives five angles of 72°.
 */
export function adjacentAngles(weights: Float64Array, n: number, threshold = 0.5): number[] {
  const all = featureAngles(weights, n);
  const sorted = representedFeatures(featureGeometry(weights, n, 2).norms, threshold)
    .map((i) => all[i]!)
    .sort((a, b) => a - b);
  if (sorted.length < 2) return [];
  return sorted.map((angle, index) =>
    index + 1 < sorted.length ? sorted[index + 1]! - angle : 360 - angle + sorted[0]!,
  );
}

/** One point of a sparsity sweep. */
export interface SweepPoint {
  readonly sparsity: number;
  readonly represented: number;
  readonly norms: Float64Array;
  readonly dimensionsPerFeature: number;
  readonly dimensionality: Float64Array;
  readonly loss: number;
}

/** Sparsities a sweep visits: dense to very sparse, denser near 1 where the phases change. */
export const SWEEP_SPARSITIES: readonly number[] = [
  0, 0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99,
];

/**
 * Measures a trained model for a sparsity sweep: the phase change from "keep the m most important
 * features, one dimension each" to superposition shows as steps in dimensions per feature
 * (1 → 1/2 → 2/5 for n = 5, m = 2).
 */
export function sweepPoint(model: ToyModel): SweepPoint {
  const geometry = featureGeometry(model.weights, model.n, model.m);
  return {
    sparsity: model.sparsity,
    represented: representedFeatures(geometry.norms).length,
    norms: geometry.norms,
    dimensionsPerFeature: geometry.dimensionsPerFeature,
    dimensionality: geometry.dimensionality,
    loss: model.loss,
  };
}
