/**
 * The experiments the patching widgets run on a model through src/ml's hook API: activation
 * patching over every layer × position and every head (two batched sweeps), attribution
 * patching over the same components (one forward + backward call), and zero / mean / resample
 * ablation of every layer and head (one batched call each). Returns plain grids; no DOM.
 */
import {
  row,
  type AttributionOptions,
  type HookedModel,
  type LogitMetric,
  type PatchDirection,
  type SweepAxis,
  type Tensor,
} from '../../ml';
import {
  ablationBatch,
  gridOf,
  headLabels,
  modelComponents,
  positionLabels,
  type AblationKind,
  type Component,
} from './patching-views';
import type { Grid } from '../kit/grid';
import type { PromptPair } from './tasks';

/** A family of components patched together: its hooks are the rows of one heatmap. */
export interface Family {
  readonly id: 'resid' | 'attn' | 'mlp' | 'heads';
  readonly title: string;
  readonly hooks: readonly string[];
  readonly rows: readonly string[];
  readonly over: SweepAxis;
}

/** The residual stream (before every layer and after the last), attention and MLP outputs per
 * layer and position, and every head (all positions at once). */
export function patchingFamilies(model: HookedModel): Family[] {
  const layers = model.config.n_layers;
  const residHooks = [
    ...model.blockHooks('hook_resid_pre'),
    `blocks.${layers - 1}.hook_resid_post`,
  ];
  const families: Family[] = [
    {
      id: 'resid',
      title: 'Residual stream',
      hooks: residHooks,
      rows: [...residHooks.slice(0, -1).map((_, l) => `pre L${l}`), `post L${layers - 1}`],
      over: 'positions',
    },
    {
      id: 'attn',
      title: 'Attention output',
      hooks: model.blockHooks('hook_attn_out'),
      rows: model.blockHooks('hook_attn_out').map((_, l) => `L${l} attn`),
      over: 'positions',
    },
  ];
  const mlp = model.blockHooks('hook_mlp_out');
  if (mlp.length > 0)
    families.push({
      id: 'mlp',
      title: 'MLP output',
      hooks: mlp,
      rows: mlp.map((_, l) => `L${l} MLP`),
      over: 'positions',
    });
  families.push({
    id: 'heads',
    title: 'Attention heads',
    hooks: model.blockHooks('attn.hook_z'),
    rows: model.blockHooks('attn.hook_z').map((_, l) => `L${l}`),
    over: 'heads',
  });
  return families;
}

export interface FamilyResult {
  readonly family: Family;
  /** Metric of each patched run, rows × (positions or heads). */
  readonly grid: Grid;
}

export interface PatchingMaps {
  readonly families: readonly FamilyResult[];
  /** Metric of the unpatched clean and corrupted runs. */
  readonly clean: number;
  readonly corrupted: number;
  readonly direction: PatchDirection;
  /** Graph calls and wall time of all sweeps together. */
  readonly calls: number;
  readonly milliseconds: number;
  /** Cells of all the maps (components × positions or heads). */
  readonly cells: number;
  /**
   * Patched runs computed: a cell whose patch replaces an activation by an identical one (before
   * the first token where the prompts differ, say) is the unpatched run, and is not run.
   */
  readonly runs: number;
}

/** Splits a [hooks, width] score tensor into one grid per family (families in hook order). */
function splitScores(
  scores: Tensor,
  families: readonly Family[],
  columns: readonly string[],
): FamilyResult[] {
  const width = columns.length;
  let offset = 0;
  return families.map((family) => {
    const n = family.hooks.length;
    const part = {
      data: scores.data.subarray(offset * width, (offset + n) * width),
      dims: [n, width],
    };
    offset += n;
    return { family, grid: gridOf(part, family.rows, columns) };
  });
}

/**
 * The two sweeps that cover every family of a pair: one over all position hooks (residual,
 * attention, MLP), one over the heads; and how to split their [hooks, width] scores back into one
 * grid per family, in patchingFamilies order. Both patching methods share it.
 */
function familySweeps(
  model: HookedModel,
  pair: PromptPair,
  metric: LogitMetric,
  direction: PatchDirection,
) {
  const families = patchingFamilies(model);
  const byPosition = families.filter((f) => f.over === 'positions');
  const byHead = families.filter((f) => f.over === 'heads');
  const positions = positionLabels(model.tokenizer.tokens([...pair.clean]));
  const heads = headLabels(1, model.config.n_heads).map((label) => label.replace('L0', ''));
  const common = { clean: pair.clean, corrupted: pair.corrupted, metric, direction };
  const overPositions: AttributionOptions = {
    ...common,
    hooks: byPosition.flatMap((f) => f.hooks),
    over: 'positions',
  };
  const overHeads: AttributionOptions = {
    ...common,
    hooks: byHead.flatMap((f) => f.hooks),
    over: 'heads',
  };
  const split = (positionScores: Tensor, headScores: Tensor): FamilyResult[] => {
    const results = [
      ...splitScores(positionScores, byPosition, positions),
      ...splitScores(headScores, byHead, heads),
    ];
    return families.map((f) => results.find((r) => r.family === f)!);
  };
  return { overPositions, overHeads, split };
}

