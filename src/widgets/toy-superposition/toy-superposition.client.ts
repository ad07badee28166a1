/**
 * Wires the toy-superposition markup to the model: any change of a control retrains from scratch,
 * a few hundred steps per frame, redrawing as it goes; the sweep trains one model per sparsity.
 * Loaded by the widget shell when the reader scrolls to the figure.
 */
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { runInFrames, WorkAborted } from '../kit/frames';
import type { WidgetContext } from '../kit/types';
import { featureArrows, gramHeatmap, normBars, sweepChart } from './charts';
import {
  adjacentAngles,
  featureAngles,
  featureGeometry,
  representedFeatures,
  SWEEP_SPARSITIES,
  sweepPoint,
  ToyModel,
  type SweepPoint,
  type ToyModelConfig,
} from './toy-model';
import { predictionIn } from '../kit/predict';
import { showTiming } from '../kit/widget-parts';

import { toySuperpositionExperiment } from '../../notebook/widgets/toy-superposition';

/** Steps per training run in the main view, and per model in the sweep (smaller batches). */
const TRAIN_STEPS = 3000;
const SWEEP_STEPS = 2000;
const SWEEP_BATCH = 256;
/** Below this norm a feature counts as dropped in the table (the tests use 0.5 for "represented"). */
const DROPPED_NORM = 0.1;
/** Redraw the figures at most this often while training (ms). */
const REDRAW_EVERY = 120;

const PRESETS = {
  pentagon: { features: 5, dimensions: 2, sparsity: 0.97, decay: 1 },
  dense: { features: 5, dimensions: 2, sparsity: 0, decay: 0.9 },
} as const;

type Settings = Omit<ToyModelConfig, 'seed' | 'batchSize' | 'learningRate'>;

function element<T extends Element>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`toy-superposition: missing ${selector}`);
  return found;
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);

