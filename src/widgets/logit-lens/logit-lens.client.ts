/**
 * Wires the logit-lens markup to tiny-lm: Run (or a preset) reads the prompt, runs the logit lens
 * (one cached run + one batched call), and draws the grid. Loaded by the widget shell when the
 * reader scrolls to the figure.
 */
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { recompute } from '../kit/recompute';
import type { WidgetContext } from '../kit/types';
import { elapsed, firstResultTimer, loadTinyLmFor } from '../tiny-lm-experiments/load';
import { fixed, part } from '../kit/widget-parts';
import { predictionIn } from '../kit/predict';
import { lensChart, positionLabel } from './charts';
import { settleChoice, settledLayer } from './settle';
import { lensGrid, type LensGrid } from '../tiny-lm-experiments/lens';
import {
  frameWidth,
  promptProblem,
  wirePrompt,
  type PromptChoice,
} from '../tiny-lm-experiments/prompt';

import { logitLensExperiment } from '../../notebook/widgets/logit-lens';

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const firstResult = firstResultTimer(root, 'logit-lens');
  const model = await loadTinyLmFor(context);

  const form = part<HTMLFormElement>(root, '[data-lens="controls"]');
  const status = part<HTMLElement>(root, '[data-lens="status"]');
  const summary = part<HTMLElement>(root, '[data-lens="summary"]');
  const chart = part<HTMLElement>(root, '[data-chart="lens"]');
  const table = part<HTMLElement>(root, '[data-table="lens"]');
  let grid: LensGrid | null = null;
  const prediction = predictionIn(root, signal);
  const computations = recompute(context);

  function draw(): void {
    if (!grid) return;
    const width = Math.max(320, frameWidth(root));
    chart.replaceChildren(lensChart(grid, chartColors(), width));
  }

  function fillTable(lens: LensGrid): void {
    const element = document.createElement('table');
    element.className = 'tiny-lm-table';
    element.dataset['lens'] = 'table';
    const caption = element.createCaption();
    caption.textContent = 'Top token (probability) per layer and position';
    const head = element.createTHead().insertRow();
    const corner = document.createElement('th');
    corner.scope = 'col';
    corner.textContent = 'Layer';
    head.append(corner);
    lens.positions.forEach((token, p) => {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = positionLabel(token, p);
      head.append(th);
    });
    const body = element.createTBody();
    lens.cells.forEach((row, layer) => {
      const tr = body.insertRow();
      tr.dataset['layer'] = String(layer);
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = lens.layers[layer]!;
      tr.append(th);
      for (const cell of row) {
        const td = tr.insertCell();
        td.dataset['token'] = cell.token;
        td.textContent = `${cell.token} (${fixed(cell.probability)})`;
      }
    });
    table.replaceChildren(element);
  }

  async function run(choice: PromptChoice): Promise<void> {
    const current = computations.start();
    const problem = promptProblem(choice, model.config.n_ctx);
    if (problem) {
      status.textContent = problem;
      return;
    }
    status.textContent = 'Reading every layer…';
    const t0 = performance.now();
    const lens = await model.logitLens(choice.read.ids);
    if (current.stale) return;
    grid = lensGrid(lens.logits, lens.labels, choice.read.ids, model.tokenizer);
    draw();
    fillTable(grid);
    const last = grid.positions.length - 1;
    const final = grid.cells[grid.cells.length - 1]![last]!;
    const settled = settledLayer(grid, last);
    summary.textContent =
      `After the whole prompt the model predicts “${final.token}” (${fixed(final.probability * 100, 0)}%); ` +
      `the lens first shows it in the column “${grid.layers[settled]}”.`;
    summary.dataset['prediction'] = final.token;
    const shown = grid;
    context.offerNotebook(() => logitLensExperiment(choice.text, shown, model.tokenizer));
    const columns = grid.layers.length;
    prediction.answer(
      {
        kind: 'choice',
        value: settleChoice(settled, columns),
        label: `first in “${grid.layers[settled]}”, column ${settled + 1} of ${columns}`,
      },
      'The lens reads each layer as if it were the last; an answer that needs information moved across the sentence appears only after the blocks that move it.',
    );
    const ms = elapsed(t0);
    status.textContent = `${grid.layers.length} layers × ${grid.positions.length} positions in ${ms} ms.`;
    firstResult(model.backend);
    current.done();
  }

  const start = wirePrompt(
    form,
    model.tokenizer,
    (choice) => void run(choice).catch((error: unknown) => context.fail(error)),
    signal,
  );
  onThemeChange(draw, signal);
  await run(start);
}
