/**
 * Wires the attribution-patching markup to tiny-lm: for the chosen pair and direction, runs true
 * activation patching (two batched sweeps) and attribution patching (one forward + backward call
 * for both axes), and shows their scatter, correlation, heatmaps and wall times.
 */
import { pearson, type PatchDirection } from '../../ml';
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { recompute } from '../kit/recompute';
import type { WidgetContext } from '../kit/types';
import { gridTable, heatmap, scatter, type ScatterPoint } from '../kit/charts';
import {
  attributionMaps,
  patchingMaps,
  type AttributionMaps,
  type PatchingMaps,
} from '../tiny-lm-experiments/experiments';
import {
  firstResultTimer,
  loadEvalSets,
  loadModelJson,
  loadTinyLmFor,
  TINY_LM,
} from '../tiny-lm-experiments/load';
import type { Grid } from '../kit/grid';
import { leastSquares, mapGrid } from '../tiny-lm-experiments/patching-views';
import { pairMetric, presetPairs, type PromptPair } from '../tiny-lm-experiments/tasks';
import { availableWidth, fixed, folded, part, showTiming } from '../kit/widget-parts';
import { predictionIn } from '../kit/predict';
import { expectedAnswer, fillPairMenu, showPair } from '../tiny-lm-experiments/pair-view';
import { howTypicalIn } from '../kit/how-typical';
import { heldOutIoiPairs, parseTinyLmFigures } from '../tiny-lm-experiments/held-out-figures';
import { attributionTypicality } from '../tiny-lm-experiments/typicality';

import { attributionPatchingExperiment } from '../../notebook/widgets/activation-patching';

interface Result {
  pair: PromptPair;
  patching: PatchingMaps;
  attribution: AttributionMaps;
  /** True change of the metric per cell (patched − unpatched target run), per family. */
  truth: Grid[];
  points: ScatterPoint[];
  correlation: number;
}

