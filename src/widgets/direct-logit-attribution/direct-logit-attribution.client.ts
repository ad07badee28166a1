/**
 * Wires the direct-logit-attribution markup to tiny-lm: a prompt gives one cached run and one
 * batched call (lens.ts directLogitAttribution); choosing another answer or distractor only
 * redraws. Loaded by the widget shell when the reader scrolls to the figure.
 */
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { recompute } from '../kit/recompute';
import type { WidgetContext } from '../kit/types';
import { elapsed, firstResultTimer, loadTinyLmFor } from '../tiny-lm-experiments/load';
import { predictionIn } from '../kit/predict';
import { fixed, part, showTiming } from '../kit/widget-parts';
import { effectChart, type EffectBar } from './charts';
import {
  directLogitAttribution,
  effectsOn,
  type DirectLogitAttribution,
} from '../tiny-lm-experiments/lens';
import {
  frameWidth,
  promptProblem,
  wirePrompt,
  type PromptChoice,
} from '../tiny-lm-experiments/prompt';
import { softmax } from '../../ml';

import { directLogitAttributionExperiment as dlaExperiment } from '../../notebook/widgets/direct-logit-attribution';

/** Candidate answers offered: the model's most likely next tokens. */
const CANDIDATES = 12;
const NONE = 'none';

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const firstResult = firstResultTimer(root, 'direct-logit-attribution');
  const model = await loadTinyLmFor(context);
  const tokenizer = model.tokenizer;

  const form = part<HTMLFormElement>(root, '[data-dla="controls"]');
  const answerSelect = part<HTMLSelectElement>(form, 'select[name="answer"]');
  const distractorSelect = part<HTMLSelectElement>(form, 'select[name="distractor"]');
  const status = part<HTMLElement>(root, '[data-dla="status"]');
  const summary = part<HTMLElement>(root, '[data-dla="summary"]');
  const prediction = predictionIn(root, signal);
  const caption = part<HTMLElement>(root, '[data-dla="caption"]');
  const chart = part<HTMLElement>(root, '[data-chart="dla"]');
  const table = part<HTMLElement>(root, '[data-table="dla"]');
  let dla: DirectLogitAttribution | null = null;
  const computations = recompute(context);

  const option = (value: string, text: string) => {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  };

  /** Fills the answer menus with the likeliest tokens (plus the preset's words), and picks. */
  function fillMenus(result: DirectLogitAttribution, choice: PromptChoice): void {
    const probs = softmax(result.logits);
    const ranked = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]!).slice(0, CANDIDATES);
    const preset = choice.preset;
    const extra = preset
      ? [preset.answer, preset.distractor].map((w) => tokenizer.tokenToId(w))
      : [];
    const ids = [...new Set([...ranked, ...extra.filter((id) => id !== tokenizer.unkId)])];
    const label = (id: number) => `${tokenizer.vocab[id]} (${fixed(probs[id]! * 100, 1)}%)`;
    answerSelect.replaceChildren(...ids.map((id) => option(String(id), label(id))));
    distractorSelect.replaceChildren(
      option(NONE, 'nothing (the answer’s logit)'),
      ...ids.map((id) => option(String(id), label(id))),
    );
    const answer = preset ? tokenizer.tokenToId(preset.answer) : ranked[0]!;
    const distractor = preset ? tokenizer.tokenToId(preset.distractor) : ranked[1]!;
    answerSelect.value = String(answer);
    distractorSelect.value = String(distractor);
  }

  function bars(): { bars: EffectBar[]; label: string; total: number } | null {
    if (!dla) return null;
    const answer = Number(answerSelect.value);
    const distractor = distractorSelect.value === NONE ? null : Number(distractorSelect.value);
    const values = effectsOn(dla, answer, distractor);
    const a = tokenizer.vocab[answer]!;
    const label =
      distractor === null ? `logit(${a})` : `logit(${a}) − logit(${tokenizer.vocab[distractor]})`;
    const constant = dla.constant[answer]! - (distractor === null ? 0 : dla.constant[distractor]!);
    const total = dla.logits[answer]! - (distractor === null ? 0 : dla.logits[distractor]!);
    return {
      label,
      total,
      bars: [
        ...dla.components.map((c, i) => ({
          label: c.label,
          group: c.layer === null ? 'embed' : `layer ${c.layer}`,
          value: values[i]!,
        })),
        { label: 'final biases', group: 'bias', value: constant },
      ],
    };
  }

  function draw(): void {
    const shown = bars();
    if (!shown) return;
    const width = Math.max(320, frameWidth(root));
    caption.textContent = `Direct effect of each component on ${shown.label}`;
    chart.replaceChildren(effectChart(shown.bars, chartColors(), shown.label, width));

    const sorted = [...shown.bars].sort((x, y) => Math.abs(y.value) - Math.abs(x.value));
    const heads = sorted.filter((b) => /^L\d+H\d+$/.test(b.label));
    const top = heads[0];
    summary.textContent =
      `${shown.label} = ${fixed(shown.total)} at the last position.` +
      (top
        ? ` The head with the largest direct effect is ${top.label} (${fixed(top.value)}).`
        : '');
    summary.dataset['total'] = shown.total.toFixed(4);
    summary.dataset['sum'] = shown.bars.reduce((s, b) => s + b.value, 0).toFixed(4);
    summary.dataset['topHead'] = top?.label ?? '';
    // Biases are constant; the question is about heads, MLPs and the embeddings.
    const kindOf = (bar: EffectBar) =>
      /^L\d+H\d+$/.test(bar.label)
        ? 'head'
        : /^MLP /.test(bar.label)
          ? 'mlp'
          : bar.group === 'embed'
            ? 'embed'
            : null;
    const largest = sorted.find((b) => kindOf(b) !== null);
    if (largest) {
      const kind = kindOf(largest)!;
      prediction.answer(
        { kind: 'choice', value: kind, label: `${largest.label} (${fixed(largest.value)})` },
        'A head writes what it moved from another position straight into the last position; MLPs mostly transform what is already there, so their direct effect is often smaller than their total effect.',
      );
    }

    const element = document.createElement('table');
    element.className = 'tiny-lm-table';
    element.createCaption().textContent = `Direct effect on ${shown.label}`;
    const head = element.createTHead().insertRow();
    for (const text of ['Component', 'Direct effect']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = text;
      head.append(th);
    }
    const body = element.createTBody();
    for (const bar of [...shown.bars, { label: 'Sum = model', value: shown.total }]) {
      const tr = body.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = bar.label;
      tr.append(th);
      tr.insertCell().textContent = fixed(bar.value, 3);
    }
    table.replaceChildren(element);
  }

  async function run(choice: PromptChoice): Promise<void> {
    const current = computations.start();
    const problem = promptProblem(choice, model.config.n_ctx);
    if (problem) {
      status.textContent = problem;
      return;
    }
    status.textContent = 'Splitting the final stream…';
    const t0 = performance.now();
    const result = await directLogitAttribution(model, choice.read.ids);
    if (current.stale) return;
    dla = result;
    fillMenus(result, choice);
    draw();
    context.offerNotebook(() =>
      dlaExperiment(choice.text, tokenizer, answerSelect.value, distractorSelect.value, bars()),
    );
    status.textContent = 'Done.';
    showTiming(
      root,
      `${result.components.length} components read out in one batched call: ${elapsed(t0)} ms.`,
    );
    firstResult(model.backend);
    current.done();
  }

  answerSelect.addEventListener('change', draw, { signal });
  distractorSelect.addEventListener('change', draw, { signal });
  const start = wirePrompt(
    form,
    tokenizer,
    (choice) => void run(choice).catch((error: unknown) => context.fail(error)),
    signal,
  );
  onThemeChange(draw, signal);
  await run(start);
}
