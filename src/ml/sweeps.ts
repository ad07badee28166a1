/**
 * Activation patching and attribution patching over a HookedModel, through its public run
 * methods: a patch sweep puts every patched run in one batched call (skipping the cells whose patch
 * changes nothing), and attribution estimates the same grid from one forward + backward call.
 */
import type { HookedModel } from './hooked-model';
import type { LogitMetric } from './metrics';
import {
  attributionAlong,
  differsAlong,
  sweepAxisIndex,
  sweepCells,
  sweepInterventions,
  type PatchDirection,
  type SweepAxis,
} from './patching';
import {
  attributionAlongFromGraph,
  attributionCovers,
  attributionFeeds,
  attributionPlaces,
  attributionStart,
  metricReadPosition,
  pairMetricsAt,
} from './attribution-graph';
import { InterventionError } from './interventions';
import type { HookInfo } from './manifest';
import {
  firstChangedPosition,
  firstDifferingPosition,
  joinLogits,
  pastFromHook,
  planBatches,
  prefixReusable,
  suffixInterventions,
} from './prefix-sweep';
import { row, type Tensor } from './tensor';

export interface PatchSweepOptions {
  readonly clean: readonly number[];
  readonly corrupted: readonly number[];
  /** Hooks to sweep, e.g. model.blockHooks('hook_resid_pre'). */
  readonly hooks: readonly string[];
  /** Patch one position (default) or one head at a time. */
  readonly over?: SweepAxis;
  readonly metric: LogitMetric;
  /** 'denoise' (default): run corrupted, patch in clean. 'noise': the reverse. */
  readonly direction?: PatchDirection;
  /** Most patched runs per call (memory bound); default: all in one call. */
  readonly maxBatch?: number;
  /**
   * Skip (default true) the cells where the two runs' activations are identical, whose patched
   * run is the unpatched one: they score the unpatched metric without being run. Off, every
   * cell is run (to measure batching alone).
   */
  readonly skipUnchanged?: boolean;
  /**
   * Compute only the positions a batch's patches can change (default true, where the model has
   * a prefix graph and the hooks have a position axis but no key axis): the positions before
   * them are the target run's, whose keys and values the prefix graph takes (prefix-sweep.ts).
   */
  readonly reusePrefix?: boolean;
}

export interface PatchSweepResult {
  readonly hooks: readonly string[];
  readonly over: SweepAxis;
  /** Metric of each patched run, [hooks, positions or heads]. */
  readonly scores: Tensor;
  /** Metric of the unpatched clean and corrupted runs. */
  readonly clean: number;
  readonly corrupted: number;
  /** Graph calls made (1 for the baselines + patched-run batches). */
  readonly calls: number;
  /**
   * Patched runs computed; the other cells patched in an activation identical to the one they
   * replaced, and score the unpatched run's metric (see differsAlong). Attribution: 0.
   */
  readonly patchedRuns: number;
  /**
   * Leading positions the patched runs took from the target run instead of computing them (the
   * smallest over the sweep's calls; 0: every position was computed). See reusePrefix.
   */
  readonly reusedPrefix: number;
  readonly milliseconds: number;
}

export type AttributionOptions = Omit<
  PatchSweepOptions,
  'maxBatch' | 'skipUnchanged' | 'reusePrefix'
>;

export interface AttributionResult extends PatchSweepResult {
  /** Linear estimate of each patch's change of the metric, [hooks, positions or heads]. */
  readonly deltas: Tensor;
}

/** Attribution for several groups of hooks (each swept over positions or heads) at once. */
export type AttributionGroupsOptions = Omit<AttributionOptions, 'hooks' | 'over'> & {
  readonly groups: readonly { readonly hooks: readonly string[]; readonly over: SweepAxis }[];
};

function sweepSetup(model: HookedModel, options: AttributionOptions) {
  const over = options.over ?? 'positions';
  const direction = options.direction ?? 'denoise';
  if (options.clean.length !== options.corrupted.length) {
    throw new InterventionError('clean and corrupted prompts must have the same number of tokens');
  }
  const infos = options.hooks.map((n) => model.hookInfo(n));
  const widths = infos.map((h) => {
    const axis = h.shape[sweepAxisIndex(h, over)]!;
    return axis === 'n_heads' ? model.config.n_heads : options.clean.length;
  });
  const source = direction === 'denoise' ? options.clean : options.corrupted;
  const target = direction === 'denoise' ? options.corrupted : options.clean;
  return { over, direction, infos, width: widths[0] ?? 0, source, target };
}

