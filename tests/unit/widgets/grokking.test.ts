import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  additionPrompt,
  decodeFloat16,
  embeddingAt,
  halfToFloat,
  nearestCheckpoint,
  parseReplay,
  phaseAt,
  phaseBoundaries,
  ReplayFormatError,
  spectraOf,
} from '../../../src/widgets/grokking/checkpoints';
import {
  embeddingFrequencyNorms,
  fourierBasis,
  frequencyShare,
  standoutFrequencies,
  topFrequencies,
} from '../../../src/widgets/grokking/fourier';
import { mulberry32 } from '../../../src/widgets/kit/random';

const MODADD = new URL('../../../public/models/modadd/', import.meta.url);
const readJson = (file: string): unknown => JSON.parse(readFileSync(new URL(file, MODADD), 'utf8'));

/** An embedding [p, d] whose column `column` is amplitude · cos(2πk(x + shift)/p). */
function waveEmbedding(p: number, d: number, waves: { k: number; amplitude: number }[], shift = 0) {
  const weights = new Float64Array(p * d);
  waves.forEach(({ k, amplitude }, column) => {
    for (let x = 0; x < p; x++)
      weights[x * d + column] = amplitude * Math.cos((2 * Math.PI * k * (x + shift)) / p);
  });
  return weights;
}

function randomEmbedding(p: number, d: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  return Float64Array.from({ length: p * d }, () => random() * 2 - 1);
}

describe('the Fourier basis over Z_p', () => {
  it('is orthonormal: the basis times its transpose is the identity', () => {
    const p = 11;
    const basis = fourierBasis(p);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        let dot = 0;
        for (let x = 0; x < p; x++) dot += basis[i * p + x]! * basis[j * p + x]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });

  it('refuses an even modulus, where cos and sin of the top frequency are not both defined', () => {
    expect(() => fourierBasis(8)).toThrow(RangeError);
  });
});

describe('the norm of an embedding on each frequency', () => {
  it('puts a pure cosine of frequency 2 on frequency 2 only, with its whole norm', () => {
    const p = 7;
    const weights = waveEmbedding(p, 2, [{ k: 2, amplitude: 3 }]);
    const norms = embeddingFrequencyNorms(weights, p, 2);
    expect(norms).toHaveLength(4); // const, 1, 2, 3
    expect(norms[2]).toBeCloseTo(3 * Math.sqrt(p / 2), 10);
    for (const k of [0, 1, 3]) expect(norms[k]).toBeCloseTo(0, 10);
  });

  it('does not depend on the phase: shifting the numbers moves energy between cos and sin only', () => {
    const p = 13;
    const waves = [
      { k: 4, amplitude: 1 },
      { k: 5, amplitude: 2 },
    ];
    const plain = embeddingFrequencyNorms(waveEmbedding(p, 2, waves), p, 2);
    const shifted = embeddingFrequencyNorms(waveEmbedding(p, 2, waves, 3), p, 2);
    for (let k = 0; k < plain.length; k++) expect(shifted[k]).toBeCloseTo(plain[k]!, 10);
    expect(plain[4]).toBeGreaterThan(1);
    expect(plain[5]).toBeGreaterThan(plain[4]!);
  });

  it('keeps the total squared norm of the embedding (Parseval)', () => {
    const p = 11;
    const d = 5;
    const weights = randomEmbedding(p, d, 7);
    const norms = embeddingFrequencyNorms(weights, p, d);
    const total = weights.reduce((sum, w) => sum + w * w, 0);
    expect(norms.reduce((sum, n) => sum + n * n, 0)).toBeCloseTo(total, 10);
  });

  it('agrees with the discrete Fourier transform: √(2/p) |Σ_x W[x] e^(−2πikx/p)| per frequency', () => {
    const p = 9;
    const d = 3;
    const weights = randomEmbedding(p, d, 3);
    const norms = embeddingFrequencyNorms(weights, p, d);
    for (let k = 1; k <= (p - 1) / 2; k++) {
      let squared = 0;
      for (let column = 0; column < d; column++) {
        let re = 0;
        let im = 0;
        for (let x = 0; x < p; x++) {
          re += weights[x * d + column]! * Math.cos((2 * Math.PI * k * x) / p);
          im -= weights[x * d + column]! * Math.sin((2 * Math.PI * k * x) / p);
        }
        squared += re * re + im * im;
      }
      expect(norms[k]).toBeCloseTo(Math.sqrt((2 / p) * squared), 10);
    }
  });

  it('ignores rows after the p numbers (the "=" token)', () => {
    const p = 7;
    const weights = randomEmbedding(p + 1, 2, 5);
    const withoutEquals = weights.slice(0, p * 2);
    expect(embeddingFrequencyNorms(weights, p, 2)).toEqual(
      embeddingFrequencyNorms(withoutEquals, p, 2),
    );
  });
});

describe('the frequencies that stand out of a spectrum', () => {
  it('finds the few large frequencies above the largest drop, in ascending order', () => {
    const norms = [9, 0.5, 0.4, 6, 0.6, 5, 0.45, 5.5, 0.3];
    expect(standoutFrequencies(norms)).toEqual([3, 5, 7]);
  });

  it('lists the largest frequencies by norm, ignoring the constant', () => {
    expect(topFrequencies([50, 1, 4, 3, 0.5], 2)).toEqual([2, 3]);
  });

  it('gives the share of the non-constant energy on chosen frequencies', () => {
    const norms = [100, 1, 2, 0, 2];
    expect(frequencyShare(norms, [2, 4])).toBeCloseTo(8 / 9, 12);
    expect(frequencyShare([1, 0, 0], [1])).toBe(0);
  });
});

