/**
 * One experiment per widget, built the way each widget builds it (its own presets, tiny-lm's or
 * attn-only-2l's real tokenizer), for the notebook tests. `prompts` and `positions` are what the
 * widget used, which the notebook's EXPERIMENT dict must repeat.
 */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '../../../src/ml';
import type { Experiment } from '../../../src/notebook/experiment';
import { logitLensExperiment } from '../../../src/notebook/widgets/logit-lens';
import { directLogitAttributionExperiment } from '../../../src/notebook/widgets/direct-logit-attribution';
import { inductionExperiment } from '../../../src/notebook/widgets/induction-heads';
import {
  activationPatchingExperiment,
  attributionPatchingExperiment,
  type MapsShown,
} from '../../../src/notebook/widgets/activation-patching';
import { greaterThanExperiment } from '../../../src/notebook/widgets/greater-than';
import { ioiExperiment } from '../../../src/notebook/widgets/ioi-circuit';
import { IOI_TEMPLATES, ioiBatch } from '../../../src/components/widgets/ioi-circuit/circuit';
import { YEAR_TEMPLATES } from '../../../src/components/widgets/greater-than/years';
import {
  parseEvalSets,
  presetPairs,
  type PromptPair,
} from '../../../src/components/widgets/tiny-lm/tasks';

export function tokenizerOf(model: string): Tokenizer {
  const url = new URL(`../../../public/models/${model}/tokenizer.json`, import.meta.url);
  return Tokenizer.fromJson(JSON.parse(readFileSync(url, 'utf8')));
}

export interface WidgetCase {
  readonly widget: string;
  readonly experiment: Experiment;
  /** Prompts the widget ran, each of which the notebook's EXPERIMENT must hold. */
  readonly prompts: readonly string[];
  /** The widget's positions (tiny-lm token index and token), where it has any. */
  readonly positions: readonly { readonly position: number; readonly token: string }[];
}

const tinyLm = tokenizerOf('tiny-lm');
const tokensOf = (text: string) => tinyLm.tokens(tinyLm.encode(text));

function logitLensCase(): WidgetCase {
  const prompt = 'When Mary and John went to the store, John gave a drink to';
  const positions = tokensOf(prompt);
  const row = positions.map((token) => ({ token, probability: 0.5 }));
  const grid = {
    layers: ['embed', 'after block 0', 'after block 1', 'after block 2', 'after block 3'],
    positions,
    cells: [
      row,
      row,
      row,
      row,
      row.map((c, i) => (i === row.length - 1 ? { token: 'Mary', probability: 0.9 } : c)),
    ],
  };
  return {
    widget: 'logit-lens',
    experiment: logitLensExperiment(prompt, grid),
    prompts: [prompt],
    positions: positions.map((token, position) => ({ position, token })),
  };
}

const positionsOf = (text: string) =>
  tokensOf(text).map((token, position) => ({ position, token }));

function dlaCase(): WidgetCase {
  const prompt = 'When Mary and John went to the store, John gave a drink to';
  const answer = String(tinyLm.tokenToId('Mary'));
  const distractor = String(tinyLm.tokenToId('John'));
  const shown = {
    label: 'logit(Mary) − logit(John)',
    total: 11.2,
    bars: [
      { label: 'embed', value: 0.4 },
      { label: 'L3H1', value: 6.1 },
      { label: 'L2 mlp', value: -0.8 },
    ],
  };
  const experiment = directLogitAttributionExperiment(prompt, tinyLm, answer, distractor, shown);
  return {
    widget: 'direct-logit-attribution',
    experiment,
    prompts: [prompt, 'Mary', 'John'],
    positions: positionsOf(prompt),
  };
}

function inductionCase(): WidgetCase {
  const run = {
    previousTokenHead: { layer: 0, head: 2, score: 0.31 },
    inductionHead: { layer: 1, head: 0, score: 0.8 },
    firstCopyLoss: 6.4,
    secondCopyLoss: 0.8,
  };
  const experiment = inductionExperiment({
    length: 25,
    batch: 4,
    seed: 3,
    words: 'cat dog sun',
    run,
  });
  return { widget: 'induction-heads', experiment, prompts: ['cat dog sun'], positions: [] };
}

const evalSets = parseEvalSets(
  JSON.parse(
    readFileSync(new URL('../../../public/models/tiny-lm/eval-sets.json', import.meta.url), 'utf8'),
  ),
);
/** The pairs the patching widgets offer, the default (IOI) first. */
export const WIDGET_PAIRS: readonly PromptPair[] = presetPairs(tinyLm, evalSets);

/** Patching maps of the widget's shape (values made up: the notebook only reports them). */
function mapsFor(pair: PromptPair): MapsShown {
  const columns = tokensOf(pair.cleanText);
  const grid = (rows: string[]) => ({
    rows,
    columns,
    values: rows.flatMap((_, r) => columns.map((_, c) => r + c / 10)),
  });
  return {
    clean: 11,
    corrupted: -11,
    families: [
      { family: { title: 'Residual stream' }, grid: grid(['pre L0', 'pre L1']) },
      { family: { title: 'Attention output' }, grid: grid(['L0 attn', 'L1 attn']) },
    ],
  };
}

function patchingCases(): WidgetCase[] {
  return WIDGET_PAIRS.filter((p, i, all) => all.findIndex((q) => q.task === p.task) === i).flatMap(
    (pair) => {
      const prompts = [pair.cleanText, pair.corruptedText];
      const positions = positionsOf(pair.cleanText);
      return [
        {
          widget: `activation-patching (${pair.task})`,
          experiment: activationPatchingExperiment(pair, tinyLm, 'denoise', mapsFor(pair)),
          prompts,
          positions,
        },
        {
          widget: `attribution-patching (${pair.task})`,
          experiment: attributionPatchingExperiment(pair, tinyLm, 'noise', mapsFor(pair), 0.99),
          prompts,
          positions,
        },
      ];
    },
  );
}

function greaterThanCase(): WidgetCase {
  const template = YEAR_TEMPLATES[1];
  const probabilities = Array.from({ length: 100 }, (_, y) => (y > 45 ? 0.018 : 0.001));
  const shown = {
    template,
    century: '17',
    startYear: 45,
    probabilities,
    patching: { clean: 0.8, corrupted: 0.95 },
  };
  const prompt = template.replaceAll('{c}', '17').replace('{x}', '45');
  return {
    widget: 'greater-than',
    experiment: greaterThanExperiment(shown, tinyLm),
    prompts: [prompt, template],
    positions: positionsOf(prompt),
  };
}

function ioiCase(): WidgetCase {
  const prompts = ioiBatch(tinyLm, IOI_TEMPLATES[0], 8);
  const roles = Array.from({ length: 16 }, (_, k) =>
    k === 13 ? 'name mover' : k === 9 ? 'S-inhibition' : '',
  );
  const shown = { layers: 4, heads: 4, prompts, clean: 11.3, corrupted: 0.2, roles };
  return {
    widget: 'ioi-circuit',
    experiment: ioiExperiment(shown, tinyLm),
    prompts: prompts.map((p) => p.text),
    positions: positionsOf(prompts[0]!.text),
  };
}

export const WIDGET_CASES: readonly WidgetCase[] = [
  greaterThanCase(),
  ioiCase(),
  logitLensCase(),
  dlaCase(),
  inductionCase(),
  ...patchingCases(),
];
