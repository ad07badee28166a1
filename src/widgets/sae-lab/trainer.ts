/**
 * Training a ReLU + L1 SAE in the page. One Adam step is one call of sae-train-step.onnx (run by
 * src/ml on WebGPU or WASM); this module keeps the parameters and optimiser state between calls,
 * draws the batches, and tracks the curves. The step function is passed in, so this runs (and is
 * tested) without a browser.
 */
import type { Tensor } from '../../ml';
import { mulberry32 } from '../kit/random';
import type { Sae } from './sae';
import type { TrainingConfig } from './sae-index';

/** One training step: feeds by input name → outputs by name (ComputeGraph.run). */
export type StepFunction = (
  feeds: Readonly<Record<string, Tensor>>,
) => Promise<ReadonlyMap<string, Tensor>>;

const PARAMETERS = ['W_enc', 'b_enc', 'W_dec', 'b_dec'] as const;
type ParameterName = (typeof PARAMETERS)[number];
type Parameters = Record<ParameterName, Tensor>;

export interface TrainingPoint {
  readonly step: number;
  readonly loss: number;
  /** Mean squared reconstruction error of the batch over the stream's variance. */
  readonly fvu: number;
  readonly l0: number;
  /** Features that fired on none of the last `deadWindow` batches' tokens. */
  readonly dead: number;
}

/** Samples of a standard normal (Box–Muller) from a seeded uniform source. */
function gaussians(random: () => number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < n) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/**
 * The starting point the recipe's reference run also uses: decoder rows are random unit
 * vectors, the encoder is the decoder transposed, b_enc = 0, b_dec = the mean activation.
 */
export function initialParameters(
  activations: Float32Array,
  dIn: number,
  dSae: number,
  seed: number,
): Parameters {
  const W_dec = gaussians(mulberry32(seed), dSae * dIn);
  for (let f = 0; f < dSae; f++) {
    const row = W_dec.subarray(f * dIn, (f + 1) * dIn);
    const norm = Math.hypot(...row);
    for (let i = 0; i < dIn; i++) row[i]! /= norm;
  }
  const W_enc = new Float32Array(dIn * dSae);
  for (let f = 0; f < dSae; f++)
    for (let i = 0; i < dIn; i++) W_enc[i * dSae + f] = W_dec[f * dIn + i]!;
  const rows = activations.length / dIn;
  const mean = new Float64Array(dIn);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < dIn; i++) mean[i]! += activations[r * dIn + i]!;
  return {
    W_enc: { data: W_enc, dims: [dIn, dSae] },
    b_enc: { data: new Float32Array(dSae), dims: [dSae] },
    W_dec: { data: W_dec, dims: [dSae, dIn] },
    b_dec: { data: Float32Array.from(mean, (m) => m / rows), dims: [dIn] },
  };
}

/** Mean squared distance of the rows from their mean (the denominator of FVU). */
export function meanSquaredSpread(activations: Float32Array, dIn: number): number {
  const rows = activations.length / dIn;
  const mean = new Float64Array(dIn);
  for (let n = 0; n < activations.length; n++) mean[n % dIn]! += activations[n]!;
  let total = 0;
  for (let n = 0; n < activations.length; n++)
    total += (activations[n]! - mean[n % dIn]! / rows) ** 2;
  return total / rows;
}

const scalar = (value: number): Tensor => ({ data: Float32Array.of(value), dims: [1] });
const zerosLike = (t: Tensor): Tensor => ({ data: new Float32Array(t.data.length), dims: t.dims });

export class SaeTrainer {
  readonly dIn: number;
  readonly config: TrainingConfig;
  /** Steps taken so far. */
  steps = 0;
  readonly history: TrainingPoint[] = [];
  private parameters: Parameters;
  private moments: { m: Parameters; v: Parameters };
  private readonly activations: Float32Array;
  private readonly rows: number;
  private readonly spread: number;
  private readonly random: () => number;
  private order: Uint32Array;
  private cursor = 0;
  private readonly recentFiring: Uint32Array[] = [];
  private readonly deadWindow: number;

