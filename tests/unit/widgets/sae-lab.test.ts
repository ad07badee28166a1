/**
 * The SAE lab's maths without a model: encoding and decoding for the three kinds of SAE, reading
 * parameters from a file, the quality measures, the feature dashboard, and the trainer's
 * bookkeeping.
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../../src/ml';
import {
  extremeTokens,
  featureActivations,
  featuresByDensity,
  logitWeights,
  openingFeature,
  topActivations,
} from '../../../src/widgets/sae-lab/dashboard';
import {
  activeCounts,
  decode,
  encode,
  firingCounts,
  saeFromBytes,
  topKIndices,
  type Sae,
} from '../../../src/widgets/sae-lab/sae';
import { parseSaeIndex, type SaeEntry } from '../../../src/widgets/sae-lab/sae-index';
import {
  deadFeatures,
  fractionOfVarianceUnexplained,
  gatherRows,
  lossRecovered,
  meanL0,
  nextTokenLoss,
  scatterRows,
  tokenPositions,
} from '../../../src/widgets/sae-lab/sae-metrics';
import {
  initialParameters,
  SaeTrainer,
  type StepFunction,
} from '../../../src/widgets/sae-lab/trainer';

const f32 = (values: number[]) => Float32Array.from(values);

/** d_in 2, three features: W_enc columns e0, e1, e0 + e1; decoder rows the same directions. */
function smallSae(kind: Sae['kind'], extra: Partial<Sae> = {}): Sae {
  return {
    id: kind,
    label: kind,
    kind,
    dIn: 2,
    dSae: 3,
    W_enc: f32([1, 0, 1, 0, 1, 1]),
    b_enc: f32([0, 0, -1]),
    W_dec: f32([1, 0, 0, 1, 0.5, 0.5]),
    b_dec: f32([0, 0]),
    ...extra,
  };
}

describe('encoding and decoding', () => {
  it('a ReLU SAE keeps every positive pre-activation', () => {
    const codes = encode(smallSae('relu'), f32([2, 0.5, -1, -1]), 2);
    // Row 0: pre = [2, 0.5, 1.5]; row 1: pre = [-1, -1, -3].
    expect(Array.from(codes.rowStart)).toEqual([0, 3, 3]);
    expect(Array.from(codes.index)).toEqual([0, 1, 2]);
    expect(Array.from(codes.value)).toEqual([2, 0.5, 1.5]);
  });

  it('subtracts the decoder bias before encoding', () => {
    const codes = encode(smallSae('relu', { b_dec: f32([1, 1]) }), f32([2, 0.5]), 1);
    // x − b_dec = [1, −0.5] → pre = [1, −0.5, −0.5]
    expect(Array.from(codes.index)).toEqual([0]);
    expect(Array.from(codes.value)).toEqual([1]);
  });

  it('a TopK SAE keeps the k largest pre-activations, lower index first on ties, then applies ReLU', () => {
    expect(topKIndices(f32([3, 1, 3, 2]), 2)).toEqual([0, 2]);
    expect(topKIndices(f32([1, 5, 2, 5, 0]), 3)).toEqual([1, 2, 3]);
    const sae = smallSae('topk', { k: 2 });
    const codes = encode(sae, f32([2, 0.5, 0.1, -3]), 2);
    // Row 0: pre [2, 0.5, 1.5] → keep 0 and 2. Row 1: pre [0.1, −3, −3.9] → keep 0 and 1, ReLU drops 1.
    expect(Array.from(codes.index)).toEqual([0, 2, 0]);
    expect(Array.from(activeCounts(codes))).toEqual([2, 1]);
  });

  it('a Gated SAE takes the magnitude path only where the gate is open', () => {
    const sae = smallSae('gated', {
      // Magnitudes twice the gate's weights (r_mag = ln 2), bias 0.25.
      W_mag: f32([2, 0, 2, 0, 2, 2]),
      b_mag: f32([0.25, 0.25, 0.25]),
    });
    const codes = encode(sae, f32([2, -0.1]), 1);
    // Gate pre [2, −0.1, 0.9]: open on 0 and 2; magnitudes [4.25, ·, 4.05].
    expect(Array.from(codes.index)).toEqual([0, 2]);
    expect(codes.value[0]).toBeCloseTo(4.25, 6);
    expect(codes.value[1]).toBeCloseTo(4.05, 6);
  });

  it('decodes as the decoder bias plus each active feature times its direction', () => {
    const sae = smallSae('relu', { b_dec: f32([0.1, -0.1]) });
    const codes = encode(sae, f32([2.1, 0.4]), 1);
    // x − b_dec = [2, 0.5] → f = [2, 0.5, 1.5]; x̂ = b_dec + [2 + 0.75, 0.5 + 0.75]
    const x = decode(sae, codes);
    expect(x[0]).toBeCloseTo(2.85, 6);
    expect(x[1]).toBeCloseTo(1.15, 6);
  });

  it('counts how many tokens each feature fires on', () => {
    const codes = encode(smallSae('relu'), f32([2, 0.5, 1, 0, -1, -1]), 3);
    expect(Array.from(firingCounts(codes))).toEqual([2, 1, 1]);
    expect(meanL0(codes)).toBeCloseTo(4 / 3, 9);
  });
});