/**
 * Activation patching of every family: one patchSweep over all position hooks (residual,
 * attention, MLP) and one over the heads, each a single batched call after its baselines.
 */
export async function patchingMaps(
  model: HookedModel,
  pair: PromptPair,
  metric: LogitMetric,
  direction: PatchDirection,
): Promise<PatchingMaps> {
  const sweeps = familySweeps(model, pair, metric, direction);
  const sweepPositions = await model.patchSweep(sweeps.overPositions);
  const sweepHeads = await model.patchSweep(sweeps.overHeads);
  return {
    families: sweeps.split(sweepPositions.scores, sweepHeads.scores),
    clean: sweepPositions.clean,
    corrupted: sweepPositions.corrupted,
    direction,
    calls: sweepPositions.calls + sweepHeads.calls,
    milliseconds: sweepPositions.milliseconds + sweepHeads.milliseconds,
    cells: sweepPositions.scores.data.length + sweepHeads.scores.data.length,
    runs: sweepPositions.patchedRuns + sweepHeads.patchedRuns,
  };
}

export interface AttributionMaps extends PatchingMaps {
  /** Estimated change of the metric per component (the same grids as patching, as deltas). */
  readonly deltas: readonly FamilyResult[];
}

/**
 * Attribution patching of every family: the linear estimate (a_source − a_target) · dMetric/da
 * of each patch, for both axes from one call (attributionGroups). The graphs are loaded first
 * (not timed), so that the time is the method's, not the download's.
 */
export async function attributionMaps(
  model: HookedModel,
  pair: PromptPair,
  metric: LogitMetric,
  direction: PatchDirection,
): Promise<AttributionMaps> {
  await model.prepareGradients();
  const sweeps = familySweeps(model, pair, metric, direction);
  const { hooks: positionHooks, over: positions, ...common } = sweeps.overPositions;
  const { hooks: headHooks, over: heads } = sweeps.overHeads;
  const results = await model.attributionGroups({
    ...common,
    groups: [
      { hooks: positionHooks, over: positions ?? 'positions' },
      { hooks: headHooks, over: heads ?? 'heads' },
    ],
  });
  const a = results[0]!;
  const b = results[1]!;
  return {
    families: sweeps.split(a.scores, b.scores),
    deltas: sweeps.split(a.deltas, b.deltas),
    clean: a.clean,
    corrupted: a.corrupted,
    direction,
    // One call for both groups: its count and time, once.
    calls: a.calls,
    milliseconds: a.milliseconds,
    cells: a.scores.data.length + b.scores.data.length,
    runs: 0,
  };
}

export interface AblationTable {
  readonly components: readonly Component[];
  /** Metric of the clean prompt with each component ablated, per kind. */
  readonly metrics: Readonly<Record<AblationKind, readonly number[]>>;
  readonly clean: number;
  readonly corrupted: number;
  readonly calls: number;
  readonly milliseconds: number;
}

export const ABLATION_KINDS: readonly AblationKind[] = ['zero', 'mean', 'resample'];

/**
 * Ablates every attention layer, MLP layer and head of the clean prompt three ways, at every
 * position: zero; the mean over `references` (prompts of the same shape with the task's tokens
 * resampled); and resampling, each reference's activation in turn, averaged.
 */
export async function ablationTable(
  model: HookedModel,
  pair: PromptPair,
  metric: LogitMetric,
  references: readonly (readonly number[])[],
): Promise<AblationTable> {
  const start = performance.now();
  const components = modelComponents(
    model.config.n_layers,
    model.config.n_heads,
    model.blockHooks('hook_mlp_out').length > 0,
  );
  const hooks = [...new Set(components.map((c) => c.hook))];
  const base = await model.runWithCache([pair.clean, pair.corrupted], []);
  const clean = metric.evaluate(row(base.logits, 0));
  const corrupted = metric.evaluate(row(base.logits, 1));
  const { cache } = await model.runWithCache(references, hooks);
  let calls = 2;
  const metrics = {} as Record<AblationKind, number[]>;
  for (const kind of ABLATION_KINDS) {
    const batch = ablationBatch(components, kind, cache);
    const rows = Array.from({ length: batch.rows }, () => pair.clean);
    const { logits } = await model.runWithInterventions(rows, batch.interventions);
    calls++;
    metrics[kind] = batch.fold(
      Array.from({ length: batch.rows }, (_, r) => metric.evaluate(row(logits, r))),
    );
  }
  return { components, metrics, clean, corrupted, calls, milliseconds: performance.now() - start };
}
