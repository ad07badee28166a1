/**
 * Wires the greater-than markup to tiny-lm: one batched run over every start year gives the
 * whole probability map; the slider reads one row of it; releasing the slider patches every head
 * and MLP for that start year (two batched sweeps).
 */
import type { HookedModel } from '../../ml';
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { recompute } from '../kit/recompute';
import type { WidgetContext } from '../kit/types';
import { gridTable, heatmap, yearCurve } from '../kit/charts';
import { firstResultTimer, loadTinyLmFor } from '../tiny-lm-experiments/load';
import {
  headLabels,
  mapGrid,
  normalise,
  positionLabels,
  topCells,
} from '../tiny-lm-experiments/patching-views';
import type { Grid } from '../kit/grid';
import { pairMetric, yearsPair, YEAR_TOKENS } from '../tiny-lm-experiments/tasks';
import { availableWidth, fixed, folded, part, showTiming } from '../kit/widget-parts';
import { predictionIn } from '../kit/predict';
import { probabilityMap } from './charts';
import {
  START_YEARS,
  summariseYears,
  yearProbabilities,
  yearPrompt,
  yearPromptBatch,
  YEAR_TEMPLATES,
} from './years';

import { greaterThanExperiment } from '../../notebook/widgets/greater-than';

const CENTURY = '17';

interface Sweep {
  template: number;
  /** p(YY) for each start year in START_YEARS. */
  rows: Float32Array[];
  milliseconds: number;
}

interface Patching {
  key: string;
  heads: Grid;
  mlps: Grid;
  clean: number;
  corrupted: number;
  milliseconds: number;
}

async function sweepYears(model: HookedModel, template: number): Promise<Sweep> {
  const start = performance.now();
  const batch = yearPromptBatch(model.tokenizer, YEAR_TEMPLATES[template]!, CENTURY);
  const yearIds = YEAR_TOKENS.map((y) => model.tokenizer.tokenToId(y));
  const { logits } = await model.runWithCache(batch, []);
  const rows = START_YEARS.map((_, r) => yearProbabilities(logits, r, yearIds));
  return { template, rows, milliseconds: performance.now() - start };
}