describe('reading an SAE file', () => {
  const entry = (tensors: SaeEntry['tensors'], kind: SaeEntry['kind'] = 'relu'): SaeEntry => ({
    id: 'x',
    kind,
    label: 'x',
    d_sae: 3,
    file: 'x.bin',
    sha256: '0'.repeat(64),
    bytes: 4 * 17,
    tensors,
    metrics: {
      l0: 0,
      fvu: 0,
      ce_clean: 0,
      ce_spliced: 0,
      ce_zero: 0,
      loss_recovered: 0,
      dead: 0,
      dead_fraction: 0,
    },
  });
  const layout: SaeEntry['tensors'] = [
    { name: 'W_enc', shape: [2, 3], offset: 0 },
    { name: 'b_enc', shape: [3], offset: 24 },
    { name: 'W_dec', shape: [3, 2], offset: 36 },
    { name: 'b_dec', shape: [2], offset: 60 },
  ];
  const bytes = new Uint8Array(Float32Array.from({ length: 17 }, (_, i) => i).buffer);

  it('reads each tensor from its offset', () => {
    const sae = saeFromBytes(entry(layout), 2, bytes);
    expect(Array.from(sae.W_enc)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(sae.b_enc)).toEqual([6, 7, 8]);
    expect(Array.from(sae.W_dec)).toEqual([9, 10, 11, 12, 13, 14]);
    expect(Array.from(sae.b_dec)).toEqual([15, 16]);
  });

  it('refuses a tensor of the wrong shape, one past the end of the file, or a missing one', () => {
    expect(() =>
      saeFromBytes(entry([{ ...layout[0]!, shape: [3, 2] }, ...layout.slice(1)]), 2, bytes),
    ).toThrow(/W_enc is \[3,2\], expected \[2,3\]/);
    expect(() =>
      saeFromBytes(entry([...layout.slice(0, 3), { ...layout[3]!, offset: 64 }]), 2, bytes),
    ).toThrow(/b_dec lies outside the file/);
    expect(() => saeFromBytes(entry(layout, 'gated'), 2, bytes)).toThrow(/no tensor r_mag/);
  });

  it('builds the gated magnitude weights as W_enc scaled by exp(r_mag)', () => {
    const gatedLayout = [
      ...layout,
      { name: 'r_mag', shape: [3], offset: 68 },
      { name: 'b_mag', shape: [3], offset: 80 },
    ];
    const gatedBytes = new Uint8Array(
      Float32Array.from([
        0,
        1,
        2,
        3,
        4,
        5,
        0,
        0,
        0,
        1,
        0,
        0,
        1,
        1,
        1,
        0,
        0,
        Math.log(2),
        0,
        0,
        1,
        1,
        1,
      ]).buffer,
    );
    const sae = saeFromBytes(entry(gatedLayout, 'gated'), 2, gatedBytes);
    expect(Array.from(sae.W_mag!, (v) => Number(v.toFixed(5)))).toEqual([0, 1, 2, 6, 4, 5]);
  });

  it('rejects an index whose TopK SAE has no k', () => {
    const index = {
      format: 1,
      model: 'tiny-lm',
      hook: 'blocks.1.hook_resid_post',
      d_in: 2,
      bos: 0,
      eval: { file: 'e.json', sha256: 'a'.repeat(64), bytes: 10, sequences: 1, length: 4 },
      train: { file: 't.json', sha256: 'a'.repeat(64), bytes: 10, sequences: 1, length: 4 },
      unembed: { file: 'u.bin', sha256: 'a'.repeat(64), bytes: 16, shape: [2, 2] },
      train_step: {
        file: 's.onnx',
        sha256: 'a'.repeat(64),
        bytes: 10,
        recommended: { d_sae: 8, batch: 4, lr: 0.001, l1: 0.001, steps: 10 },
      },
      saes: [{ ...entry(layout, 'topk'), sha256: 'a'.repeat(64) }],
    };
    expect(() => parseSaeIndex(index)).toThrow(/a TopK SAE needs k/);
    expect(() => parseSaeIndex({ ...index, saes: [{ ...index.saes[0]!, k: 2 }] })).not.toThrow();
    expect(() => parseSaeIndex({ ...index, d_in: 'two' })).toThrow(/saes.json is not valid: d_in/);
  });
});