export function mount(context: WidgetContext): void {
  const { root, signal } = context;
  context.setBackend('cpu');

  const form = element<HTMLFormElement>(root, '[data-toy="controls"]');
  const features = element<HTMLSelectElement>(form, 'select[name="features"]');
  const dimensions = element<HTMLSelectElement>(form, 'select[name="dimensions"]');
  const sparsity = element<HTMLInputElement>(form, 'input[name="sparsity"]');
  const decay = element<HTMLInputElement>(form, 'input[name="decay"]');
  const status = element<HTMLElement>(root, '[data-toy="status"]');
  const summary = element<HTMLElement>(root, '[data-toy="summary"]');
  const prediction = predictionIn(root, signal);
  let represented = 0;
  const tableBody = element<HTMLTableSectionElement>(root, '[data-toy="table"] tbody');
  const angleHeader = element<HTMLElement>(root, '[data-column="angle"]');
  const arrowsFigure = element<HTMLElement>(root, '[data-figure="arrows"]');
  const charts = {
    arrows: element<HTMLElement>(root, '[data-chart="arrows"]'),
    gram: element<HTMLElement>(root, '[data-chart="gram"]'),
    norms: element<HTMLElement>(root, '[data-chart="norms"]'),
    sweep: element<HTMLElement>(root, '[data-chart="sweep"]'),
  };
  const sweepButton = element<HTMLButtonElement>(root, '[data-action="sweep"]');
  const sweepProgress = element<HTMLProgressElement>(root, '[data-toy="sweep-progress"]');
  const sweepStatus = element<HTMLElement>(root, '[data-toy="sweep-status"]');

  let seed = 1;
  let model: ToyModel | null = null;
  let training: AbortController | null = null;
  let sweep: { points: SweepPoint[]; controller: AbortController } | null = null;

  function settings(): Settings {
    return {
      features: Number(features.value),
      dimensions: Number(dimensions.value),
      sparsity: Number(sparsity.value),
      importanceDecay: Number(decay.value),
    };
  }

  /** Keeps m below n (superposition needs fewer dimensions than features) and labels in sync. */
  function syncControls(): void {
    const n = Number(features.value);
    for (const option of dimensions.options) option.disabled = Number(option.value) >= n;
    if (Number(dimensions.value) >= n) dimensions.value = String(n - 1);
    const s = Number(sparsity.value);
    element<HTMLOutputElement>(form, '[data-toy="sparsity-value"]').value = fixed(s);
    element<HTMLElement>(form, '[data-toy="sparsity-hint"]').textContent =
      `each feature is non-zero in ${Math.round((1 - s) * 100)}% of samples`;
    const d = Number(decay.value);
    element<HTMLOutputElement>(form, '[data-toy="decay-value"]').value = fixed(d);
    element<HTMLElement>(form, '[data-toy="decay-hint"]').innerHTML =
      d === 1
        ? 'all features matter equally'
        : `feature i matters ${fixed(d)}<sup>i</sup> as much as feature 0`;
  }

  /** The sweep chart fills the frame's width (measured: the frame is visible by then). */
  const sweepWidth = () => Math.min(640, Math.max(300, charts.sweep.clientWidth || 640));

  function draw(): void {
    if (!model) return;
    const colors = chartColors();
    const { n, m, weights } = model;
    const geometry = featureGeometry(weights, n, m);
    const planar = m === 2;
    arrowsFigure.hidden = !planar;
    if (planar) charts.arrows.replaceChildren(featureArrows(weights, n, model.importance, colors));
    charts.gram.replaceChildren(gramHeatmap(geometry.gram, n, colors));
    charts.norms.replaceChildren(normBars(geometry, colors));
    if (sweep && sweep.points.length > 0)
      charts.sweep.replaceChildren(sweepChart(sweep.points, colors, sweepWidth()));
    status.textContent = `Step ${model.steps} of ${TRAIN_STEPS} · loss ${model.loss.toFixed(4)} · seed ${seed}`;
  }

  /** The table and the one-line summary: what the tests and screen readers read. */
  function report(): void {
    if (!model) return;
    const { n, m, weights } = model;
    const geometry = featureGeometry(weights, n, m);
    const planar = m === 2;
    const angles = planar ? featureAngles(weights, n) : null;
    const kept = representedFeatures(geometry.norms);
    // Angle from each represented feature to the next one counter-clockwise.
    const toNext = new Map<number, number>();
    if (angles && kept.length > 1) {
      const order = [...kept].sort((a, b) => angles[a]! - angles[b]!);
      order.forEach((feature, index) => {
        const next = order[(index + 1) % order.length]!;
        toNext.set(feature, (angles[next]! - angles[feature]! + 360) % 360);
      });
    }
    angleHeader.hidden = !planar;
    tableBody.replaceChildren(
      ...Array.from({ length: n }, (_, i) => {
        const row = document.createElement('tr');
        row.dataset['feature'] = String(i);
        const cells = [
          `f${i}`,
          fixed(model!.importance[i]!),
          fixed(geometry.norms[i]!),
          // A dropped feature's direction is noise: its overlap with the others means nothing.
          geometry.norms[i]! < DROPPED_NORM ? '—' : fixed(geometry.superposition[i]!),
          fixed(geometry.dimensionality[i]!),
        ];
        if (planar) cells.push(toNext.has(i) ? `${Math.round(toNext.get(i)!)}°` : '—');
        for (const text of cells) {
          const cell = document.createElement('td');
          cell.textContent = text;
          row.append(cell);
        }
        return row;
      }),
    );

    let text = `${kept.length} of ${n} features represented in ${m} dimension${m === 1 ? '' : 's'}`;
    if (planar && kept.length >= 3) {
      const around = adjacentAngles(weights, n);
      text += `; angles between neighbours: ${around.map((a) => `${Math.round(a)}°`).join(', ')}`;
      const regular = around.every((a) => Math.abs(a - 360 / kept.length) < 6);
      if (regular && kept.length === 5) text += ' — a regular pentagon';
    } else if (kept.length <= m) {
      text += ', each with a dimension of its own';
    }
    summary.textContent = `${text}.`;
    summary.dataset['represented'] = String(kept.length);
    const shown = {
      ...settings(),
      seed,
      steps: model.steps,
      represented: kept.length,
      summary: `${text}.`,
    };
    context.offerNotebook(() => toySuperpositionExperiment(shown));
    represented = kept.length;
  }

  /** Retrains from scratch with the current settings, drawing as it learns. */
  async function train(): Promise<void> {
    training?.abort();
    const controller = new AbortController();
    training = controller;
    root.dataset['training'] = 'running';
    summary.textContent = '';
    model = new ToyModel({ ...settings(), seed });
    const current = model;
    let lastDraw = 0;
    let computeMs = 0; // time spent training, without drawing or waiting for frames
    try {
      const work = () => {
        const start = performance.now();
        current.train(50);
        computeMs += performance.now() - start;
        return current.steps >= TRAIN_STEPS;
      };
      await runInFrames(work, {
        signal: AbortSignal.any([signal, controller.signal]),
        onFrame: () => {
          if (performance.now() - lastDraw < REDRAW_EVERY) return;
          lastDraw = performance.now();
          draw();
        },
      });
      draw();
      report();
      const stepsPerSecond = Math.round(current.steps / (computeMs / 1000));
      showTiming(
        root,
        `${current.steps} training steps in ${Math.round(computeMs)} ms: ${stepsPerSecond.toLocaleString('en')} steps/s`,
      );
      root.dataset['stepsPerSecond'] = String(stepsPerSecond);
      root.dataset['training'] = 'done';
      prediction.answer(
        { kind: 'number', value: represented, tolerance: 0 },
        'When features are rarely active together, the model can give more of them a direction than it has dimensions, and pays with a little interference; dense features get a dimension each or none.',
      );
    } catch (error) {
      if (!(error instanceof WorkAborted)) context.fail(error);
    }
  }

  async function runSweep(): Promise<void> {
    sweep?.controller.abort();
    const controller = new AbortController();
    const points: SweepPoint[] = [];
    sweep = { points, controller };
    const base = { ...settings(), seed, batchSize: SWEEP_BATCH };
    sweepButton.disabled = true;
    sweepProgress.hidden = false;
    root.dataset['sweep'] = 'running';
    const started = performance.now();
    let index = 0;
    let current = new ToyModel({ ...base, sparsity: SWEEP_SPARSITIES[0]! });
    try {
      await runInFrames(
        () => {
          current.train(25);
          if (current.steps < SWEEP_STEPS) return false;
          points.push(sweepPoint(current));
          index += 1;
          if (index >= SWEEP_SPARSITIES.length) return true;
          current = new ToyModel({ ...base, sparsity: SWEEP_SPARSITIES[index]! });
          return false;
        },
        {
          signal: AbortSignal.any([signal, controller.signal]),
          onFrame: () => {
            sweepProgress.value = (index + current.steps / SWEEP_STEPS) / SWEEP_SPARSITIES.length;
            sweepStatus.textContent = `${points.length} of ${SWEEP_SPARSITIES.length} models trained`;
          },
        },
      );
      charts.sweep.replaceChildren(sweepChart(points, chartColors(), sweepWidth()));
      const seconds = (performance.now() - started) / 1000;
      sweepStatus.textContent = `${points.length} models trained in ${seconds.toFixed(1)} s`;
      root.dataset['sweep'] = 'done';
    } catch (error) {
      if (!(error instanceof WorkAborted)) context.fail(error);
    } finally {
      sweepButton.disabled = false;
      sweepProgress.hidden = true;
    }
  }

  form.addEventListener('submit', (event) => event.preventDefault(), { signal });
  // Sliders retrain when let go (change), and update their labels while moving (input).
  form.addEventListener('input', syncControls, { signal });
  form.addEventListener(
    'change',
    () => {
      syncControls();
      void train();
    },
    { signal },
  );
  form.addEventListener(
    'click',
    (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button');
      if (!button) return;
      const preset = button.dataset['preset'] as keyof typeof PRESETS | undefined;
      if (preset) {
        const values = PRESETS[preset];
        features.value = String(values.features);
        dimensions.value = String(values.dimensions);
        sparsity.value = String(values.sparsity);
        decay.value = String(values.decay);
      } else if (button.dataset['action'] === 'reseed') {
        seed += 1;
      } else {
        return;
      }
      syncControls();
      void train();
    },
    { signal },
  );
  sweepButton.addEventListener('click', () => void runSweep(), { signal });
  onThemeChange(draw, signal);

  syncControls();
  void train();
}