/**
 * Activation patching over hooks × positions (or heads): every patched run goes into one
 * batched call (or a few, with maxBatch). Returns the metric of each patched run. Cells whose
 * patch would change nothing are not run (skipUnchanged).
 */
export async function patchSweep(
  model: HookedModel,
  options: PatchSweepOptions,
): Promise<PatchSweepResult> {
  const t0 = performance.now();
  const { over, source, target, width, infos } = sweepSetup(model, options);
  const withPrefix =
    options.reusePrefix !== false && prefixReusable(infos) && (await model.hasPrefixGraph());
  // The target run's keys and values, which the prefix graph takes for the shared prefix.
  const kvHooks = withPrefix
    ? [...model.blockHooks('attn.hook_k'), ...model.blockHooks('attn.hook_v')]
    : [];
  // Baselines and the source activations in one call: row 0 = source, row 1 = target.
  const base = await model.runWithInterventions(
    [source, target],
    [],
    [...options.hooks, ...kvHooks],
  );
  const metricOf = (logits: Tensor, r: number) => options.metric.evaluate(row(logits, r));
  const sourceMetric = metricOf(base.logits, 0);
  const targetMetric = metricOf(base.logits, 1);
  const sources = new Map(
    options.hooks.map((h) => {
      const act = base.cache.get(h)!;
      const one = row(act, 0);
      return [h, { data: one.data, dims: [1, ...one.dims] }] as const;
    }),
  );
  const cells = sweepCells(options.hooks.length, width);
  // An unchanged cell's patched run is the target run: it scores the target's metric.
  const scores = new Float32Array(cells.length).fill(targetMetric);
  const differs =
    options.skipUnchanged === false
      ? null
      : infos.map((info) => {
          const act = base.cache.get(info.name)!;
          return differsAlong(info, over, act, 0, act, 1);
        });
  const runs = cells
    .map((cell, k) => ({ cell, k }))
    .filter(({ cell }) => differs?.[cell.hookIndex]![cell.index] ?? true);
  const maxBatch = Math.max(1, options.maxBatch ?? runs.length);
  const pos = target.length;
  const firstDiffering = withPrefix
    ? infos.map((info) => firstDifferingPosition(info, base.cache.get(info.name)!, 0, 1))
    : [];
  // With the prefix graph, batches group runs that change the same stretch of the prompt.
  const firstChanged = runs.map(({ cell }) =>
    withPrefix ? Math.min(pos - 1, firstChangedPosition(cell, over, firstDiffering)) : 0,
  );
  const batches = withPrefix
    ? planBatches(firstChanged, pos, maxBatch)
    : Array.from({ length: Math.ceil(runs.length / maxBatch) }, (_, b) =>
        runs.slice(b * maxBatch, (b + 1) * maxBatch).map((_, i) => b * maxBatch + i),
      );
  const targetLogits = row(base.logits, 1);
  let calls = 1;
  let reusedPrefix = runs.length > 0 ? pos : 0;
  for (const batch of batches) {
    const chunk = batch.map((i) => runs[i]!);
    const cellsOfBatch = chunk.map(({ cell }) => cell);
    const prefix = withPrefix ? Math.min(...batch.map((i) => firstChanged[i]!)) : 0;
    reusedPrefix = Math.min(reusedPrefix, prefix);
    calls++;
    if (prefix > 0) {
      const past = new Map<string, Tensor>();
      for (let l = 0; l < model.config.n_layers; l++) {
        const kv = (name: string) =>
          pastFromHook(base.cache.get(`blocks.${l}.attn.${name}`)!, 1, prefix);
        past.set(`past_k:${l}`, kv('hook_k'));
        past.set(`past_v:${l}`, kv('hook_v'));
      }
      const patches = suffixInterventions(cellsOfBatch, infos, sources, over, prefix);
      const rows = chunk.map(() => target.slice(prefix));
      const logits = await model.runAfterPrefix(rows, past, patches);
      chunk.forEach(
        ({ k }, r) => (scores[k] = options.metric.evaluate(joinLogits(targetLogits, logits, r))),
      );
      continue;
    }
    const rows = chunk.map(() => target);
    const interventions = sweepInterventions(cellsOfBatch, options.hooks, sources, over);
    const { logits } = await model.runWithInterventions(rows, interventions, []);
    chunk.forEach(({ k }, r) => (scores[k] = metricOf(logits, r)));
  }
  const clean = options.direction === 'noise' ? targetMetric : sourceMetric;
  const corrupted = options.direction === 'noise' ? sourceMetric : targetMetric;
  return {
    hooks: options.hooks,
    over,
    scores: { data: scores, dims: [options.hooks.length, width] },
    clean,
    corrupted,
    calls,
    patchedRuns: runs.length,
    reusedPrefix,
    milliseconds: performance.now() - t0,
  };
}

