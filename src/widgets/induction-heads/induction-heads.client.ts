/**
 * Wires the induction-heads markup to attn-only-2l: a batch of repeated random sequences (the
 * first one shown) gives every head's pattern and scores in one call; the composition study takes
 * two more batched calls. "New random sequence" redoes both. Loaded by the widget shell when the
 * reader scrolls to the figure.
 */
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { pageModelFor } from '../kit/page-models';
import { recompute } from '../kit/recompute';
import type { WidgetContext } from '../kit/types';
import { heatmap, gridTable } from '../kit/charts';
import type { Grid } from '../kit/grid';
import { elapsed, firstResultTimer, loadModelJson } from '../tiny-lm-experiments/load';
import { howTypicalIn } from '../kit/how-typical';
import { parseAttnOnlyFigures } from '../tiny-lm-experiments/held-out-figures';
import { inductionTypicality, type RepeatedTokens } from '../tiny-lm-experiments/typicality';
import { fixed, part, showTiming } from '../kit/widget-parts';
import { predictionIn } from '../kit/predict';
import { lossChart, patternChart, scoreChart, type HeadPoint } from './charts';
import {
  ablatedCopyLosses,
  compositionScores,
  headName,
  inductionRun,
  numberIds,
  repeatedSequence,
  wordIds,
  type Composition,
  type InductionRun,
} from './induction';

import { inductionExperiment } from '../../notebook/widgets/induction-heads';

/** The model, by name, from public/models/. */
const MODEL = 'attn-only-2l';
/** Words per copy (as the model card's evaluation) and sequences per batch (the first is shown). */
const WORDS = 25;
const BATCH = 4;
/**
 * Side of one position's cell in the enlarged pattern: a token label (11 px text) per row and
 * column, and the whole plot within a desktop frame.
 */
