/**
 * Wires the grokking markup to modadd's replay: loads checkpoints.json, checkpoints.bin and the
 * model card, computes every checkpoint's Fourier spectrum in the page, and redraws the figures
 * for the checkpoint the slider (or Play) selects. The final model itself is loaded through src/ml
 * only when the reader asks it a sum. Loaded by the widget shell when the reader scrolls to it.
 */
import { fetchJson, fetchModelFile, type LoadProgress } from '../../ml';
import { pageModel } from '../kit/page-models';
import { chartColors, onThemeChange } from '../kit/chart-theme';
import type { WidgetContext } from '../kit/types';
import { spectrumChart, timelineChart, type Series, type StepMark } from './charts';
import {
  additionPrompt,
  argmax,
  phaseAt,
  phaseBoundaries,
  parseReplay,
  probabilityOf,
  spectraOf,
  type Replay,
  type TrainingPhase,
} from './checkpoints';
import { frequencyShare, standoutFrequencies, topFrequencies } from './fourier';
import { predictionIn } from '../kit/predict';
import { modelFolderUrl } from '../kit/model-url';

import { grokkingExperiment } from '../../notebook/widgets/grokking';

const MODEL = 'modadd';
/** Milliseconds per checkpoint while playing. */
const PLAY_EVERY = 450;

const PHASE_TEXT: Record<TrainingPhase, string> = {
  memorisation: 'Memorising: train loss falls fast, test loss rises — it learns a lookup table.',
  'circuit-formation':
    'Circuit formation: train accuracy is 100% and test loss stays high, yet the restricted loss falls and the excluded loss rises — the Fourier algorithm grows beside the memorised table.',
  cleanup:
    'Cleanup: with the circuit in place, weight decay removes the memorised part and test loss collapses.',
  grokked:
    'Grokked: test accuracy is above 99%; the embedding lives on a few frequencies and the rest fades.',
};

function part<T extends Element>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`grokking: missing ${selector}`);
  return found;
}

const percent = (value: number, digits = 1) => `${(value * 100).toFixed(digits)}%`;
const loss = (value: number) => (value < 0.01 ? value.toExponential(1) : value.toFixed(3));

