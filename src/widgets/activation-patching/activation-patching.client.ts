/**
 * Wires the activation-patching markup to tiny-lm: any change of pair, metric or direction
 * re-runs the two batched sweeps (and, for a new pair, the three batched ablations) and redraws.
 * Loaded by the widget shell when the reader scrolls to the figure.
 */
import type { LogitMetric, PatchDirection } from '../../ml';
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { recompute, type Computation } from '../kit/recompute';
import type { WidgetContext } from '../kit/types';
import { gridTable, heatmap } from '../kit/charts';
import {
  ABLATION_KINDS,
  ablationTable,
  patchingMaps,
  type AblationTable,
  type PatchingMaps,
} from '../tiny-lm-experiments/experiments';
import { firstResultTimer, loadEvalSets, loadTinyLmFor } from '../tiny-lm-experiments/load';
import type { Grid } from '../kit/grid';
import { mapGrid, normalise, topCells } from '../tiny-lm-experiments/patching-views';
import {
  pairMetric,
  presetPairs,
  referencePrompts,
  type PromptPair,
} from '../tiny-lm-experiments/tasks';
import { availableWidth, fixed, part, showTiming } from '../kit/widget-parts';
import { predictionIn } from '../kit/predict';
import { fillPairMenu, showPair } from '../tiny-lm-experiments/pair-view';

import { activationPatchingExperiment } from '../../notebook/widgets/activation-patching';

/** Reference prompts for mean and resample ablation. */
const REFERENCES = 5;