  constructor(activations: Float32Array, dIn: number, config: TrainingConfig) {
    if (activations.length === 0 || activations.length % dIn !== 0) {
      throw new Error(`activations must be rows of ${dIn} numbers`);
    }
    this.activations = activations;
    this.dIn = dIn;
    this.config = config;
    this.rows = activations.length / dIn;
    this.spread = meanSquaredSpread(activations, dIn);
    const seed = config.seed ?? 0;
    this.parameters = initialParameters(activations, dIn, config.d_sae, seed);
    const zeros = () =>
      Object.fromEntries(
        PARAMETERS.map((name) => [name, zerosLike(this.parameters[name])]),
      ) as Parameters;
    this.moments = { m: zeros(), v: zeros() };
    this.random = mulberry32(seed + 1);
    this.order = this.shuffled();
    // Dead = silent for about 4k tokens, or at least 10 batches.
    this.deadWindow = Math.max(10, Math.ceil(4096 / config.batch));
  }

  private shuffled(): Uint32Array {
    const order = Uint32Array.from({ length: this.rows }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  }

  /** The next batch of activation rows (reshuffled every pass over the data). */
  nextBatch(): Tensor {
    const { batch } = this.config;
    const data = new Float32Array(batch * this.dIn);
    for (let b = 0; b < batch; b++) {
      if (this.cursor === this.order.length) {
        this.order = this.shuffled();
        this.cursor = 0;
      }
      const r = this.order[this.cursor++]!;
      data.set(this.activations.subarray(r * this.dIn, (r + 1) * this.dIn), b * this.dIn);
    }
    return { data, dims: [batch, this.dIn] };
  }

  /** The graph's feeds for one step on `x`. */
  feeds(x: Tensor): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {
      x,
      lr: scalar(this.config.lr),
      l1: scalar(this.config.l1),
      step: scalar(this.steps + 1),
    };
    for (const name of PARAMETERS) {
      feeds[name] = this.parameters[name];
      feeds[`m.${name}`] = this.moments.m[name];
      feeds[`v.${name}`] = this.moments.v[name];
    }
    return feeds;
  }

  /** Takes one Adam step through `run` and records it. */
  async step(run: StepFunction): Promise<TrainingPoint> {
    const out = await run(this.feeds(this.nextBatch()));
    const read = (name: string): Tensor => {
      const value = out.get(name);
      if (!value) throw new Error(`the training step gave no ${name}`);
      return value;
    };
    const next = (prefix: string) =>
      Object.fromEntries(PARAMETERS.map((name) => [name, read(`${prefix}${name}`)])) as Parameters;
    const parameters = next('next.');
    const number = (name: string) => read(name).data[0]!;
    const loss = number('loss');
    if (!Number.isFinite(loss)) {
      throw new Error(
        `training diverged at step ${this.steps + 1} (loss ${loss}): lower the learning rate`,
      );
    }
    this.parameters = parameters;
    this.moments = { m: next('next.m.'), v: next('next.v.') };
    this.steps++;
    this.recentFiring.push(Uint32Array.from(read('fired').data));
    if (this.recentFiring.length > this.deadWindow) this.recentFiring.shift();
    const point = {
      step: this.steps,
      loss,
      fvu: number('mse') / this.spread,
      l0: number('l0'),
      dead: this.recentFiring.length < this.deadWindow ? Number.NaN : this.silentFeatures(),
    };
    this.history.push(point);
    return point;
  }

  private silentFeatures(): number {
    let silent = 0;
    for (let f = 0; f < this.config.d_sae; f++) {
      if (this.recentFiring.every((fired) => fired[f] === 0)) silent++;
    }
    return silent;
  }

  /** The SAE as trained so far. */
  toSae(id: string, label: string): Sae {
    const copy = (name: ParameterName) => this.parameters[name].data.slice();
    return {
      id,
      label,
      kind: 'relu',
      dIn: this.dIn,
      dSae: this.config.d_sae,
      W_enc: copy('W_enc'),
      b_enc: copy('b_enc'),
      W_dec: copy('W_dec'),
      b_dec: copy('b_dec'),
    };
  }
}