/** The card's key frequencies (models/modadd/card.json), or null when it does not list them. */
function cardKeyFrequencies(card: unknown): number[] | null {
  const keys = (card as { grokking?: { keyFrequencies?: unknown } } | null)?.grokking
    ?.keyFrequencies;
  return Array.isArray(keys) && keys.every((k) => Number.isInteger(k)) ? (keys as number[]) : null;
}

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const base = modelFolderUrl(MODEL);

  context.progress({ fraction: 0, label: 'Downloading the training checkpoints' });
  const [replayJson, card] = await Promise.all([
    fetchJson(new URL('checkpoints.json', base).href, { signal }),
    fetchJson(new URL('card.json', base).href, { signal }).catch(() => null),
  ]);
  const replay: Replay = parseReplay(replayJson);
  const { file, sha256, bytes } = replay.weights;
  const weights = await fetchModelFile(
    base,
    { path: file, sha256, bytes },
    {
      signal,
      onProgress: ({ loaded, total }) =>
        context.progress({
          fraction: total ? (0.9 * loaded) / total : null,
          label: 'Downloading the training checkpoints',
        }),
    },
  );
  context.progress({ fraction: 0.95, label: 'Computing the Fourier spectra' });
  const spectra = spectraOf(replay, weights);
  const last = replay.checkpoints.length - 1;
  // The key frequencies as this page finds them: those that stand out of the final spectrum.
  const keys = standoutFrequencies(spectra[last]!);
  const cardKeys = cardKeyFrequencies(card);
  const maxNorm = Math.max(...spectra.flatMap((s) => Array.from(s).slice(1)));
  const boundaries = phaseBoundaries(replay);
  const lastStep = replay.checkpoints[last]!.step;
  context.setBackend('cpu');

  const form = part<HTMLFormElement>(root, '[data-grok="controls"]');
  const slider = part<HTMLInputElement>(form, 'input[name="checkpoint"]');
  const stepOutput = part<HTMLOutputElement>(form, '[data-grok="step"]');
  const playButton = part<HTMLButtonElement>(form, '[data-action="play"]');
  const phase = part<HTMLElement>(root, '[data-grok="phase"]');
  const spectrumStep = part<HTMLElement>(root, '[data-grok="spectrum-step"]');
  const keysLine = part<HTMLElement>(root, '[data-grok="keys"]');
  const tableBody = part<HTMLTableSectionElement>(root, '[data-grok="table"] tbody');
  const charts = {
    loss: part<HTMLElement>(root, '[data-chart="loss"]'),
    measures: part<HTMLElement>(root, '[data-chart="measures"]'),
    spectrum: part<HTMLElement>(root, '[data-chart="spectrum"]'),
  };

  slider.max = String(last);
  slider.value = String(last);

  const stepMarks: StepMark[] = [];
  if (replay.grokking.trainAcc100Step !== null)
    stepMarks.push({ step: replay.grokking.trainAcc100Step, label: 'train acc 100%' });
  if (replay.grokking.testAcc99Step !== null)
    stepMarks.push({ step: replay.grokking.testAcc99Step, label: 'test acc ≥ 99%' });

  const { trainAcc100Step: memorisedAt, testAcc99Step: grokkedAt } = replay.grokking;
  if (memorisedAt !== null) {
    const ratio = grokkedAt === null ? null : grokkedAt / Math.max(1, memorisedAt);
    predictionIn(root, signal).answer(
      {
        kind: 'choice',
        value: ratio === null ? 'never' : ratio < 1.5 ? 'same' : ratio <= 5 ? 'few' : 'many',
        label:
          grokkedAt === null
            ? 'test accuracy never reached 99% in this run'
            : `train accuracy 100% at step ${memorisedAt.toLocaleString('en')}, test accuracy 99% at step ${grokkedAt.toLocaleString('en')} (${ratio!.toFixed(1)}×)`,
      },
      'The network first memorises the training pairs; weight decay then slowly favours the smaller, general Fourier solution, and only when it takes over does the test accuracy jump.',
    );
  }
  keysLine.dataset['keys'] = keys.join(',');
  context.offerNotebook(() => grokkingExperiment({ card, keys }));
  keysLine.dataset['cardKeys'] = cardKeys?.join(',') ?? '';
  const agree = cardKeys !== null && cardKeys.join(',') === keys.join(',');
  keysLine.replaceChildren(
    'Key frequencies, found in this page as the ones that stand out of the final embedding: ',
    Object.assign(document.createElement('strong'), { textContent: keys.join(', ') }),
    cardKeys === null
      ? '.'
      : agree
        ? ` — the same as the model card, which finds them from the MLP neurons (${cardKeys.join(', ')}).`
        : ` — the model card lists ${cardKeys.join(', ')}.`,
    ` They carry ${percent(frequencyShare(spectra[last]!, keys))} of the final embedding's energy, `,
    `against ${percent(keys.length / (spectra[last]!.length - 1), 0)} if it were spread evenly.`,
  );
  if (replay.grokking.trainAcc100Step !== null && replay.grokking.testAcc99Step !== null) {
    keysLine.append(
      ` Train accuracy reached 100% at step ${replay.grokking.trainAcc100Step}; test accuracy crossed 99% at step ${replay.grokking.testAcc99Step}.`,
    );
  }

  const width = (element: HTMLElement, fallback: number) =>
    Math.min(900, Math.max(280, element.clientWidth || fallback));

  const curveSeries = (colors: ReturnType<typeof chartColors>): Series[] => [
    {
      name: 'train loss',
      color: colors.blue,
      points: replay.curve.step.map((step, i) => ({ step, value: replay.curve.train_loss[i]! })),
    },
    {
      name: 'test loss',
      color: colors.red,
      points: replay.curve.step.map((step, i) => ({ step, value: replay.curve.test_loss[i]! })),
    },
  ];
  const measureSeries = (colors: ReturnType<typeof chartColors>): Series[] => {
    const column = (key: 'restrictedLoss' | 'excludedLoss' | 'testLoss') =>
      replay.checkpoints.map((c) => ({ step: c.step, value: c[key] }));
    return [
      { name: 'restricted loss', color: colors.green, points: column('restrictedLoss') },
      { name: 'excluded loss', color: colors.purple, points: column('excludedLoss') },
      { name: 'test loss', color: colors.red, dashed: true, points: column('testLoss') },
    ];
  };

  function draw(): void {
    const index = Number(slider.value);
    const checkpoint = replay.checkpoints[index]!;
    const colors = chartColors();
    const step = checkpoint.step;
    charts.loss.replaceChildren(
      timelineChart(
        {
          series: curveSeries(colors),
          marks: stepMarks,
          current: step,
          lastStep,
          yLabel: 'cross-entropy loss (nats)',
          width: width(charts.loss, 420),
          label: `Train and test loss over ${lastStep} training steps on a log scale; the selected checkpoint is step ${step}.`,
        },
        colors,
      ),
    );
    charts.measures.replaceChildren(
      timelineChart(
        {
          series: measureSeries(colors),
          marks: stepMarks,
          current: step,
          lastStep,
          yLabel: 'loss (nats)',
          width: width(charts.measures, 420),
          label: `Restricted, excluded and test loss at each saved checkpoint on a log scale; the selected checkpoint is step ${step}.`,
        },
        colors,
      ),
    );
    charts.spectrum.replaceChildren(
      spectrumChart(spectra[index]!, keys, maxNorm, width(charts.spectrum, 860), colors),
    );
  }

  /** Everything that depends on the selected checkpoint but is not a chart. */
  function show(): void {
    const index = Number(slider.value);
    const checkpoint = replay.checkpoints[index]!;
    const text = `step ${checkpoint.step}`;
    stepOutput.value = `${text} (${index + 1} of ${last + 1})`;
    slider.setAttribute('aria-valuetext', `${text}, checkpoint ${index + 1} of ${last + 1}`);
    spectrumStep.textContent = text;
    root.dataset['step'] = String(checkpoint.step);
    phase.textContent = boundaries ? PHASE_TEXT[phaseAt(boundaries, checkpoint.step)] : '';
    const share = frequencyShare(spectra[index]!, keys);
    const top = topFrequencies(spectra[index]!, keys.length);
    const rows: [string, string, string][] = [
      ['step', 'Training step', String(checkpoint.step)],
      [
        'train',
        'Train loss / accuracy',
        `${loss(checkpoint.trainLoss)} / ${percent(checkpoint.trainAcc)}`,
      ],
      [
        'test',
        'Test loss / accuracy',
        `${loss(checkpoint.testLoss)} / ${percent(checkpoint.testAcc)}`,
      ],
      ['restricted', 'Restricted loss (key frequencies only)', loss(checkpoint.restrictedLoss)],
      ['excluded', 'Excluded loss (key frequencies removed)', loss(checkpoint.excludedLoss)],
      ['share', `Share of W_E on frequencies ${keys.join(', ')}`, percent(share)],
      ['top', `The ${keys.length} largest frequencies of W_E here`, top.join(', ')],
      ['weights', 'Total squared weight norm', Math.round(checkpoint.weightNormSq).toString()],
    ];
    tableBody.replaceChildren(
      ...rows.map(([key, name, value]) => {
        const row = document.createElement('tr');
        row.dataset['measure'] = key;
        const header = Object.assign(document.createElement('th'), {
          scope: 'row',
          textContent: name,
        });
        row.append(header, Object.assign(document.createElement('td'), { textContent: value }));
        return row;
      }),
    );
  }

  function update(): void {
    show();
    draw();
  }

  // Play: one checkpoint per tick from where the slider is (from the start when at the end).
  let timer: ReturnType<typeof setInterval> | null = null;
  function pause(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
    playButton.textContent = 'Play';
    root.dataset['playing'] = 'false';
  }
  function play(): void {
    if (Number(slider.value) >= last) slider.value = '0';
    update();
    playButton.textContent = 'Pause';
    root.dataset['playing'] = 'true';
    timer = setInterval(() => {
      const next = Number(slider.value) + 1;
      if (next > last) {
        pause();
        return;
      }
      slider.value = String(next);
      update();
    }, PLAY_EVERY);
  }

  form.addEventListener('submit', (event) => event.preventDefault(), { signal });
  // The reader taking the slider stops playback (set programmatically, it fires no input event).
  slider.addEventListener(
    'input',
    () => {
      pause();
      update();
    },
    { signal },
  );
  playButton.addEventListener('click', () => (timer === null ? play() : pause()), { signal });
  signal.addEventListener('abort', pause, { once: true });
  onThemeChange(draw, signal);

  wireModelRun(root, replay.p, context);
  pause();
  show();
  // Measured widths need the frame visible: the shell shows it when mount resolves.
  requestAnimationFrame(() => {
    if (!signal.aborted) draw();
  });
  draw();
}