const PATTERN_CELL_PX = 10;

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const firstResult = firstResultTimer(root, 'induction-heads');
  // The page's shared attn-only-2l: the review area's experiment card may run it too.
  const model = await pageModelFor(MODEL, context);
  const { n_layers: layers, n_heads: heads } = model.config;
  const pools: Record<RepeatedTokens, number[]> = {
    words: wordIds(model.tokenizer),
    numbers: numberIds(model.tokenizer),
  };
  let tokens: RepeatedTokens = 'words';
  const figures = parseAttnOnlyFigures(await loadModelJson(MODEL, 'held-out-figures.json'));
  const typical = howTypicalIn(root);
  typical.button.hidden = pools.numbers.length === 0;
  // <bos> + two copies must fit the context (the random test model's is short).
  const length = Math.min(WORDS, Math.floor((model.config.n_ctx - 1) / 2));

  const status = part<HTMLElement>(root, '[data-induction="status"]');
  const sequenceText = part<HTMLElement>(root, '[data-induction="sequence"]');
  const summary = part<HTMLElement>(root, '[data-induction="summary"]');
  const headPicker = part<HTMLFieldSetElement>(root, '[data-induction="heads"]');
  const patternCaption = part<HTMLElement>(root, '[data-induction="pattern-caption"]');
  const compositionText = part<HTMLElement>(root, '[data-induction="composition"]');
  const charts = {
    scores: part<HTMLElement>(root, '[data-chart="scores"]'),
    pattern: part<HTMLElement>(root, '[data-chart="pattern"]'),
    keys: part<HTMLElement>(root, '[data-chart="keys"]'),
    queries: part<HTMLElement>(root, '[data-chart="queries"]'),
    ablation: part<HTMLElement>(root, '[data-chart="ablation"]'),
  };
  const ablationText = part<HTMLElement>(root, '[data-induction="ablation"]');
  const tables = {
    scores: part<HTMLElement>(root, '[data-table="scores"]'),
    composition: part<HTMLElement>(root, '[data-table="composition"]'),
    ablation: part<HTMLElement>(root, '[data-table="ablation"]'),
  };
  const reseed = part<HTMLButtonElement>(root, '[data-action="reseed"]');
  const prediction = predictionIn(root, signal);

  let seed = 1;
  let run: InductionRun | null = null;
  let composition: Composition | null = null;
  let ablation: { baseline: number; bars: { name: string; loss: number }[] } | null = null;
  let selected = { layer: layers - 1, head: 0 };
  const computations = recompute(context);
  const q = 1 + 2 * length;
  /** The tokens of the sequence whose patterns are drawn, <bos> first. */
  let shownTokens: string[] = [];

  /** Head (layer, head)'s pattern on the shown sequence (batch row 0), [q, q]. */
  const patternOf = (layer: number, head: number) =>
    run!.patterns[layer]!.data.subarray(head * q * q, (head + 1) * q * q);

  const roleOf = (layer: number, head: number) =>
    run && layer === run.inductionHead.layer && head === run.inductionHead.head
      ? 'induction'
      : run && layer === run.previousTokenHead.layer && head === run.previousTokenHead.head
        ? 'previous-token'
        : '';

  function drawPattern(): void {
    if (!run) return;
    const colors = chartColors();
    const { layer, head } = selected;
    const name = headName(layer, head);
    const role = roleOf(layer, head);
    patternCaption.textContent =
      `Attention pattern of head ${name}` +
      (role === 'induction'
        ? ' (induction head)'
        : role === 'previous-token'
          ? ' (previous-token head)'
          : '');
    charts.pattern.replaceChildren(
      patternChart(patternOf(layer, head), q, colors, {
        size: PATTERN_CELL_PX * q,
        length: length,
        axes: true,
        tokens: shownTokens,
        label: `Attention pattern of head ${name} on the sequence above`,
      }),
    );
    for (const button of headPicker.querySelectorAll<HTMLButtonElement>('button'))
      button.setAttribute('aria-pressed', String(button.dataset['head'] === name));
  }

  function drawHeads(): void {
    if (!run) return;
    const colors = chartColors();
    const buttons: HTMLButtonElement[] = [];
    for (let layer = 0; layer < layers; layer++) {
      for (let head = 0; head < heads; head++) {
        const name = headName(layer, head);
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset['head'] = name;
        const role = roleOf(layer, head);
        if (role) button.dataset['role'] = role;
        const prev = run.scores.previousToken[layer]![head]!;
        const ind = run.scores.induction[layer]![head]!;
        const label = document.createElement('span');
        label.textContent = `${name} · ${fixed(layer === 0 ? prev : ind)}`;
        // The accessible name starts with the visible text (WCAG "label in name").
        button.setAttribute(
          'aria-label',
          `${label.textContent}: head ${name}${role ? `, the ${role} head` : ''}, previous-token score ${fixed(prev)}, induction score ${fixed(ind)}`,
        );
        button.append(
          patternChart(patternOf(layer, head), q, colors, {
            size: 72,
            length: length,
            axes: false,
            label: `Pattern of head ${name}`,
          }),
          label,
        );
        button.addEventListener('click', () => {
          selected = { layer, head };
          drawPattern();
        });
        buttons.push(button);
      }
    }
    const legend = headPicker.querySelector('legend');
    headPicker.replaceChildren(...(legend ? [legend] : []), ...buttons);
  }

  function drawScores(): void {
    if (!run) return;
    const points: HeadPoint[] = [];
    for (let layer = 0; layer < layers; layer++)
      for (let head = 0; head < heads; head++)
        points.push({
          name: headName(layer, head),
          layer,
          previousToken: run.scores.previousToken[layer]![head]!,
          induction: run.scores.induction[layer]![head]!,
          role: roleOf(layer, head),
        });
    charts.scores.replaceChildren(scoreChart(points, chartColors()));
    const grid: Grid = {
      rows: points.map((p) => p.name),
      columns: ['previous-token', 'induction'],
      values: Float32Array.from(points.flatMap((p) => [p.previousToken, p.induction])),
    };
    tables.scores.replaceChildren(
      gridTable(grid, `Scores of every head (mean over ${BATCH} sequences)`, 'head'),
    );
  }

  function compositionGrids(c: Composition): { keys: Grid; queries: Grid } {
    const rows = Array.from({ length: heads }, (_, h) => headName(0, h));
    const columns = Array.from({ length: heads }, (_, h) => headName(1, h));
    const drop = (m: number[][]) =>
      Float32Array.from(m.flatMap((row) => row.map((v, h) => c.baseline[h]! - v)));
    return {
      keys: { rows, columns, values: drop(c.keys) },
      queries: { rows, columns, values: drop(c.queries) },
    };
  }

  function drawComposition(): void {
    if (!composition || !run) return;
    const colors = chartColors();
    const grids = compositionGrids(composition);
    const extent = Math.max(1e-3, ...[...grids.keys.values, ...grids.queries.values].map(Math.abs));
    for (const which of ['keys', 'queries'] as const) {
      charts[which].replaceChildren(
        heatmap(grids[which], colors, {
          label: `Drop in each layer-1 head's induction score when a layer-0 head is removed from its ${which}`,
          legend: 'drop in induction score',
          x: 'layer-1 head',
          y: 'layer-0 head removed',
          extent,
          maxWidth: 360,
        }),
      );
    }
    const ind = run.inductionHead.head;
    const keyDrops = composition.keys.map((row) => composition!.baseline[ind]! - row[ind]!);
    const best = keyDrops.indexOf(Math.max(...keyDrops));
    const queryDrop = composition.baseline[ind]! - composition.queries[best]![ind]!;
    compositionText.textContent =
      `Removing head ${headName(0, best)} from the keys of induction head ${headName(1, ind)} lowers its induction score from ` +
      `${fixed(composition.baseline[ind]!)} to ${fixed(composition.keys[best]![ind]!)}; from its queries, by ${fixed(queryDrop)}.`;
    compositionText.dataset['keySource'] = headName(0, best);
    const table = document.createElement('div');
    table.append(
      gridTable(
        grids.keys,
        'Drop in induction score, layer-0 head removed from the keys',
        'removed',
      ),
      gridTable(
        grids.queries,
        'Drop in induction score, layer-0 head removed from the queries',
        'removed',
      ),
    );
    tables.composition.replaceChildren(table);
  }

  function drawAblation(): void {
    if (!ablation) return;
    charts.ablation.replaceChildren(lossChart(ablation.bars, ablation.baseline, chartColors()));
    const worst = [...ablation.bars].sort((a, b) => b.loss - a.loss);
    ablationText.textContent =
      `With every head in place the second copy's loss is ${fixed(ablation.baseline)}. ` +
      `Without head ${worst[0]!.name} it rises to ${fixed(worst[0]!.loss)}, without ${worst[1]!.name} to ${fixed(worst[1]!.loss)}.`;
    ablationText.dataset['mostNeeded'] = worst[0]!.name;
    tables.ablation.replaceChildren(
      gridTable(
        {
          rows: ablation.bars.map((b) => b.name),
          columns: ['loss on the second copy'],
          values: Float32Array.from(ablation.bars.map((b) => b.loss)),
        },
        `Loss on the second copy with one head mean-ablated (intact: ${fixed(ablation.baseline, 3)})`,
        'head removed',
      ),
    );
  }

  function drawAll(): void {
    drawScores();
    drawHeads();
    drawPattern();
    drawComposition();
    drawAblation();
  }

  async function compute(): Promise<void> {
    const current = computations.start();
    reseed.disabled = true;
    typical.button.disabled = true;
    status.textContent = 'Running the model…';
    const t0 = performance.now();
    const sequences = Array.from({ length: BATCH }, (_, b) =>
      repeatedSequence(pools[tokens], model.tokenizer.bosId, length, seed * 1000 + b),
    );
    const result = await inductionRun(model, sequences, length);
    if (current.stale) return;
    run = result;
    composition = null;
    ablation = null;
    selected = { layer: result.inductionHead.layer, head: result.inductionHead.head };
    shownTokens = model.tokenizer.tokens([...sequences[0]!]);
    const shown = model.tokenizer.tokens(sequences[0]!.slice(1, 1 + length)).join(' ');
    sequenceText.textContent = `Sequence shown: ${shown} | ${shown}`;
    const prev = headName(result.previousTokenHead.layer, result.previousTokenHead.head);
    const ind = headName(result.inductionHead.layer, result.inductionHead.head);
    summary.textContent =
      `Previous-token head: ${prev} (score ${fixed(result.previousTokenHead.score)}). ` +
      `Induction head: ${ind} (score ${fixed(result.inductionHead.score)}). ` +
      `Loss on the first copy ${fixed(result.firstCopyLoss)}, on the second ${fixed(result.secondCopyLoss)}.`;
    typical.show(
      figures &&
        inductionTypicality(figures.induction, {
          tokens,
          secondCopyLoss: result.secondCopyLoss,
        }),
    );
    const ratio = result.secondCopyLoss / result.firstCopyLoss;
    prediction.answer(
      {
        kind: 'choice',
        value: ratio < 0.5 ? 'far' : ratio < 0.8 ? 'some' : 'same',
        label: `the second copy's loss is ${fixed(ratio * 100, 0)}% of the first's`,
      },
      'The first copy is random words, so nothing predicts them; in the second, an induction head finds the earlier occurrence of the current word and copies the word that came after it.',
    );
    summary.dataset['previousTokenHead'] = prev;
    summary.dataset['inductionHead'] = ind;
    const described = { length, batch: BATCH, seed, words: shown, run: result };
    context.offerNotebook(() => inductionExperiment(described));
    drawAll();
    const patternsMs = elapsed(t0);
    firstResult(model.backend);
    status.textContent = 'Composition and ablations…';
    showTiming(root, `Patterns and scores: ${patternsMs} ms · composition…`);
    const t1 = performance.now();
    const comp = await compositionScores(model, sequences, length);
    if (current.stale) return;
    composition = comp;
    drawComposition();
    // One layer at a time: runs on one model session do not overlap.
    const losses: Awaited<ReturnType<typeof ablatedCopyLosses>>[] = [];
    for (let l = 0; l < layers; l++)
      losses.push(await ablatedCopyLosses(model, sequences, length, l));
    if (current.stale) return;
    ablation = {
      baseline: losses[0]!.baseline,
      bars: losses.flatMap((l, layer) =>
        l.ablated.map((loss, head) => ({ name: headName(layer, head), loss })),
      ),
    };
    drawAblation();
    status.textContent = 'Done.';
    showTiming(
      root,
      `Patterns and scores: ${patternsMs} ms · composition and ablations: ${elapsed(t1)} ms`,
    );
    current.done();
    reseed.disabled = false;
    typical.button.disabled = false;
  }

  const start = () => void compute().catch((error: unknown) => context.fail(error));
  reseed.addEventListener(
    'click',
    () => {
      seed += 1;
      start();
    },
    { signal },
  );
  typical.onTry(() => {
    tokens = tokens === 'words' ? 'numbers' : 'words';
    typical.button.setAttribute('aria-pressed', String(tokens === 'numbers'));
    start();
  }, signal);
  onThemeChange(drawAll, signal);
  await compute();
}
