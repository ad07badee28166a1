/**
 * Wires the steering-vectors markup to tiny-lm: the contrast pair and layer give the vector (one
 * call) and the sentiment curve over coefficients (one batched call); the coefficient, placement
 * and prompt give the two greedy continuations (one batched call per generated word). Loaded by
 * the widget shell when the reader scrolls to the figure.
 */
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { recompute } from '../kit/recompute';
import type { WidgetContext } from '../kit/types';
import { readPrompt } from '../tiny-lm-experiments/lens';
import { frameWidth, showWords } from '../tiny-lm-experiments/prompt';
import { gridTable } from '../kit/charts';
import { elapsed, loadTinyLmFor } from '../tiny-lm-experiments/load';
import { fixed, part, showTiming } from '../kit/widget-parts';
import { predictionIn } from '../kit/predict';
import { sentimentChart, type SentimentPoint } from './charts';
import {
  continueBoth,
  NEGATIVE_WORDS,
  POSITIVE_WORDS,
  sentimentByCoefficient,
  steeringVector,
  STEERING_DEFAULTS,
  type SteeringPlacement,
  type SteeringSetup,
} from '../tiny-lm-experiments/steering';

import { steeringExperiment } from '../../notebook/widgets/steering-vectors';

/** Words generated per continuation. */
const STEPS = 12;
/** Coefficients of the sentiment curve. */
const CURVE = Array.from({ length: 21 }, (_, i) => i - 10);

