/**
 * The arithmetic between src/ml's patching results and the figures: normalising a metric,
 * labelling grids of scores (layer × position, layer × head), finding their largest cells,
 * building batched ablations (zero, mean, resample), and ranking heads. No DOM, no model.
 */
import type { Intervention, Tensor } from '../../ml';
import { gridCells, type Grid, type GridCell } from '../kit/grid';

/**
 * (value − corrupted) / (clean − corrupted): 1 where a patch restores the clean behaviour fully,
 * 0 where it leaves the corrupted behaviour. NaN when clean and corrupted agree.
 */
export function normalise(value: number, clean: number, corrupted: number): number {
  const span = clean - corrupted;
  return span === 0 ? Number.NaN : (value - corrupted) / span;
}

/** A grid from a [rows, columns] tensor (a patchSweep's scores). */
export function gridOf(scores: Tensor, rows: readonly string[], columns: readonly string[]): Grid {
  const [r, c] = scores.dims;
  if (r !== rows.length || c !== columns.length) {
    throw new RangeError(
      `scores [${scores.dims}] do not match ${rows.length} × ${columns.length} labels`,
    );
  }
  return { rows, columns, values: Float32Array.from(scores.data) };
}

/** The grid with `f` applied to every value. */
export function mapGrid(grid: Grid, f: (value: number) => number): Grid {
  return { ...grid, values: grid.values.map(f) };
}

/** For each row, the column with the largest value (NaN rows give -1). */
export function argmaxByRow(grid: Grid): number[] {
  const width = grid.columns.length;
  return grid.rows.map((_, r) => {
    let best = -1;
    let bestValue = -Infinity;
    for (let c = 0; c < width; c++) {
      const v = grid.values[r * width + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    return best;
  });
}

/** The `k` cells with the largest |value|, largest first. */
export function topCells(grid: Grid, k: number): GridCell[] {
  return gridCells(grid)
    .filter((cell) => Number.isFinite(cell.value))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, k);
}

/** Unique axis labels for token positions: "0 <bos>", "1 When", … */
export function positionLabels(tokens: readonly string[]): string[] {
  return tokens.map((token, i) => `${i} ${token}`);
}

/** "L0H0" … labels of every head, layer-major. */
export function headLabels(layers: number, heads: number): string[] {
  return Array.from({ length: layers * heads }, (_, k) => `L${Math.floor(k / heads)}H${k % heads}`);
}

/** A model component that can be ablated: a whole hook, or one head of attn.hook_z. */
export interface Component {
  readonly label: string;
  readonly hook: string;
  readonly head?: number;
}

/** Every attention layer, MLP layer and head of a model, in that order. */
export function modelComponents(layers: number, heads: number, hasMlp = true): Component[] {
  const out: Component[] = [];
  for (let l = 0; l < layers; l++)
    out.push({ label: `L${l} attn`, hook: `blocks.${l}.hook_attn_out` });
  if (hasMlp)
    for (let l = 0; l < layers; l++)
      out.push({ label: `L${l} MLP`, hook: `blocks.${l}.hook_mlp_out` });
  for (let l = 0; l < layers; l++)
    for (let h = 0; h < heads; h++)
      out.push({ label: `L${l}H${h}`, hook: `blocks.${l}.attn.hook_z`, head: h });
  return out;
}

export type AblationKind = 'zero' | 'mean' | 'resample';

/** Mean over the first axis, keeping it as size 1: [K, ...] → [1, ...]. */
export function meanOverBatch(t: Tensor): Tensor {
  const [k, ...rest] = t.dims;
  if (!k) throw new RangeError('mean over an empty batch');
  const size = t.data.length / k;
  const out = new Float32Array(size);
  for (let b = 0; b < k; b++) for (let i = 0; i < size; i++) out[i]! += t.data[b * size + i]!;
  for (let i = 0; i < size; i++) out[i]! /= k;
  return { data: out, dims: [1, ...rest] };
}

/** Row `i` of a batch, keeping a batch axis of 1: [K, ...] → [1, ...]. */
function batchRow(t: Tensor, i: number): Tensor {
  const [k, ...rest] = t.dims;
  if (k === undefined || i >= k) throw new RangeError(`row ${i} of [${t.dims}]`);
  const size = t.data.length / k;
  return { data: t.data.subarray(i * size, (i + 1) * size), dims: [1, ...rest] };
}

/** The runs of one batched ablation call and how their metrics fold back into components. */
export interface AblationBatch {
  readonly rows: number;
  readonly interventions: Intervention[];
  /** Per-row metrics → per-component metric (resample averages over the reference prompts). */
  fold(metrics: readonly number[]): number[];
}

/**
 * One batched call that ablates each component in its own row of the clean prompt, at every
 * position. `references` holds each hook's activations on the reference prompts [K, pos, ...]:
 * mean ablation writes their mean, resample ablation writes each of them (K rows per component).
 */
export function ablationBatch(
  components: readonly Component[],
  kind: AblationKind,
  references: ReadonlyMap<string, Tensor>,
): AblationBatch {
  const reference = (hook: string) => {
    const t = references.get(hook);
    if (!t) throw new RangeError(`no reference activations for ${hook}`);
    return t;
  };
  const heads = (c: Component) => (c.head === undefined ? {} : { heads: [c.head] });
  if (kind === 'resample') {
    const k = reference(components[0]?.hook ?? '').dims[0]!;
    const interventions = components.flatMap((c, i) =>
      Array.from({ length: k }, (_, j): Intervention => ({
        hook: c.hook,
        kind: 'patch',
        value: batchRow(reference(c.hook), j),
        rows: [i * k + j],
        ...heads(c),
      })),
    );
    return {
      rows: components.length * k,
      interventions,
      fold: (metrics) =>
        components.map((_, i) => {
          let sum = 0;
          for (let j = 0; j < k; j++) sum += metrics[i * k + j]!;
          return sum / k;
        }),
    };
  }
  const means = new Map<string, Tensor>();
  const meanOf = (hook: string) => {
    let m = means.get(hook);
    if (!m) means.set(hook, (m = meanOverBatch(reference(hook))));
    return m;
  };
  const interventions = components.map((c, i): Intervention =>
    kind === 'zero'
      ? { hook: c.hook, kind: 'zero', rows: [i], ...heads(c) }
      : { hook: c.hook, kind: 'mean', value: meanOf(c.hook), rows: [i], ...heads(c) },
  );
  return { rows: components.length, interventions, fold: (metrics) => [...metrics] };
}

/** Indices of the `k` largest values (by `score`), largest first. */
export function topIndices(
  values: ArrayLike<number>,
  k: number,
  score = (v: number) => v,
): number[] {
  return Array.from(values, (v, i) => ({ i, s: score(v) }))
    .filter(({ s }) => Number.isFinite(s))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map(({ i }) => i);
}

/** Least-squares line y = slope x + intercept through paired values. */
export function leastSquares(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): { slope: number; intercept: number } {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