describe('float16 decoding', () => {
  it('reads half-precision bit patterns as IEEE 754 defines them', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x3555)).toBeCloseTo(1 / 3, 3);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
  });

  it('reads little-endian values from an offset and refuses to read past the end', () => {
    const bytes = Uint8Array.from([0xff, 0x00, 0x3c, 0x00, 0xc0]);
    expect(Array.from(decodeFloat16(bytes, 1, 2))).toEqual([1, -2]);
    expect(() => decodeFloat16(bytes, 2, 2)).toThrow(ReplayFormatError);
  });
});

describe('the modadd replay files', () => {
  it('refuses a checkpoints.json that is not a replay, naming the field', () => {
    expect(() => parseReplay({ name: 'modadd', p: 113 })).toThrow(/checkpoints\.json.*keyFreq/);
  });

  it('builds the prompt a b = and rejects numbers outside Z_p', () => {
    expect(additionPrompt(5, 112, 113)).toEqual([5, 112, 113]);
    expect(() => additionPrompt(113, 0, 113)).toThrow(RangeError);
    expect(() => additionPrompt(1.5, 0, 113)).toThrow(RangeError);
  });
});

describe('the committed modadd checkpoints (public/models/modadd)', () => {
  const replay = parseReplay(readJson('checkpoints.json'));
  const bytes = new Uint8Array(readFileSync(new URL('checkpoints.bin', MODADD)));
  const card = readJson('card.json') as { grokking: { keyFrequencies: number[] } };
  const spectra = spectraOf(replay, bytes);
  const final = spectra[spectra.length - 1]!;

  it('computes, from every checkpoint W_E, the frequency norms that analyse.py exported', () => {
    expect(spectra).toHaveLength(replay.checkpoints.length);
    replay.checkpoints.forEach((checkpoint, i) => {
      expect(spectra[i]).toHaveLength(checkpoint.embedFourierNorms.length);
      checkpoint.embedFourierNorms.forEach((expected, k) => {
        // float16 weights against analyse.py's float32: a few parts in a thousand.
        expect(Math.abs(spectra[i]![k]! - expected)).toBeLessThan(2e-3 * expected + 2e-3);
      });
    });
  });

  it('finds the model card key frequencies as the ones that stand out of the final W_E', () => {
    expect(standoutFrequencies(final)).toEqual(card.grokking.keyFrequencies);
    expect(replay.keyFrequencies).toEqual(card.grokking.keyFrequencies);
  });

  it('did not have those frequencies at initialisation: the spectrum concentrates during training', () => {
    const keys = card.grokking.keyFrequencies;
    const first = frequencyShare(spectra[0]!, keys);
    const last = frequencyShare(final, keys);
    expect(first).toBeLessThan(0.15);
    expect(last).toBeGreaterThan(0.8);
    replay.checkpoints.forEach((checkpoint, i) =>
      expect(frequencyShare(spectra[i]!, keys)).toBeCloseTo(checkpoint.keyFreqEnergyFraction, 2),
    );
  });

  it('decodes the embedding of the "=" row too, and finds checkpoints by step', () => {
    const [rows, dModel] = replay.weights.shape;
    expect(embeddingAt(replay, bytes, 0)).toHaveLength(rows * dModel);
    const last = replay.checkpoints.length - 1;
    expect(nearestCheckpoint(replay, 1e9)).toBe(last);
    expect(nearestCheckpoint(replay, 0)).toBe(0);
    expect(replay.checkpoints[nearestCheckpoint(replay, 2900)]!.step).toBeGreaterThanOrEqual(2850);
  });
});

describe('the phases of grokking, read off the replay', () => {
  const replay = parseReplay(readJson('checkpoints.json'));

  it('memorises by step 100, cleans up from the last mostly-wrong checkpoint, groks at 2900', () => {
    const boundaries = phaseBoundaries(replay)!;
    expect(boundaries.memorised).toBe(replay.grokking.trainAcc100Step);
    expect(boundaries.grokked).toBe(replay.grokking.testAcc99Step);
    expect(boundaries.cleanup).toBeGreaterThan(boundaries.memorised);
    expect(boundaries.cleanup).toBeLessThan(boundaries.grokked);
    // During circuit formation the restricted loss falls while the test loss stays high.
    const at = (step: number) => replay.checkpoints[nearestCheckpoint(replay, step)]!;
    expect(at(boundaries.cleanup).restrictedLoss).toBeLessThan(
      at(boundaries.memorised).restrictedLoss / 10,
    );
    expect(at(boundaries.cleanup).testLoss).toBeGreaterThan(1);
  });

  it('names the phase of any step', () => {
    const boundaries = { memorised: 100, cleanup: 2350, grokked: 2900 };
    expect(phaseAt(boundaries, 0)).toBe('memorisation');
    expect(phaseAt(boundaries, 100)).toBe('circuit-formation');
    expect(phaseAt(boundaries, 2350)).toBe('cleanup');
    expect(phaseAt(boundaries, 4000)).toBe('grokked');
  });
});