const POSITIVE = new Set<string>(POSITIVE_WORDS);
const NEGATIVE = new Set<string>(NEGATIVE_WORDS);

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const started = performance.now();
  const model = await loadTinyLmFor(context);
  const tokenizer = model.tokenizer;

  const form = part<HTMLFormElement>(root, '[data-steering="controls"]');
  const field = <T extends Element>(name: string) => part<T>(form, `[name="${name}"]`);
  const positiveInput = field<HTMLInputElement>('positive');
  const negativeInput = field<HTMLInputElement>('negative');
  const layerSelect = field<HTMLSelectElement>('layer');
  const coefficientInput = field<HTMLInputElement>('coefficient');
  const promptInput = field<HTMLInputElement>('prompt');
  const coefficientOutput = part<HTMLOutputElement>(form, '[data-steering="coefficient"]');
  const words = part<HTMLElement>(form, '[data-steering="words"]');
  const status = part<HTMLElement>(root, '[data-steering="status"]');
  const summary = part<HTMLElement>(root, '[data-steering="summary"]');
  const steeredHeading = part<HTMLElement>(root, '[data-steering="steered-heading"]');
  const plainText = part<HTMLElement>(root, '[data-continuation="plain"]');
  const steeredText = part<HTMLElement>(root, '[data-continuation="steered"]');
  const chart = part<HTMLElement>(root, '[data-chart="sentiment"]');
  const table = part<HTMLElement>(root, '[data-table="sentiment"]');

  layerSelect.replaceChildren(
    ...Array.from({ length: model.config.n_layers }, (_, l) => {
      const option = document.createElement('option');
      option.value = String(l);
      option.textContent = `${l}`;
      return option;
    }),
  );
  layerSelect.value = String(Math.min(STEERING_DEFAULTS.layer, model.config.n_layers - 1));

  let curve: SentimentPoint[] = [];
  let curveKey = '';
  const computations = recompute(context);
  const prediction = predictionIn(root, signal);
  let first = true;

  const placement = () =>
    (form.elements.namedItem('placement') as RadioNodeList).value as SteeringPlacement;
  const coefficient = () => Number(coefficientInput.value);

  /** The prompt's text and the generated words, sentiment words marked. */
  function showContinuation(target: HTMLElement, prompt: string, ids: number[]): void {
    const lead = document.createElement('span');
    lead.className = 'steering__prompt-part';
    lead.textContent = prompt;
    const parts: Node[] = [lead];
    for (const token of tokenizer.tokens(ids)) {
      const space = /^[.,!?;:)]$/.test(token) ? '' : ' ';
      parts.push(document.createTextNode(space));
      if (POSITIVE.has(token) || NEGATIVE.has(token)) {
        const mark = document.createElement('mark');
        mark.dataset['sentiment'] = POSITIVE.has(token) ? 'positive' : 'negative';
        mark.textContent = token;
        parts.push(mark);
      } else {
        parts.push(document.createTextNode(token));
      }
    }
    target.replaceChildren(...parts);
    target.dataset['text'] = tokenizer.decode(ids);
  }

  function drawCurve(): void {
    if (curve.length === 0) return;
    const width = Math.max(320, frameWidth(root));
    chart.replaceChildren(sentimentChart(curve, coefficient(), chartColors(), width));
  }

  /** Reads the controls; null (with a message) when they cannot run. */
  function read(): {
    setup: Omit<SteeringSetup, 'vector'>;
    prompt: number[];
    pair: [number[], number[]];
    promptText: string;
  } | null {
    const promptRead = readPrompt(tokenizer, promptInput.value);
    showWords(words, promptRead);
    const positive = readPrompt(tokenizer, positiveInput.value);
    const negative = readPrompt(tokenizer, negativeInput.value);
    const unknown = [...positive.unknown, ...negative.unknown];
    if (unknown.length > 0) {
      status.textContent = `tiny-lm does not know ${unknown.join(', ')}: choose words from its vocabulary.`;
      return null;
    }
    if (positive.words.length === 0 || positive.ids.length !== negative.ids.length) {
      status.textContent =
        'The two sides of the contrast pair need the same number of words (at least one).';
      return null;
    }
    if (promptRead.words.length === 0) {
      status.textContent = 'Type a prompt first.';
      return null;
    }
    if (promptRead.ids.length + 1 > model.config.n_ctx) {
      status.textContent = `tiny-lm reads at most ${model.config.n_ctx} tokens.`;
      return null;
    }
    return {
      setup: { layer: Number(layerSelect.value), placement: placement() },
      prompt: promptRead.ids,
      pair: [positive.ids, negative.ids],
      promptText: promptInput.value.trim(),
    };
  }

  async function compute(): Promise<void> {
    const current = computations.start();
    coefficientOutput.value = String(coefficient());
    const input = read();
    if (!input) return;
    status.textContent = 'Generating…';
    const t0 = performance.now();
    const vector = await steeringVector(model, input.pair[0], input.pair[1], input.setup.layer);
    const setup: SteeringSetup = { ...input.setup, vector };
    const c = coefficient();
    const continuations = await continueBoth(model, input.prompt, setup, c, STEPS);
    if (current.stale) return;
    const pairText = `${positiveInput.value.trim()} − ${negativeInput.value.trim()}`;
    steeredHeading.textContent = `With ${c} × (${pairText}) at layer ${setup.layer}`;
    showContinuation(plainText, input.promptText, continuations.plain);
    showContinuation(steeredText, input.promptText, continuations.steered);
    const generateMs = elapsed(t0);

    const key = JSON.stringify([input.pair, input.prompt, setup.layer, setup.placement]);
    if (key !== curveKey) {
      const values = await sentimentByCoefficient(model, input.prompt, setup, CURVE);
      if (current.stale) return;
      curve = CURVE.map((coefficient, i) => ({ coefficient, sentiment: values[i]! }));
      curveKey = key;
      table.replaceChildren(
        gridTable(
          {
            rows: CURVE.map(String),
            columns: ['sentiment'],
            values: Float32Array.from(values),
          },
          'Sentiment after the prompt for each coefficient',
          'coefficient',
        ),
      );
    }
    drawCurve();
    const [plainSentiment, steeredSentiment] = await sentimentByCoefficient(
      model,
      input.prompt,
      setup,
      [0, c],
    );
    if (current.stale) return;
    summary.textContent =
      `Sentiment of the next word: ${fixed(plainSentiment!)} without the vector, ` +
      `${fixed(steeredSentiment!)} with it (positive − negative adjectives, mean logits).`;
    summary.dataset['plain'] = String(plainSentiment);
    const shown = {
      ...input.setup,
      positive: positiveInput.value.trim(),
      negative: negativeInput.value.trim(),
      prompt: input.promptText,
      nLayers: model.config.n_layers,
      coefficient: c,
      plainSentiment: plainSentiment!,
      steeredSentiment: steeredSentiment!,
      positiveWords: POSITIVE_WORDS,
      negativeWords: NEGATIVE_WORDS,
    };
    context.offerNotebook(() => steeringExperiment(shown));
    summary.dataset['steered'] = String(steeredSentiment);
    const moved = steeredSentiment! - plainSentiment!;
    prediction.answer(
      {
        kind: 'choice',
        value: moved > 0.25 ? 'up' : moved < -0.25 ? 'down' : 'same',
        label: `the sentiment moved by ${fixed(moved)} (from ${fixed(plainSentiment!)} to ${fixed(steeredSentiment!)})`,
      },
      'The vector is the difference between what the two words write into the stream; added with a positive coefficient it pushes towards the first word, with a negative one away from it.',
    );
    const generated = Math.max(continuations.plain.length, continuations.steered.length);
    status.textContent = 'Done.';
    showTiming(root, `${generated} words, both columns in one batch per word: ${generateMs} ms.`);
    if (first) {
      first = false;
      const total = elapsed(started);
      root.dataset['firstResultMs'] = String(total);
      console.info(`[steering-vectors] first result in ${total} ms (${model.backend})`);
    }
    current.done();
  }

  const start = () => void compute().catch((error: unknown) => context.fail(error));
  form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      start();
    },
    { signal },
  );
  form.addEventListener(
    'change',
    (event) => {
      // Text boxes run on Enter / Generate; every other control runs when changed.
      if (event.target instanceof HTMLInputElement && event.target.type === 'text') return;
      start();
    },
    { signal },
  );
  form.addEventListener(
    'input',
    (event) => {
      if (event.target === coefficientInput) coefficientOutput.value = coefficientInput.value;
      if (event.target === promptInput) showWords(words, readPrompt(tokenizer, promptInput.value));
    },
    { signal },
  );
  onThemeChange(drawCurve, signal);
  await compute();
}
