/**
 * Attribution patching through the attribution graph (model.attrib.onnx, models/lab/
 * attribution.py), the pure part: what to feed it, and how its outputs become one score per
 * position or head of each hook.
 *
 * The graph serves a metric that reads one position. It runs the prefix that the two prompts
 * share once, then the rest of both prompts up to that position, and differentiates the target's
 * run over that rest alone: before the first differing token the two runs are identical, so
 * (a_source − a_target) and with it every score is zero there, and after the position the metric
 * reads nothing reaches it. It returns the scores summed in chunks rather than every activation
 * and gradient (see AttributionLayout), and the logits of the position read alone.
 */
import type { AttributionLayout, HookInfo, ModelConfig } from './manifest';
import type { LogitMetric } from './metrics';
import { sweepAxisIndex, type SweepAxis } from './patching';
import type { Tensor } from './tensor';

/**
 * The one position `metric` reads, on logits of `pos` positions, where it declares one
 * (LogitMetric.position); undefined for a metric that does not (it may read any position).
 */
export function metricReadPosition(metric: LogitMetric, pos: number): number | undefined {
  if (metric.position === undefined) return undefined;
  const read = metric.position < 0 ? pos + metric.position : metric.position;
  return read >= 0 && read < pos ? read : undefined;
}

/**
 * Where the attribution graph's suffix starts for a metric read at `read`: the first position
 * whose tokens differ, at most `read` (prompts identical up to it still need one position run,
 * and score zero everywhere).
 */
export function attributionStart(
  source: readonly number[],
  target: readonly number[],
  read = target.length - 1,
): number {
  let p = 0;
  while (p < read && source[p] === target[p]) p++;
  return p;
}

/**
 * The graph's inputs for a pair whose suffix starts at `start` (≥ 1), for a metric read at
 * `read` (≥ start): the positions after it cannot change what it reads, so the graph runs the
 * prompts up to it, and the target's gradient there alone.
 */
export function attributionFeeds(
  source: readonly number[],
  target: readonly number[],
  start: number,
  read: number,
  /** dMetric/dlogits of the target, [pos, d_vocab]. */
  logitGrad: Tensor,
) {
  const vocab = logitGrad.dims[1]!;
  return {
    prefix: target.slice(0, start),
    tokens: [source.slice(start, read + 1), target.slice(start, read + 1)] as const,
    logitGrad: {
      data: logitGrad.data.subarray(read * vocab, (read + 1) * vocab),
      dims: [1, vocab],
    } satisfies Tensor,
  };
}

/** Zeros of each size asked for, for pairMetricsAt (their one written row is cleared after use). */
const scratchLogits = new Map<number, Float32Array>();

/**
 * `metric` on each prompt's logits, from the graph's logits at the position it reads
 * [2, d_vocab]: each row in turn as that position of logits [pos, d_vocab] that are zeros at
 * every other (the graph computes no others; metricReadPosition says the metric reads none).
 */
export function pairMetricsAt(
  metric: LogitMetric,
  readLogits: Tensor,
  read: number,
  pos: number,
): [source: number, target: number] {
  const vocab = readLogits.dims[1]!;
  const size = pos * vocab;
  let data = scratchLogits.get(size);
  if (!data) scratchLogits.set(size, (data = new Float32Array(size)));
  const logits: Tensor = { data, dims: [pos, vocab] };
  const at = (r: number) => {
    data.set(readLogits.data.subarray(r * vocab, (r + 1) * vocab), read * vocab);
    try {
      return metric.evaluate(logits);
    } finally {
      data.fill(0, read * vocab, (read + 1) * vocab);
    }
  };
  return [at(0), at(1)];
}

/** Each hook's place in the graph's outputs. */
export interface AttributionPlaces {
  readonly layout: AttributionLayout;
  /** Chunk offset of each scored hook in `attr`. */
  readonly offsets: ReadonlyMap<string, { offset: number; chunks: number }>;
}

/** attributionPlaces of each layout seen (a model's manifest keeps one for its lifetime). */
const placesOf = new WeakMap<AttributionLayout, AttributionPlaces>();

export function attributionPlaces(layout: AttributionLayout): AttributionPlaces {
  const known = placesOf.get(layout);
  if (known) return known;
  const offsets = new Map<string, { offset: number; chunks: number }>();
  let offset = 0;
  for (const [name, chunks] of layout.scored) {
    offsets.set(name, { offset, chunks });
    offset += chunks;
  }
  const places = { layout, offsets };
  placesOf.set(layout, places);
  return places;
}

/** Whether the graph scores `hook` (every intervention hook of an exported model). */
export function attributionCovers(places: AttributionPlaces, hook: string): boolean {
  const { layout, offsets } = places;
  const name = layout.same[hook] ?? hook;
  return offsets.has(name) || layout.patterns.includes(name) || layout.zero.includes(hook);
}

/** The sums of attributionAlongFromGraph (double precision), reused from call to call. */
let sums = new Float64Array(0);

/**
 * One hook's attribution scores along the sweep axis (the `pos` positions of the whole prompt, or
 * heads), from the graph's `attr` [1, suffix, chunks] and `attr_pattern` [1, patterns × n_heads,
 * suffix] for a suffix starting at `start`, written to `into` from index `at` (a new array by
 * default), which is returned. Positions before `start`, and after the suffix (after the position
 * the metric reads), score zero.
 */
export function attributionAlongFromGraph(
  places: AttributionPlaces,
  config: ModelConfig,
  hook: HookInfo,
  over: SweepAxis,
  outputs: { readonly attr: Tensor; readonly attrPattern: Tensor },
  start: number,
  pos: number,
  into: Float32Array = new Float32Array(over === 'heads' ? config.n_heads : pos),
  at = 0,
): Float32Array {
  sweepAxisIndex(hook, over); // throws for an axis the hook lacks
  const { layout, offsets } = places;
  const heads = config.n_heads;
  const suffix = outputs.attr.dims[1]!;
  const width = over === 'heads' ? heads : pos;
  if (sums.length < width) sums = new Float64Array(width);
  const out = sums.fill(0, 0, width);
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
  for (let i = 0; i < width; i++) into[at + i] = out[i]!;
  return into;
}
