/**
 * Wires the SAE lab's markup to tiny-lm and the SAEs in public/models/tiny-lm-saes/: measures the
 * shipped SAEs on held-out text through src/ml, shows one feature's dashboard, steers with a
 * feature's decoder direction, and trains a ReLU + L1 SAE in the page (sae-train-step.onnx on
 * WebGPU or WASM). Loaded by the widget shell when the reader scrolls to the figure.
 */
import {
  ComputeGraph,
  fetchJson,
  fetchModelFile,
  type HookedModel,
  type ModelFile,
} from '../../ml';
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { BACKEND_LABELS, type WidgetContext } from '../kit/types';
import { continueBoth } from '../tiny-lm-experiments/steering';
import { elapsed, loadTinyLmFor } from '../tiny-lm-experiments/load';
import { topContextItem } from '../kit/top-contexts';
import { availableWidth, fixed, part } from '../kit/widget-parts';
import { predictionIn } from '../kit/predict';
import { activationHistogram, tradeoffChart, trainingCurve } from './charts';
import {
  extremeTokens,
  featureActivations,
  featuresByDensity,
  logitWeights,
  openingFeature,
  topActivations,
  type TokenWeight,
} from './dashboard';
import { decoderDirection, saeFromBytes, type Sae } from './sae';
import {
  evaluateSae,
  harvest,
  lossOfSae,
  measureSae,
  splicedLoss,
  type Harvest,
  type SaeLoss,
  type SaeMeasures,
} from './sae-eval';
import {
  parseSaeIndex,
  parseTokenRows,
  type SaeIndex,
  type SaeMetrics,
  type TrainingConfig,
} from './sae-index';
import { SaeTrainer } from './trainer';
import { modelFolderUrl } from '../kit/model-url';

import { saeLabExperiment } from '../../notebook/widgets/sae-lab';

/** Top contexts shown per feature, and the context around each. */
const TOP = 8;
const CONTEXT_LIST = { before: 10, after: 3, valueClass: 'sae__value' } as const;
/** Tokens listed as pushed up / down. */
const TOKENS_SHOWN = 8;
/** Tokens generated when steering. */
const CONTINUATION = 8;

/** One SAE in the lab: shipped (with its card) or trained here. Its loss comes later. */
interface Entry {
  readonly sae: Sae;
  readonly result: SaeMeasures;
  loss: SaeLoss | null;
  readonly card: SaeMetrics | null;
  readonly order: number[];
}

/** A file saes.json names, checked against its sha256 and cached under it (src/ml). */
function fileOf(entry: { file: string; sha256: string; bytes: number }): ModelFile {
  return { path: entry.file, sha256: entry.sha256, bytes: entry.bytes };
}