/** Head and MLP patching (denoising from the 01 prompt) for one start year. */
async function patchYear(
  model: HookedModel,
  template: number,
  startYear: number,
): Promise<Patching> {
  const started = performance.now();
  const pair = yearsPair(model.tokenizer, {
    prompt: yearPrompt(YEAR_TEMPLATES[template]!, CENTURY, startYear),
    startYear,
    century: CENTURY,
  });
  const metric = pairMetric(model.tokenizer, pair);
  const common = {
    clean: pair.clean,
    corrupted: pair.corrupted,
    metric,
    direction: 'denoise' as const,
  };
  const heads = await model.patchSweep({
    ...common,
    hooks: model.blockHooks('attn.hook_z'),
    over: 'heads',
  });
  const mlps = await model.patchSweep({
    ...common,
    hooks: model.blockHooks('hook_mlp_out'),
    over: 'positions',
  });
  const L = model.config.n_layers;
  const layerRows = Array.from({ length: L }, (_, l) => `L${l}`);
  const toShare = (v: number) => normalise(v, heads.clean, heads.corrupted);
  return {
    key: `${template}:${startYear}`,
    heads: mapGrid(
      {
        rows: layerRows,
        columns: headLabels(1, model.config.n_heads).map((h) => h.slice(2)),
        values: Float32Array.from(heads.scores.data),
      },
      toShare,
    ),
    mlps: mapGrid(
      {
        rows: layerRows.map((l) => `${l} MLP`),
        columns: positionLabels(model.tokenizer.tokens([...pair.clean])),
        values: Float32Array.from(mlps.scores.data),
      },
      toShare,
    ),
    clean: heads.clean,
    corrupted: heads.corrupted,
    milliseconds: performance.now() - started,
  };
}

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const firstResult = firstResultTimer(root, 'greater-than');
  const model = await loadTinyLmFor(context);
  const form = part<HTMLFormElement>(root, '[data-years="controls"]');
  const select = part<HTMLSelectElement>(form, 'select[name="template"]');
  const slider = part<HTMLInputElement>(form, 'input[name="start"]');
  const status = part<HTMLElement>(root, '[data-years="status"]');
  const sweeps = new Map<number, Promise<Sweep>>();
  const patchings = new Map<string, Promise<Patching>>();
  let sweep: Sweep | null = null;
  let patching: Patching | null = null;
  const computations = recompute(context);
  const prediction = predictionIn(root, signal);

  const settings = () => ({ template: Number(select.value), startYear: Number(slider.value) });

  const cached = <K, V>(map: Map<K, Promise<V>>, key: K, make: () => Promise<V>) => {
    let p = map.get(key);
    if (!p) {
      p = make();
      map.set(key, p);
      p.catch(() => map.delete(key));
    }
    return p;
  };

  async function compute(): Promise<void> {
    const run = computations.start();
    const { template, startYear } = settings();
    status.textContent = 'Running every start year…';
    const found = await cached(sweeps, template, () => sweepYears(model, template));
    if (run.stale) return;
    sweep = found;
    drawCurve();
    drawMap();
    status.textContent = 'Patching…';
    showTiming(
      root,
      `${START_YEARS.length} prompts in one batched call: ${Math.round(found.milliseconds)} ms · patching…`,
    );
    const patched = await cached(patchings, `${template}:${startYear}`, () =>
      patchYear(model, template, startYear),
    );
    if (run.stale) return;
    patching = patched;
    drawPatching();
    const shown = {
      template: YEAR_TEMPLATES[template]!,
      century: CENTURY,
      startYear,
      probabilities: found.rows[START_YEARS.indexOf(startYear)] ?? null,
      patching: patched,
    };
    context.offerNotebook(() => greaterThanExperiment(shown, model.tokenizer));
    status.textContent = 'Done.';
    showTiming(
      root,
      `${START_YEARS.length} prompts in one batched call: ${Math.round(found.milliseconds)} ms · ` +
        `head and MLP patching: ${Math.round(patched.milliseconds)} ms`,
    );
    run.done();
  }

  function drawCurve(): void {
    if (!sweep) return;
    const { startYear } = settings();
    part<HTMLOutputElement>(form, '[data-years="start-value"]').value = YEAR_TOKENS[startYear]!;
    const probabilities = sweep.rows[START_YEARS.indexOf(startYear)]!;
    const s = summariseYears(probabilities, startYear);
    const summary = part<HTMLElement>(root, '[data-years="summary"]');
    summary.textContent =
      `After "${yearPrompt(YEAR_TEMPLATES[sweep.template]!, CENTURY, startYear)}": ` +
      `p(later year) = ${fixed(s.above, 3)}, p(${YEAR_TOKENS[startYear]} or earlier) = ${fixed(s.atOrBelow, 3)}, ` +
      `difference ${fixed(s.probDiff, 3)}; most likely ${CENTURY}${YEAR_TOKENS[s.top]}.`;
    summary.dataset['above'] = String(s.above);
    prediction.answer(
      { kind: 'number', value: s.above, tolerance: 0.15 },
      `The model has learned that the second year of a span comes after the first: most of its probability falls on years after ${YEAR_TOKENS[startYear]}, though not all of it.`,
    );
    part<HTMLElement>(root, '[data-caption="curve"]').textContent =
      `Probability of each year after "… ${CENTURY}${YEAR_TOKENS[startYear]} … ${CENTURY}"`;
    part<HTMLElement>(root, '[data-chart="curve"]').replaceChildren(
      yearCurve(probabilities, startYear, chartColors(), {
        label: `Probability of each two-digit year after start year ${YEAR_TOKENS[startYear]}: ${fixed(s.above, 3)} on later years. The table below lists the numbers.`,
      }),
    );
    const table = gridTable(
      {
        rows: Array.from({ length: 10 }, (_, d) => `${d}_`),
        columns: Array.from({ length: 10 }, (_, u) => `_${u}`),
        values: Float32Array.from(probabilities),
      },
      `p(YY) after start year ${YEAR_TOKENS[startYear]} (row: tens, column: units)`,
      'YY',
    );
    part<HTMLElement>(root, '[data-table="years"]').replaceChildren(folded(table));
  }

  function drawMap(): void {
    if (!sweep) return;
    const rows = START_YEARS.map((startYear, i) => ({ startYear, probabilities: sweep!.rows[i]! }));
    const mean =
      rows.reduce((s, r) => s + summariseYears(r.probabilities, r.startYear).above, 0) /
      rows.length;
    const worst = rows
      .map((r) => ({ y: r.startYear, above: summariseYears(r.probabilities, r.startYear).above }))
      .sort((a, b) => a.above - b.above)[0]!;
    part<HTMLElement>(root, '[data-chart="all"]').replaceChildren(
      probabilityMap(
        rows,
        chartColors(),
        `Probability of each year (columns) after each start year (rows); the mass lies right of the diagonal, mean ${fixed(mean, 3)} on later years.`,
      ),
    );
    const key = part<HTMLElement>(root, '[data-summary="all"]');
    key.textContent =
      `Mean probability on later years over all ${rows.length} start years: ${fixed(mean, 3)}; ` +
      `lowest at 17${YEAR_TOKENS[worst.y]} (${fixed(worst.above, 3)}). Dashed: YY = XX.`;
    key.dataset['meanAbove'] = String(mean);
  }

  function drawPatching(): void {
    if (!patching) return;
    const colors = chartColors();
    const legend = 'share of p(later) − p(earlier) restored';
    part<HTMLElement>(root, '[data-chart="heads"]').replaceChildren(
      heatmap(patching.heads, colors, {
        label: `Patching each head from the 01 prompt into the clean one: ${legend}.`,
        legend,
        x: 'head',
        y: 'layer',
        extent: 1,
        cellWidth: 44,
      }),
    );
    part<HTMLElement>(root, '[data-chart="mlps"]').replaceChildren(
      heatmap(patching.mlps, colors, {
        label: `Patching each MLP at each position: ${legend}.`,
        legend,
        x: 'position',
        y: 'layer',
        extent: 1,
        maxWidth: Math.max(320, availableWidth(root) - 260),
      }),
    );
    const top = [...topCells(patching.heads, 2), ...topCells(patching.mlps, 2)]
      .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
      .map(
        (c) =>
          `${c.row}${c.column.startsWith('H') ? c.column : ` at ${c.column}`} (${fixed(c.value)})`,
      );
    part<HTMLElement>(root, '[data-summary="patching"]').textContent =
      `Denoising from "…1701…" (probability difference ${fixed(patching.corrupted, 3)}) towards the clean prompt (${fixed(patching.clean, 3)}); ` +
      `1 = the component alone restores it. Largest: ${top.join(', ')}.`;
  }

  form.addEventListener('submit', (event) => event.preventDefault(), { signal });
  // The slider redraws the curve while moving and patches when released.
  slider.addEventListener('input', drawCurve, { signal });
  form.addEventListener(
    'change',
    () => void compute().catch((error: unknown) => context.fail(error)),
    {
      signal,
    },
  );
  onThemeChange(() => {
    drawCurve();
    drawMap();
    drawPatching();
  }, signal);

  context.progress({ fraction: null, label: 'Running every start year' });
  await compute();
  firstResult(model.backend);
}
