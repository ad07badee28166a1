/**
 * Wires the DAS markup to tiny-lm: loads the model and das.json, then for the chosen site and
 * held-out pair recomputes every number through the hook API (experiment.ts) and draws the bars,
 * the angle sweep and the table. The mean over all held-out pairs is computed after the first
 * result, once per site.
 */
import { fetchJson } from '../../ml';
import { chartColors, onThemeChange } from '../kit/chart-theme';
import { recompute, type Computation } from '../kit/recompute';
import type { WidgetContext } from '../kit/types';
import { gridTable } from '../kit/charts';
import { firstResultTimer, loadTinyLmFor, TINY_LM } from '../tiny-lm-experiments/load';
import { availableWidth, fixed, folded, markedPrompt, part } from '../kit/widget-parts';
import { predictionIn } from '../kit/predict';
import { angleCurve, changeBars, pairStrip, PATCHES, trainingCurve } from './charts';
import {
  pairResult,
  pairsResult,
  patchedLogitDiffs,
  siteDirections,
  type PairResult,
  type PairsResult,
} from './experiment';
import {
  angleOf,
  CONDITIONS,
  CONDITION_LABELS,
  mixAtAngle,
  openingPair,
  parseDasFile,
  patchAlong,
  SHOWN_PAIRS,
  sitePosition,
  type Condition,
  type DasFile,
  type DasSite,
} from './subspace';
import { modelFolderUrl } from '../kit/model-url';

import { dasExperiment } from '../../notebook/widgets/das-illusion';

/** Angles of the sweep, in degrees. */
const ANGLES = Array.from({ length: 19 }, (_, i) => i * 5);

const dataKey = (prefix: string, condition: Condition) =>
  `${prefix}${condition[0]!.toUpperCase()}${condition.slice(1)}`;

function siteLabel(site: DasSite): string {
  const where = site.position === 'S2' ? 'the repeated subject (S2)' : 'the last word (END)';
  return `MLP ${site.layer} hidden activation at ${where}: ${site.role}`;
}