/**
 * Attribution patching: estimates every patchSweep cell at once from the gradient of the metric
 * at the target run, (a_source − a_target) · dMetric/da, with one forward + backward call on a
 * batch of [source, target] (a non-linear metric needs one extra forward call for its gradient).
 */
export async function attributionScores(
  model: HookedModel,
  options: AttributionOptions,
): Promise<AttributionResult> {
  const { hooks, over, ...rest } = options;
  const [result] = await attributionGroups(model, {
    ...rest,
    groups: [{ hooks, over: over ?? 'positions' }],
  });
  return result!;
}

/**
 * Attribution patching for several groups of hooks at once (say resid_pre, attn_out and
 * mlp_out by position, and z by head), all from the same single call: the attribution graph's
 * where the model has one, the prompts share a first token and the metric declares the one
 * position it reads (only the positions from the first differing one up to that one are run to
 * the end, and only the target's backward pass; attribution-graph.ts), else the backward graph's
 * forward + backward over both prompts.
 */
export async function attributionGroups(
  model: HookedModel,
  options: AttributionGroupsOptions,
): Promise<AttributionResult[]> {
  const t0 = performance.now();
  const setups = options.groups.map((g) => sweepSetup(model, { ...options, ...g }));
  const { source, target } = setups[0] ?? sweepSetup(model, { ...options, hooks: [] });
  const pos = source.length;
  const vocab = model.config.d_vocab;
  let calls = 0;
  let targetLogits: Tensor;
  if (options.metric.linear) {
    targetLogits = { data: new Float32Array(pos * vocab), dims: [pos, vocab] };
  } else {
    targetLogits = row((await model.runWithInterventions([target], [], [])).logits, 0);
    calls++;
  }
  const metricGrad = options.metric.gradient(targetLogits);
  const hooks = options.groups.flatMap((g) => g.hooks);
  const read = metricReadPosition(options.metric, pos);
  const start = attributionStart(source, target, read);
  const layout = model.manifest.attribution;
  const places = layout && attributionPlaces(layout);
  const viaGraph =
    places !== null &&
    read !== undefined &&
    start > 0 &&
    hooks.every((h) => attributionCovers(places, h)) &&
    (await model.hasAttributionGraph());
  let sourceMetric: number;
  let targetMetric: number;
  /** Writes the scores of `info` along `over` to `into` from index `at`. */
  let along: (info: HookInfo, over: SweepAxis, into: Float32Array, at: number) => void;
  if (viaGraph && read !== undefined) {
    const feeds = attributionFeeds(source, target, start, read, metricGrad);
    const out = await model.runAttributionGraph(feeds.prefix, feeds.tokens, feeds.logitGrad);
    [sourceMetric, targetMetric] = pairMetricsAt(options.metric, out.logits, read, pos);
    along = (info, over, into, at) =>
      attributionAlongFromGraph(places, model.config, info, over, out, start, pos, into, at);
  } else {
    const logitGrad = new Float32Array(2 * pos * vocab);
    logitGrad.set(metricGrad.data, pos * vocab); // row 0 (source) contributes nothing
    const run = await model.runWithGradients(
      [source, target],
      { data: logitGrad, dims: [2, pos, vocab] },
      hooks,
    );
    sourceMetric = options.metric.evaluate(row(run.logits, 0));
    targetMetric = options.metric.evaluate(row(run.logits, 1));
    along = (info, over, into, at) => {
      const act = run.cache.get(info.name)!;
      into.set(attributionAlong(info, over, act, 0, act, 1, run.grads.get(info.name)!), at);
    };
  }
  calls++;
  const clean = options.direction === 'noise' ? targetMetric : sourceMetric;
  const corrupted = options.direction === 'noise' ? sourceMetric : targetMetric;
  const groups = setups.map(({ over, infos, width }) => {
    const deltas = new Float32Array(infos.length * width);
    infos.forEach((info, h) => along(info, over, deltas, h * width));
    return { over, infos, width, deltas };
  });
  const milliseconds = performance.now() - t0;
  return groups.map(({ over, infos, width, deltas }) => ({
    hooks: infos.map((i) => i.name),
    over,
    scores: { data: deltas.map((d) => targetMetric + d), dims: [infos.length, width] },
    deltas: { data: deltas, dims: [infos.length, width] },
    clean,
    corrupted,
    calls,
    patchedRuns: 0,
    reusedPrefix: 0,
    milliseconds,
  }));
}
