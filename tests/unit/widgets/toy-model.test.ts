import { describe, expect, it } from 'vitest';
import {
  adjacentAngles,
  featureGeometry,
  representedFeatures,
  sweepPoint,
  ToyModel,
} from '../../../src/widgets/toy-superposition/toy-model';
import { mulberry32 } from '../../../src/widgets/kit/random';

/** W ([2, n], row-major) with unit columns at the given angles (degrees). */
function planarWeights(anglesInDegrees: number[], norm = 1): Float64Array {
  const n = anglesInDegrees.length;
  const weights = new Float64Array(2 * n);
  anglesInDegrees.forEach((degrees, i) => {
    weights[i] = norm * Math.cos((degrees * Math.PI) / 180);
    weights[n + i] = norm * Math.sin((degrees * Math.PI) / 180);
  });
  return weights;
}

function trained(sparsity: number, importanceDecay: number, seed: number): ToyModel {
  const model = new ToyModel({ features: 5, dimensions: 2, sparsity, importanceDecay, seed });
  model.train(3000);
  return model;
}

describe('the geometry of a set of feature directions', () => {
  it('gives orthogonal unit features norm 1, no superposition and a dimension each', () => {
    const geometry = featureGeometry(planarWeights([0, 90]), 2, 2);
    for (const norm of geometry.norms) expect(norm).toBeCloseTo(1, 10);
    for (const s of geometry.superposition) expect(s).toBeCloseTo(0, 10);
    for (const d of geometry.dimensionality) expect(d).toBeCloseTo(1, 10);
  });

  it('gives an antipodal pair half a dimension each', () => {
    const geometry = featureGeometry(planarWeights([30, 210]), 2, 2);
    for (const d of geometry.dimensionality) expect(d).toBeCloseTo(0.5, 10);
    for (const s of geometry.superposition) expect(s).toBeCloseTo(1, 10);
  });

  it('gives each corner of a regular pentagon two fifths of a dimension, 72° from its neighbours', () => {
    const weights = planarWeights([90, 162, 234, 306, 18]);
    const geometry = featureGeometry(weights, 5, 2);
    for (const d of geometry.dimensionality) expect(d).toBeCloseTo(0.4, 10);
    expect(adjacentAngles(weights, 5).map((a) => Math.round(a))).toEqual([72, 72, 72, 72, 72]);
  });

  it('counts a feature with a near-zero direction as dropped, with dimensionality 0', () => {
    const weights = planarWeights([0, 90, 45]);
    weights[2] = 0.01;
    weights[5] = 0.01;
    const geometry = featureGeometry(weights, 3, 2);
    expect(representedFeatures(geometry.norms)).toEqual([0, 1]);
    expect(geometry.dimensionality[2]).toBeLessThan(0.01);
  });
});

describe('the hand-written gradient', () => {
  it('matches finite differences of the loss for every weight and bias', () => {
    const model = new ToyModel({
      features: 4,
      dimensions: 2,
      sparsity: 0.3,
      importanceDecay: 0.8,
      seed: 7,
      batchSize: 16,
    });
    model.bias.set([0.1, -0.05, 0.2, 0.15]);
    const batch = model.sampleBatch().slice();
    const gradient = new Float64Array(model.weights.length + model.bias.length);
    model.lossAndGradient(batch, gradient);
    const scratch = new Float64Array(gradient.length);
    const parameters = [
      ...Array.from(model.weights, (_, j) => ({ array: model.weights, j })),
      ...Array.from(model.bias, (_, j) => ({ array: model.bias, j })),
    ];
    const h = 1e-6;
    parameters.forEach(({ array, j }, index) => {
      const original = array[j]!;
      array[j] = original + h;
      const up = model.lossAndGradient(batch, scratch);
      array[j] = original - h;
      const down = model.lossAndGradient(batch, scratch);
      array[j] = original;
      expect(gradient[index]).toBeCloseTo((up - down) / (2 * h), 6);
    });
  });
});

describe('training five features in two dimensions', () => {
  it('is reproducible: the same seed gives the same weights, another seed different ones', () => {
    const a = new ToyModel({
      features: 5,
      dimensions: 2,
      sparsity: 0.9,
      importanceDecay: 1,
      seed: 3,
    });
    const b = new ToyModel({
      features: 5,
      dimensions: 2,
      sparsity: 0.9,
      importanceDecay: 1,
      seed: 3,
    });
    const c = new ToyModel({
      features: 5,
      dimensions: 2,
      sparsity: 0.9,
      importanceDecay: 1,
      seed: 4,
    });
    for (const model of [a, b, c]) model.train(50);
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(Array.from(a.weights)).not.toEqual(Array.from(c.weights));
  });

  it('lowers the loss as it trains', () => {
    const model = new ToyModel({
      features: 5,
      dimensions: 2,
      sparsity: 0.9,
      importanceDecay: 1,
      seed: 5,
    });
    const first = model.step();
    model.train(500);
    expect(model.loss).toBeLessThan(first / 2);
  });

  it.each([0, 1, 2])(
    'reaches the pentagon at high sparsity (seed %i): five features of norm near 1, 72° apart',
    (seed) => {
      const model = trained(0.97, 1, seed);
      const { norms } = featureGeometry(model.weights, 5, 2);
      for (const norm of norms) {
        expect(norm).toBeGreaterThan(0.9);
        expect(norm).toBeLessThan(1.3);
      }
      const angles = adjacentAngles(model.weights, 5);
      expect(angles).toHaveLength(5);
      for (const angle of angles) expect(Math.abs(angle - 72)).toBeLessThan(5);
    },
  );

  it('keeps only the two most important features, orthogonal, when features are dense', () => {
    const model = trained(0, 0.9, 1);
    const geometry = featureGeometry(model.weights, 5, 2);
    expect(representedFeatures(geometry.norms)).toEqual([0, 1]);
    expect(geometry.dimensionality[0]).toBeGreaterThan(0.95);
    expect(geometry.dimensionality[1]).toBeGreaterThan(0.95);
    expect(Math.abs(geometry.gram[1]!)).toBeLessThan(0.05); // W_0 · W_1
  });

  it('goes through a phase of antipodal pairs between dense and very sparse', () => {
    const model = trained(0.8, 0.9, 1);
    const point = sweepPoint(model);
    expect(point.represented).toBe(4);
    const kept = Array.from(point.dimensionality).filter((_, i) => point.norms[i]! > 0.5);
    for (const d of kept) expect(d).toBeCloseTo(0.5, 1);
  });
});

describe('the random number generator', () => {
  it('is deterministic per seed and spreads values over [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const values = Array.from({ length: 10_000 }, () => a());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
  });
});
