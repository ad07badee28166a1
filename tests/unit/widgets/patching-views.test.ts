import { describe, expect, it } from 'vitest';
import {
  ablationBatch,
  argmaxByRow,
  gridOf,
  headLabels,
  leastSquares,
  meanOverBatch,
  modelComponents,
  normalise,
  positionLabels,
  topCells,
  topIndices,
} from '../../../src/widgets/tiny-lm-experiments/patching-views';

describe('normalising a patching metric', () => {
  it('maps the corrupted value to 0 and the clean value to 1', () => {
    expect(normalise(-2, 3, -2)).toBe(0);
    expect(normalise(3, 3, -2)).toBe(1);
    expect(normalise(0.5, 3, -2)).toBeCloseTo(0.5, 10);
  });

  it('is undefined (NaN) when clean and corrupted agree', () => {
    expect(normalise(1, 2, 2)).toBeNaN();
  });
});

describe('a grid of scores', () => {
  const grid = gridOf(
    { data: Float32Array.from([0, 5, 1, -7, 2, 3]), dims: [2, 3] },
    ['L0', 'L1'],
    positionLabels(['<bos>', 'Mary', 'to']),
  );

  it('labels positions uniquely even when tokens repeat', () => {
    expect(positionLabels(['John', 'gave', 'John'])).toEqual(['0 John', '1 gave', '2 John']);
  });

  it('finds the largest column of each row', () => {
    expect(argmaxByRow(grid)).toEqual([1, 2]);
  });

  it('ranks cells by size, sign aside', () => {
    expect(topCells(grid, 2).map((c) => [c.row, c.column, c.value])).toEqual([
      ['L1', '0 <bos>', -7],
      ['L0', '1 Mary', 5],
    ]);
  });

  it('rejects scores that do not match their labels', () => {
    expect(() => gridOf({ data: new Float32Array(4), dims: [2, 2] }, ['a'], ['x', 'y'])).toThrow(
      RangeError,
    );
  });
});

describe('the components of a model', () => {
  it('lists attention layers, MLP layers and every head', () => {
    const components = modelComponents(2, 3);
    expect(components.map((c) => c.label)).toEqual([
      'L0 attn',
      'L1 attn',
      'L0 MLP',
      'L1 MLP',
      ...headLabels(2, 3),
    ]);
    expect(components.find((c) => c.label === 'L1H2')).toEqual({
      label: 'L1H2',
      hook: 'blocks.1.attn.hook_z',
      head: 2,
    });
  });
});

describe('batched ablations', () => {
  const components = modelComponents(1, 2);
  // Two reference prompts, pos 2: attn_out/mlp_out [2, 2, 1], z [2, 2, 2, 1].
  const references = new Map([
    ['blocks.0.hook_attn_out', { data: Float32Array.from([1, 2, 3, 4]), dims: [2, 2, 1] }],
    ['blocks.0.hook_mlp_out', { data: Float32Array.from([0, 0, 2, 2]), dims: [2, 2, 1] }],
    [
      'blocks.0.attn.hook_z',
      { data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), dims: [2, 2, 2, 1] },
    ],
  ]);

  it('zero-ablates each component in its own row, heads by their index', () => {
    const batch = ablationBatch(components, 'zero', references);
    expect(batch.rows).toBe(4);
    expect(batch.interventions.map((iv) => [iv.hook, iv.kind, iv.rows, iv.heads])).toEqual([
      ['blocks.0.hook_attn_out', 'zero', [0], undefined],
      ['blocks.0.hook_mlp_out', 'zero', [1], undefined],
      ['blocks.0.attn.hook_z', 'zero', [2], [0]],
      ['blocks.0.attn.hook_z', 'zero', [3], [1]],
    ]);
  });

  it('mean-ablates with the mean over the reference prompts, per position', () => {
    const batch = ablationBatch(components, 'mean', references);
    expect(Array.from(batch.interventions[0]!.value!.data)).toEqual([2, 3]);
    expect(batch.interventions[0]!.value!.dims).toEqual([1, 2, 1]);
  });

  it('resamples each reference prompt in turn and averages the metric over them', () => {
    const batch = ablationBatch(components, 'resample', references);
    expect(batch.rows).toBe(8);
    expect(batch.interventions[1]!.rows).toEqual([1]);
    expect(Array.from(batch.interventions[1]!.value!.data)).toEqual([3, 4]);
    expect(batch.fold([1, 3, 5, 7, 0, 0, 2, 4])).toEqual([2, 6, 0, 3]);
  });

  it('averages over the batch axis and keeps it as size 1', () => {
    const mean = meanOverBatch({ data: Float32Array.from([1, 2, 3, 4, 5, 6]), dims: [3, 2] });
    expect(mean.dims).toEqual([1, 2]);
    expect(Array.from(mean.data)).toEqual([3, 4]);
  });
});

describe('ranking and fitting', () => {
  it('picks the indices of the largest values by a chosen score', () => {
    expect(topIndices([0.1, -3, 2, 0.5], 2)).toEqual([2, 3]);
    expect(topIndices([0.1, -3, 2, 0.5], 2, Math.abs)).toEqual([1, 2]);
  });

  it('fits a line through points that lie on one', () => {
    const fit = leastSquares([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(fit.slope).toBeCloseTo(2, 10);
    expect(fit.intercept).toBeCloseTo(1, 10);
  });
});
