/**
 * Prefix reuse in patching sweeps, the pure part. Each patched run of a sweep runs the target
 * prompt with one patch. Under causal attention, every position before the first one the patch
 * changes computes exactly what the unpatched target run computed, and later positions read the
 * earlier ones only through their attention keys and values. So a batch of patched runs can start
 * where the earliest of its patches does: the prefix graph (model.prefix.onnx, models/lab/
 * prefix.py) takes the target run's keys and values for the prefix and computes only the suffix.
 * For the IOI pair of the benchmark that is 5 of 15 positions.
 *
 * Here: how long the shared prefix of a batch of patched runs is, the keys and values to feed,
 * the patches moved to suffix coordinates, and each run's logits made whole again (the prefix's
 * logits are the target run's).
 */
import type { Intervention } from './interventions';
import type { HookInfo } from './manifest';
import type { SweepAxis, SweepCell } from './patching';
import { row, sizeOf, stridesOf, type Tensor } from './tensor';

/** The position axis of a hook (pos or query_pos), or -1 when it has none. */
function positionAxis(hook: HookInfo): number {
  return hook.shape.findIndex((a) => a === 'pos' || a === 'query_pos');
}

/**
 * Whether prefix reuse applies to a sweep over `hooks`: each must have a position axis, and none
 * an attention pattern's key axis (whose patch values would span the whole prompt).
 */
export function prefixReusable(hooks: readonly HookInfo[]): boolean {
  return hooks.every((h) => positionAxis(h) >= 0 && !h.shape.includes('key_pos'));
}

/**
 * The first position that a run's patch can change. Patching one position leaves every earlier
 * one as it was; patching a head changes only the positions where the source's activation differs
 * from the target's (`firstDiffering`: per swept hook, the first position where the two runs'
 * activations differ, or the prompt's length when they never do).
 */
export function firstChangedPosition(
  cell: SweepCell,
  over: SweepAxis,
  firstDiffering: readonly number[],
): number {
  return over === 'positions' ? cell.index : firstDiffering[cell.hookIndex]!;
}

/**
 * The first position along `hook`'s position axis where rows `sourceRow` and `targetRow` of
 * `act` differ (bitwise), or the axis length when they are identical.
 */
export function firstDifferingPosition(
  hook: HookInfo,
  act: Tensor,
  sourceRow: number,
  targetRow: number,
): number {
  const a = row(act, sourceRow);
  const b = row(act, targetRow);
  const axis = positionAxis(hook) - 1; // the batch axis is dropped
  const stride = stridesOf(a.dims)[axis]!;
  const width = a.dims[axis]!;
  let first = width;
  for (let k = 0; k < a.data.length; k++) {
    if (a.data[k] !== b.data[k]) first = Math.min(first, Math.floor(k / stride) % width);
  }
  return first;
}

/**
 * One layer's keys or values for the prefix graph: row `batchRow` of a hook_k / hook_v activation
 * [batch, pos, n_heads, d_head], its first `prefix` positions, heads first: [1, n_heads, prefix,
 * d_head].
 */
export function pastFromHook(act: Tensor, batchRow: number, prefix: number): Tensor {
  const [, pos, heads, dHead] = act.dims as [number, number, number, number];
  if (act.dims.length !== 4 || prefix < 1 || prefix > pos)
    throw new RangeError(`cannot take ${prefix} positions of a [${act.dims}] key/value`);
  const out = new Float32Array(heads * prefix * dHead);
  const base = batchRow * pos * heads * dHead;
  for (let h = 0; h < heads; h++)
    for (let p = 0; p < prefix; p++) {
      const from = base + (p * heads + h) * dHead;
      out.set(act.data.subarray(from, from + dHead), (h * prefix + p) * dHead);
    }
  return { data: out, dims: [1, heads, prefix, dHead] };
}