interface Result {
  pair: PromptPair;
  maps: PatchingMaps;
  ablations: AblationTable | null;
}

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const firstResult = firstResultTimer(root, 'activation-patching');
  const [model, evalSets] = await Promise.all([loadTinyLmFor(context), loadEvalSets()]);

  const form = part<HTMLFormElement>(root, '[data-patching="controls"]');
  const select = part<HTMLSelectElement>(form, 'select[name="pair"]');
  const status = part<HTMLElement>(root, '[data-patching="status"]');
  const pairs = presetPairs(model.tokenizer, evalSets);
  if (pairs.length === 0) throw new Error('tiny-lm does not know the words of the example prompts');
  fillPairMenu(select, pairs);

  const ablationCache = new Map<string, Promise<AblationTable>>();
  let result: Result | null = null;
  const computations = recompute(context);
  const prediction = predictionIn(root, signal);

  const settings = () => ({
    pair: pairs.find((p) => p.id === select.value) ?? pairs[0]!,
    normalised: (form.elements.namedItem('metric') as RadioNodeList).value === 'normalised',
    direction: (form.elements.namedItem('direction') as RadioNodeList).value as PatchDirection,
  });

  async function compute(): Promise<void> {
    const run = computations.start();
    const { pair, direction } = settings();
    status.textContent = 'Patching…';
    const metric = pairMetric(model.tokenizer, pair);
    const maps = await patchingMaps(model, pair, metric, direction);
    if (run.stale) return;
    const sweeps =
      `${maps.cells} cells: ${maps.runs} patched runs in ${maps.calls} graph calls (2 batched ` +
      `sweeps; the other ${maps.cells - maps.runs} patch in an identical activation), ` +
      `${Math.round(maps.milliseconds)} ms`;
    result = { pair, maps, ablations: result?.pair === pair ? result.ablations : null };
    context.offerNotebook(() =>
      activationPatchingExperiment(pair, model.tokenizer, direction, maps),
    );
    draw();
    status.textContent = 'Ablating…';
    showTiming(root, sweeps);
    void ablate(run, pair, metric, sweeps).catch((error: unknown) => context.fail(error));
  }

  /** The three ablations of a pair (cached per pair: they do not depend on the direction). */
  async function ablate(
    run: Computation,
    pair: PromptPair,
    metric: LogitMetric,
    sweeps: string,
  ): Promise<void> {
    let ablations = ablationCache.get(pair.id);
    if (!ablations) {
      ablations = ablationTable(
        model,
        pair,
        metric,
        referencePrompts(model.tokenizer, pair, REFERENCES),
      );
      ablationCache.set(pair.id, ablations);
      ablations.catch(() => ablationCache.delete(pair.id));
    }
    const table = await ablations;
    if (run.stale || !result) return;
    result = { ...result, ablations: table };
    drawAblations();
    status.textContent = 'Done.';
    showTiming(
      root,
      `${sweeps} · ablations: ${table.calls} calls, ${Math.round(table.milliseconds)} ms`,
    );
    run.done();
  }

  function draw(): void {
    if (!result) return;
    const { pair, maps } = result;
    const { normalised, direction } = settings();
    const maxWidth = availableWidth(root);
    const colors = chartColors();
    showPair(root, model.tokenizer, pair, maps);

    const scale = (value: number) =>
      normalised ? normalise(value, maps.clean, maps.corrupted) : value;
    const legend = normalised
      ? direction === 'denoise'
        ? 'share of the clean behaviour restored (1 = all)'
        : 'share of the clean behaviour left (0 = destroyed)'
      : `metric after patching (${pairMetric(model.tokenizer, pair).label})`;
    const marked = pair.changed.map((p) => maps.families[0]!.grid.columns[p]!);
    const resid = maps.families.find(({ family }) => family.id === 'resid')?.grid;
    if (resid && direction === 'denoise') {
      // The first row (before block 0) at the last position: what the prediction asks about.
      const last = resid.columns.length - 1;
      const restored = normalise(resid.values[last]!, maps.clean, maps.corrupted);
      prediction.answer(
        { kind: 'number', value: restored, tolerance: 0.15 },
        `Before the first block the last position holds only its own token; the token that differs sits at ${pair.changed.map((p) => `“${resid.columns[p]}”`).join(', ')} until attention moves it there.`,
      );
    }
    for (const { family, grid } of maps.families) {
      const shown = mapGrid(grid, scale);
      const extent = normalised ? 1 : undefined;
      part<HTMLElement>(root, `[data-chart="${family.id}"]`).replaceChildren(
        heatmap(shown, colors, {
          label: `${family.title}: ${legend}, by layer and ${family.over === 'heads' ? 'head' : 'position'}. The table below lists the numbers.`,
          legend,
          x: family.over === 'heads' ? 'head' : 'position (◆ = differs between the prompts)',
          y: 'layer',
          maxWidth,
          ...(extent !== undefined && { extent }),
          ...(family.over === 'positions' && { marked }),
        }),
      );
      part<HTMLElement>(root, `[data-summary="${family.id}"]`).textContent = summary(
        shown,
        maps,
        normalised,
      );
      part<HTMLElement>(root, `[data-table="${family.id}"]`).replaceChildren(
        gridTable(shown, `${family.title}: ${legend}`, family.over === 'heads' ? 'layer' : 'layer'),
      );
    }

    drawAblations();
  }

  function drawAblations(): void {
    if (!result?.ablations) return;
    const { ablations } = result;
    const { normalised } = settings();
    const colors = chartColors();
    // Ablations: components × kinds, as the change from the clean run.
    const columns = [...ABLATION_KINDS];
    const values = new Float32Array(ablations.components.length * columns.length);
    ablations.components.forEach((_, i) =>
      columns.forEach((kind, k) => {
        const change = ablations.metrics[kind][i]! - ablations.clean;
        values[i * columns.length + k] = normalised
          ? change / (ablations.clean - ablations.corrupted)
          : change;
      }),
    );
    const grid: Grid = { rows: ablations.components.map((c) => c.label), columns, values };
    const ablationLegend = normalised
      ? 'change from clean (−1 = as far as the corrupted run)'
      : 'change of the metric from the clean run';
    part<HTMLElement>(root, '[data-chart="ablations"]').replaceChildren(
      heatmap(grid, colors, {
        label: `Ablation of each layer and head, zero, mean and resample: ${ablationLegend}. The table below lists the numbers.`,
        legend: ablationLegend,
        cellWidth: 70,
        ...(normalised && { extent: 1 }),
      }),
    );
    const gaps = ablations.components
      .map((c, i) => ({ c, gap: ablations.metrics.zero[i]! - ablations.metrics.resample[i]! }))
      .sort((a, b) => Math.abs(b.gap) - Math.abs(a.gap));
    const biggest = gaps[0];
    part<HTMLElement>(root, '[data-summary="ablations"]').textContent = biggest
      ? `Largest disagreement between zero and resample ablation: ${biggest.c.label} ` +
        `(zero ${fixed(grid.values[ablations.components.indexOf(biggest.c) * 3]!)}, ` +
        `resample ${fixed(grid.values[ablations.components.indexOf(biggest.c) * 3 + 2]!)}).`
      : '';
    part<HTMLElement>(root, '[data-table="ablations"]').replaceChildren(
      gridTable(grid, `Ablations: ${ablationLegend}`, 'component'),
    );
  }

  form.addEventListener('submit', (event) => event.preventDefault(), { signal });
  form.addEventListener(
    'change',
    (event) => {
      const name = (event.target as HTMLInputElement).name;
      if (name === 'metric') {
        draw();
        drawAblations();
      } else void compute().catch((error: unknown) => context.fail(error));
    },
    { signal },
  );
  onThemeChange(() => {
    draw();
    drawAblations();
  }, signal);

  context.progress({ fraction: null, label: 'Patching every layer, position and head' });
  await compute();
  firstResult(model.backend);
}

/** The three largest cells of a map, in words. */
function summary(grid: Grid, maps: PatchingMaps, normalised: boolean): string {
  const top = topCells(grid, 3);
  if (top.length === 0) return '';
  const base = normalised
    ? ''
    : ` (clean ${fixed(maps.clean)}, corrupted ${fixed(maps.corrupted)})`;
  return `Largest: ${top.map((c) => `${c.row} at ${c.column} (${fixed(c.value)})`).join(', ')}${base}.`;
}
