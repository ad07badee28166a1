/**
 * Attribution patching through the attribution graph (model.attrib.onnx, models/lab/
 * attribution.py), the pure part: what to feed it, and how its outputs become one score per
 * position or head of each hook.
 *
 * The graph runs the prefix that the two prompts share once, then the rest of both prompts, and
 * differentiates the target's run over that rest alone: before the first differing token the two
 * runs are identical, so (a_source − a_target) and with it every score is zero there. It returns
 * the scores summed in chunks rather than every activation and gradient (see AttributionLayout).
 * It returns the logits of those positions alone, so it serves metrics that read one of them.
 */
import type { AttributionLayout, HookInfo, ModelConfig } from './manifest';
import type { LogitMetric } from './metrics';
import { sweepAxisIndex, type SweepAxis } from './patching';
import type { Tensor } from './tensor';

/**
 * Where the attribution graph's suffix starts: the first position whose tokens differ, at most the
 * last position (identical prompts still need one position run, and score zero everywhere).
 */
export function attributionStart(source: readonly number[], target: readonly number[]): number {
  let p = 0;
  while (p < target.length - 1 && source[p] === target[p]) p++;
  return p;
}

/** The graph's inputs for a pair whose suffix starts at `start` (≥ 1). */
export function attributionFeeds(
  source: readonly number[],
  target: readonly number[],
  start: number,
  /** dMetric/dlogits of the target, [pos, d_vocab]. */
  logitGrad: Tensor,
) {
  const vocab = logitGrad.dims[1]!;
  const suffix = target.length - start;
  return {
    prefix: target.slice(0, start),
    tokens: [source.slice(start), target.slice(start)] as const,
    logitGrad: {
      data: logitGrad.data.subarray(start * vocab),
      dims: [1, suffix, vocab],
    } satisfies Tensor,
  };
}

/**
 * Both prompts' logits [2, pos, d_vocab] with the graph's suffix logits [2, suffix, d_vocab] at
 * positions `start` on. The graph does not compute the prefix's logits, so the positions before
 * `start` are zeros: only for a metric that reads a later position (metricReadsOnlyFrom).
 */
export function pairLogitsFromSuffix(suffixLogits: Tensor, start: number): Tensor {
  const [, suffix, vocab] = suffixLogits.dims as [number, number, number];
  const pos = start + suffix;
  const data = new Float32Array(2 * pos * vocab);
  for (let r = 0; r < 2; r++) {
    data.set(
      suffixLogits.data.subarray(r * suffix * vocab, (r + 1) * suffix * vocab),
      (r * pos + start) * vocab,
    );
  }
  return { data, dims: [2, pos, vocab] };
}

/**
 * Whether `metric`, on logits of `pos` positions, reads only positions from `start` on: it
 * declares the one position it reads (LogitMetric.position). A metric that does not, or reads an
 * earlier position, needs logits that the attribution graph does not compute.
 */
export function metricReadsOnlyFrom(metric: LogitMetric, pos: number, start: number): boolean {
  if (metric.position === undefined) return false;
  const read = metric.position < 0 ? pos + metric.position : metric.position;
  return read >= start && read < pos;
}

/** Each hook's place in the graph's outputs. */
export interface AttributionPlaces {
  readonly layout: AttributionLayout;
  /** Chunk offset of each scored hook in `attr`. */
  readonly offsets: ReadonlyMap<string, { offset: number; chunks: number }>;
}

export function attributionPlaces(layout: AttributionLayout): AttributionPlaces {
  const offsets = new Map<string, { offset: number; chunks: number }>();
  let offset = 0;
  for (const [name, chunks] of layout.scored) {
    offsets.set(name, { offset, chunks });
    offset += chunks;
  }
  return { layout, offsets };
}

/** Whether the graph scores `hook` (every intervention hook of an exported model). */
export function attributionCovers(places: AttributionPlaces, hook: string): boolean {
  const { layout, offsets } = places;
  const name = layout.same[hook] ?? hook;
  return offsets.has(name) || layout.patterns.includes(name) || layout.zero.includes(hook);
}

/**
 * One hook's attribution scores along the sweep axis (positions of the whole prompt, or heads),
 * from the graph's `attr` [1, suffix, chunks] and `attr_pattern` [1, patterns × n_heads, suffix]
 * for a suffix starting at `start`. Positions before `start` score zero.
 */
export function attributionAlongFromGraph(
  places: AttributionPlaces,
  config: ModelConfig,
  hook: HookInfo,
  over: SweepAxis,
  outputs: { readonly attr: Tensor; readonly attrPattern: Tensor },
  start: number,
): Float32Array {
  sweepAxisIndex(hook, over); // throws for an axis the hook lacks
  const { layout, offsets } = places;
  const heads = config.n_heads;
  const suffix = outputs.attr.dims[1]!;
  const width = over === 'heads' ? heads : start + suffix;
  const out = new Float64Array(width);
  const name = layout.same[hook.name] ?? hook.name;
  const scored = offsets.get(name);
  const patternIndex = layout.patterns.indexOf(name);
  if (scored) {
    const total = outputs.attr.dims[2]!;
    const perHead = hook.shape.includes('n_heads') ? scored.chunks / heads : scored.chunks;
    for (let s = 0; s < suffix; s++) {
      for (let j = 0; j < scored.chunks; j++) {
        const v = outputs.attr.data[s * total + scored.offset + j]!;
        if (over === 'heads') out[Math.floor(j / perHead)]! += v;
        else out[start + s]! += v;
      }
    }
  } else if (patternIndex >= 0) {
    for (let h = 0; h < heads; h++) {
      for (let s = 0; s < suffix; s++) {
        const v = outputs.attrPattern.data[(patternIndex * heads + h) * suffix + s]!;
        if (over === 'heads') out[h]! += v;
        else out[start + s]! += v;
      }
    }
  } else if (!layout.zero.includes(hook.name)) {
    throw new RangeError(`the attribution graph does not score ${hook.name}`);
  }
  return Float32Array.from(out);
}