/** `t` from index `start` on along `axis` (a copy). */
export function sliceFrom(t: Tensor, axis: number, start: number): Tensor {
  const dims = [...t.dims];
  const width = dims[axis]!;
  if (start < 0 || start > width) throw new RangeError(`start ${start} outside [0, ${width}]`);
  const outer = sizeOf(dims.slice(0, axis));
  const inner = sizeOf(dims.slice(axis + 1));
  dims[axis] = width - start;
  const out = new Float32Array(sizeOf(dims));
  const chunk = (width - start) * inner;
  for (let o = 0; o < outer; o++) {
    const from = (o * width + start) * inner;
    out.set(t.data.subarray(from, from + chunk), o * chunk);
  }
  return { data: out, dims };
}

/**
 * The patches of a batch of runs in the suffix's coordinates: row r patches `sources[hook]` (batch
 * 1, the whole prompt) at cells[r], here cut to positions `prefix`.. and with the patched position
 * counted from the suffix's start. Each source is cut once and shared by the rows that use it.
 */
export function suffixInterventions(
  cells: readonly SweepCell[],
  hooks: readonly HookInfo[],
  sources: ReadonlyMap<string, Tensor>,
  over: SweepAxis,
  prefix: number,
): Intervention[] {
  const cut = new Map<string, Tensor>();
  return cells.map((cell, r) => {
    const info = hooks[cell.hookIndex]!;
    let value = cut.get(info.name);
    if (!value) {
      const source = sources.get(info.name);
      if (!source) throw new RangeError(`no source activation for ${info.name}`);
      value = sliceFrom(source, positionAxis(info), prefix);
      cut.set(info.name, value);
    }
    if (over === 'heads')
      return { hook: info.name, kind: 'patch', value, rows: [r], heads: [cell.index] };
    if (cell.index < prefix) throw new RangeError(`position ${cell.index} lies in the prefix`);
    return { hook: info.name, kind: 'patch', value, rows: [r], positions: [cell.index - prefix] };
  });
}

/**
 * One patched run's logits over the whole prompt [pos, d_vocab]: the target run's for the prefix,
 * then row `r` of the suffix's logits [batch, suffix, d_vocab].
 */
export function joinLogits(targetLogits: Tensor, suffixLogits: Tensor, r: number): Tensor {
  const [pos, vocab] = targetLogits.dims as [number, number];
  const suffix = row(suffixLogits, r);
  const prefix = pos - suffix.dims[0]!;
  const data = new Float32Array(pos * vocab);
  data.set(targetLogits.data.subarray(0, prefix * vocab));
  data.set(suffix.data, prefix * vocab);
  return { data, dims: [pos, vocab] };
}

/**
 * What one graph call costs apart from its rows, in units of one patched row's work at one
 * position. Measured by bench:ml on WASM (one thread): a call with one patched row costs about
 * 1.9 ms more than one row of a large batch, and a row costs about 0.1 ms per position.
 */
export const CALL_COST_IN_ROW_POSITIONS = 16;

/**
 * Splits patched runs into batches (one graph call each) so as to do the least work: run i
 * changes nothing before position `firstChanged[i]`, a batch computes every position from the
 * smallest of its runs' on, and each call costs `callCost` besides. Returns the runs' indices per
 * batch. Runs sorted by first changed position are batched in contiguous stretches (dynamic
 * programming over the stretches), at most `maxBatch` runs each. A pair that differs late gives
 * one batch; one that differs early gives a few, the runs that change only the last positions
 * apart from those that change many.
 */
export function planBatches(
  firstChanged: readonly number[],
  pos: number,
  maxBatch: number = firstChanged.length,
  callCost: number = CALL_COST_IN_ROW_POSITIONS,
): number[][] {
  const order = firstChanged.map((_, i) => i).sort((a, b) => firstChanged[a]! - firstChanged[b]!);
  const n = order.length;
  const best = new Float64Array(n + 1).fill(Infinity);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - Math.max(1, maxBatch)); start < end; start++) {
      const work = (end - start) * (pos - firstChanged[order[start]!]!);
      const cost = best[start]! + callCost + work;
      if (cost < best[end]!) {
        best[end] = cost;
        cut[end] = start;
      }
    }
  }
  const batches: number[][] = [];
  for (let end = n; end > 0; end = cut[end]!) batches.unshift(order.slice(cut[end]!, end));
  return batches;
}
