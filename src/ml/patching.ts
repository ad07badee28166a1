/**
 * The pure part of activation and attribution patching: which runs a sweep needs, and how
 * activations and gradients reduce to one score per component. The model facade
 * (hooked-model.ts) runs the graph; everything here is plain arithmetic on tensors.
 */
import type { Intervention } from './interventions';
import type { Axis, HookInfo } from './manifest';
import { row, sizeOf, stridesOf, type Tensor } from './tensor';

/** What a sweep varies within each hook: one position at a time, or one head at a time. */
export type SweepAxis = 'positions' | 'heads';

/**
 * Denoising runs the corrupted prompt and patches in clean activations (does this component
 * restore the behaviour?); noising runs the clean prompt and patches in corrupted ones (does
 * breaking it destroy the behaviour?).
 */
export type PatchDirection = 'denoise' | 'noise';

/** The axis of a hook that `over` sweeps. */
export function sweepAxisIndex(hook: HookInfo, over: SweepAxis): number {
  const names: readonly Axis[] = over === 'heads' ? ['n_heads'] : ['pos', 'query_pos'];
  const axis = hook.shape.findIndex((a) => names.includes(a));
  if (axis < 0)
    throw new RangeError(`${hook.name} has no ${over === 'heads' ? 'heads' : 'position'} axis`);
  return axis;
}

/** One patched run of a sweep: which hook and which position or head. */
export interface SweepCell {
  readonly hookIndex: number;
  readonly index: number;
}

/** Every (hook, position-or-head) cell of a sweep, row-major over hooks. */
export function sweepCells(hookCount: number, width: number): SweepCell[] {
  const cells: SweepCell[] = [];
  for (let h = 0; h < hookCount; h++)
    for (let i = 0; i < width; i++) cells.push({ hookIndex: h, index: i });
  return cells;
}

/**
 * The interventions of one batched call: row r patches `sources[hook]` (the other run's
 * activation, batch 1) at cells[r]. Rows share each hook's source tensor, so the feeds stay small.
 */
export function sweepInterventions(
  cells: readonly SweepCell[],
  hooks: readonly string[],
  sources: ReadonlyMap<string, Tensor>,
  over: SweepAxis,
): Intervention[] {
  return cells.map((cell, r) => {
    const hook = hooks[cell.hookIndex]!;
    const value = sources.get(hook);
    if (!value) throw new RangeError(`no source activation for ${hook}`);
    return over === 'heads'
      ? { hook, kind: 'patch', value, rows: [r], heads: [cell.index] }
      : { hook, kind: 'patch', value, rows: [r], positions: [cell.index] };
  });
}

/**
 * For each index along the sweep axis of `hook`: whether row `sourceRow` of `source` and row
 * `targetRow` of `target` differ anywhere in that slice. Where they do not, patching one into the
 * other computes h + (h − h) = h: the patched run is the unpatched run, bit for bit, and a sweep
 * can take its metric without running it. Minimal pairs have many such cells: with causal
 * attention, every activation before the first differing token is the same in both prompts.
 */
export function differsAlong(
  hook: HookInfo,
  over: SweepAxis,
  source: Tensor,
  sourceRow: number,
  target: Tensor,
  targetRow: number,
): boolean[] {
  const a = row(source, sourceRow);
  const b = row(target, targetRow);
  const { width, indexOf } = rowSweepAxis(hook, over, a.dims);
  const differs = new Array<boolean>(width).fill(false);
  for (let k = 0; k < a.data.length; k++) {
    if (a.data[k] !== b.data[k]) differs[indexOf(k)] = true;
  }
  return differs;
}

/** The sweep axis of one batch row of `hook`: its width, and each element's index along it. */
function rowSweepAxis(hook: HookInfo, over: SweepAxis, rowDims: readonly number[]) {
  const axis = sweepAxisIndex(hook, over) - 1; // the batch axis is dropped
  const stride = stridesOf(rowDims)[axis]!;
  const width = rowDims[axis]!;
  return { width, indexOf: (k: number) => Math.floor(k / stride) % width };
}

/**
 * Per-component attribution: for one batch row, sum_(other axes) (a_source − a_target) * grad,
 * kept along the sweep axis. `source`, `target` and `grad` all have the hook's full shape
 * [batch, ...]; rows pick which batch rows to read.
 */
export function attributionAlong(
  hook: HookInfo,
  over: SweepAxis,
  source: Tensor,
  sourceRow: number,
  target: Tensor,
  targetRow: number,
  grad: Tensor,
): Float32Array {
  const a = row(source, sourceRow);
  const b = row(target, targetRow);
  const g = row(grad, targetRow);
  const { width, indexOf } = rowSweepAxis(hook, over, a.dims);
  const out = new Float64Array(width);
  const n = sizeOf(a.dims);
  for (let k = 0; k < n; k++) out[indexOf(k)]! += (a.data[k]! - b.data[k]!) * g.data[k]!;
  return Float32Array.from(out);
}

/** Pearson correlation of two equally long series (NaN when either is constant). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new RangeError('series differ in length');
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
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}