describe('quality measures', () => {
  it('skips <bos> positions wherever they are in a row', () => {
    expect(
      Array.from(
        tokenPositions(
          [
            [0, 5, 6],
            [0, 7, 0],
          ],
          0,
        ),
      ),
    ).toEqual([1, 2, 4]);
  });

  it('gathers rows and scatters them back (or zeros) without touching the rest', () => {
    const all = f32([1, 1, 2, 2, 3, 3]);
    const positions = Uint32Array.of(0, 2);
    expect(Array.from(gatherRows(all, 2, positions))).toEqual([1, 1, 3, 3]);
    expect(Array.from(scatterRows(all, 2, positions, f32([9, 9, 8, 8])))).toEqual([
      9, 9, 2, 2, 8, 8,
    ]);
    expect(Array.from(scatterRows(all, 2, positions, null))).toEqual([0, 0, 2, 2, 0, 0]);
  });

  it('FVU is 0 for a perfect reconstruction and 1 for the mean', () => {
    const x = f32([1, 2, 3, 4, 5, 9]);
    expect(fractionOfVarianceUnexplained(x, x, 2)).toBe(0);
    expect(fractionOfVarianceUnexplained(x, f32([3, 5, 3, 5, 3, 5]), 2)).toBeCloseTo(1, 9);
  });

  it('next-token loss is log(vocab) for flat logits and small for confident right ones', () => {
    const tokens = [[0, 1, 2]];
    expect(nextTokenLoss(new Float32Array(3 * 4), tokens, 4)).toBeCloseTo(Math.log(4), 6);
    const confident = new Float32Array(3 * 4);
    confident[0 * 4 + 1] = 20;
    confident[1 * 4 + 2] = 20;
    expect(nextTokenLoss(confident, tokens, 4)).toBeLessThan(1e-6);
  });

  it('loss recovered is 1 when splicing costs nothing and 0 when it is as bad as zeros', () => {
    expect(lossRecovered(2, 2, 6)).toBe(1);
    expect(lossRecovered(2, 6, 6)).toBe(0);
    expect(lossRecovered(2, 3, 6)).toBe(0.75);
  });

  it('a dead feature is one that fires nowhere', () => {
    expect(deadFeatures(Uint32Array.of(0, 3, 0, 1))).toBe(2);
  });
});

describe('a feature dashboard', () => {
  const codes = encode(smallSae('relu'), f32([2, 0.5, 1, 0, 3, 3, -1, -1]), 4);

  it('lists where a feature fires and its strongest activations first', () => {
    expect(featureActivations(codes, 0).map((a) => a.row)).toEqual([0, 1, 2]);
    expect(topActivations(featureActivations(codes, 0), 2)).toEqual([
      { row: 2, value: 3 },
      { row: 0, value: 2 },
    ]);
  });

  it('orders features by how often they fire', () => {
    expect(featuresByDensity(firingCounts(codes))).toEqual([0, 1, 2]);
    expect(featuresByDensity(Uint32Array.of(1, 0, 5))).toEqual([2, 0, 1]);
  });

  it('opens on the most frequent feature that fires on 0.2–5% of tokens, else the most frequent', () => {
    expect(openingFeature(Uint32Array.of(600, 40, 3, 45), 1000)).toBe(3);
    expect(openingFeature(Uint32Array.of(600, 900), 1000)).toBe(1);
  });

  it("reads a feature's logit weights through the unembedding", () => {
    // unembed [d_in 2, vocab 3]
    const unembed = f32([1, 0, -1, 0, 2, 1]);
    const weights = logitWeights(smallSae('relu'), 2, unembed);
    // W_dec[2] = [0.5, 0.5] → [0.5, 1, 0]
    expect(Array.from(weights)).toEqual([0.5, 1, 0]);
    expect(extremeTokens(weights, 2).map((t) => t.token)).toEqual([1, 0]);
    expect(extremeTokens(weights, 1, true)).toEqual([{ token: 2, weight: 0 }]);
  });
});