/** "Ask the final model": loads modadd through src/ml on first use and runs the reader's sum. */
function wireModelRun(root: HTMLElement, p: number, context: WidgetContext): void {
  const { signal } = context;
  const form = part<HTMLFormElement>(root, '[data-grok="run"]');
  const inputA = part<HTMLInputElement>(form, 'input[name="a"]');
  const inputB = part<HTMLInputElement>(form, 'input[name="b"]');
  const button = part<HTMLButtonElement>(form, 'button[type="submit"]');
  const bar = part<HTMLProgressElement>(form, '[data-grok="run-progress"]');
  const answer = part<HTMLElement>(root, '[data-grok="answer"]');
  // The page's shared modadd (kit/page-models.ts): loaded once for whatever on the page asks, and
  // a failed load is forgotten, so asking again is the retry.
  const load = () =>
    pageModel(MODEL, ({ fraction }: LoadProgress) => {
      bar.value = fraction;
    });

  async function run(): Promise<void> {
    const a = inputA.valueAsNumber;
    const b = inputB.valueAsNumber;
    let prompt: number[];
    try {
      prompt = additionPrompt(a, b, p);
    } catch {
      answer.dataset['error'] = '';
      answer.textContent = `Choose two whole numbers from 0 to ${p - 1}.`;
      return;
    }
    button.disabled = true;
    bar.hidden = false;
    delete answer.dataset['error'];
    answer.textContent = 'Loading the model…';
    try {
      const loaded = await load();
      context.setBackend(loaded.backend);
      answer.textContent = 'Running…';
      // The reader's sum, and a + every b in the same batch: does it add, or did it memorise?
      const rows = [
        prompt,
        ...Array.from({ length: p }, (_, other) => additionPrompt(a, other, p)),
      ];
      const { logits } = await loaded.runWithCache(rows);
      const [, pos, vocab] = logits.dims as [number, number, number];
      const lastRow = (r: number) =>
        logits.data.subarray((r * pos + pos - 1) * vocab, (r * pos + pos) * vocab);
      const predicted = argmax(lastRow(0), p);
      const probability = probabilityOf(lastRow(0), predicted, p);
      let correct = 0;
      for (let other = 0; other < p; other++)
        if (argmax(lastRow(other + 1), p) === (a + other) % p) correct += 1;
      const expected = (a + b) % p;
      answer.dataset['predicted'] = String(predicted);
      answer.dataset['expected'] = String(expected);
      answer.textContent =
        `${a} + ${b} = ${a + b}, and ${a + b} mod ${p} = ${expected}. ` +
        `The model answers ${predicted} (probability ${percent(probability, 2)})` +
        `${predicted === expected ? '' : ' — wrong'}. ` +
        `With a = ${a} and every b from 0 to ${p - 1}, it is right ${correct} times out of ${p}.`;
    } catch (error) {
      if (signal.aborted) return;
      answer.dataset['error'] = '';
      answer.textContent = `The model could not run: ${error instanceof Error ? error.message : String(error)}. Press the button to try again.`;
    } finally {
      button.disabled = false;
      bar.hidden = true;
    }
  }

  form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      void run();
    },
    { signal },
  );
}
