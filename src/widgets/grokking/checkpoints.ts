/**
 * modadd's training replay as models/modadd/analyse.py exports it: checkpoints.json (the loss
 * curves and, per checkpoint, the progress measures) and checkpoints.bin (each checkpoint's
 * embedding W_E as little-endian float16). Validation and decoding only, no DOM; unit-tested on
 * the committed files.
 */
import { z } from 'zod';
import { embeddingFrequencyNorms, fourierBasis } from './fourier';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const checkpointSchema = z.object({
  step: z.number().int().nonnegative(),
  trainLoss: finite,
  trainAcc: finite,
  testLoss: finite,
  testAcc: finite,
  restrictedLoss: finite,
  restrictedAcc: finite,
  excludedLoss: finite,
  excludedAcc: finite,
  keyFreqEnergyFraction: finite,
  weightNormSq: finite,
  embedFourierNorms: z.array(finite),
  W_E: z.object({ offset: z.number().int().nonnegative(), bytes: z.number().int().positive() }),
});

const replaySchema = z
  .object({
    name: z.string(),
    p: z.number().int().min(3),
    keyFrequencies: z.array(z.number().int().positive()).min(1),
    weights: z.object({
      file: z.string(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bytes: z.number().int().positive(),
      dtype: z.literal('float16'),
      byteOrder: z.literal('little-endian'),
      shape: z.tuple([z.number().int().positive(), z.number().int().positive()]),
    }),
    grokking: z.object({
      trainAcc100Step: z.number().int().nullable(),
      testAcc99Step: z.number().int().nullable(),
    }),
    curve: z.object({
      step: z.array(z.number()),
      train_loss: z.array(finite),
      train_acc: z.array(finite),
      test_loss: z.array(finite),
      test_acc: z.array(finite),
    }),
    checkpoints: z.array(checkpointSchema).min(1),
  })
  .superRefine((doc, ctx) => {
    const [rows, dModel] = doc.weights.shape;
    if (rows < doc.p) ctx.addIssue({ code: 'custom', message: `W_E has ${rows} rows < p` });
    for (const checkpoint of doc.checkpoints) {
      if (checkpoint.W_E.bytes !== rows * dModel * 2) {
        ctx.addIssue({ code: 'custom', message: `step ${checkpoint.step}: W_E size differs` });
      }
      if (checkpoint.W_E.offset + checkpoint.W_E.bytes > doc.weights.bytes) {
        ctx.addIssue({
          code: 'custom',
          message: `step ${checkpoint.step}: W_E lies past the file`,
        });
      }
    }
    const n = doc.curve.step.length;
    if ([doc.curve.train_loss, doc.curve.test_loss].some((c) => c.length !== n)) {
      ctx.addIssue({ code: 'custom', message: 'curve columns differ in length' });
    }
  });

export type Replay = z.infer<typeof replaySchema>;
export type Checkpoint = Replay['checkpoints'][number];

/** Thrown when checkpoints.json or checkpoints.bin is not what analyse.py writes. */
export class ReplayFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayFormatError';
  }
}

/** Validates checkpoints.json; throws ReplayFormatError with the first problem. */
export function parseReplay(json: unknown): Replay {
  const parsed = replaySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw new ReplayFormatError(
      `checkpoints.json is not a modadd replay${where ? ` (${where})` : ''}: ${issue?.message ?? ''}`,
    );
  }
  return parsed.data;
}

/** One IEEE 754 half-precision value from its 16 bits. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** `count` little-endian float16 values starting at byte `offset`, as float32. */
export function decodeFloat16(bytes: Uint8Array, offset: number, count: number): Float32Array {
  if (offset < 0 || offset + 2 * count > bytes.length) {
    throw new ReplayFormatError(
      `checkpoints.bin has ${bytes.length} bytes, needs ${offset + 2 * count}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 2 * count);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  return out;
}

/** A checkpoint's embedding W_E, [rows, dModel] row-major (rows 0…p−1 are the numbers). */
export function embeddingAt(replay: Replay, bytes: Uint8Array, index: number): Float32Array {
  const checkpoint = replay.checkpoints[index];
  if (!checkpoint) throw new RangeError(`no checkpoint ${index}`);
  const [rows, dModel] = replay.weights.shape;
  return decodeFloat16(bytes, checkpoint.W_E.offset, rows * dModel);
}

/** The Fourier spectrum of every checkpoint's number embeddings, computed from checkpoints.bin. */
export function spectraOf(replay: Replay, bytes: Uint8Array): Float64Array[] {
  const { p } = replay;
  const dModel = replay.weights.shape[1];
  const basis = fourierBasis(p);
  return replay.checkpoints.map((_, i) =>
    embeddingFrequencyNorms(embeddingAt(replay, bytes, i), p, dModel, basis),
  );
}

/** modadd's prompt for a + b: token ids [a, b, '='] where '=' is id p. */
export function additionPrompt(a: number, b: number, p: number): number[] {
  for (const n of [a, b]) {
    if (!Number.isInteger(n) || n < 0 || n >= p) {
      throw new RangeError(`${n} is not a number from 0 to ${p - 1}`);
    }
  }
  return [a, b, p];
}

/** Index and value of the largest of the first `count` values of a row. */
export function argmax(values: ArrayLike<number>, count = values.length): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Softmax probability of entry `index` among the first `count` values. */
export function probabilityOf(values: ArrayLike<number>, index: number, count: number): number {
  let max = -Infinity;
  for (let i = 0; i < count; i++) max = Math.max(max, values[i]!);
  let sum = 0;
  for (let i = 0; i < count; i++) sum += Math.exp(values[i]! - max);
  return Math.exp(values[index]! - max) / sum;
}

/** Index of the checkpoint nearest to `step` (the first of two equally near). */
export function nearestCheckpoint(replay: Replay, step: number): number {
  let best = 0;
  replay.checkpoints.forEach((checkpoint, i) => {
    const current = replay.checkpoints[best]!.step;
    if (Math.abs(checkpoint.step - step) < Math.abs(current - step)) best = i;
  });
  return best;
}

/** The stages of grokking (Nanda et al.): memorise, build the circuit, clean up, done. */
export type TrainingPhase = 'memorisation' | 'circuit-formation' | 'cleanup' | 'grokked';

/** Where each phase begins, in training steps, read off the replay's own numbers. */
export interface PhaseBoundaries {
  /** Train accuracy first reaches 100%. */
  readonly memorised: number;
  /** The last checkpoint before generalising where test accuracy is still below 50%. */
  readonly cleanup: number;
  /** Test accuracy reaches 99% and stays there. */
  readonly grokked: number;
}

/** The phase boundaries of a replay, or null when it never memorised or never generalised. */
export function phaseBoundaries(replay: Replay): PhaseBoundaries | null {
  const { trainAcc100Step: memorised, testAcc99Step: grokked } = replay.grokking;
  if (memorised === null || grokked === null) return null;
  const before = replay.checkpoints.filter(
    (c) => c.step >= memorised && c.step < grokked && c.testAcc < 0.5,
  );
  const cleanup = before.length > 0 ? before[before.length - 1]!.step : memorised;
  return { memorised, cleanup, grokked };
}

/** The phase a training step belongs to. */
export function phaseAt(boundaries: PhaseBoundaries, step: number): TrainingPhase {
  if (step < boundaries.memorised) return 'memorisation';
  if (step < boundaries.cleanup) return 'circuit-formation';
  if (step < boundaries.grokked) return 'cleanup';
  return 'grokked';
}