describe('the in-page trainer', () => {
  const activations = Float32Array.from({ length: 10 * 4 }, (_, i) => Math.sin(i));

  it('starts from unit decoder rows, the encoder as their transpose, and b_dec at the mean', () => {
    const p = initialParameters(activations, 4, 6, 3);
    for (let f = 0; f < 6; f++) {
      expect(Math.hypot(...p.W_dec.data.subarray(f * 4, f * 4 + 4))).toBeCloseTo(1, 5);
      for (let i = 0; i < 4; i++) expect(p.W_enc.data[i * 6 + f]).toBe(p.W_dec.data[f * 4 + i]);
    }
    const mean = Array.from(
      { length: 4 },
      (_, i) =>
        Array.from({ length: 10 }, (_, r) => activations[r * 4 + i]!).reduce((a, b) => a + b) / 10,
    );
    Array.from(p.b_dec.data).forEach((v, i) => expect(v).toBeCloseTo(mean[i]!, 6));
    expect(Array.from(initialParameters(activations, 4, 6, 3).W_dec.data)).toEqual(
      Array.from(p.W_dec.data),
    );
  });

  it('draws every row once per pass over the data', () => {
    const trainer = new SaeTrainer(activations, 4, {
      d_sae: 6,
      batch: 5,
      lr: 1e-3,
      l1: 0,
      steps: 2,
    });
    const seen = [trainer.nextBatch(), trainer.nextBatch()].flatMap((b) =>
      Array.from({ length: 5 }, (_, r) => b.data[r * 4]),
    );
    expect(new Set(seen).size).toBe(10);
  });

  /** A stand-in for the graph that moves b_enc by one and reports fixed measures. */
  const fakeStep =
    (loss: number): StepFunction =>
    async (feeds) => {
      const out = new Map<string, Tensor>();
      for (const name of ['W_enc', 'b_enc', 'W_dec', 'b_dec']) {
        const value = feeds[name]!;
        out.set(`next.${name}`, {
          data: name === 'b_enc' ? value.data.map((v) => v + 1) : value.data,
          dims: value.dims,
        });
        out.set(`next.m.${name}`, feeds[`m.${name}`]!);
        out.set(`next.v.${name}`, feeds[`v.${name}`]!);
      }
      out.set('loss', { data: f32([loss]), dims: [1] });
      out.set('mse', { data: f32([0.5]), dims: [1] });
      out.set('l0', { data: f32([3]), dims: [1] });
      out.set('fired', { data: new Float32Array(6).fill(1), dims: [6] });
      return out;
    };

  it('feeds the step number and keeps what each step returns', async () => {
    const trainer = new SaeTrainer(activations, 4, {
      d_sae: 6,
      batch: 5,
      lr: 1e-3,
      l1: 0.1,
      steps: 2,
    });
    const steps: number[] = [];
    const recording: StepFunction = async (feeds) => {
      steps.push(feeds['step']!.data[0]!);
      expect(feeds['l1']!.data[0]).toBeCloseTo(0.1, 7);
      return fakeStep(1)(feeds);
    };
    await trainer.step(recording);
    const point = await trainer.step(recording);
    expect(steps).toEqual([1, 2]);
    expect(point.l0).toBe(3);
    expect(point.fvu).toBeGreaterThan(0);
    expect(Array.from(trainer.toSae('t', 't').b_enc)).toEqual(new Array(6).fill(2));
  });

  it('stops with a clear error, keeping the last good parameters, when the loss is not finite', async () => {
    const trainer = new SaeTrainer(activations, 4, {
      d_sae: 6,
      batch: 5,
      lr: 1e-3,
      l1: 0,
      steps: 2,
    });
    await trainer.step(fakeStep(1));
    await expect(trainer.step(fakeStep(Number.NaN))).rejects.toThrow(/diverged at step 2/);
    expect(trainer.steps).toBe(1);
    expect(Array.from(trainer.toSae('t', 't').b_enc)).toEqual(new Array(6).fill(1));
  });
});