export async function mount(context: WidgetContext): Promise<void> {
  const { root, signal } = context;
  const firstResult = firstResultTimer(root, 'das-illusion');
  const model = await loadTinyLmFor(context);
  context.progress({ fraction: null, label: 'Reading the learned directions' });
  const das: DasFile = parseDasFile(
    await fetchJson(new URL('das.json', modelFolderUrl(TINY_LM)).href, { signal }),
  );
  const tokenizer = model.tokenizer;

  const form = part<HTMLFormElement>(root, '[data-das="controls"]');
  const siteSelect = part<HTMLSelectElement>(form, 'select[name="site"]');
  const pairSelect = part<HTMLSelectElement>(form, 'select[name="pair"]');
  const angleInput = part<HTMLInputElement>(form, 'input[name="angle"]');
  const angleOutput = part<HTMLOutputElement>(form, 'output[name="angle-value"]');
  const status = part<HTMLElement>(root, '[data-das="status"]');

  das.sites.forEach((site, i) => siteSelect.add(new Option(siteLabel(site), String(i))));
  das.evalPairs.slice(0, SHOWN_PAIRS).forEach((pair, i) => {
    pairSelect.add(new Option(`${pair.base} … → ${tokenizer.vocab[pair.io]}`, String(i)));
  });
  // The strip chart shows every pair; the widget opens on the one where v moves the answer most.
  const start = openingPair(das);
  pairSelect.value = String(start);
  root.dataset['openingPair'] = String(start);

  const allPairs = new Map<number, Promise<PairsResult>>();
  let result: PairResult | null = null;
  let pairs: PairsResult | null = null;
  let chosenLogitDiff = Number.NaN;
  const computations = recompute(context);
  const prediction = predictionIn(root, signal);
  // The slider recomputes one number of the pair's result: its own protocol, dropped also when
  // the pair's computation it belongs to is superseded.
  const angleComputations = recompute(context);
  let pairComputation: Computation | null = null;

  const site = () => das.sites[Number(siteSelect.value)]!;
  const pair = () => das.evalPairs[Number(pairSelect.value)]!;

  async function compute(): Promise<void> {
    const run = computations.start();
    pairComputation = run;
    const s = site();
    status.textContent = 'Patching…';
    const found = await pairResult(model, s, pair(), ANGLES);
    if (run.stale) return;
    result = found;
    const atAngle = await chosenAngle();
    if (run.stale) return;
    chosenLogitDiff = atAngle;
    const index = Number(siteSelect.value);
    pairs = null;
    context.offerNotebook(() =>
      dasExperiment(das, Number(siteSelect.value), model.config.n_layers, tokenizer, result, pairs),
    );
    draw();
    run.done();
    void computeAllPairs(index, run).catch((error: unknown) => {
      if (!signal.aborted) context.fail(error);
    });
  }

  /** The logit difference when patching along the slider's mix of the two parts. */
  async function chosenAngle(): Promise<number> {
    if (!result) return Number.NaN;
    const s = site();
    const { dormant, disconnected } = siteDirections(s);
    const { base, source } = result.activations;
    const direction = mixAtAngle(dormant, disconnected, Number(angleInput.value));
    const { logitDiffs } = await patchedLogitDiffs(model, s, pair(), [
      patchAlong(base, source, direction),
    ]);
    return logitDiffs[0]!;
  }

  /** Every held-out pair at site `index`, once per site, after the chosen pair is shown. */
  async function computeAllPairs(index: number, run: Computation): Promise<void> {
    const s = das.sites[index]!;
    let pending = allPairs.get(index);
    root.dataset['meanComputed'] = 'running';
    if (!pending) {
      pending = pairsResult(
        model,
        s,
        das.evalPairs,
        (done) => {
          if (Number(siteSelect.value) === index)
            status.textContent = `Patching every held-out pair: ${done} of ${das.evalPairs.length}…`;
        },
        signal,
      );
      allPairs.set(index, pending);
      pending.catch(() => allPairs.delete(index));
    }
    const found = await pending;
    if (run.stale) return;
    pairs = found;
    draw();
    root.dataset['meanComputed'] = 'done';
  }

  function draw(): void {
    if (!result) return;
    const s = site();
    const p = pair();
    const colors = chartColors();
    const width = Math.min(720, availableWidth(root));
    const position = sitePosition(s, p);
    part<HTMLElement>(root, '[data-das="base"]').replaceChildren(
      markedPrompt(tokenizer, p.baseIds, [p.positions.S2]),
      ` → ${tokenizer.vocab[p.io]}`,
    );
    part<HTMLElement>(root, '[data-das="source"]').replaceChildren(
      markedPrompt(tokenizer, p.sourceIds, [p.positions.S2]),
      ` → ${tokenizer.vocab[p.s]}`,
    );
    part<HTMLElement>(root, '[data-das="site"]').textContent =
      `${s.hook}, position ${position} ("${tokenizer.vocab[p.baseIds[position]!]}")`;

    const ld = result.logitDiff;
    const mean = pairs?.mean ?? null;
    root.dataset['site'] = `${s.hook}@${s.position}`;
    root.dataset['pair'] = pairSelect.value;
    for (const c of CONDITIONS) root.dataset[dataKey('ld', c)] = String(ld[c]);
    const moves = PATCHES.map((c) => ({ c, move: Math.abs(ld[c] - ld.base) }));
    const most = moves.reduce((a, b) => (b.move > a.move ? b : a));
    prediction.answer(
      {
        kind: 'choice',
        value: most.c,
        label: `${CONDITION_LABELS[most.c]}, by ${fixed(most.move)} logits`,
      },
      'Along v the patch carries the prompts’ difference (which lies in the disconnected part) into the dormant part that W_out reads; neither part alone does both.',
    );
    if (mean) for (const c of CONDITIONS) root.dataset[dataKey('mean', c)] = String(mean[c]);

    part<HTMLElement>(root, '[data-chart="bars"]').replaceChildren(
      changeBars(ld, mean, width, colors),
    );
    const strip = part<HTMLElement>(root, '[data-chart="pairs"]');
    const spread = part<HTMLElement>(root, '[data-das="spread"]');
    if (pairs) {
      strip.replaceChildren(pairStrip(pairs.perPair, Number(pairSelect.value), width, colors));
      const moves = pairs.perPair.direction.map((x, k) => pairs!.perPair.base[k]! - x);
      const sorted = [...moves].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      const large = moves.filter((m) => m > 1).length;
      const toward = moves.filter((m) => m > 0).length;
      spread.textContent =
        `Along v the answer moves toward the source on ${toward} of ${moves.length} held-out pairs, by more than one logit on ${large}; ` +
        `median change ${fixed(-median)}, mean ${fixed(mean!.direction - mean!.base)}.`;
      spread.dataset['toward'] = String(toward);
      spread.dataset['large'] = String(large);
    } else {
      strip.replaceChildren();
      spread.textContent = 'Patching every held-out pair…';
    }

    part<HTMLElement>(root, '[data-das="levels"]').textContent =
      `Unpatched, the base prompt gives ${fixed(ld.base)} and the source ${fixed(ld.source)}. ` +
      `Patched: whole activation ${fixed(ld.full)}, along v ${fixed(ld.direction)}, dormant part only ${fixed(ld.dormant)}, disconnected part only ${fixed(ld.disconnected)}.`;

    const share = (x: number) => `${Math.round(100 * x)}%`;
    part<HTMLElement>(root, '[data-das="parts"]').textContent =
      `v = dormant + disconnected, with ${share(s.fractions.dormant)} of its squared length in the part the MLP's output reads and ${share(s.fractions.disconnected)} in the part it ignores. ` +
      `On this pair the source differs from the base by ${fixed(result.delta.dormant)} along the dormant part, ${fixed(result.delta.disconnected)} along the disconnected part and ${fixed(result.delta.direction)} along v ` +
      `(mean |difference| over the held-out pairs: ${fixed(s.meanAbsDeltaProjection.dormant)}, ${fixed(s.meanAbsDeltaProjection.disconnected)}, ${fixed(s.meanAbsDeltaProjection.direction)}). ` +
      `Read strength |u·W_out| of the unit parts: dormant ${fixed(s.readNorm.dormant)}, disconnected ${fixed(s.readNorm.disconnected, 4)}.`;

    const learned = angleOf(s.dormant, s.disconnected);
    const angle = Number(angleInput.value);
    angleOutput.value = `${angle}°`;
    part<HTMLElement>(root, '[data-chart="angle"]').replaceChildren(
      angleCurve(
        result.angles,
        result.byAngle,
        { chosen: angle, learned, base: ld.base },
        width,
        colors,
      ),
    );
    const readout = part<HTMLElement>(root, '[data-das="angle-readout"]');
    readout.textContent = `At θ = ${angle}° the logit difference is ${fixed(chosenLogitDiff)} (unpatched ${fixed(ld.base)}); the learned direction sits at θ = ${fixed(learned, 1)}°, where it is ${fixed(ld.direction)}.`;
    readout.dataset['angle'] = String(angle);
    readout.dataset['logitDiff'] = String(chosenLogitDiff);

    part<HTMLElement>(root, '[data-chart="training"]').replaceChildren(
      trainingCurve(s.curve, width, colors),
    );
    const [first, last] = [s.curve[0], s.curve[s.curve.length - 1]];
    part<HTMLElement>(root, '[data-das="training"]').textContent =
      first && last
        ? `Mean logit difference on the ${das.trainPairs.length} training pairs, patched along v: ${fixed(first.logitDiff)} at step ${first.step} (a random direction, which moves almost nothing) and ${fixed(last.logitDiff)} after ${last.step} Adam steps (learning rate ${das.training.lr}, batches of ${das.training.batch} pairs, v renormalised after each step).`
        : '';

    const columns = ['this pair', 'mean (page)', 'mean (das.json)'];
    const table = gridTable(
      {
        rows: CONDITIONS.map((c) => CONDITION_LABELS[c]),
        columns,
        values: Float32Array.from(
          CONDITIONS.flatMap((c) => [ld[c], mean?.[c] ?? Number.NaN, s.logitDiff[c]]),
        ),
      },
      `Logit difference IO − S at ${s.hook} (${s.position}); means over ${das.evalPairs.length} held-out pairs`,
      'patch',
    );
    part<HTMLElement>(root, '[data-table="numbers"]').replaceChildren(folded(table));
    status.textContent = mean
      ? `${das.evalPairs.length} held-out pairs; v learned on ${das.trainPairs.length} training pairs in ${das.training.steps} steps (models/tiny-lm/das.py).`
      : status.textContent;
  }

  const computeAgain = () => void compute().catch((error: unknown) => context.fail(error));
  form.addEventListener('submit', (event) => event.preventDefault(), { signal });
  siteSelect.addEventListener('change', computeAgain, { signal });
  pairSelect.addEventListener('change', computeAgain, { signal });
  angleInput.addEventListener(
    'input',
    () => {
      const pairRun = pairComputation;
      const turn = angleComputations.start();
      angleOutput.value = `${angleInput.value}°`;
      void chosenAngle()
        .then((atAngle) => {
          if (pairRun?.stale || turn.stale) return;
          chosenLogitDiff = atAngle;
          draw();
          turn.done();
        })
        .catch((error: unknown) => context.fail(error));
    },
    { signal },
  );
  onThemeChange(draw, signal);

  context.progress({ fraction: null, label: 'Patching along the learned direction' });
  await compute();
  firstResult(model.backend);
}