function floatsOf(bytes: Uint8Array, expected: number, file: string): Float32Array {
  if (bytes.byteLength !== 4 * expected)
    throw new Error(`${file} holds ${bytes.byteLength} bytes, expected ${4 * expected}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: expected }, (_, i) => view.getFloat32(4 * i, true));
}

function jsonOf(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new Error(`${file} is not valid JSON`, { cause });
  }
}

/** The resid_pre layer equal to a residual hook (blocks.L.hook_resid_post is blocks.L+1's resid_pre). */
function residPreLayer(hook: string, layers: number): number {
  const match = /^blocks\.(\d+)\.hook_resid_(pre|post)$/.exec(hook);
  const layer = match ? Number(match[1]) + (match[2] === 'post' ? 1 : 0) : -1;
  if (layer < 0 || layer >= layers) throw new Error(`cannot steer at ${hook}`);
  return layer;
}

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const model: HookedModel = await loadTinyLmFor(context);
  const { tokenizer } = model;
  const vocab = model.config.d_vocab;

  const base = modelFolderUrl('tiny-lm-saes');
  context.progress({ fraction: null, label: 'Reading the SAE index' });
  const index: SaeIndex = parseSaeIndex(
    await fetchJson(new URL('saes.json', base).href, { signal }),
  );
  if (!model.hookNames.includes(index.hook) || index.d_in !== model.config.d_model) {
    throw new Error(
      `the SAEs read ${index.hook} (${index.d_in} wide), which tiny-lm does not have`,
    );
  }
  const downloads = [...index.saes, index.unembed, index.eval];
  const total = downloads.reduce((s, f) => s + f.bytes, 0);
  const loaded = new Map<string, number>();
  const [unembedBytes, evalBytes, ...saeBytes] = await Promise.all(
    [index.unembed, index.eval, ...index.saes].map((f) =>
      fetchModelFile(base, fileOf(f), {
        signal,
        onProgress: ({ file, loaded: n }) => {
          loaded.set(file, n);
          const done = [...loaded.values()].reduce((s, x) => s + x, 0);
          context.progress({ fraction: done / total, label: 'Downloading the SAEs' });
        },
      }),
    ),
  );
  const unembed = floatsOf(unembedBytes!, index.d_in * vocab, index.unembed.file);
  const evalRows = parseTokenRows(jsonOf(evalBytes!, index.eval.file), index.eval.length, vocab);
  const shipped = index.saes.map((entry, i) => saeFromBytes(entry, index.d_in, saeBytes[i]!));

  const started = performance.now();
  context.progress({ fraction: 0, label: 'Reading the residual stream' });
  const data: Harvest = await harvest(model, index.hook, evalRows, index.bos, (fraction) =>
    context.progress({ fraction, label: 'Reading the residual stream' }),
  );
  const entries: Entry[] = shipped.map((sae, i) => {
    context.progress({ fraction: i / shipped.length, label: `Measuring the ${sae.label} SAE` });
    const result = measureSae(sae, data);
    return {
      sae,
      result,
      loss: null,
      card: index.saes[i]!.metrics,
      order: featuresByDensity(result.firing),
    };
  });
  if (signal.aborted) return;
  root.dataset['firstResultMs'] = String(elapsed(started));
  const texts = evalRows.map((row) => tokenizer.decode(row));
  context.offerNotebook(() => saeLabExperiment(index.hook, model.config.n_layers, texts, entries));
  const prediction = predictionIn(root, signal);
  const sparsest = entries.reduce((a, b) => (b.result.l0 < a.result.l0 ? b : a));
  prediction.answer(
    {
      kind: 'choice',
      value: sparsest.sae.id,
      label: `${sparsest.sae.label}, L0 ${fixed(sparsest.result.l0, 1)}`,
    },
    'TopK fixes L0 at k; the gated SAE decides which features fire apart from how strongly, so it can switch off the weak ones the L1 penalty of a plain ReLU SAE leaves on.',
  );

  const site = part<HTMLElement>(root, '[data-sae="site"]');
  const tableBody = part<HTMLTableSectionElement>(root, '[data-sae="table"] tbody');
  const tradeoff = part<HTMLElement>(root, '[data-chart="tradeoff"]');
  const featureForm = part<HTMLFormElement>(root, '[data-sae="feature-controls"]');
  const saeSelect = part<HTMLSelectElement>(featureForm, 'select[name="sae"]');
  const featureInput = part<HTMLInputElement>(featureForm, 'input[name="feature"]');
  const summary = part<HTMLElement>(root, '[data-sae="feature-summary"]');
  const contexts = part<HTMLOListElement>(root, '[data-sae="contexts"]');
  const promoted = part<HTMLElement>(root, '[data-sae="promoted"]');
  const suppressed = part<HTMLElement>(root, '[data-sae="suppressed"]');
  const histogram = part<HTMLElement>(root, '[data-chart="histogram"]');
  const steerForm = part<HTMLFormElement>(root, '[data-sae="steer-controls"]');
  const strength = part<HTMLInputElement>(steerForm, 'input[name="strength"]');
  const strengthValue = part<HTMLOutputElement>(steerForm, 'output[name="strength-value"]');
  const steerOutput = part<HTMLElement>(root, '[data-sae="steer-output"]');
  const trainForm = part<HTMLFormElement>(root, '[data-sae="train-controls"]');
  const trainProgress = part<HTMLProgressElement>(root, '[data-sae="train-progress"]');
  const trainStatus = part<HTMLElement>(root, '[data-sae="train-status"]');
  const curveFvu = part<HTMLElement>(root, '[data-chart="curve-fvu"]');
  const curveL0 = part<HTMLElement>(root, '[data-chart="curve-l0"]');

  site.textContent =
    `Site: ${index.hook} of tiny-lm (${index.d_in} numbers per token). Measured on ` +
    `${data.positions.length.toLocaleString('en')} tokens of held-out text in ${evalRows.length} ` +
    `windows; a token position counts when it is not <bos>.`;

  // ---- the comparison table and the trade-off chart ----
  const withCard = (value: number, card: number | undefined, digits: number) => {
    const cell = document.createElement('td');
    cell.textContent = fixed(value, digits);
    if (card !== undefined) {
      const note = Object.assign(document.createElement('span'), {
        className: 'sae__card',
        textContent: `(${fixed(card, digits)})`,
      });
      cell.append(note);
    }
    return cell;
  };
  const measuring = () => {
    const cell = document.createElement('td');
    cell.textContent = 'measuring…';
    cell.setAttribute('aria-busy', 'true');
    return cell;
  };
  function drawTable(): void {
    tableBody.replaceChildren(
      ...entries.map(({ sae, result, loss, card }) => {
        const tr = document.createElement('tr');
        Object.assign(tr.dataset, {
          sae: sae.id,
          l0: String(result.l0),
          fvu: String(result.fvu),
          lossRecovered: String(loss?.lossRecovered ?? Number.NaN),
          dead: String(result.dead),
          activeMin: String(result.activeRange[0]),
          activeMax: String(result.activeRange[1]),
        });
        const name = document.createElement('th');
        name.scope = 'row';
        name.textContent = sae.kind === 'topk' ? `${sae.label} (k = ${sae.k})` : sae.label;
        const features = document.createElement('td');
        features.textContent = sae.dSae.toLocaleString('en');
        tr.append(
          name,
          features,
          withCard(result.l0, card?.l0, 1),
          withCard(result.fvu, card?.fvu, 3),
          loss ? withCard(loss.lossRecovered, card?.loss_recovered, 3) : measuring(),
          withCard(result.dead, card?.dead, 0),
        );
        return tr;
      }),
    );
  }
  function drawTradeoff(): void {
    tradeoff.replaceChildren(
      tradeoffChart(
        entries.map(({ sae, result }) => ({ label: sae.label, l0: result.l0, fvu: result.fvu })),
        availableWidth(root),
        chartColors(),
      ),
    );
  }

  // ---- one feature ----
  function fillSaeMenu(selectedId: string): void {
    saeSelect.replaceChildren(
      ...entries.map(({ sae }) =>
        Object.assign(document.createElement('option'), {
          value: sae.id,
          textContent: `${sae.label} (${sae.dSae} features)`,
        }),
      ),
    );
    saeSelect.value = selectedId;
  }
  const current = (): Entry => entries.find((e) => e.sae.id === saeSelect.value) ?? entries[0]!;
  const length = evalRows[0]!.length;
  const tokenText = (id: number) => tokenizer.tokens([id])[0] ?? '?';

  function contextItem(row: number, value: number): HTMLLIElement {
    const flat = data.positions[row]!;
    const ids = evalRows[Math.floor(flat / length)]!;
    const found = { ids, position: flat % length, activation: value };
    return topContextItem(tokenizer, found, { ...CONTEXT_LIST, bos: index.bos });
  }
  const tokenList = (weights: readonly TokenWeight[]) =>
    weights.map(({ token, weight }) => {
      const span = document.createElement('span');
      span.append(
        tokenText(token),
        Object.assign(document.createElement('span'), {
          className: 'sae__value',
          textContent: `${weight >= 0 ? '+' : ''}${weight.toFixed(2)}`,
        }),
      );
      return span;
    });

  function selectedFeature(): number | null {
    const f = featureInput.valueAsNumber;
    return Number.isInteger(f) && f >= 0 && f < current().sae.dSae ? f : null;
  }
  function topActivation(entry: Entry, feature: number): number {
    return topActivations(featureActivations(entry.result.codes, feature), 1)[0]?.value ?? 0;
  }

  function drawHistogram(): void {
    const feature = selectedFeature();
    if (feature === null) return;
    const values = featureActivations(current().result.codes, feature).map((a) => a.value);
    histogram.replaceChildren(
      values.length === 0
        ? Object.assign(document.createElement('p'), {
            className: 'sae__note',
            textContent: 'It fires on none of these tokens: a dead feature.',
          })
        : activationHistogram(values, availableWidth(root), chartColors()),
    );
  }

  function showFeature(): void {
    const entry = current();
    featureInput.max = String(entry.sae.dSae - 1);
    const feature = selectedFeature();
    if (feature === null) {
      summary.textContent = `Choose a feature from 0 to ${entry.sae.dSae - 1}.`;
      return;
    }
    const found = featureActivations(entry.result.codes, feature);
    const top = topActivations(found, TOP);
    const rank = entry.order.indexOf(feature) + 1;
    const share = found.length / entry.result.codes.rows;
    root.dataset['feature'] = String(feature);
    root.dataset['featureSae'] = entry.sae.id;
    summary.dataset['density'] = String(share);
    summary.textContent =
      found.length === 0
        ? `Feature ${feature} of ${entry.sae.label} never fires on these tokens: it is dead.`
        : `Feature ${feature} of ${entry.sae.label} fires on ${found.length.toLocaleString('en')} of ` +
          `${entry.result.codes.rows.toLocaleString('en')} tokens (${fixed(100 * share, 2)}%), ` +
          `at most ${fixed(top[0]!.value, 2)}; ${rank}${rank === 1 ? 'st' : rank === 2 ? 'nd' : rank === 3 ? 'rd' : 'th'} most frequent of ${entry.sae.dSae}.`;
    contexts.replaceChildren(...top.map(({ row, value }) => contextItem(row, value)));
    const weights = logitWeights(entry.sae, feature, unembed);
    promoted.replaceChildren(...tokenList(extremeTokens(weights, TOKENS_SHOWN)));
    suppressed.replaceChildren(...tokenList(extremeTokens(weights, TOKENS_SHOWN, true)));
    steerOutput.replaceChildren();
    drawHistogram();
  }

  function step(by: 1 | -1): void {
    const entry = current();
    const at = entry.order.indexOf(selectedFeature() ?? entry.order[0]!);
    featureInput.value = String(
      entry.order[Math.min(entry.order.length - 1, Math.max(0, at + by))],
    );
    showFeature();
  }

  // ---- steering ----
  const steerLayer = residPreLayer(index.hook, model.config.n_layers);
  const showStrength = () =>
    (strengthValue.value = `${strength.valueAsNumber} × its top activation`);
  async function steer(): Promise<void> {
    const feature = selectedFeature();
    const prompt = part<HTMLInputElement>(steerForm, 'input[name="prompt"]').value.trim();
    if (feature === null || prompt === '') return;
    const entry = current();
    const ids = tokenizer.encode(prompt);
    const unknown = tokenizer.tokens(ids).filter((t) => t === '<unk>').length;
    const coefficient = strength.valueAsNumber * (topActivation(entry, feature) || 1);
    steerOutput.setAttribute('aria-busy', 'true');
    const { plain, steered } = await continueBoth(
      model,
      ids,
      {
        layer: steerLayer,
        vector: { data: decoderDirection(entry.sae, feature), dims: [1, index.d_in] },
        placement: 'every',
      },
      coefficient,
      CONTINUATION,
    );
    steerOutput.removeAttribute('aria-busy');
    const line = (term: string, ids2: number[], key: string) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.dataset['continuation'] = key;
      dd.textContent = `${prompt} … ${tokenizer.decode(ids2) || '(ends the text)'}`;
      return [dt, dd];
    };
    steerOutput.replaceChildren(
      ...line('Without', plain, 'plain'),
      ...line(`With feature ${feature} × ${fixed(coefficient, 1)}`, steered, 'steered'),
    );
    if (unknown > 0) {
      steerOutput.append(
        Object.assign(document.createElement('dd'), {
          textContent: `${unknown} word(s) of the prompt are not in tiny-lm's vocabulary and read as <unk>.`,
        }),
      );
    }
  }

  // ---- training ----
  const recommended: TrainingConfig = index.train_step.recommended;
  const featuresSelect = part<HTMLSelectElement>(trainForm, 'select[name="features"]');
  const l1Input = part<HTMLInputElement>(trainForm, 'input[name="l1"]');
  const stepsInput = part<HTMLInputElement>(trainForm, 'input[name="steps"]');
  const trainButton = part<HTMLButtonElement>(trainForm, '[data-action="train"]');
  const stopButton = part<HTMLButtonElement>(trainForm, '[data-action="stop"]');
  if (![...featuresSelect.options].some((o) => o.value === String(recommended.d_sae))) {
    featuresSelect.append(new Option(String(recommended.d_sae), String(recommended.d_sae)));
  }
  featuresSelect.value = String(recommended.d_sae);
  l1Input.value = String(recommended.l1);
  stepsInput.value = String(recommended.steps);
  let trainData: Harvest | null = null;
  let graph: ComputeGraph | null = null;
  let stopRequested = false;
  let trained = 0;

  const setTrainState = (state: string, message: string) => {
    root.dataset['trainState'] = state;
    trainStatus.textContent = message;
  };
  setTrainState(
    'idle',
    `Recommended: ${recommended.d_sae} features, L1 ${recommended.l1}, ${recommended.steps} steps of ${recommended.batch} tokens.`,
  );

  function drawCurves(trainer: SaeTrainer | null): void {
    if (!trainer || trainer.history.length === 0) return;
    const colors = chartColors();
    const width = Math.max(240, Math.floor(availableWidth(root) / 2) - 16);
    curveFvu.replaceChildren(
      trainingCurve(
        trainer.history.map((p) => ({ step: p.step, value: p.fvu })),
        'FVU (batch)',
        width,
        colors,
      ),
    );
    curveL0.replaceChildren(
      trainingCurve(
        trainer.history.map((p) => ({ step: p.step, value: p.l0 })),
        'L0 (batch)',
        width,
        colors,
      ),
    );
  }
  let lastTrainer: SaeTrainer | null = null;

  async function train(): Promise<void> {
    const steps = stepsInput.valueAsNumber;
    const l1 = l1Input.valueAsNumber;
    if (!Number.isInteger(steps) || steps < 1 || !(l1 >= 0)) {
      setTrainState('idle', 'Steps must be a whole number from 1, and L1 a number from 0.');
      return;
    }
    const config: TrainingConfig = {
      ...recommended,
      d_sae: Number(featuresSelect.value),
      l1,
      steps,
    };
    trainButton.disabled = true;
    stopButton.disabled = false;
    stopRequested = false;
    try {
      if (!trainData) {
        setTrainState('harvesting', 'Downloading the training text…');
        const trainRows = parseTokenRows(
          jsonOf(await fetchModelFile(base, fileOf(index.train), { signal }), index.train.file),
          index.train.length,
          vocab,
        );
        trainData = await harvest(model, index.hook, trainRows, index.bos, (fraction) => {
          trainProgress.value = fraction;
          setTrainState(
            'harvesting',
            `Reading the residual stream on the training text (${Math.round(100 * fraction)}%)…`,
          );
        });
      }
      if (!graph) {
        setTrainState('loading', 'Starting the training step…');
        graph = await ComputeGraph.load(base, fileOf(index.train_step), { signal });
      }
      const trainer = new SaeTrainer(trainData.activations, index.d_in, config);
      lastTrainer = trainer;
      const run = (feeds: Parameters<ComputeGraph['run']>[0]) => graph!.run(feeds);
      const where = BACKEND_LABELS[graph.backend];
      const t0 = performance.now();
      let lastDraw = 0;
      trainProgress.value = 0;
      while (trainer.steps < steps && !stopRequested && !signal.aborted) {
        const point = await trainer.step(run);
        const now = performance.now();
        if (now - lastDraw > 250 || trainer.steps === steps) {
          lastDraw = now;
          const tokensPerSecond = (trainer.steps * config.batch) / ((now - t0) / 1000);
          trainProgress.value = trainer.steps / steps;
          trainStatus.dataset['steps'] = String(trainer.steps);
          trainStatus.dataset['tokensPerSecond'] = String(Math.round(tokensPerSecond));
          trainStatus.dataset['backend'] = graph.backend;
          setTrainState(
            'training',
            `Step ${trainer.steps} of ${steps} on ${where}: batch FVU ${fixed(point.fvu, 3)}, ` +
              `L0 ${fixed(point.l0, 1)}` +
              (Number.isNaN(point.dead) ? '' : `, ${point.dead} features silent lately`) +
              ` · ${Math.round(tokensPerSecond).toLocaleString('en')} tokens/s`,
          );
          drawCurves(trainer);
        }
      }
      if (signal.aborted || trainer.steps === 0) return;
      setTrainState('evaluating', `Measuring your SAE after ${trainer.steps} steps…`);
      trained++;
      const sae = trainer.toSae(
        `yours-${trained}`,
        `Yours #${trained} (L1 ${config.l1}, ${trainer.steps} steps)`,
      );
      const result = await evaluateSae(model, sae, data, await zeroLoss);
      entries.push({
        sae,
        result,
        loss: result,
        card: null,
        order: featuresByDensity(result.firing),
      });
      drawTable();
      drawTradeoff();
      fillSaeMenu(sae.id);
      featureInput.value = String(openingFeature(result.firing, data.positions.length));
      showFeature();
      setTrainState(
        stopRequested ? 'stopped' : 'done',
        `${stopRequested ? 'Stopped' : 'Done'} after ${trainer.steps} steps: on the held-out text L0 ${fixed(result.l0, 1)}, ` +
          `FVU ${fixed(result.fvu, 3)}, loss recovered ${fixed(result.lossRecovered, 3)}, ` +
          `${result.dead} dead of ${sae.dSae}. It is in the table and the feature menu now.`,
      );
    } catch (error) {
      if (signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      setTrainState('error', `Training failed: ${message}. Nothing was changed; try again.`);
    } finally {
      trainButton.disabled = false;
      stopButton.disabled = true;
    }
  }

  // ---- loss recovered, measured after the first result (one model run per chunk each) ----
  const tableElement = part<HTMLTableElement>(root, '[data-sae="table"]');
  const zeroLoss: Promise<number> = splicedLoss(model, data, null);
  async function measureLosses(): Promise<void> {
    for (const entry of entries) {
      if (entry.loss || signal.aborted) continue;
      entry.loss = await lossOfSae(model, entry.result, data, await zeroLoss);
      drawTable();
    }
    tableElement.dataset['losses'] = 'done';
  }
  measureLosses().catch((error: unknown) => {
    if (!signal.aborted) context.fail(error);
  });

  // ---- events ----
  featureForm.addEventListener('submit', (event) => event.preventDefault(), { signal });
  saeSelect.addEventListener(
    'change',
    () => {
      featureInput.value = String(openingFeature(current().result.firing, data.positions.length));
      showFeature();
    },
    { signal },
  );
  featureInput.addEventListener('input', showFeature, { signal });
  part<HTMLButtonElement>(featureForm, '[data-action="previous"]').addEventListener(
    'click',
    () => step(-1),
    { signal },
  );
  part<HTMLButtonElement>(featureForm, '[data-action="next"]').addEventListener(
    'click',
    () => step(1),
    { signal },
  );
  strength.addEventListener('input', showStrength, { signal });
  steerForm.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      steer().catch((error: unknown) => context.fail(error));
    },
    { signal },
  );
  trainForm.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      void train();
    },
    { signal },
  );
  stopButton.addEventListener('click', () => (stopRequested = true), { signal });
  onThemeChange(() => {
    drawTradeoff();
    drawHistogram();
    drawCurves(lastTrainer);
  }, signal);

  drawTable();
  fillSaeMenu(entries[0]!.sae.id);
  featureInput.value = String(openingFeature(entries[0]!.result.firing, data.positions.length));
  showStrength();
  showFeature();
  root.dataset['computed'] = 'done';
  requestAnimationFrame(() => {
    if (!signal.aborted) {
      drawTradeoff();
      drawHistogram();
    }
  });
}
