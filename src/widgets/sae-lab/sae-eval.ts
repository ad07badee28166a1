/**
 * Measuring an SAE on the model through src/ml's hook API: read the stream at the SAE's hook on a
 * token set, encode and decode it, and splice the reconstruction (or zeros) back in to see what it
 * costs the model's next-token loss. No DOM; the widget and the Node tests share it.
 */
import type { HookedModel, Tensor } from '../../ml';
import { activeCounts, decode, encode, firingCounts, type Sae, type SparseCodes } from './sae';
import {
  deadFeatures,
  fractionOfVarianceUnexplained,
  gatherRows,
  lossRecovered,
  meanL0,
  nextTokenLoss,
  scatterRows,
  tokenPositions,
} from './sae-metrics';

/** Rows of token ids per model call (memory: logits are rows × length × vocab floats). */
const CHUNK = 32;

/** The stream at one hook on a token set, and the model's own loss there. */
export interface Harvest {
  readonly hook: string;
  readonly rows: readonly (readonly number[])[];
  readonly width: number;
  /** The hook's whole activation, [rows · length, width]. */
  readonly stream: Float32Array;
  /** Flat indices of the positions whose token is not <bos> (the positions SAEs model). */
  readonly positions: Uint32Array;
  /** The stream at those positions, [positions, width]. */
  readonly activations: Float32Array;
  /** Mean next-token loss of the unmodified model. */
  readonly cleanLoss: number;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `rows` through the model, keeping the activation at `hook`. */
export async function harvest(
  model: HookedModel,
  hook: string,
  rows: readonly (readonly number[])[],
  bos: number,
  onProgress?: (fraction: number) => void,
): Promise<Harvest> {
  const width = model.config.d_model;
  const length = rows[0]!.length;
  const stream = new Float32Array(rows.length * length * width);
  const vocab = model.config.d_vocab;
  let loss = 0;
  const parts = chunks(rows, CHUNK);
  for (const [i, part] of parts.entries()) {
    const { logits, cache } = await model.runWithCache(part, [hook]);
    stream.set(cache.get(hook)!.data, i * CHUNK * length * width);
    loss += nextTokenLoss(logits.data, part, vocab) * part.length;
    onProgress?.((i + 1) / parts.length);
  }
  const positions = tokenPositions(rows, bos);
  return {
    hook,
    rows,
    width,
    stream,
    positions,
    activations: gatherRows(stream, width, positions),
    cleanLoss: loss / rows.length,
  };
}

/** Mean next-token loss with the hook's token positions replaced by `values` (or zeros). */
export async function splicedLoss(
  model: HookedModel,
  data: Harvest,
  values: Float32Array | null,
): Promise<number> {
  const length = data.rows[0]!.length;
  const patched = scatterRows(data.stream, data.width, data.positions, values);
  const vocab = model.config.d_vocab;
  let loss = 0;
  for (const [i, part] of chunks(data.rows, CHUNK).entries()) {
    const start = i * CHUNK * length * data.width;
    const value: Tensor = {
      data: patched.subarray(start, start + part.length * length * data.width),
      dims: [part.length, length, data.width],
    };
    const { logits } = await model.runWithInterventions(part, [
      { hook: data.hook, kind: 'patch', value },
    ]);
    loss += nextTokenLoss(logits.data, part, vocab) * part.length;
  }
  return loss / data.rows.length;
}

/** What an SAE does to the stream alone: no model run needed. */
export interface SaeMeasures {
  readonly codes: SparseCodes;
  readonly reconstruction: Float32Array;
  readonly firing: Uint32Array;
  readonly l0: number;
  /** Fewest and most features active on one token. */
  readonly activeRange: readonly [number, number];
  readonly fvu: number;
  readonly dead: number;
}

/** What splicing the reconstruction into the model costs its next-token loss. */
export interface SaeLoss {
  readonly ceClean: number;
  readonly ceSpliced: number;
  readonly ceZero: number;
  readonly lossRecovered: number;
}

export type SaeEvaluation = SaeMeasures & SaeLoss;

/** Encodes and decodes the harvested stream: sparsity, reconstruction error, dead features. */
export function measureSae(sae: Sae, data: Harvest): SaeMeasures {
  const codes = encode(sae, data.activations, data.positions.length);
  const reconstruction = decode(sae, codes);
  const counts = activeCounts(codes);
  const firing = firingCounts(codes);
  return {
    codes,
    reconstruction,
    firing,
    l0: meanL0(codes),
    activeRange: [Math.min(...counts), Math.max(...counts)],
    fvu: fractionOfVarianceUnexplained(data.activations, reconstruction, sae.dIn),
    dead: deadFeatures(firing),
  };
}

/** The model's loss with the reconstruction spliced in, against clean and zeroed (`zeroLoss`). */
export async function lossOfSae(
  model: HookedModel,
  measures: SaeMeasures,
  data: Harvest,
  zeroLoss: number,
): Promise<SaeLoss> {
  const ceSpliced = await splicedLoss(model, data, measures.reconstruction);
  return {
    ceClean: data.cleanLoss,
    ceSpliced,
    ceZero: zeroLoss,
    lossRecovered: lossRecovered(data.cleanLoss, ceSpliced, zeroLoss),
  };
}

/** Everything the model card reports for an SAE, measured on `data`. `zeroLoss` is shared. */
export async function evaluateSae(
  model: HookedModel,
  sae: Sae,
  data: Harvest,
  zeroLoss: number,
): Promise<SaeEvaluation> {
  const measures = measureSae(sae, data);
  return { ...measures, ...(await lossOfSae(model, measures, data, zeroLoss)) };
}
