/**
 * Wires the IOI-circuit markup to tiny-lm: for the chosen template, builds 8 prompts and their
 * ABC corruptions, runs the path-patching experiments and draws three head maps and a table.
 */
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { recompute } from '../kit/recompute';
import type { WidgetContext } from '../kit/types';
import { gridTable, heatmap } from '../kit/charts';
import { firstResultTimer, loadTinyLmFor } from '../tiny-lm-experiments/load';
import type { Grid } from '../kit/grid';
import { headLabels } from '../tiny-lm-experiments/patching-views';
import { fixed, folded, markedPrompt, part } from '../kit/widget-parts';
import { predictionIn } from '../kit/predict';
import {
  findCircuit,
  ioiBatch,
  IOI_TEMPLATES,
  strongestDirectHead,
  type CircuitResult,
} from './circuit';

import { ioiExperiment } from '../../notebook/widgets/ioi-circuit';

/** Prompts per template: enough to average out one pair of names. */
const PROMPTS = 8;

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const firstResult = firstResultTimer(root, 'ioi-circuit');
  const model = await loadTinyLmFor(context);
  const form = part<HTMLFormElement>(root, '[data-ioi="controls"]');
  const select = part<HTMLSelectElement>(form, 'select[name="template"]');
  const status = part<HTMLElement>(root, '[data-ioi="status"]');
  const cache = new Map<number, Promise<CircuitResult>>();
  let result: CircuitResult | null = null;
  const computations = recompute(context);
  const prediction = predictionIn(root, signal);

  async function compute(): Promise<void> {
    const run = computations.start();
    const index = Number(select.value);
    status.textContent = 'Path patching every head…';
    let pending = cache.get(index);
    if (!pending) {
      pending = findCircuit(model, ioiBatch(model.tokenizer, IOI_TEMPLATES[index]!, PROMPTS));
      cache.set(index, pending);
      pending.catch(() => cache.delete(index));
    }
    const found = await pending;
    if (run.stale) return;
    result = found;
    draw();
    context.offerNotebook(() => ioiExperiment(found, model.tokenizer));
    status.textContent = `${found.layers * found.heads} heads × ${found.prompts.length} prompts: ${found.calls} batched calls, ${Math.round(found.milliseconds)} ms`;
    run.done();
  }

  function draw(): void {
    if (!result) return;
    const colors = chartColors();
    const { layers, heads } = result;
    const example = result.prompts[0]!;
    const names = [example.positions.io, example.positions.s1, example.positions.s2];
    part<HTMLElement>(root, '[data-ioi="clean"]').replaceChildren(
      markedPrompt(model.tokenizer, example.clean, names),
      ` → ${model.tokenizer.vocab[example.io]}`,
    );
    part<HTMLElement>(root, '[data-ioi="corrupted"]').replaceChildren(
      markedPrompt(model.tokenizer, example.corrupted, names),
    );
    part<HTMLElement>(root, '[data-ioi="baseline"]').textContent =
      `mean over ${result.prompts.length} prompts: clean ${fixed(result.clean)}, ABC ${fixed(result.corrupted)}`;

    const headNames = headLabels(layers, heads);
    const columns = Array.from({ length: heads }, (_, h) => `H${h}`);
    const rows = Array.from({ length: layers }, (_, l) => `L${l}`);
    const maps = [
      ['total', result.total, 'Total effect'],
      ['direct', result.direct, 'Direct effect (head → logits)'],
      ['queries', result.viaQueries, "Through the name movers' queries"],
    ] as const;
    for (const [id, values, title] of maps) {
      const grid: Grid = { rows, columns, values: Float32Array.from(values) };
      part<HTMLElement>(root, `[data-chart="${id}"]`).replaceChildren(
        heatmap(grid, colors, {
          label: `${title} of each head, as a share of the clean logit difference. The table below lists the numbers.`,
          legend: 'share of clean IO − S',
          x: 'head',
          extent: 0.5,
          cellWidth: 44,
        }),
      );
    }

    const byRole = (role: string) =>
      result!.roles.flatMap((r, k) => (r === role ? [headNames[k]!] : []));
    const movers = byRole('name mover');
    const inhibitors = byRole('S-inhibition');
    const negative = byRole('negative name mover');
    const roles = part<HTMLElement>(root, '[data-ioi="roles"]');
    roles.textContent =
      `Name movers: ${movers.join(', ') || 'none found'}. ` +
      `S-inhibition: ${inhibitors.join(', ') || 'none found'}.` +
      (negative.length > 0 ? ` Negative name movers: ${negative.join(', ')}.` : '');
    roles.dataset['nameMovers'] = movers.join(' ');
    roles.dataset['sInhibition'] = inhibitors.join(' ');
    const strongest = strongestDirectHead(result.direct);
    const looks = result.attention[strongest]!;
    const target = (['io', 's1', 's2'] as const).reduce((a, b) => (looks[b] > looks[a] ? b : a));
    const described = { io: 'the indirect object', s1: 'the subject', s2: 'the repeated subject' };
    prediction.answer(
      {
        kind: 'choice',
        value: target,
        label: `${headNames[strongest]} attends most to ${described[target]} (${fixed(looks[target] * 100, 0)}% of its attention; subject ${fixed(looks.s1 * 100, 0)}% and ${fixed(looks.s2 * 100, 0)}%)`,
      },
      'A name mover copies the name it attends to into the answer; S-inhibition heads steer it away from the repeated name, so it lands on the other one.',
    );

    // The table: every head's numbers and role, the heads with a role first.
    const order = headNames
      .map((_, k) => k)
      .sort((a, b) => Number(!result!.roles[a]) - Number(!result!.roles[b]) || a - b);
    const table = gridTable(
      {
        rows: order.map((k) => headNames[k]!),
        columns: ['total', 'direct', 'via queries', 'attn → IO', 'attn → S1', 'attn → S2'],
        values: Float32Array.from(
          order.flatMap((k) => [
            result!.total[k]!,
            result!.direct[k]!,
            result!.viaQueries[k]!,
            result!.attention[k]!.io,
            result!.attention[k]!.s1,
            result!.attention[k]!.s2,
          ]),
        ),
      },
      'Every head: effects (share of the clean logit difference) and attention from the last position',
      'head',
    );
    const head = table.tHead!.rows[0]!;
    const roleHeader = document.createElement('th');
    roleHeader.scope = 'col';
    roleHeader.textContent = 'role';
    head.append(roleHeader);
    order.forEach((k, i) => {
      table.tBodies[0]!.rows[i]!.insertCell().textContent = result!.roles[k] || '—';
    });
    part<HTMLElement>(root, '[data-table="heads"]').replaceChildren(folded(table));
  }

  form.addEventListener('submit', (event) => event.preventDefault(), { signal });
  select.addEventListener(
    'change',
    () => void compute().catch((error: unknown) => context.fail(error)),
    { signal },
  );
  onThemeChange(draw, signal);

  context.progress({ fraction: null, label: 'Path patching every head' });
  await compute();
  firstResult(model.backend);
}