/** The comparison of the two methods on one pair and direction. */
function compare(pair: PromptPair, patching: PatchingMaps, attribution: AttributionMaps): Result {
  const base = patching.direction === 'denoise' ? patching.corrupted : patching.clean;
  const truth = patching.families.map(({ grid }) => mapGrid(grid, (v) => v - base));
  const points: ScatterPoint[] = [];
  patching.families.forEach(({ family }, f) => {
    const estimate = attribution.deltas[f]!.grid;
    truth[f]!.values.forEach((x, k) => {
      const row = truth[f]!.rows[Math.floor(k / truth[f]!.columns.length)]!;
      const column = truth[f]!.columns[k % truth[f]!.columns.length]!;
      points.push({ x, y: estimate.values[k]!, group: family.title, label: `${row} ${column}` });
    });
  });
  const correlation = pearson(
    points.map((p) => p.x),
    points.map((p) => p.y),
  );
  return { pair, patching, attribution, truth, points, correlation };
}

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const firstResult = firstResultTimer(root, 'attribution-patching');
  const [model, evalSets, figuresJson] = await Promise.all([
    loadTinyLmFor(context),
    loadEvalSets(),
    loadModelJson(TINY_LM, 'held-out-figures.json'),
  ]);
  const figures = parseTinyLmFigures(figuresJson);
  if (!model.hasGradients) throw new Error('this model has no backward graph for attribution');

  const form = part<HTMLFormElement>(root, '[data-attribution="controls"]');
  const pairSelect = part<HTMLSelectElement>(form, 'select[name="pair"]');
  const familySelect = part<HTMLSelectElement>(form, 'select[name="family"]');
  const status = part<HTMLElement>(root, '[data-attribution="status"]');
  const pairs = presetPairs(model.tokenizer, evalSets);
  if (pairs.length === 0) throw new Error('tiny-lm does not know the words of the example prompts');
  fillPairMenu(pairSelect, pairs);
  // The held-out pairs the figures were computed on, offered one at a time after the menu's own.
  const heldOut = heldOutIoiPairs(model.tokenizer, evalSets?.ioi ?? []).pairs;
  const typical = howTypicalIn(root);
  let nextHeldOut = 0;

  let result: Result | null = null;
  const computations = recompute(context);
  const prediction = predictionIn(root, signal);

  const settings = () => ({
    pair: pairs.find((p) => p.id === pairSelect.value) ?? pairs[0]!,
    direction: (form.elements.namedItem('direction') as RadioNodeList).value as PatchDirection,
    family: familySelect.value,
  });

  async function compute(): Promise<void> {
    const run = computations.start();
    const { pair, direction } = settings();
    status.textContent = 'Loading the backward graph…';
    await model.prepareGradients();
    status.textContent = 'Patching every component, then estimating them all at once…';
    const metric = pairMetric(model.tokenizer, pair);
    const patching = await patchingMaps(model, pair, metric, direction);
    const attribution = await attributionMaps(model, pair, metric, direction);
    if (run.stale) return;
    result = compare(pair, patching, attribution);
    const { correlation } = result;
    context.offerNotebook(() =>
      attributionPatchingExperiment(pair, model.tokenizer, direction, patching, correlation),
    );
    draw();
    const calls = `${attribution.calls} forward + backward call${attribution.calls === 1 ? '' : 's'}`;
    status.textContent = 'Done.';
    showTiming(root, `${patching.cells} cells: ${patching.runs} patched runs against ${calls}.`);
    run.done();
  }

  function draw(): void {
    if (!result) return;
    const { pair, patching, attribution, truth, points, correlation } = result;
    const colors = chartColors();
    const metric = pairMetric(model.tokenizer, pair);
    showPair(root, model.tokenizer, pair, patching);

    const speedup = patching.milliseconds / Math.max(attribution.milliseconds, 0.1);
    part<HTMLElement>(root, '[data-attribution="correlation"]').textContent = fixed(correlation, 3);
    const rank = heldOut.findIndex((p) => p.cleanText === pair.cleanText);
    typical.show(
      figures &&
        attributionTypicality(figures.attribution, { r: correlation, task: pair.task }) +
          (rank >= 0 ? ` (Held-out pair ${rank + 1} of ${heldOut.length}.)` : ''),
    );
    root.dataset['correlation'] = String(correlation);
    prediction.answer(
      { kind: 'number', value: correlation, tolerance: 0.1 },
      'Attribution patching replaces each patched run by a straight-line (gradient) estimate: close when an activation’s effect is nearly linear, off where attention or a nonlinearity saturates.',
    );
    part<HTMLElement>(root, '[data-attribution="patching-time"]').textContent =
      `${Math.round(patching.milliseconds)} ms`;
    part<HTMLElement>(root, '[data-attribution="attribution-time"]').textContent =
      `${Math.round(attribution.milliseconds)} ms`;
    part<HTMLElement>(root, '[data-attribution="speedup"]').textContent =
      `${speedup >= 10 ? Math.round(speedup) : speedup.toFixed(1)}×`;

    const fit = leastSquares(
      points.map((p) => p.x),
      points.map((p) => p.y),
    );
    part<HTMLElement>(root, '[data-chart="scatter"]').replaceChildren(
      scatter(points, colors, {
        label: `Scatter of ${points.length} components: true patching effect against the attribution estimate; correlation ${fixed(correlation, 3)}. The tables list the numbers.`,
        x: 'true change of the metric (activation patching)',
        y: 'estimate (attribution patching)',
        fit,
      }),
    );

    // Correlation per family, as a small table.
    const families = patching.families.map(({ family }, f) => ({
      family,
      r: pearson(truth[f]!.values, attribution.deltas[f]!.grid.values),
      cells: truth[f]!.values.length,
    }));
    const table: Grid = {
      rows: families.map((f) => f.family.title),
      columns: ['components', 'r'],
      values: Float32Array.from(families.flatMap((f) => [f.cells, f.r])),
    };
    const familyTable = gridTable(table, 'Correlation by kind of component', 'kind');
    for (const row of familyTable.tBodies[0]!.rows)
      row.cells[1]!.textContent = String(Number(row.cells[1]!.textContent));
    part<HTMLElement>(root, '[data-table="families"]').replaceChildren(familyTable);

    // The chosen family's two heatmaps, on one colour scale.
    const f = Math.max(
      0,
      patching.families.findIndex(({ family }) => family.id === settings().family),
    );
    const family = patching.families[f]!.family;
    const estimate = attribution.deltas[f]!.grid;
    let extent = 0;
    for (const v of [...truth[f]!.values, ...estimate.values])
      if (Number.isFinite(v)) extent = Math.max(extent, Math.abs(v));
    const maxWidth = availableWidth(root);
    const axis = family.over === 'heads' ? 'head' : 'position (◆ = differs)';
    const marked = pair.changed.map((p) => truth[0]!.columns[p]!);
    const options = {
      legend: `change of ${metric.label}`,
      x: axis,
      y: 'layer',
      extent,
      maxWidth,
      ...(family.over === 'positions' && { marked }),
    };
    part<HTMLElement>(root, '[data-caption="patching"]').textContent =
      `${family.title}, activation patching: ${patching.runs} runs for ${patching.cells} cells, ${Math.round(patching.milliseconds)} ms for all components`;
    part<HTMLElement>(root, '[data-caption="attribution"]').textContent =
      `${family.title}, attribution patching: ${attribution.calls} calls, ${Math.round(attribution.milliseconds)} ms for all components`;
    part<HTMLElement>(root, '[data-chart="patching"]').replaceChildren(
      heatmap(truth[f]!, colors, {
        ...options,
        label: `${family.title}: true change of the metric per patch.`,
      }),
      folded(gridTable(truth[f]!, `${family.title}: true change (activation patching)`, 'layer')),
    );
    part<HTMLElement>(root, '[data-chart="attribution"]').replaceChildren(
      heatmap(estimate, colors, {
        ...options,
        label: `${family.title}: estimated change of the metric per patch.`,
      }),
      folded(gridTable(estimate, `${family.title}: estimate (attribution patching)`, 'layer')),
    );
  }

  form.addEventListener('submit', (event) => event.preventDefault(), { signal });
  form.addEventListener(
    'change',
    (event) => {
      if ((event.target as HTMLElement).getAttribute('name') === 'family') draw();
      else void compute().catch((error: unknown) => context.fail(error));
    },
    { signal },
  );
  typical.button.hidden = heldOut.length === 0;
  typical.onTry(() => {
    // The next held-out pair not already in the menu, added to the IOI group and run.
    const inMenu = (p: PromptPair) => pairs.some((q) => q.cleanText === p.cleanText);
    let tries = 0;
    while (tries++ < heldOut.length && inMenu(heldOut[nextHeldOut % heldOut.length]!))
      nextHeldOut++;
    const pair = heldOut[nextHeldOut++ % heldOut.length]!;
    if (!inMenu(pair)) {
      pairs.push(pair);
      const option = document.createElement('option');
      option.value = pair.id;
      option.textContent = `${pair.label} → ${expectedAnswer(pair)}`;
      const group = pairSelect.querySelector('optgroup') ?? pairSelect;
      group.append(option);
    }
    pairSelect.value = pair.id;
    void compute().catch((error: unknown) => context.fail(error));
  }, signal);
  onThemeChange(draw, signal);

  context.progress({ fraction: null, label: 'Comparing attribution with activation patching' });
  await compute();
  firstResult(model.backend);
}
